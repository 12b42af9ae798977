package io.snapline.recovery;

import io.snapline.recovery.model.Checkpoint;
import io.snapline.recovery.model.History;
import io.snapline.recovery.model.HistoryBuilder;
import io.snapline.recovery.model.Message;
import io.snapline.recovery.model.RankHistory;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class HistoryValidationTest {
    private static final List<RankHistory> TWO_RANKS = List.of(
        new RankHistory(0, "P", List.of(new Checkpoint(0, 0, 0, 0), new Checkpoint(0, 1, 7, 10)), 20),
        new RankHistory(1, "Q", List.of(new Checkpoint(1, 0, 0, 0)), 20));

    @Test
    void shouldRejectMessageWhenItsRankDoesNotExist() {
        assertEquals("message 0 (m0.0): receiver 2 is not a rank; ranks are 0..1",
            invalid(List.of(Message.of(0, 0, 2, 0, 0))));
        assertEquals("message 0 (m-1.0): sender -1 is not a rank; ranks are 0..1",
            invalid(List.of(Message.of(-1, 0, 1, 0, 0))));
    }

    @Test
    void shouldRejectMessageWhenItsIntervalIsBeyondTheLastCheckpointPlusOne() {
        assertEquals("message 0 (m0.0): send interval 2 does not exist on rank 0 (P), which has 2 checkpoint(s) and so"
                + " intervals 0..1 (interval i lies between checkpoints i and i+1; the last one is open)",
            invalid(List.of(Message.of(0, 2, 1, 0, 0))));
        assertEquals("message 0 (m0.0): receive interval 1 does not exist on rank 1 (Q), which has 1 checkpoint(s) and"
                + " so intervals 0..0 (interval i lies between checkpoints i and i+1; the last one is open)",
            invalid(List.of(Message.of(0, 1, 1, 1, 0))));
    }

    @Test
    void shouldRejectTimesWhenTheyLieOutsideTheirIntervalOrRunBackwards() {
        assertEquals("message 0 (x): send time 15 ns lies outside interval 0 of rank 0 (P), which runs from 0 to 10 ns",
            invalid(List.of(new Message(0, 0, 1, 0, 0, 15, Message.NO_TIME, "x"))));
        assertEquals("message 0 (x): received at 3 ns, before it was sent at 5 ns",
            invalid(List.of(new Message(0, 0, 1, 0, 0, 5, 3, "x"))));
        assertEquals("message 0 (x): rank 0 receives it in interval 0, before sending it in interval 1",
            invalid(List.of(new Message(0, 1, 0, 0, 0, Message.NO_TIME, Message.NO_TIME, "x"))));
    }

    @Test
    void shouldRejectRanksWhenCheckpointsAreMissingOrOutOfOrder() {
        RecoveryException none = assertThrows(RecoveryException.class,
            () -> new History(List.of(new RankHistory(0, "P", List.of(), 0)), List.of()));
        assertEquals("rank 0 has no checkpoints; every rank needs checkpoint 0, the initial state at job start",
            none.getMessage());
        RecoveryException backwards = assertThrows(RecoveryException.class, () -> new History(List.of(
            new RankHistory(0, "P", List.of(new Checkpoint(0, 0, 0, 5), new Checkpoint(0, 1, 1, 4)), 9)), List.of()));
        assertEquals("checkpoint 1 of rank 0 is taken at 4 ns, before checkpoint 0 at 5 ns; checkpoint times must not"
            + " go back", backwards.getMessage());
        RecoveryException order = assertThrows(RecoveryException.class, () -> new History(List.of(TWO_RANKS.get(1)),
            List.of()));
        assertEquals("rank 1 (Q) is at position 0 of the rank list; list ranks in order 0, 1, 2, ...", order.getMessage());
        RecoveryException early = assertThrows(RecoveryException.class, () -> new History(List.of(
            new RankHistory(0, "P", List.of(new Checkpoint(0, 0, 0, 5)), 4)), List.of()));
        assertEquals("rank 0 ends at 4 ns, before its last checkpoint at 5 ns; the end of a rank's history is its"
            + " failure or the present, after every checkpoint", early.getMessage());
    }

    @Test
    void shouldDeriveIntervalsAndSequenceNumbersWhenBuildingFromEvents() {
        History history = new HistoryBuilder("P", "Q")
            .send(0, "a", 1, 1).checkpoint(0, 2).send(0, "b", 1, 3).receive(1, "b", 4).receive(1, "a", 5).build();
        assertEquals(List.of(new Message(0, 0, 1, 0, 0, 1, 5, "a"), new Message(0, 1, 1, 0, 1, 3, 4, "b")),
            history.messages());
        assertEquals(3, history.rank(0).endTimeNanos()); // a rank without end() ends at its last event
        assertEquals(5, history.rank(1).endTimeNanos());
        RecoveryException unsent = assertThrows(RecoveryException.class,
            () -> new HistoryBuilder("P", "Q").receive(1, "z", 1));
        assertEquals("message z is received by rank 1 but was never sent (or was already received); add its send first",
            unsent.getMessage());
    }

    private static String invalid(List<Message> messages) {
        return assertThrows(RecoveryException.class, () -> new History(TWO_RANKS, messages)).getMessage();
    }
}
