package io.snapline.benchmarks.recovery;

import java.util.Locale;

/**
 * What one history size measured: the median time of every phase over the timed repetitions, the heap it took, and
 * a few figures about the lines found (so a reader can see the planner did real work). A child JVM prints it as one
 * line ({@link #toLine()}) and the driver reads it back ({@link #parse}).
 *
 * @param spec            the history measured
 * @param validateNanos   {@code new History(ranks, messages)}: copying and validating the lists
 * @param graphNanos      {@code new RecoveryAnalyzer(history)}: building the rollback-dependency graph
 * @param lineOneNanos    the maximum consistent line after one rank failed
 * @param lineAllNanos    the maximum consistent line after every rank failed
 * @param strongNanos     the maximum strongly consistent line after one rank failed
 * @param uselessNanos    the useless checkpoints (on a Z-cycle)
 * @param liveBytes       heap in use after a full GC with the input lists, the history and the analyzer alive, less
 *                        the heap in use before the input was generated
 * @param peakBytes       the sum of the heap pools' peak usage during the timed repetitions (an upper bound on the
 *                        peak: pools peak at different moments); garbage included
 * @param maxHeapBytes    the child JVM's maximum heap ({@code -Xmx})
 * @param rolledBackOne   ranks that restore a checkpoint on the line after one failure
 * @param depthOne        checkpoints rolled back on that line, summed over the ranks (0 for a rank that keeps running)
 * @param depthAll        the same on the line after every rank failed
 * @param uselessCount    how many checkpoints are useless
 * @param repetitions     how many timed repetitions the medians are taken over
 */
public record ScaleResult(SyntheticHistory.Spec spec, long validateNanos, long graphNanos, long lineOneNanos,
        long lineAllNanos, long strongNanos, long uselessNanos, long liveBytes, long peakBytes, long maxHeapBytes,
        int rolledBackOne, long depthOne, long depthAll, int uselessCount, int repetitions) {
    /** The first word of a result line. */
    public static final String TAG = "@recovery";
    private static final int FIELDS = 19;

    /** History to recovery line after one failure: validation, graph and the line, the target. */
    public long historyToLineNanos() {
        return validateNanos + graphNanos + lineOneNanos;
    }

    /** The line a child JVM prints: {@link #TAG} and every field, space-separated. */
    public String toLine() {
        return String.format(Locale.ROOT, "%s %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d", TAG,
                spec.ranks(), spec.checkpoints(), spec.messages(), spec.seed(), validateNanos, graphNanos, lineOneNanos,
                lineAllNanos, strongNanos, uselessNanos, liveBytes, peakBytes, maxHeapBytes, rolledBackOne, depthOne,
                depthAll, uselessCount, repetitions);
    }

    /** Reads a line written by {@link #toLine()}; throws {@link IllegalArgumentException} for anything else. */
    public static ScaleResult parse(String line) {
        String[] f = line.trim().split(" ");
        if (f.length != FIELDS || !f[0].equals(TAG)) {
            throw new IllegalArgumentException("not a recovery result line (expected " + TAG + " and " + (FIELDS - 1)
                    + " numbers): '" + line + "'");
        }
        long[] v = new long[FIELDS - 1];
        for (int i = 0; i < v.length; i++) {
            try {
                v[i] = Long.parseLong(f[i + 1]);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("field " + (i + 1) + " of a recovery result line is not a number: '"
                        + line + "'");
            }
        }
        SyntheticHistory.Spec spec = new SyntheticHistory.Spec((int) v[0], (int) v[1], (int) v[2], v[3]);
        return new ScaleResult(spec, v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11], v[12], (int) v[13], v[14],
                v[15], (int) v[16], (int) v[17]);
    }
}
