package io.snapline.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.recovery.io.LocalHistory;
import io.snapline.recovery.model.History;
import io.snapline.recovery.model.HistoryBuilder;
import io.snapline.recovery.model.Message;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a restart under sender-based message logging moves, on scripted histories. */
class LoggedRecoveryTest {
    private static final int P = 0;
    private static final int Q = 1;
    private static final int R = 2;

    private static List<String> names(List<Message> messages) {
        return messages.stream().map(Message::label).toList();
    }

    private static LoggedRecovery.Restart only(History history, int failed) {
        List<LoggedRecovery.Restart> restarts = LoggedRecovery.plan(history, LoggedRecovery.newest(history, failed));
        assertEquals(1, restarts.size(), restarts.toString());
        return restarts.get(0);
    }

    @Test
    void shouldNotReplayAMessageWhenTheRestoredCheckpointHoldsItsReceive() {
        History history = new HistoryBuilder("P", "Q")
            .send(P, "x", Q, 10).receive(Q, "x", 20).checkpoint(Q, 30).end(P, 50).end(Q, 50).build();

        LoggedRecovery.Restart q = only(history, Q);

        assertEquals(Q, q.rank());
        assertEquals(1, q.checkpoint());
        assertEquals(1, q.checkpointId());
        assertEquals(List.of(), q.fromLogs());
        assertEquals(0, q.replays());
    }

    @Test
    void shouldReplayAMessageFromTheSendersLogWhenItWasReceivedAfterTheRestoredCheckpoint() {
        History history = new HistoryBuilder("P", "Q")
            .send(P, "x", Q, 10).receive(Q, "x", 20).checkpoint(Q, 30).send(P, "y", Q, 35).receive(Q, "y", 40)
            .end(P, 50).end(Q, 50).build();

        LoggedRecovery.Restart q = only(history, Q);

        assertEquals(List.of("y"), names(q.fromLogs()));
        assertEquals(List.of(), q.resent());
        assertEquals(1, q.replays());
        assertFalse(q.fromTheStart());
    }

    @Test
    void shouldReplayAMessageThatWasSentBeforeTheCheckpointButNotReceivedAtAll() {
        History history = new HistoryBuilder("P", "Q")
            .send(P, "x", Q, 10).checkpoint(Q, 30).checkpoint(P, 40).end(P, 50).end(Q, 50).build();

        LoggedRecovery.Restart q = only(history, Q);

        assertEquals(List.of("x"), names(q.fromLogs()));
    }

    @Test
    void shouldReplayEverythingSentToARankWhenItHasNoCheckpoint() {
        History history = new HistoryBuilder("P", "Q")
            .send(P, "x", Q, 10).receive(Q, "x", 20).send(P, "y", Q, 30).receive(Q, "y", 35).send(P, "z", Q, 40)
            .checkpoint(P, 45).end(P, 50).end(Q, 50).build();

        LoggedRecovery.Restart q = only(history, Q);

        assertTrue(q.fromTheStart());
        assertEquals(0, q.checkpoint());
        assertEquals(List.of("x", "y", "z"), names(q.fromLogs()));
    }

    @Test
    void shouldCountTheSendsAfterTheRestoredCheckpointAsSuppressedWhenTheOthersHoldThem() {
        History history = new HistoryBuilder("P", "Q", "R")
            .send(P, "before", Q, 5).receive(Q, "before", 6).checkpoint(P, 10)
            .send(P, "received", Q, 20).receive(Q, "received", 25)
            .send(P, "unreceived", R, 30)
            .end(P, 50).end(Q, 50).end(R, 50).build();

        LoggedRecovery.Restart p = only(history, P);

        assertEquals(List.of("received", "unreceived"), names(p.suppressed()));
        assertEquals(0, p.replays());
    }

    @Test
    void shouldResendRatherThanReplayWhenTwoFailedRanksExchangeMessagesAfterTheSendersCheckpoint() {
        History history = new HistoryBuilder("P", "Q", "R")
            .send(P, "logged", Q, 5)             // before P's checkpoint: P's restored log holds it
            .checkpoint(P, 10)
            .send(P, "held", Q, 20).receive(Q, "held", 25)  // Q's checkpoint holds it: suppressed at P
            .checkpoint(Q, 30)
            .receive(Q, "logged", 35)
            .send(P, "resent", Q, 40).receive(Q, "resent", 45)  // neither holds it: P's re-execution sends it
            .send(P, "survivor", R, 42).receive(R, "survivor", 43)  // R keeps running and holds it
            .send(R, "toP", P, 44).receive(P, "toP", 46)  // R's log
            .end(P, 50).end(Q, 50).end(R, 50).build();

        List<LoggedRecovery.Restart> restarts = LoggedRecovery.plan(history, LoggedRecovery.newest(history, Q, P));

        assertEquals(List.of(P, Q), restarts.stream().map(LoggedRecovery.Restart::rank).toList());
        LoggedRecovery.Restart p = restarts.get(0);
        LoggedRecovery.Restart q = restarts.get(1);
        assertEquals(List.of("toP"), names(p.fromLogs()));
        assertEquals(List.of(), p.resent());
        assertEquals(List.of("held", "survivor"), names(p.suppressed()));
        assertEquals(List.of("logged"), names(q.fromLogs()));
        assertEquals(List.of("resent"), names(q.resent()));
        assertEquals(2, q.replays());
        assertEquals(List.of(), q.suppressed());
    }

    @Test
    void shouldRestoreTheGivenCheckpointsWhenTheRestartNamesOlderOnes() {
        History history = new HistoryBuilder("P", "Q")
            .send(P, "x", Q, 10).receive(Q, "x", 20).checkpoint(Q, 30).send(P, "y", Q, 35).receive(Q, "y", 40)
            .checkpoint(Q, 45).end(P, 50).end(Q, 50).build();

        List<LoggedRecovery.Restart> restarts = LoggedRecovery.plan(history,
            RecoveryLine.of(RecoveryLine.KEEP_RUNNING, 1));

        assertEquals(1, restarts.get(0).checkpoint());
        assertEquals(List.of("y"), names(restarts.get(0).fromLogs()));
        assertEquals(2, LoggedRecovery.newest(history, Q).checkpoint(Q));
        assertTrue(LoggedRecovery.newest(history, Q).keepsRunning(P));
    }

    @Test
    void shouldLeaveOutTheUnrecordedLinksWhenTheHistoryHasThem() {
        History history = new HistoryBuilder("P", "Q")
            .send(P, LocalHistory.UNRECORDED, Q, 10).receive(Q, LocalHistory.UNRECORDED, 20)
            .end(P, 50).end(Q, 50).build();

        assertEquals(0, only(history, Q).replays());
    }

    @Test
    void shouldRefuseAFailedRankThatDoesNotExist() {
        History history = new HistoryBuilder("P", "Q").end(P, 50).end(Q, 50).build();

        RecoveryException e = assertThrows(RecoveryException.class, () -> LoggedRecovery.newest(history, 2));

        assertEquals("failed rank 2 does not exist; ranks are 0..1", e.getMessage());
        assertThrows(RecoveryException.class, () -> LoggedRecovery.plan(history, RecoveryLine.of(0)));
    }
}
