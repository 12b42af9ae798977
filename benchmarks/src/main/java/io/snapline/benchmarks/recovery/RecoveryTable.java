package io.snapline.benchmarks.recovery;

import io.snapline.benchmarks.MarkdownTable;
import java.util.List;
import java.util.Locale;

/**
 * The Markdown tables and the plot of a recovery benchmark run: times per phase and heap per history size, what the
 * lines found, and time against messages at a fixed rank count.
 */
final class RecoveryTable {
    /** The target size: 1,024 ranks × 100 checkpoints × 1,000,000 messages. */
    static final int TARGET_RANKS = 1024;
    static final int TARGET_CHECKPOINTS = 100;
    static final int TARGET_MESSAGES = 1_000_000;
    /** ... in at most 2 s from history to recovery line, and at most 1 GiB of heap. */
    static final long TARGET_NANOS = 2_000_000_000L;
    static final long TARGET_HEAP_BYTES = 1L << 30;

    private RecoveryTable() {
    }

    /** One row per size: the median time of every phase, history-to-line, heap, and the target verdict. */
    static String times(List<ScaleResult> results) {
        MarkdownTable t = new MarkdownTable("Ranks × checkpoints × messages", "Validate + build", "Rollback graph",
                "Line, 1 failed", "Line, all failed", "Strong line, 1 failed", "Useless ckpts",
                "History → line", "Live heap", "Peak heap (of max)", "Target ≤ 2 s, ≤ 1 GiB");
        for (ScaleResult r : results) {
            t.row(size(r.spec()), ms(r.validateNanos()), ms(r.graphNanos()), ms(r.lineOneNanos()), ms(r.lineAllNanos()),
                    ms(r.strongNanos()), ms(r.uselessNanos()), ms(r.historyToLineNanos()), mib(r.liveBytes()),
                    mib(r.peakBytes()) + " (" + mib(r.maxHeapBytes()) + ")", verdict(r));
        }
        return t.render();
    }

    /** What the lines look like per size, to show the planner had real work to do. */
    static String lines(List<ScaleResult> results) {
        MarkdownTable t = new MarkdownTable("Ranks × checkpoints × messages", "Ranks rolled back, 1 failed",
                "Checkpoints rolled back, 1 failed", "Checkpoints rolled back, all failed", "Useless checkpoints");
        for (ScaleResult r : results) {
            t.row(size(r.spec()), r.rolledBackOne() + " of " + r.spec().ranks(), Long.toString(r.depthOne()),
                    Long.toString(r.depthAll()), r.uselessCount() + " of " + (long) r.spec().ranks() * r.spec().checkpoints());
        }
        return t.render();
    }

    /** Time per phase against messages for the results with {@code ranks} ranks, or null when fewer than 2. */
    static String plot(List<ScaleResult> results, int ranks) {
        List<ScaleResult> series = results.stream().filter(r -> r.spec().ranks() == ranks)
                .sorted((a, b) -> Integer.compare(a.spec().messages(), b.spec().messages())).toList();
        if (series.size() < 2) {
            return null;
        }
        double[] x = series.stream().mapToDouble(r -> r.spec().messages()).toArray();
        LogLogPlot plot = new LogLogPlot("Recovery planning, " + ranks + " ranks × " + series.get(0).spec().checkpoints()
                + " checkpoints (median)", "messages", "milliseconds");
        plot.series(new LogLogPlot.Series("history → line (1 failed)", x, millis(series, ScaleResult::historyToLineNanos), true));
        plot.series(new LogLogPlot.Series("validate + build", x, millis(series, ScaleResult::validateNanos), false));
        plot.series(new LogLogPlot.Series("rollback graph", x, millis(series, ScaleResult::graphNanos), false));
        plot.series(new LogLogPlot.Series("line, 1 failed", x, millis(series, ScaleResult::lineOneNanos), false));
        plot.series(new LogLogPlot.Series("line, all failed", x, millis(series, ScaleResult::lineAllNanos), false));
        plot.series(new LogLogPlot.Series("strong line, 1 failed", x, millis(series, ScaleResult::strongNanos), false));
        plot.series(new LogLogPlot.Series("useless checkpoints", x, millis(series, ScaleResult::uselessNanos), false));
        if (ranks == TARGET_RANKS) {
            plot.marker(new LogLogPlot.Marker("target ≤ 2 s", TARGET_MESSAGES, TARGET_NANOS / 1e6));
        }
        return plot.render();
    }

    static String verdict(ScaleResult r) {
        SyntheticHistory.Spec s = r.spec();
        if (s.ranks() != TARGET_RANKS || s.checkpoints() != TARGET_CHECKPOINTS || s.messages() != TARGET_MESSAGES) {
            return "—";
        }
        return r.historyToLineNanos() <= TARGET_NANOS && r.maxHeapBytes() <= TARGET_HEAP_BYTES ? "met" : "not met";
    }

    static String size(SyntheticHistory.Spec s) {
        return String.format(Locale.ROOT, "%,d × %,d × %,d", s.ranks(), s.checkpoints(), s.messages());
    }

    /** Milliseconds: two decimals below 10 ms, one below 100 ms, none above. */
    static String ms(long nanos) {
        double ms = nanos / 1e6;
        String pattern = ms < 10 ? "%.2f ms" : ms < 100 ? "%.1f ms" : "%.0f ms";
        return String.format(Locale.ROOT, pattern, ms);
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.0f MiB", bytes / (double) (1 << 20));
    }

    private static double[] millis(List<ScaleResult> series, java.util.function.ToLongFunction<ScaleResult> f) {
        return series.stream().mapToDouble(r -> Math.max(f.applyAsLong(r), 1) / 1e6).toArray();
    }
}
