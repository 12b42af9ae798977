package io.snapline.benchmarks.checkpoint;

import io.snapline.benchmarks.MarkdownTable;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Turns the runs and baselines of a {@link CheckpointBenchmark} into Markdown: one line per run with its overhead
 * against the mean of the {@code none} runs and its blocking time against the {@code FileChannel} baseline, then the
 * baselines themselves, then whether every run computed the same result.
 */
final class CheckpointTable {
    private CheckpointTable() {
    }

    /** The table of runs; {@code runs} holds at least one {@code none} run. */
    static String runs(List<JobOutcome> runs, List<WriteBaseline.Sample> baselines) {
        double none = runs.stream().filter(r -> r.interval() == null).mapToLong(JobOutcome::wallNanos).average()
                .orElseThrow(() -> new IllegalArgumentException("no --checkpoint none run to compare with"));
        long write = median(baselines.stream().mapToLong(WriteBaseline.Sample::writeNanos).toArray());
        String reference = runs.get(0).checksum();
        MarkdownTable t = new MarkdownTable("Policy", "Interval", "Wall time", "Overhead vs none", "Checkpoints",
                "Bytes per checkpoint", "Blocking per checkpoint, mean / max", "Blocked share of wall time",
                "Blocking ÷ write+fsync", "Checksum");
        for (JobOutcome r : runs) {
            boolean taken = !r.checkpoints().isEmpty();
            t.row(r.policy(),
                    r.interval() == null ? "—" : r.interval(),
                    String.format(Locale.ROOT, "%.1f s", r.wallNanos() / 1e9),
                    String.format(Locale.ROOT, "%+.1f %%", 100.0 * (r.wallNanos() - none) / none),
                    Integer.toString(r.checkpoints().size()),
                    taken ? size(r.meanBytes()) : "—",
                    taken ? millis(r.meanBlockedNanos()) + " / " + millis(r.maxBlockedNanos()) : "—",
                    taken ? String.format(Locale.ROOT, "%.1f %%", 100.0 * r.blockedNanos() / r.wallNanos()) : "—",
                    taken && write > 0 ? String.format(Locale.ROOT, "%.2f×", (double) r.meanBlockedNanos() / write)
                            : "—",
                    r.checksum().equals(reference) ? "same" : "DIFFERENT: " + r.checksum());
        }
        return t.render();
    }

    /** The table of baselines: median, min and max of the samples. */
    static String baselines(List<WriteBaseline.Sample> samples) {
        long bytes = samples.isEmpty() ? 0 : samples.get(0).bytes();
        long[] write = samples.stream().mapToLong(WriteBaseline.Sample::writeNanos).toArray();
        long[] encode = samples.stream().mapToLong(WriteBaseline.Sample::encodeNanos).toArray();
        MarkdownTable t = new MarkdownTable("Baseline (same run, this JVM)", "Median", "Min", "Max", "Samples");
        t.row("FileChannel.write + force(true) of one piece, " + size(bytes) + ", new file in the stores' directory",
                millis(median(write)), millis(min(write)), millis(max(write)), Integer.toString(write.length));
        t.row("Kryo writeObject(double[]) of the same size into a growing Output + toBytes()", millis(median(encode)),
                millis(min(encode)), millis(max(encode)), Integer.toString(encode.length));
        return t.render();
    }

    /** One sentence: whether every run's checksum equals the first run's. */
    static String checksums(List<JobOutcome> runs) {
        String reference = runs.get(0).checksum();
        long differing = runs.stream().filter(r -> !r.checksum().equals(reference)).count();
        return differing == 0
                ? "Checksums: all " + runs.size() + " runs computed the same grid (checksum " + reference + ")."
                : "Checksums: " + differing + " of " + runs.size() + " runs differ from the first run's "
                        + reference + " (see the Checksum column): a policy changed the result.";
    }

    static long median(long[] values) {
        if (values.length == 0) {
            return 0;
        }
        long[] s = values.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static long min(long[] v) {
        return Arrays.stream(v).min().orElse(0);
    }

    private static long max(long[] v) {
        return Arrays.stream(v).max().orElse(0);
    }

    static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.0f ms", nanos / 1e6);
    }

    /** {@code 256.0 MiB}-style size. */
    static String size(long bytes) {
        if (bytes < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }
}
