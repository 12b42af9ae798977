package io.snapline.recovery.io;

import io.snapline.recovery.Histories;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.recovery.LocalRecovery;
import io.snapline.recovery.model.History;
import io.snapline.recovery.model.Message;
import io.snapline.runtime.checkpoint.DependencyRecord;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random small histories (up to 4 ranks, 5 checkpoints each, 12 messages, some never received) are turned into the
 * dependency records their local checkpoints would hold; the history rebuilt from the records must give the same
 * restart line as brute force over every global state of the original history.
 */
class LocalRecoveryPropertiesTest {
    private static final Comparator<Message> ORDER = Comparator.comparingLong(Message::seq);

    @Provide
    Arbitrary<History> histories() {
        Arbitrary<List<Integer>> counts = Arbitraries.integers().between(1, 5).list().ofMinSize(1).ofMaxSize(4);
        Arbitrary<List<int[]>> raw = Arbitraries.integers().between(0, 999).array(int[].class).ofSize(5)
                .list().ofMaxSize(12);
        return Combinators.combine(counts, raw).as(LocalRecoveryPropertiesTest::history);
    }

    private static History history(List<Integer> counts, List<int[]> raw) {
        return Histories.random(counts, raw, 1); // channel numbers start at 1, as the runtime's do
    }

