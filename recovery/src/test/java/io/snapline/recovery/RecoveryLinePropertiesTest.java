package io.snapline.recovery;

import io.snapline.recovery.model.Checkpoint;
import io.snapline.recovery.model.History;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random small histories (up to 4 ranks, 4 checkpoints each, 9 messages, some never received) checked against brute
 * force over every global state.
 */
class RecoveryLinePropertiesTest {

    /** A random history with a random set of failed ranks. */
    record Sample(History history, int[] failed) {
        boolean isFailed(int rank) {
            for (int f : failed) {
                if (f == rank) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public String toString() {
            return history + " failed=" + java.util.Arrays.toString(failed);
        }
    }

    @Provide
    Arbitrary<Sample> samples() {
        Arbitrary<List<Integer>> counts = Arbitraries.integers().between(1, 4).list().ofMinSize(1).ofMaxSize(4);
        Arbitrary<List<int[]>> raw = Arbitraries.integers().between(0, 999).array(int[].class).ofSize(5)
            .list().ofMaxSize(9);
        Arbitrary<Integer> mask = Arbitraries.integers().between(0, 15);
        return Combinators.combine(counts, raw, mask).as(RecoveryLinePropertiesTest::sample);
    }

    private static Sample sample(List<Integer> counts, List<int[]> raw, int mask) {
        int[] failed = java.util.stream.IntStream.range(0, counts.size()).filter(r -> (mask >> r & 1) != 0).toArray();
        return new Sample(Histories.random(counts, raw, 0), failed);
    }

    @Property(tries = 400)
    void shouldLeaveNoOrphanWhenComputingTheMaximumConsistentLine(@ForAll("samples") Sample sample) {
        RecoveryAnalyzer analyzer = new RecoveryAnalyzer(sample.history());
        RecoveryLine line = analyzer.recoveryLine(Consistency.CONSISTENT, sample.failed());
        assertEquals(List.of(), analyzer.analyse(line).orphans());
        for (int f : sample.failed()) {
            assertFalse(line.keepsRunning(f), "failed rank " + f + " must restore a checkpoint");
        }
    }

    @Property(tries = 400)
    void shouldFindNoLaterConsistentLineWhenSearchingEveryGlobalState(@ForAll("samples") Sample sample) {
        RecoveryAnalyzer analyzer = new RecoveryAnalyzer(sample.history());
        RecoveryLine best = analyzer.recoveryLine(Consistency.CONSISTENT, sample.failed());
        forEachLine(sample, true, candidate -> {
            if (analyzer.analyse(candidate).consistency() != Consistency.INCONSISTENT) {
                assertTrue(best.notEarlierThan(candidate), "consistent " + candidate + " is later than " + best);
            }
        });
    }

    @Property(tries = 400)
    void shouldLeaveNothingInTransitWhenComputingTheStronglyConsistentLine(@ForAll("samples") Sample sample) {
        RecoveryAnalyzer analyzer = new RecoveryAnalyzer(sample.history());
        RecoveryLine strong = analyzer.recoveryLine(Consistency.STRONGLY_CONSISTENT, sample.failed());
        LineAnalysis analysis = analyzer.analyse(strong);
        assertEquals(Consistency.STRONGLY_CONSISTENT, analysis.consistency());
        assertEquals(List.of(), analysis.inTransit());
        assertTrue(analyzer.recoveryLine(Consistency.CONSISTENT, sample.failed()).notEarlierThan(strong));
        forEachLine(sample, true, candidate -> {
            if (analyzer.analyse(candidate).consistency() == Consistency.STRONGLY_CONSISTENT) {
                assertTrue(strong.notEarlierThan(candidate), "strongly consistent " + candidate + " is later");
            }
        });
    }

    @Property(tries = 400)
    void shouldMarkCheckpointUselessExactlyWhenNoConsistentStateContainsIt(@ForAll("samples") Sample sample) {
        History history = sample.history();
        RecoveryAnalyzer analyzer = new RecoveryAnalyzer(history);
        boolean[][] usable = new boolean[history.rankCount()][];
        for (int r = 0; r < usable.length; r++) {
            usable[r] = new boolean[history.checkpointCount(r)];
        }
        forEachLine(sample, false, candidate -> {
            if (analyzer.analyse(candidate).consistency() != Consistency.INCONSISTENT) {
                for (int r = 0; r < usable.length; r++) {
                    if (!candidate.keepsRunning(r)) {
                        usable[r][candidate.checkpoint(r)] = true;
                    }
                }
            }
        });
        List<Checkpoint> expected = new ArrayList<>();
        for (int r = 0; r < usable.length; r++) {
            for (int x = 0; x < usable[r].length; x++) {
                if (!usable[r][x]) {
                    expected.add(history.rank(r).checkpoint(x));
                }
            }
        }
        assertEquals(expected, analyzer.uselessCheckpoints());
    }

    /** Every line of the history; with {@code honourFailures}, failed ranks never keep running. */
    private static void forEachLine(Sample sample, boolean honourFailures, Consumer<RecoveryLine> action) {
        History history = sample.history();
        int n = history.rankCount();
        int[] position = new int[n];
        while (true) {
            int[] checkpoints = new int[n];
            for (int r = 0; r < n; r++) {
                checkpoints[r] = position[r] == history.checkpointCount(r) ? RecoveryLine.KEEP_RUNNING : position[r];
            }
            action.accept(RecoveryLine.of(checkpoints));
            int r = 0;
            while (r < n) {
                int top = honourFailures && sample.isFailed(r) ? history.checkpointCount(r) - 1 : history.checkpointCount(r);
                if (++position[r] <= top) {
                    break;
                }
                position[r] = 0;
                r++;
            }
            if (r == n) {
                return;
            }
        }
    }
}
