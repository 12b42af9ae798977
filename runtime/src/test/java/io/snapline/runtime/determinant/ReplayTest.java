package io.snapline.runtime.determinant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.determinant.Determinant.Completed;
import io.snapline.runtime.determinant.Determinant.Done;
import io.snapline.runtime.determinant.Determinant.Idle;
import io.snapline.runtime.determinant.Determinant.Matched;
import io.snapline.runtime.determinant.Determinant.Op;
import io.snapline.runtime.determinant.Determinant.Poll;
import io.snapline.runtime.determinant.Determinant.Probed;
import io.snapline.runtime.determinant.Determinant.Received;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayTest {
    private static final int ANY = Determinant.ANY;
    private static final String ADVICE = "; the rank does not re-execute as it did before the restart, so its result"
            + " could differ. Make what it does depend only on its messages and the results of MPI calls, not on"
            + " clocks, threads or Cancel (docs/checkpointing.md, contract 4)";

    private static Replay replay(long[] bounds, Determinant... events) {
        return new Replay(0, new DeterminantLog(List.of(events)), bounds);
    }

    @Test
    void shouldForceEachRecordedOutcomeInOrderThenRunFreely() {
        Received recv = new Received(ANY, 3, 0, new Matched(2, 3, 41));
        Completed any = new Completed(Op.WAITANY, 3, List.of(new Done(1, new Matched(1, 3, 8))));
        Replay r = replay(null, new Idle(2, List.of(new Poll(Op.IPROBE, ANY, 3, 0, 0))), recv, any);
        assertInstanceOf(Idle.class, r.probe(false, ANY, 3, 0));
        assertInstanceOf(Idle.class, r.probe(false, ANY, 3, 0));
        assertSame(recv, r.receive(ANY, 3, 0));
        assertSame(any, r.complete(Op.WAITANY, 3, i -> true));
        assertTrue(r.isOver());
        assertEquals("all 4 recorded calls were replayed", r.end());
        assertNull(r.receive(ANY, 3, 0), "free once the log is over");
    }

    @Test
    void shouldNameTheRankAndTheEventWhenTheProgramCallsSomethingElse() {
        Replay r = new Replay(0, new DeterminantLog(List.of(new Received(ANY, 3, 0, new Matched(2, 3, 41)))), null);
        ReplayMismatchException e = assertThrows(ReplayMismatchException.class,
                () -> r.complete(Op.WAITANY, 3, i -> true));
        assertEquals("rank 0: replaying event 1 (Recv from ANY_SOURCE, tag 3 matched rank 2 tag 3 seq 41) but the"
                + " program called Waitany over 3 requests" + ADVICE, e.getMessage());
        assertTrue(r.isOver());
    }

    @Test
    void shouldNameTheCallOfAnIdleRunWhenThePollingDiffers() {
        Replay r = replay(null, new Idle(5, List.of(new Poll(Op.IPROBE, ANY, 3, 0, 0))));
        r.probe(false, ANY, 3, 0);
        r.probe(false, ANY, 3, 0);
        ReplayMismatchException e = assertThrows(ReplayMismatchException.class, () -> r.probe(false, 1, 3, 0));
        assertEquals("rank 0: replaying event 3 (Iprobe for ANY_SOURCE, tag 3 on context 0 found nothing, 5 calls,"
                + " call 3 of them) but the program called Iprobe for rank 1, tag 3 on context 0" + ADVICE,
                e.getMessage());
    }

    @Test
    void shouldNameTheNextEventWhenTheProgramEndsBeforeTheReplayIsOver() {
        Replay r = replay(null, new Received(ANY, 3, 0, new Matched(2, 3, 41)),
                new Idle(4, List.of(new Poll(Op.TEST, 0, 0, 0, 1))));
        r.receive(ANY, 3, 0);
        r.complete(Op.TEST, 1, i -> true);
        assertEquals("rank 0: replaying event 3 (Test over 1 request found nothing, 4 calls, call 2 of them) but the"
                + " program ended (MPI.Finalize) first" + ADVICE, r.unfinished().getMessage());
    }

    @Test
    void shouldRefuseARecordedIndexWhenThatRequestIsNotActive() {
        Replay r = replay(null, new Completed(Op.TESTSOME, 2, List.of(new Done(1, null))));
        ReplayMismatchException e = assertThrows(ReplayMismatchException.class,
                () -> r.complete(Op.TESTSOME, 2, i -> i == 0));
        assertEquals("rank 0: replaying event 1 (Testsome over 2 requests reported request 1) but request 1 of the"
                + " program's Testsome over 2 requests is not active" + ADVICE, e.getMessage());
    }

    @Test
    void shouldReportAForcedReceiveThatMatchedAnotherMessage() {
        Received recv = new Received(ANY, ANY, 0, new Matched(2, 3, 41));
        Replay r = replay(null, recv);
        assertSame(recv, r.receive(ANY, ANY, 0));
        assertNull(r.checkReceived(recv, 1, new Matched(2, 3, 41)));
        assertNull(r.checkReceived(recv, 1, new Matched(2, 3, 0)), "a message put back from a checkpoint has no number");
        assertEquals("rank 0: replaying event 1 (Recv from ANY_SOURCE, ANY_TAG matched rank 2 tag 3 seq 41) but the"
                + " receive matched rank 2 tag 4 seq 40" + ADVICE,
                r.checkReceived(recv, 1, new Matched(2, 4, 40)).getMessage());
    }

    @Test
    void shouldLeaveAReceiveFreeWhenItMatchedOnlyAfterTheRecordingEnded() {
        Probed probe = new Probed(true, ANY, 0, 0, new Matched(1, 0, 3));
        Replay r = replay(null, new Received(ANY, 0, 0, null), probe);
        assertNull(r.receive(ANY, 0, 0));
        assertFalse(r.isOver());
        assertSame(probe, r.probe(true, ANY, 0, 0));
    }

    @Test
    void shouldEndFreelyAtTheFirstEventThatObservedAMessageItsSenderWillNotRepeat() {
        Received first = new Received(ANY, 0, 0, new Matched(1, 0, 5));
        Received second = new Received(ANY, 0, 0, new Matched(2, 0, 8));
        Replay r = replay(new long[] {0, 10, 7}, first, second, new Received(ANY, 0, 0, new Matched(1, 0, 6)));
        assertSame(first, r.receive(ANY, 0, 0));
        assertNull(r.receive(ANY, 0, 0), "rank 2 sent seq 8 after its own recording ended");
        assertTrue(r.isOver());
        assertEquals("event 2 (Recv from ANY_SOURCE, tag 0 matched rank 2 tag 0 seq 8) observed a message rank 2 sent"
                + " after its own recording ended; the rank runs freely from there", r.end());
        assertNull(r.receive(ANY, 0, 0));
    }

    @Test
    void shouldEndFreelyWhenACompletionWasCausedByAMessageItsSenderWillNotRepeat() {
        Replay r = replay(new long[] {0, 3}, new Completed(Op.TEST, 1, List.of(new Done(0, new Matched(1, 0, 4)))));
        assertNull(r.complete(Op.TEST, 1, i -> true));
        assertTrue(r.isOver());
    }

    @Test
    void shouldSkipTheCallsOfAnIdleRunMadeBeforeTheCheckpointThatCutIt() {
        Idle idle = new Idle(3, List.of(new Poll(Op.IPROBE, ANY, 3, 0, 0)));
        Received recv = new Received(ANY, 3, 0, new Matched(2, 3, 41));
        Replay r = new Replay(0, new DeterminantLog(List.of(idle, recv)), null, 2);
        assertInstanceOf(Idle.class, r.probe(false, ANY, 3, 0), "the run's third and last call");
        assertSame(recv, r.receive(ANY, 3, 0), "the receive comes next, not after three more polls");
        assertTrue(r.isOver());
    }

    @Test
    void shouldRefuseToSkipCallsWhenTheLogDoesNotBeginWithALongerIdleRun() {
        Received recv = new Received(ANY, 3, 0, new Matched(2, 3, 41));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Replay(4, new DeterminantLog(List.of(recv)), null, 2));
        assertTrue(e.getMessage().startsWith("rank 4: the replay should skip 2 calls of an idle run, but the log "
                + "begins with Recv from ANY_SOURCE, tag 3 matched rank 2 tag 3 seq 41"), e.getMessage());
    }
}
