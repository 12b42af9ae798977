package io.snapline.checkpoint.independent.logging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.checkpoint.CheckpointException;
import io.snapline.checkpoint.independent.logging.HeldEvents.Held;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a rank gives ahead of its messages under {@code --logging causal}, and what it drops once stable. */
class HeldEventsTest {
    private static byte[] bytes(int n, int fill) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) fill);
        return b;
    }

    /** origin:number of each record, in order. */
    private static List<String> names(List<Held> records) {
        return records.stream().map(h -> h.origin() + ":" + h.number()).toList();
    }

    @Test
    void shouldGiveEachRecordOnceToEachRankButNeverARankItsOwn() {
        HeldEvents held = new HeldEvents(4, 1);
        held.own(1, bytes(3, 1));
        held.add(List.of(new Held(0, 7, bytes(2, 7)), new Held(2, 4, bytes(2, 4)), new Held(1, 9, bytes(1, 9))));
        assertEquals(List.of("0:7", "1:1", "2:4"), names(held.toGive(3)));
        assertEquals(List.of(), held.toGive(3), "given already");
        assertEquals(List.of("1:1", "2:4"), names(held.toGive(0)), "rank 0 has its own record");
        held.own(2, bytes(3, 2));
        assertEquals(List.of("1:2"), names(held.toGive(3)));
        assertEquals(List.of("1:1", "1:2"), names(held.of(1)), "its own record 9 came back from another: ignored");
    }

    @Test
    void shouldDropWhatTheLoggerHasAndNotTakeItAgain() {
        HeldEvents held = new HeldEvents(3, 0);
        held.own(1, bytes(10, 1));
        held.own(2, bytes(10, 2));
        held.add(List.of(new Held(1, 5, bytes(20, 5)), new Held(1, 6, bytes(20, 6))));
        assertEquals(60, held.size()[0]);
        held.stable(0, 1);
        held.stableAll(new long[] {0, 5, 0});
        assertEquals(List.of("0:2", "1:6"), names(held.toGive(2)));
        assertEquals(30, held.size()[0]);
        assertEquals(60, held.size()[1], "the peak stays");
        held.add(List.of(new Held(1, 4, bytes(1, 4)), new Held(1, 7, bytes(1, 7))));
        assertEquals(List.of("1:6", "1:7"), names(held.of(1)), "record 4 is stable already");
        held.stableAll(new long[] {2, 7, 0});
        assertTrue(held.isEmpty());
        assertEquals(List.of(), held.toGive(2));
    }

    @Test
    void shouldGiveEverythingAgainToARankThatRestarted() {
        HeldEvents held = new HeldEvents(3, 0);
        held.own(1, bytes(1, 1));
        held.add(List.of(new Held(2, 3, bytes(1, 3))));
        assertEquals(2, held.toGive(1).size());
        held.resetGiven(1);
        assertEquals(List.of("0:1", "2:3"), names(held.toGive(1)));
        assertEquals(List.of("2:3"), names(held.others()), "a checkpoint keeps the others' records");
    }

    @Test
    void shouldCarryRecordsOfAnySizeInDatumsAndPutThemBackTogether() {
        List<Held> records = new ArrayList<>();
        for (int k = 0; k < 5; k++) {
            records.add(new Held(k % 2, 100 + k, bytes(k == 2 ? 40_000 : 100 * k, k)));
        }
        List<byte[]> datums = HeldEvents.datums(records, 0x00030002);
        assertTrue(datums.size() >= 3, "40 KB take several datums: " + datums.size());
        HeldEvents.Assembler a = new HeldEvents.Assembler();
        List<Held> back = null;
        for (int k = 0; k < datums.size(); k++) {
            assertTrue(datums.get(k).length <= 16 * 1024, "a datum is at most 16 KiB");
            assertEquals(0x00030002, HeldEvents.stampOf(datums.get(k)));
            back = a.take(datums.get(k), "test");
            if (k < datums.size() - 1) {
                assertNull(back);
            }
        }
        assertEquals(names(records), names(back));
        for (int k = 0; k < records.size(); k++) {
            assertArrayEquals(records.get(k).record(), back.get(k).record());
        }
        assertEquals(1, HeldEvents.datums(List.of(), 0).size(), "nothing held still makes one (empty) datum");
    }

    @Test
    void shouldDropASequenceADeadSenderLeftUnfinished() {
        List<byte[]> big = HeldEvents.datums(List.of(new Held(0, 1, bytes(40_000, 1))), 0);
        List<byte[]> small = HeldEvents.datums(List.of(new Held(0, 2, bytes(10, 2))), 1);
        HeldEvents.Assembler a = new HeldEvents.Assembler();
        assertNull(a.take(big.get(0), "test"));
        assertEquals(List.of("0:2"), names(a.take(small.get(0), "test")), "a new sequence begins afresh");
        assertNull(a.take(big.get(1), "test"), "the rest of a sequence whose beginning was dropped");
        a.reset();
        assertNull(a.take(big.get(big.size() - 1), "test"));
    }

    @Test
    void shouldCutRecordsForTheSupervisorIntoMessagesThatFitAControlFrame() {
        List<Held> records = new ArrayList<>();
        for (int k = 0; k < 40; k++) {
            records.add(new Held(1, k + 1, bytes(20_000, k)));
        }
        List<List<Held>> pieces = LoggingMessage.pieces(records);
        assertTrue(pieces.size() >= 4, "800 KB in pieces of at most 256 KiB: " + pieces.size());
        List<Held> joined = new ArrayList<>();
        for (List<Held> piece : pieces) {
            assertTrue(LoggingMessage.contribute(0, piece).length <= LoggingMessage.RECORDS_PER_MESSAGE + 16);
            joined.addAll(piece);
        }
        assertEquals(names(records), names(joined));
        assertEquals(List.of(List.of()), LoggingMessage.pieces(List.of()));
    }

    @Test
    void shouldSayWhichNewRecordsBelongToAnIncarnationThatHadFailed() {
        HeldEvents held = new HeldEvents(3, 0);
        held.add(List.of(new Held(1, 3, bytes(1, 3))));
        List<Held> late = held.add(List.of(new Held(1, 3, bytes(1, 3)), new Held(1, 4, bytes(1, 4)),
                new Held(1, 1L << 40 | 1, bytes(1, 5)), new Held(2, 2, bytes(1, 6))), o -> o == 1 ? 1L << 40 : 0);
        assertEquals(List.of("1:4"), names(late), "record 3 was held before; incarnation 1's and rank 2's are current");
    }

    @Test
    void shouldNameWhereDamagedRecordsCameFrom() {
        byte[] encoded = HeldEvents.encode(List.of(new Held(1, 2, bytes(8, 1))));
        CheckpointException e = assertThrows(CheckpointException.class, () -> HeldEvents.decode(
                java.util.Arrays.copyOf(encoded, encoded.length - 3), "rank 3's held event records"));
        assertTrue(e.getMessage().startsWith("rank 3's held event records holds damaged event records"),
                e.getMessage());
    }
}
