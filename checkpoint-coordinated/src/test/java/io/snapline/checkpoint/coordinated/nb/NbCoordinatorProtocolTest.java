package io.snapline.checkpoint.coordinated.nb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NbCoordinatorProtocolTest {

    private static final long S = 1_000_000_000L;
    private final List<NbCoordinatorAction> out = new ArrayList<>();

    private NbCoordinatorProtocol coordinator(int ranks) {
        return new NbCoordinatorProtocol(ranks, 10 * S, 60 * S, 0, 0, out::add);
    }

    @Test
    void shouldRequestOnlyWhenIntervalElapsedSinceLastCommit() {
        NbCoordinatorProtocol c = coordinator(2);
        c.onTick(9 * S);
        assertEquals(List.of(), out);
        c.onTick(10 * S);
        assertEquals(List.of(new NbCoordinatorAction.Request(1)), out);
        c.onTick(20 * S);
        assertEquals(1, out.size(), "only one checkpoint open at a time");
    }

    @Test
    void shouldRequestTheNextCheckpointAfterTheIntervalInForceWhenItChanges() {
        NbCoordinatorProtocol c = coordinator(1);
        c.onTick(10 * S);
        c.onTaken(0, 1, 0);
        c.onPrepared(0, 1, 100);
        c.onManifestCommitted(1, 12 * S);
        c.intervalNanos(3 * S); // --interval auto chose a shorter one from the checkpoint's cost
        c.onTick(14 * S);
        assertEquals(3, out.size());
        c.onTick(15 * S);
        assertEquals(new NbCoordinatorAction.Request(2), out.get(3));
        assertThrows(IllegalArgumentException.class, () -> c.intervalNanos(0));
    }

    @Test
    void shouldCommitInTwoPhasesWhenEveryRankPrepared() {
        NbCoordinatorProtocol c = coordinator(2);
        c.onTick(10 * S);
        c.onTaken(0, 1, 0);
        c.onPrepared(0, 1, 100);
        c.onPrepared(1, 1, 200);
        assertEquals(new NbCoordinatorAction.CommitManifest(1, List.of(100L, 200L)), out.get(1));
        assertEquals(NbCoordinatorState.COMMITTING, c.state());
        c.onManifestCommitted(1, 12 * S);
        assertEquals(new NbCoordinatorAction.Committed(1), out.get(2));
        assertEquals(1, c.lastCommitted());
        c.onTick(21 * S);
        assertEquals(3, out.size(), "interval counts from the commit");
        c.onTick(22 * S);
        assertEquals(new NbCoordinatorAction.Request(2), out.get(3));
    }

    @Test
    void shouldAbandonNamingRanksWhenCheckpointTimesOut() {
        NbCoordinatorProtocol c = coordinator(4);
        c.onTick(10 * S);
        c.onTaken(0, 1, 0);
        c.onPrepared(3, 1, 5);
        c.onTick(69 * S);
        assertEquals(1, out.size());
        c.onTick(70 * S);
        assertEquals(new NbCoordinatorAction.Abandoned(1, "checkpoint 1 abandoned after 60 s: ranks 1, 2 never"
                + " reached a safe point; rank 0 took it but has not prepared (still waiting for promises, late"
                + " messages or the piece write)"), out.get(1));
        assertEquals(NbCoordinatorState.CLOSED, c.state());
        c.onPrepared(1, 1, 5); // stragglers after the abandon are ignored
        c.onTick(1000 * S);
        assertEquals(2, out.size());
    }

    @Test
    void shouldLetTheTimeoutWaitWhileARestartedRankReSendsAndCountItFromThatRanksCapture() {
        NbCoordinatorProtocol c = coordinator(3);
        c.onTick(10 * S);
        c.onTaken(0, 1, 11 * S);
        assertEquals(true, c.onDeferred(1, 1));
        assertEquals(true, c.onDeferred(2, 1));
        assertEquals(false, c.onDeferred(2, 1), "told once");
        assertEquals(false, c.onDeferred(0, 1), "rank 0 took it already");
        assertEquals(false, c.onDeferred(1, 2), "not the open checkpoint");
        c.onTick(500 * S); // far beyond the 60 s timeout: both still re-execute what their peers hold
        assertEquals(1, out.size(), "" + out);
        c.onTaken(1, 1, 600 * S);
        c.onTick(700 * S); // rank 2 still defers
        assertEquals(1, out.size(), "" + out);
        c.onTaken(2, 1, 800 * S); // the timeout counts from here
        c.onTick(859 * S);
        assertEquals(1, out.size(), "" + out);
        c.onTick(860 * S);
        assertEquals(new NbCoordinatorAction.Abandoned(1, "checkpoint 1 abandoned after 60 s: ranks 0, 1, 2 took it "
                + "but have not prepared (still waiting for promises, late messages or the piece write)"), out.get(1));
    }

    @Test
    void shouldCommitACheckpointARestartedRankDeferredOnceItTookIt() {
        NbCoordinatorProtocol c = coordinator(2);
        c.onTick(10 * S);
        c.onDeferred(1, 1);
        c.onTaken(0, 1, 11 * S);
        c.onPrepared(0, 1, 100);
        c.onTaken(1, 1, 400 * S);
        c.onPrepared(1, 1, 200);
        assertEquals(new NbCoordinatorAction.CommitManifest(1, List.of(100L, 200L)), out.get(1));
    }

    @Test
    void shouldAbandonWhenRankFailsOrFinishesBeforePreparing() {
        NbCoordinatorProtocol failed = coordinator(2);
        failed.onTick(10 * S);
        failed.onRankFailed(1);
        assertEquals(new NbCoordinatorAction.Abandoned(1, "checkpoint 1 abandoned: rank 1 failed; recovery uses a"
                + " fresh start"), out.get(1));
        out.clear();
        NbCoordinatorProtocol finished = new NbCoordinatorProtocol(2, 10 * S, 60 * S, 0, 4, out::add);
        finished.onTick(10 * S);
        finished.onTaken(0, 5, 0);
        finished.onRankFinished(0);
        assertEquals(List.of(new NbCoordinatorAction.Request(5), new NbCoordinatorAction.Abandoned(5,
                "checkpoint 5 abandoned: rank 0 finished before preparing its piece")), out);
    }

    @Test
    void shouldStillCommitWhenRankFinishesAfterPreparing() {
        NbCoordinatorProtocol c = coordinator(2);
        c.onTick(10 * S);
        c.onPrepared(0, 1, 1);
        c.onRankFinished(0);
        c.onPrepared(1, 1, 1);
        c.onManifestCommitted(1, 11 * S);
        assertEquals(new NbCoordinatorAction.Committed(1), out.get(2));
        assertEquals(NbCoordinatorState.CLOSED, c.state());
        assertEquals("rank 0 finished; checkpoint 1 is the last one of this run", c.closedReason());
    }

    @Test
    void shouldRecordCommitWithoutBroadcastWhenRankFailsDuringManifestWrite() {
        NbCoordinatorProtocol c = coordinator(1);
        c.onTick(10 * S);
        c.onPrepared(0, 1, 1);
        c.onRankFailed(0);
        c.onManifestCommitted(1, 11 * S);
        assertEquals(1, c.lastCommitted());
        assertEquals(2, out.size(), "no Committed broadcast to a failed job");
    }

    @Test
    void shouldThrowNamingStateAndEventWhenTransitionIsIllegal() {
        NbCoordinatorProtocol c = coordinator(2);
        IllegalStateException idle = assertThrows(IllegalStateException.class, () -> c.onPrepared(0, 1, 1));
        assertEquals("coordinator in state IDLE cannot handle PREPARED(0, 1): checkpoint 1 is not open",
                idle.getMessage());
        c.onTick(10 * S);
        c.onPrepared(0, 1, 1);
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> c.onPrepared(0, 1, 1));
        assertEquals("coordinator in state REQUESTED (checkpoint 1) cannot handle PREPARED(0, 1): rank 0 already"
                + " reported Prepared(1)", twice.getMessage());
        IllegalStateException manifest = assertThrows(IllegalStateException.class,
                () -> c.onManifestCommitted(1, 0));
        assertEquals("coordinator in state REQUESTED (checkpoint 1) cannot handle MANIFEST_COMMITTED(1): no"
                + " manifest of checkpoint 1 is being written", manifest.getMessage());
        assertThrows(IllegalArgumentException.class, () -> c.onPrepared(2, 1, 1));
    }

    @Test
    void shouldFormatSubSecondAndFractionalTimeoutsWhenAbandoning() {
        NbCoordinatorProtocol c = new NbCoordinatorProtocol(1, 1, 1_500_000_000L, 0, 0, out::add);
        c.onTick(1);
        c.onTick(1 + 1_500_000_000L);
        assertEquals(new NbCoordinatorAction.Abandoned(1, "checkpoint 1 abandoned after 1.5 s: rank 0 never"
                + " reached a safe point"), out.get(1));
        assertEquals("250 ms", NbCoordinatorProtocol.duration(250_000_000L));
    }
}
