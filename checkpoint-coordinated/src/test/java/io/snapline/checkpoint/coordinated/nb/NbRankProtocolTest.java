package io.snapline.checkpoint.coordinated.nb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NbRankProtocolTest {

    private final List<NbRankAction> out = new ArrayList<>();

    private NbRankProtocol rank(int r, int n) {
        return new NbRankProtocol(r, n, out::add);
    }

    @Test
    void shouldNumberSendsPerDestinationWhenSending() {
        NbRankProtocol p = rank(0, 3);
        assertEquals(1, p.onSend(1));
        assertEquals(2, p.onSend(1));
        assertEquals(1, p.onSend(2));
        assertEquals(0, p.epoch());
    }

    @Test
    void shouldTakeCheckpointAndPromiseSendCountsWhenSafePointFollowsRequest() {
        NbRankProtocol p = rank(1, 3);
        p.onSend(0);
        p.onSend(2);
        p.onSend(2);
        p.onAccept(0, 0, 1);
        assertTrue(p.atSafePoint().isEmpty());
        p.onRequest(1);
        NbCapture c = p.atSafePoint().orElseThrow();
        assertEquals(new NbCapture(1, new long[] {1, 0, 2}, new long[] {1, 0, 0}), c);
        assertEquals(List.of(new NbRankAction.Taken(1), new NbRankAction.RecordDeterminants(1),
                new NbRankAction.Promise(0, 1, 1), new NbRankAction.Promise(2, 1, 2)), out);
        assertEquals(NbRankState.LOGGING, p.state());
        assertEquals(1, p.epoch());
    }

    @Test
    void shouldWaitForLateMessagesThenWritePieceWhenPromiseExceedsAccepted() {
        NbRankProtocol p = rank(1, 2);
        p.onRequest(1);
        p.atSafePoint();
        out.clear();
        p.onPromise(0, 1, 2);
        assertEquals("rank 1 is still waiting for late messages from rank 0 (has 0 of 2)", p.waitDescription());
        assertEquals(NbClassification.LATE, p.onAccept(0, 0, 1));
        assertEquals(NbClassification.LATE, p.onAccept(0, 0, 2));
        p.onLateLogged(0, 2);
        assertEquals("rank 1 is still waiting for late messages from rank 0 (has 1 of 2)", p.waitDescription());
        p.onLateLogged(0, 1);
        NbCheckpointRecord record = new NbCheckpointRecord(1, 1, new long[] {0, 0}, new long[] {0, 0},
                new long[] {0, 0}, List.of(new NbCheckpointRecord.Late(0, 1), new NbCheckpointRecord.Late(0, 2)));
        assertEquals(List.of(new NbRankAction.DeterminantsComplete(1), new NbRankAction.WritePiece(record)), out);
        p.onPieceWritten(1, 42);
        assertEquals(new NbRankAction.Prepared(1, 42), out.get(2));
        p.onCommitted(1);
        assertEquals(NbRankState.RUNNING, p.state());
        assertEquals(1, p.lastCommitted());
    }

    @Test
    void shouldRecordDeterminantsFromTheCaptureUntilTheLastPromiseWhenPeersTakeTheCheckpointLater() {
        NbRankProtocol p = rank(0, 3);
        p.onRequest(1);
        p.onSend(1);
        p.atSafePoint();
        assertEquals(List.of(new NbRankAction.Taken(1), new NbRankAction.RecordDeterminants(1),
                new NbRankAction.Promise(1, 1, 1), new NbRankAction.Promise(2, 1, 0)), out);
        out.clear();
        p.onSend(1);                       // after the capture: seq 2 may be early at rank 1
        p.onSend(2);
        p.onPromise(2, 1, 0);
        assertEquals(List.of(), out, "rank 1 has not taken the checkpoint yet");
        p.onPromise(1, 1, 0);
        p.onSend(1);                       // every rank has taken it: seq 3 cannot be early
        NbCheckpointRecord record = new NbCheckpointRecord(0, 1, new long[] {0, 1, 0}, new long[3],
                new long[] {0, 2, 1}, List.of());
        assertEquals(List.of(new NbRankAction.DeterminantsComplete(1), new NbRankAction.WritePiece(record)), out);
    }

    @Test
    void shouldEndTheRecordingAtTheCaptureWhenEveryPeerTookTheCheckpointFirst() {
        NbRankProtocol p = rank(0, 2);
        p.onRequest(1);
        p.onPromise(1, 1, 0);
        p.atSafePoint();
        assertEquals(List.of(new NbRankAction.Taken(1), new NbRankAction.RecordDeterminants(1),
                new NbRankAction.Promise(1, 1, 0), new NbRankAction.DeterminantsComplete(1),
                new NbRankAction.WritePiece(new NbCheckpointRecord(0, 1, new long[2], new long[2], new long[2],
                        List.of()))), out);
    }

    @Test
    void shouldDropTheRecordingWhenTheCheckpointIsAbandonedWhileRecording() {
        NbRankProtocol p = rank(0, 2);
        p.onRequest(1);
        p.atSafePoint();
        out.clear();
        p.onAbandoned(1);
        assertEquals(List.of(new NbRankAction.DropDeterminants(1)), out);
    }

    @Test
    void shouldLearnOfCheckpointWhenEarlyMessageArrives() {
        NbRankProtocol p = rank(1, 2);
        assertEquals(NbClassification.EARLY, p.onAccept(0, 1, 1));
        assertEquals(NbRankState.CHECKPOINT_REQUESTED, p.state());
        p.onRequest(1); // the coordinator's request, arriving later, changes nothing
        assertEquals(new NbCapture(1, new long[] {0, 0}, new long[] {1, 0}), p.atSafePoint().orElseThrow());
    }

    @Test
    void shouldTreatEarlyMessageAsImplicitCommitWhenPrepared() {
        NbRankProtocol p = rank(0, 1);
        p.onRequest(1);
        p.atSafePoint();
        p.onPieceWritten(1, 1);
        assertEquals(NbRankState.PREPARED, p.state());
        p.onRequest(2);
        assertEquals(1, p.lastCommitted());
        assertEquals(NbRankState.CHECKPOINT_REQUESTED, p.state());
        p.onCommitted(1); // late commit message: ignored
        assertEquals(NbRankState.CHECKPOINT_REQUESTED, p.state());
    }

    @Test
    void shouldSuppressReExecutedSendsWhenRestoredWithBounds() {
        NbRankProtocol p = rank(0, 2);
        p.restore(new RestartPlan.RankPlan(0, 3, new long[] {0, 4}, new long[] {0, 7}, new long[] {0, 6},
                new long[] {0, 9}, List.of()));
        assertEquals(3, p.epoch());
        assertEquals(NbRankProtocol.SUPPRESSED, p.onSend(1));
        assertEquals(NbRankProtocol.SUPPRESSED, p.onSend(1));
        assertEquals(7, p.onSend(1));
        assertEquals(NbClassification.NORMAL, p.onAccept(1, 3, 8));
    }

    @Test
    void shouldTakeTheNextCheckpointOnlyOnceEveryReExecutedSendIsDone() {
        NbRankProtocol p = rank(0, 3);
        p.restore(new RestartPlan.RankPlan(0, 3, new long[] {0, 4, 2}, new long[3], new long[] {0, 6, 3},
                new long[3], List.of()));
        p.onRequest(4);
        out.clear();
        assertTrue(p.atSafePoint().isEmpty(), "rank 1 holds messages 5 and 6 and rank 2 message 3 of this rank");
        assertEquals(List.of(new NbRankAction.Deferred(4, 3)), out, "the coordinator's timeout is to wait");
        assertEquals("rank 0 takes checkpoint 4 once it has re-sent the 3 message(s) its peers already hold since the"
                + " restart", p.waitDescription());
        assertEquals(NbRankProtocol.SUPPRESSED, p.onSend(1));
        assertEquals(NbRankProtocol.SUPPRESSED, p.onSend(2));
        assertTrue(p.atSafePoint().isEmpty());
        assertEquals(1, out.size(), "told once per checkpoint: " + out);
        assertEquals(NbRankProtocol.SUPPRESSED, p.onSend(1));
        assertEquals(NbRankState.CHECKPOINT_REQUESTED, p.state());
        NbCapture c = p.atSafePoint().orElseThrow();
        assertEquals(4, c.epoch());
        assertEquals(NbRankState.LOGGING, p.state());
    }

    @Test
    void shouldRejectDuplicateSeqWhenAccepting() {
        NbRankProtocol p = rank(1, 2);
        p.onAccept(0, 0, 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.onAccept(0, 0, 1));
        assertEquals("rank 1 accepted seq 1 from rank 0 but expected seq 2: the channel lost, duplicated or"
                + " reordered a message (a re-executed send that should have been suppressed?)", e.getMessage());
    }

    @Test
    void shouldRejectEpochTwoAheadAsProtocolViolation() {
        NbRankProtocol p = rank(1, 2);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.onAccept(0, 2, 1));
        assertEquals("rank 1 in state RUNNING (epoch 0) cannot handle ACCEPT: message seq 1 from rank 0 with"
                + " epoch 2: epochs differ by more than one, which cannot happen while only one checkpoint is open",
                e.getMessage());
    }

    @Test
    void shouldRejectLateMessageBeyondPromiseWhenLogging() {
        NbRankProtocol p = rank(1, 2);
        p.onRequest(1);
        p.atSafePoint();
        p.onPromise(0, 1, 0);
        // promise of 0 completed the checkpoint; a late message afterwards is impossible
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.onAccept(0, 0, 1));
        assertTrue(e.getMessage().startsWith("rank 1 in state WRITING (epoch 1) cannot handle ACCEPT"),
                e.getMessage());
    }

    @Test
    void shouldRejectLogOfMessageThatWasNotLate() {
        NbRankProtocol p = rank(1, 3);
        p.onRequest(1);
        p.atSafePoint();
        p.onAccept(0, 0, 1);
        p.onLateLogged(0, 1);
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> p.onLateLogged(0, 1));
        assertTrue(twice.getMessage().endsWith("message seq 1 from rank 0 was logged twice"), twice.getMessage());
        IllegalStateException notLate = assertThrows(IllegalStateException.class, () -> p.onLateLogged(2, 1));
        assertTrue(notLate.getMessage().contains("was not accepted as late"), notLate.getMessage());
    }

    @Test
    void shouldThrowNamingStateAndEventWhenTransitionIsIllegal() {
        NbRankProtocol p = rank(0, 2);
        IllegalStateException written = assertThrows(IllegalStateException.class, () -> p.onPieceWritten(1, 0));
        assertEquals("rank 0 in state RUNNING (epoch 0) cannot handle PIECE_WRITTEN: no piece of checkpoint 1 is"
                + " being written", written.getMessage());
        IllegalStateException request = assertThrows(IllegalStateException.class, () -> p.onRequest(2));
        assertEquals("rank 0 in state RUNNING (epoch 0) cannot handle REQUEST: expected checkpoint 1 but got 2",
                request.getMessage());
        p.onRequest(1);
        IllegalStateException commit = assertThrows(IllegalStateException.class, () -> p.onCommitted(1));
        assertTrue(commit.getMessage().startsWith("rank 0 in state CHECKPOINT_REQUESTED (epoch 0) cannot handle"
                + " COMMITTED"), commit.getMessage());
        p.atSafePoint();
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> {
            p.onPromise(1, 1, 0);
            p.onPromise(1, 1, 0);
        });
        assertTrue(twice.getMessage().contains("PROMISE"), twice.getMessage());
        IllegalStateException restore = assertThrows(IllegalStateException.class, () -> p.restore(
                new RestartPlan.RankPlan(0, 1, new long[2], new long[2], new long[2], new long[2], List.of())));
        assertTrue(restore.getMessage().endsWith("cannot handle RESTORE: restore needs a fresh instance"));
    }

    @Test
    void shouldStopWorkingOnCheckpointAndIgnoreItsLeftoversWhenAbandoned() {
        NbRankProtocol p = rank(1, 2);
        p.onRequest(1);
        p.atSafePoint();
        assertEquals(NbClassification.LATE, p.onAccept(0, 0, 1));
        assertEquals("rank 1 is still waiting for the promise of rank 0 for checkpoint 1", p.waitDescription());
        p.onAbandoned(1);
        assertEquals(NbRankState.RUNNING, p.state());
        p.onLateLogged(0, 1);            // delivery of a message flagged late before: ignored
        p.onPromise(0, 1, 1);            // promise of the abandoned checkpoint: ignored
        assertEquals(NbClassification.NORMAL, p.onAccept(0, 0, 2)); // peer that never took it
        assertThrows(IllegalStateException.class, () -> p.onAbandoned(1));
    }

    @Test
    void shouldIgnorePieceWrittenWhenCheckpointWasAbandonedDuringTheWrite() {
        NbRankProtocol p = rank(0, 1);
        p.onRequest(1);
        p.atSafePoint();
        assertEquals(NbRankState.WRITING, p.state());
        p.onAbandoned(1);
        out.clear();
        p.onPieceWritten(1, 10);
        assertEquals(List.of(), out);
        assertEquals(NbRankState.RUNNING, p.state());
    }
}
