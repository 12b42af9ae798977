package io.snapline.benchmarks.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * One row of the report: the runs of a cell, compared with its reference. Figures come from the runs that completed
 * with the reference's output only; runs that failed, printed something else or could not be checked (the reference
 * gave no output to compare with) are counted, never averaged in.
 *
 * @param cell          the cell
 * @param runs          how many runs it had
 * @param completed     runs that completed
 * @param mismatched    completed runs whose output differs from the reference's
 * @param unverified    completed runs whose output could not be checked: the {@code none} runs disagree
 *                      ({@link Output#VARIES}) or none completed ({@link Output#UNKNOWN}); 0 for the reference itself
 * @param output        how its output compares with the failure-free {@code none} run's
 * @param failure       why the first failed run failed (null when none failed)
 * @param firstDiff     for a mismatch, the first line that differs (null otherwise)
 * @param wall          wall time of the good runs, nanoseconds, sorted (empty without good runs)
 * @param overhead      median wall time over the reference's, NaN when either has no good run
 * @param blockedNanos  median time held back by checkpoints (-1 without good runs)
 * @param checkpoints   median committed checkpoints (-1 without good runs)
 * @param bytesWritten  median bytes written (-1 without good runs)
 * @param perRankCheckpoint median of bytes written per rank's state in a committed checkpoint (a global checkpoint's
 *                      piece, or a local checkpoint), -1 without good runs that checkpointed
 * @param logPeakBytes  median peak of the message logs over the ranks (-1 when the reports have none)
 * @param restarts      restarts over the good runs
 * @param restartNanos  mean time of a restart (detection to running again), -1 without restarts
 * @param lostNanos     per failure: median wall time over that of the same cell without the failure (negative when
 *                      the noise of the machine is larger than the failure's cost), {@link #NONE} when there is
 *                      nothing to compare
 */
public record CellSummary(Cell cell, int runs, int completed, int mismatched, int unverified, Output output,
        String failure, String firstDiff, long[] wall, double overhead, long blockedNanos, long checkpoints,
        long bytesWritten, long perRankCheckpoint, long logPeakBytes, int restarts, long restartNanos,
        long lostNanos) {
    /** {@link #lostNanos()} when there is nothing to compare. */
    static final long NONE = Long.MIN_VALUE;

    /** How a cell's output compares with the reference. */
    public enum Output {
        /** every completed run printed what the reference printed */
        MATCHED("matched"),
        /** some completed run printed something else */
        MISMATCH("MISMATCH"),
        /** this is the reference, and its runs agree with each other */
        REFERENCE("reference"),
        /** the reference's runs disagree with each other (the program's output is not deterministic) */
        VARIES("varies"),
        /** no reference run completed, or no run of this cell did */
        UNKNOWN("unknown");

        private final String text;

        Output(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** Median wall time of the good runs, -1 without any. */
    long wallMedian() {
        return median(wall);
    }

    /** {@code ok}, or what went wrong: {@code FAILED 1 of 3: ...}, {@code MISMATCH 2 of 3}. */
    String status() {
        List<String> s = new ArrayList<>();
        if (completed < runs) {
            s.add("FAILED " + (runs - completed) + " of " + runs + ": " + failure);
        }
        if (mismatched > 0) {
            s.add("MISMATCH " + mismatched + " of " + runs);
        }
        if (unverified > 0) {
            s.add("UNVERIFIED " + unverified + " of " + runs + ": " + (output == Output.VARIES
                    ? "none's output varies from run to run" : "no none run completed") + ", nothing to check against");
        } else if (output == Output.VARIES) {
            s.add("reference output varies from run to run");
        } else if (output == Output.UNKNOWN && s.isEmpty()) {
            s.add("output not checked");
        }
        return s.isEmpty() ? "ok" : String.join("; ", s);
    }

    /**
     * Summarises {@code mine}, the runs of {@code cell}, against {@code reference} (the runs of its baseline, the
     * same list for the baseline itself) and {@code noFailure} (the runs of the same cell without its failure, or
     * null when it has none).
     */
    static CellSummary of(Cell cell, List<RunResult> mine, List<RunResult> reference, List<RunResult> noFailure) {
        List<String> expected = referenceOutput(reference);
        boolean varies = expected == null && reference.stream().anyMatch(RunResult::completed);
        List<RunResult> done = mine.stream().filter(RunResult::completed).toList();
        int mismatched = 0;
        String firstDiff = null;
        List<RunResult> good = new ArrayList<>();
        int unverified = 0;
        for (RunResult r : done) {
            if (expected == null && !cell.isBaseline()) {
                unverified++; // nothing to compare its output with: not in the figures
            } else if (expected != null && !r.stdout().equals(expected)) {
                mismatched++;
                if (firstDiff == null) {
                    firstDiff = firstDifference(expected, r.stdout());
                }
            } else {
                good.add(r);
            }
        }
        Output output;
        if (varies) {
            output = Output.VARIES;
        } else if (expected == null || done.isEmpty()) {
            output = Output.UNKNOWN;
        } else if (mismatched > 0) {
            output = Output.MISMATCH;
        } else {
            output = cell.isBaseline() ? Output.REFERENCE : Output.MATCHED;
        }
        String failure = mine.stream().filter(r -> !r.completed()).map(RunResult::reason).findFirst().orElse(null);
        long[] wall = good.stream().mapToLong(RunResult::wallNanos).sorted().toArray();
        long refWall = median(goodRuns(reference, expected).stream().mapToLong(RunResult::wallNanos).sorted().toArray());
        double overhead = wall.length == 0 || refWall <= 0 ? Double.NaN : median(wall) / (double) refWall;
        int restarts = good.stream().mapToInt(RunResult::restarts).sum();
        long restartNanos = restarts == 0 ? -1 : good.stream().mapToLong(RunResult::restartNanos).sum() / restarts;
        long lost = NONE;
        if (noFailure != null && restarts > 0) {
            long base = median(goodRuns(noFailure, expected).stream().mapToLong(RunResult::wallNanos).sorted()
                    .toArray());
            if (base > 0 && !good.isEmpty()) {
                lost = (median(wall) - base) * good.size() / restarts;
            }
        }
        return new CellSummary(cell, mine.size(), done.size(), mismatched, unverified, output, failure, firstDiff, wall,
                overhead, medianOf(good, RunResult::blockedNanos), medianOf(good, RunResult::checkpoints),
                medianOf(good, RunResult::bytesWritten),
                medianOf(good.stream().filter(r -> r.rankCheckpoints() > 0).toList(),
                        r -> r.bytesWritten() / r.rankCheckpoints()),
                medianOf(good, RunResult::logPeakBytes), restarts,
                restartNanos, lost);
    }

    /** The output all completed reference runs agree on; null when none completed or they disagree. */
    private static List<String> referenceOutput(List<RunResult> reference) {
        List<String> out = null;
        for (RunResult r : reference) {
            if (!r.completed()) {
                continue;
            }
            if (out == null) {
                out = r.stdout();
            } else if (!out.equals(r.stdout())) {
                return null;
            }
        }
        return out;
    }

    private static List<RunResult> goodRuns(List<RunResult> runs, List<String> expected) {
        return runs.stream().filter(r -> r.completed() && (expected == null || r.stdout().equals(expected))).toList();
    }

    private static String firstDifference(List<String> expected, List<String> actual) {
        for (int i = 0; i < Math.max(expected.size(), actual.size()); i++) {
            String e = i < expected.size() ? expected.get(i) : "(nothing)";
            String a = i < actual.size() ? actual.get(i) : "(nothing)";
            if (!e.equals(a)) {
                return "line " + (i + 1) + ": expected '" + e + "', got '" + a + "'";
            }
        }
        return "";
    }

    private static long medianOf(List<RunResult> runs, ToLongFunction<RunResult> figure) {
        return median(runs.stream().mapToLong(figure).sorted().toArray());
    }

    /** The median of sorted {@code v} (the mean of the middle two for an even count), -1 when empty. */
    static long median(long[] v) {
        if (v.length == 0) {
            return -1;
        }
        int m = v.length / 2;
        return v.length % 2 == 1 ? v[m] : (v[m - 1] + v[m]) / 2;
    }

    @Override
    public String toString() {
        return cell.label() + ": " + status();
    }
}
