package io.snapline.checkpoint.independent.logging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.checkpoint.CheckpointException;
import io.snapline.runtime.determinant.Determinant;
import io.snapline.runtime.determinant.Determinant.Idle;
import io.snapline.runtime.determinant.Determinant.Matched;
import io.snapline.runtime.determinant.Determinant.Op;
import io.snapline.runtime.determinant.Determinant.Poll;
import io.snapline.runtime.determinant.Determinant.Probed;
import io.snapline.runtime.determinant.Determinant.Received;
import io.snapline.runtime.determinant.DeterminantLog;
import io.snapline.runtime.determinant.Determinants;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EventRecordTest {
    private static final int ANY = Determinant.ANY;

    private static Received recv(int from, long seq) {
        return new Received(ANY, 0, 0, from < 0 ? null : new Matched(from, 0, seq));
    }

    private static EventRecord record(long first, List<Determinant> events, Determinants.Resolution... resolved) {
        return new EventRecord(first, new DeterminantLog(events), List.of(resolved));
    }

    @Test
    void shouldRoundTripThroughItsEncoding() {
        EventRecord r = record(7, List.of(recv(-1, 0), new Probed(false, ANY, 0, 0, new Matched(2, 0, 3))),
                new Determinants.Resolution(5, new Matched(1, 0, 9)));
        EventRecord back = EventRecord.decode(r.encode(), "test");
        assertEquals(r, back);
        assertEquals(9, back.end());
    }

    @Test
    void shouldJoinRecordsFromAPositionInsideOneAndFillInLaterResolutions() {
        List<EventRecord> records = List.of(
                record(0, List.of(recv(1, 1), recv(2, 1))),
                record(2, List.of(recv(-1, 0), recv(3, 1))),
                record(4, List.of(new Idle(2, List.of(new Poll(Op.IPROBE, ANY, 0, 0, 0)))),
                        new Determinants.Resolution(2, new Matched(1, 0, 2)),
                        new Determinants.Resolution(0, new Matched(9, 9, 9)))); // before the start: ignored
        EventRecord.Stream s = EventRecord.join(0, records, 1);
        assertEquals(List.of(recv(2, 1), recv(1, 2), recv(3, 1), new Idle(2, List.of(new Poll(Op.IPROBE, ANY, 0, 0,
                0)))), s.log().events());
        assertEquals(5, s.end());
        assertTrue(s.unresolved().isEmpty());
    }

    @Test
    void shouldReportReceivesNoRecordResolvedAndSkipWhatARecordRepeats() {
        List<EventRecord> records = List.of(record(0, List.of(recv(1, 1), recv(-1, 0))),
                record(0, List.of(recv(1, 1))), // a re-execution's record of what was logged already
                record(2, List.of(recv(3, 1))));
        EventRecord.Stream s = EventRecord.join(0, records, 0);
        assertEquals(List.of(recv(1, 1), recv(-1, 0), recv(3, 1)), s.log().events());
        assertEquals(Set.of(1L), s.unresolved());
    }

    @Test
    void shouldJoinRecordsThatOtherRanksHandedInOutOfOrderAndTwice() {
        // Causal: the logger has the first record; two ranks that held the next two hand them in, newest first.
        List<EventRecord> records = List.of(record(0, List.of(recv(1, 1))), record(3, List.of(recv(2, 2))),
                record(1, List.of(recv(2, 1), recv(-1, 0))), record(3, List.of(recv(2, 2))),
                record(1, List.of(recv(2, 1), recv(1, 2)))); // the same receive, logged once its match was known
        EventRecord.Stream s = EventRecord.join(4, records, 0);
        assertEquals(List.of(recv(1, 1), recv(2, 1), recv(1, 2), recv(2, 2)), s.log().events());
        assertEquals(4, s.end());
        assertTrue(s.unresolved().isEmpty());
    }

    @Test
    void shouldRefuseTwoResolutionsThatDisagreeAboutAReceive() {
        List<EventRecord> records = List.of(record(0, List.of(recv(1, 1), recv(-1, 0))),
                record(2, List.of(), new Determinants.Resolution(1, new Matched(2, 0, 1))),
                record(2, List.of(), new Determinants.Resolution(1, new Matched(2, 0, 1))), // the same, handed in twice
                record(2, List.of(), new Determinants.Resolution(1, new Matched(3, 0, 1))));
        CheckpointException e = assertThrows(CheckpointException.class, () -> EventRecord.join(1, records, 0));
        assertTrue(e.getMessage().startsWith("rank 1's event stream has two different matches for the receive at "
                + "position 1 ("), e.getMessage());
        assertEquals(List.of(recv(1, 1), recv(2, 1)), EventRecord.join(1, records.subList(0, 3), 0).log().events());
    }

    @Test
    void shouldRefuseTwoRecordsThatDisagreeAboutAPosition() {
        List<EventRecord> records = List.of(record(0, List.of(recv(1, 1), recv(2, 1))),
                record(1, List.of(recv(3, 1), recv(1, 2))));
        CheckpointException e = assertThrows(CheckpointException.class, () -> EventRecord.join(6, records, 0));
        assertTrue(e.getMessage().startsWith("rank 6's event stream has two different events at position 1 ("),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("so its replay cannot be exact"), e.getMessage());
    }

    @Test
    void shouldRefuseAStreamWithAGapNamingTheRankAndThePositions() {
        List<EventRecord> records = List.of(record(0, List.of(recv(1, 1))), record(3, List.of(recv(2, 1))));
        CheckpointException e = assertThrows(CheckpointException.class, () -> EventRecord.join(5, records, 0));
        assertEquals("rank 5's event stream has a gap: positions 1..2 are missing, so its replay from position 0 "
                + "cannot be exact", e.getMessage());
    }

    @Test
    void shouldRoundTripLoggingData() {
        Determinants.Mark mark = new Determinants.Mark(12, new Idle(3, List.of(new Poll(Op.TEST, 0, 0, 0, 1))));
        List<io.snapline.runtime.checkpoint.SavedMessage> setup = List.of(
                new io.snapline.runtime.checkpoint.SavedMessage(2, 4, 7, 3, 2, new byte[] {1, 2, 3, 4, 5, 6, 7, 8}),
                new io.snapline.runtime.checkpoint.SavedMessage(0, 5, 1, 1, 0, new byte[0]));
        byte[] held = HeldEvents.encode(List.of(new HeldEvents.Held(2, 7L << 40 | 3, new byte[] {9, 8, 7})));
        LoggingData d = new LoggingData(new long[] {1, 2, 3}, new long[] {4, 5, 6}, mark, new long[] {0, 0, 2},
                "", setup, held, new SenderLog(3).encode());
        LoggingData back = LoggingData.decode(d.encode(), 3, "test");
        assertArrayEquals(d.sentTo(), back.sentTo());
        assertArrayEquals(d.acceptedFrom(), back.acceptedFrom());
        assertEquals(mark, back.mark());
        assertArrayEquals(d.setupAccepted(), back.setupAccepted());
        assertEquals("", back.setupRefusal());
        assertEquals(setup, back.setup());
        assertArrayEquals(d.log(), back.log());
        HeldEvents.Held h = HeldEvents.decode(back.held(), "test").get(0);
        assertEquals(List.of(2, 7L << 40 | 3), List.of(h.origin(), h.number()));
        assertArrayEquals(new byte[] {9, 8, 7}, h.record());
        LoggingData refused = new LoggingData(d.sentTo(), d.acceptedFrom(), mark, d.setupAccepted(),
                "its setup code made a non-deterministic call", List.of(), new byte[0], d.log());
        assertEquals("its setup code made a non-deterministic call",
                LoggingData.decode(refused.encode(), 3, "test").setupRefusal());
        CheckpointException e = assertThrows(CheckpointException.class, () -> LoggingData.decode(d.encode(), 4,
                "rank 1's local checkpoint 3"));
        assertEquals("rank 1's local checkpoint 3 was taken with 3 ranks, not 4", e.getMessage());
    }

    @Test
    void shouldFindAGapWhenAReplayStartsBelowTheFloorThatGarbageCollectionLeft() {
        List<EventRecord> records = List.of(EventRecord.floor(4), record(4, List.of(recv(1, 5))));
        assertEquals(List.of(recv(1, 5)), EventRecord.join(0, records, 4).log().events());
        assertTrue(EventRecord.join(0, List.of(EventRecord.floor(4)), 6).log().isEmpty());
        CheckpointException e = assertThrows(CheckpointException.class, () -> EventRecord.join(2, records, 1));
        assertEquals("rank 2's event stream has a gap: positions 1..3 are missing, so its replay from position 1 "
                + "cannot be exact", e.getMessage());
    }
}