    /** Rank r's local checkpoints 1..count-1, each with the record of the interval it closes. */
    private static List<List<LocalHistory.Entry>> entries(History h) {
        int n = h.rankCount();
        List<List<LocalHistory.Entry>> perRank = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            List<LocalHistory.Entry> own = new ArrayList<>();
            for (int i = 0; i + 1 < h.checkpointCount(r); i++) {
                List<long[]> sends = new ArrayList<>();
                List<long[]> receives = new ArrayList<>();
                for (Message m : h.messages()) {
                    if (m.sender() == r && m.senderInterval() == i) {
                        sends.add(new long[] {m.receiver(), m.seq()});
                    }
                    if (m.received() && m.receiver() == r && m.receiverInterval() == i) {
                        receives.add(new long[] {m.sender(), m.seq(), m.senderInterval()});
                    }
                }
                byte[] record = LocalJob.record(i, 1_000L * (i + 1), new long[n], sends, receives);
                own.add(new LocalHistory.Entry(i + 1, DependencyRecord.decode(record)));
            }
            perRank.add(own);
        }
        return perRank;
    }

    /** The greatest cut, every rank restoring a checkpoint, that no message crosses; by brute force. */
    private static long[] bruteForce(History h) {
        int n = h.rankCount();
        int[] cut = new int[n];
        long[] best = null;
        List<long[]> consistent = new ArrayList<>();
        while (true) {
            if (stronglyConsistent(h, cut)) {
                long[] c = Arrays.stream(cut).asLongStream().toArray();
                consistent.add(c);
                if (best == null || Arrays.stream(c).sum() > Arrays.stream(best).sum()) {
                    best = c;
                }
            }
            int r = 0;
            while (r < n && ++cut[r] == h.checkpointCount(r)) {
                cut[r++] = 0;
            }
            if (r == n) {
                break;
            }
        }
        for (long[] c : consistent) {
            for (int r = 0; r < n; r++) {
                assertTrue(c[r] <= best[r], "strongly consistent cuts have a maximum: " + Arrays.toString(c)
                        + " vs " + Arrays.toString(best));
            }
        }
        return best;
    }

    private static boolean stronglyConsistent(History h, int[] cut) {
        for (Message m : h.messages()) {
            boolean sent = m.senderInterval() < cut[m.sender()];
            boolean received = m.received() && m.receiverInterval() < cut[m.receiver()];
            if (sent != received) {
                return false;
            }
        }
        return true;
    }

    @Property(tries = 400)
    void shouldFindTheBruteForceRestartLineWhenRebuiltFromRecords(@ForAll("histories") History original) {
        int n = original.rankCount();
        LocalHistory.Read read = LocalHistory.build(n, new long[n], entries(original));

        assertEquals(List.of(), read.warnings());
        assertArrayEquals(bruteForce(original), LocalRecovery.restartLine(read));
    }

    @Property(tries = 400)
    void shouldSeeEachMessageAsTheRecordsDoWhenRebuilt(@ForAll("histories") History original) {
        int n = original.rankCount();
        List<Message> expected = new ArrayList<>();
        for (Message m : original.messages()) {
            int openSender = original.checkpointCount(m.sender()) - 1;
            boolean receiveRecorded = m.received() && m.receiverInterval() < original.checkpointCount(m.receiver()) - 1;
            if (m.senderInterval() < openSender || receiveRecorded) {
                expected.add(Message.of(m.sender(), m.senderInterval(), m.receiver(),
                        receiveRecorded ? m.receiverInterval() : Message.NOT_RECEIVED, m.seq()));
            }
        }
        List<Message> rebuilt = new ArrayList<>(LocalHistory.build(n, new long[n], entries(original)).history()
                .messages());
        expected.sort(ORDER);
        rebuilt.sort(ORDER);
        assertEquals(expected, rebuilt);
    }

    @Property(tries = 300)
    void shouldKeepTheLineWhenEverythingBelowItIsDeleted(@ForAll("histories") History original) {
        int n = original.rankCount();
        List<List<LocalHistory.Entry>> all = entries(original);
        long[] line = LocalRecovery.restartLine(LocalHistory.build(n, new long[n], all));
        List<List<LocalHistory.Entry>> kept = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            long base = line[r];
            kept.add(all.get(r).stream().filter(e -> e.index() >= base).toList());
        }

        LocalHistory.Read window = LocalHistory.build(n, line, kept);

        assertEquals(List.of(), window.warnings());
        assertArrayEquals(line, LocalRecovery.restartLine(window));
        for (int r = 0; r < n; r++) {
            assertEquals(original.checkpointCount(r) - line[r], window.history().checkpointCount(r));
        }
    }

    @Provide
    Arbitrary<List<Integer>> damage() {
        return Arbitraries.integers().between(0, 99).list().ofSize(24);
    }

    /**
     * Damage: the floor is the line of the whole history (as garbage collection leaves it) or every rank's start, and
     * some checkpoints at or above it are damaged (about one in five, decided by {@code dice}). The line over what is
     * left must restore only usable checkpoints, be strongly consistent in the real history, and be the latest line
     * that does so without knowing what lies below the floor or after a damaged checkpoint.
     */
    @Property(tries = 500)
    void shouldRestoreOnlyUsableCheckpointsOnAStronglyConsistentLineWhenCheckpointsAreDamaged(
            @ForAll("histories") History original, @ForAll("damage") List<Integer> dice, @ForAll boolean collected) {
        int n = original.rankCount();
        List<List<LocalHistory.Entry>> all = entries(original);
        long[] floor = collected ? LocalRecovery.restartLine(LocalHistory.build(n, new long[n], all)) : new long[n];
        boolean[][] damaged = new boolean[n][];
        boolean[] floorUsable = new boolean[n];
        long[] usableUpTo = new long[n];      // the last usable checkpoint before the first damaged one after the floor
        List<List<LocalHistory.Entry>> kept = new ArrayList<>();
        int d = 0;
        for (int r = 0; r < n; r++) {
            damaged[r] = new boolean[original.checkpointCount(r)];
            for (int k = (int) Math.max(1, floor[r]); k < damaged[r].length; k++) {
                damaged[r][k] = dice.get(d++ % dice.size()) < 20;
            }
            floorUsable[r] = !damaged[r][(int) floor[r]];
            usableUpTo[r] = floor[r];
            while (usableUpTo[r] + 1 < damaged[r].length && !damaged[r][(int) usableUpTo[r] + 1]) {
                usableUpTo[r]++;
            }
            int rank = r;
            kept.add(all.get(r).stream().filter(e -> e.index() >= floor[rank] && !damaged[rank][(int) e.index()])
                    .toList());
        }

        long[] line = LocalRecovery.restartLine(LocalHistory.build(n, floor, floorUsable, kept, List.of(), List.of()));

        int[] cut = new int[n];
        for (int r = 0; r < n; r++) {
            cut[r] = (int) line[r];
            assertTrue(line[r] == 0 || line[r] >= floor[r] && line[r] <= usableUpTo[r] && !damaged[r][(int) line[r]],
                    "rank " + r + " restores " + line[r] + ": floor " + floor[r] + ", usable up to " + usableUpTo[r]
                            + ", damaged " + Arrays.toString(damaged[r]));
        }
        assertTrue(stronglyConsistent(original, cut), Arrays.toString(line));
        assertArrayEquals(bestAdmissible(original, floor, damaged, usableUpTo), line);
    }

    /**
     * By brute force: the greatest strongly consistent cut in which each rank is at its start or at a usable
     * checkpoint from its floor up to its first damaged one, and in which, if a rank whose floor is above its start is
     * at its start, every such rank is (nothing is known of what they exchanged below their floors).
     */
    private static long[] bestAdmissible(History h, long[] floor, boolean[][] damaged, long[] usableUpTo) {
        int n = h.rankCount();
        int[] cut = new int[n];
        long[] best = null;
        while (true) {
            boolean admissible = true;
            boolean someAtStart = false;
            boolean someAbove = false;
            for (int r = 0; r < n && admissible; r++) {
                admissible = cut[r] == 0 || cut[r] >= floor[r] && cut[r] <= usableUpTo[r] && !damaged[r][cut[r]];
                if (floor[r] > 0) {
                    someAtStart |= cut[r] == 0;
                    someAbove |= cut[r] > 0;
                }
            }
            if (admissible && !(someAtStart && someAbove) && stronglyConsistent(h, cut)) {
                long[] c = Arrays.stream(cut).asLongStream().toArray();
                if (best == null || Arrays.stream(c).sum() > Arrays.stream(best).sum()) {
                    best = c;
                }
            }
            int r = 0;
            while (r < n && ++cut[r] == h.checkpointCount(r)) {
                cut[r++] = 0;
            }
            if (r == n) {
                return best;
            }
        }
    }
}
