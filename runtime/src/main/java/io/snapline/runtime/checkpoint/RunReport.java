package io.snapline.runtime.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a run with checkpointing did: each committed checkpoint (when, at which safe point, how big, how long it held
 * the ranks back) and each restart (who failed, from which checkpoint the job continued, how long that took).
 * Printed at the end of every run with a checkpoint policy, and written as JSON with {@code --report}. Thread-safe.
 */
public final class RunReport {
    /** A committed checkpoint. Times are nanoseconds since the job started. */
    public record Checkpoint(long id, long point, long bytes, long meanBlockedNanos, long maxBlockedNanos,
            long committedAt) {
    }

    /** A local checkpoint, committed by its rank alone. Times are nanoseconds since the job started. */
    public record LocalCheckpoint(int rank, long index, long point, long bytes, long blockedNanos, long committedAt) {
    }

    /**
     * A restart: {@code fromCheckpoint} is the global checkpoint every rank restored, or 0 when the job began again
     * or restored a recovery line over local checkpoints ({@code fromLine}, by rank, 0 meaning the beginning; null
     * for a global checkpoint). {@code tookNanos} runs from the failure's detection until every rank had restored (or
     * started, when there was nothing to restore).
     */
    public record Restart(int number, int[] failedRanks, String reason, long fromCheckpoint, long[] fromLine,
            String from, long detectedAt, long tookNanos, boolean alone) {
        /** The lowest of the failed ranks. */
        public int failedRank() {
            return failedRanks[0];
        }
    }

    /** "rank 1 failed (reason)", or for several "ranks 1 and 2 failed (reason)". */
    public static String failed(int[] ranks, String reason) {
        if (ranks.length == 1) {
            return "rank " + ranks[0] + " failed (" + reason + ")";
        }
        StringBuilder b = new StringBuilder("ranks ");
        for (int i = 0; i < ranks.length; i++) {
            b.append(i == 0 ? "" : i == ranks.length - 1 ? " and " : ", ").append(ranks[i]);
        }
        return b.append(" failed (").append(reason).append(")").toString();
    }

    /** What a rank's message log held at {@code at} (nanoseconds since the start), and the most it had held. */
    public record LogSample(int rank, long bytes, long peakBytes, long spilledBytes, long spilledPeakBytes, long at) {
    }

    /**
     * An interval put in force by {@code --interval auto}: for the job's global checkpoints ({@code rank} -1) or for
     * one rank's local ones. {@code at}: nanoseconds since the job started.
     */
    public record IntervalChosen(int rank, IntervalChooser.Choice choice, long at) {
    }

    /** A checkpoint that was started but abandoned (the job ran on without it). */
    public record Abandoned(long id, String reason, long at) {
    }

    private final String policy;
    private final String device;
    private final int ranks;
    private final long start;
    private final List<Checkpoint> checkpoints = new ArrayList<>();
    private final List<LocalCheckpoint> locals = new ArrayList<>();
    private int discarded;
    private final List<Restart> restarts = new ArrayList<>();
    private final List<Abandoned> abandoned = new ArrayList<>();
    private final List<LogSample> logSamples = new ArrayList<>();
    private final List<IntervalChosen> intervals = new ArrayList<>();
    /** Per rank: how many times its program was started (every attempt starts all; a rank restarted alone, one). */
    private final int[] starts;
    private final List<String> warnings = new ArrayList<>();
    private long wallNanos = -1;
    private String outcome = "running";

    public RunReport(String policy, String device, int ranks, long startNanos) {
        this.policy = policy;
        this.device = device;
        this.ranks = ranks;
        this.start = startNanos;
        this.starts = new int[ranks];
    }

    /** An attempt started every rank's program. */
    public synchronized void attemptStarted() {
        for (int r = 0; r < ranks; r++) {
            starts[r]++;
        }
    }

    /** Rank {@code rank}'s program was started again alone, the others running on. */
    public synchronized void rankStarted(int rank) {
        starts[rank]++;
    }


    public synchronized void checkpoint(long id, long point, long bytes, long[] blockedNanos, long nowNanos) {
        long sum = 0;
        long max = 0;
        for (long b : blockedNanos) {
            sum += b;
            max = Math.max(max, b);
        }
        checkpoints.add(new Checkpoint(id, point, bytes, blockedNanos.length == 0 ? 0 : sum / blockedNanos.length, max,
                nowNanos - start));
    }

    public synchronized void localCheckpoint(int rank, long index, long point, long bytes, long blockedNanos,
            long nowNanos) {
        locals.add(new LocalCheckpoint(rank, index, point, bytes, blockedNanos, nowNanos - start));
    }

    /**
     * Rank {@code rank}'s message log holds {@code bytes} in memory now and has held at most {@code peakBytes}; beyond
     * its memory bound it takes {@code spilledBytes} of disk, at most {@code spilledPeakBytes} so far.
     */
    public synchronized void messageLog(int rank, long bytes, long peakBytes, long spilledBytes,
            long spilledPeakBytes, long nowNanos) {
        logSamples.add(new LogSample(rank, bytes, peakBytes, spilledBytes, spilledPeakBytes, nowNanos - start));
    }

    /** {@code --interval auto} put {@code choice} in force for rank {@code rank}'s checkpoints, or the job's (-1). */
    public synchronized void intervalChosen(int rank, IntervalChooser.Choice choice, long nowNanos) {
        intervals.add(new IntervalChosen(rank, choice, nowNanos - start));
    }

    public synchronized List<IntervalChosen> intervals() {
        return List.copyOf(intervals);
    }

    /** A local checkpoint was deleted because no restart can use it any more. */
    public synchronized void discarded() {
        discarded++;
    }

    public synchronized void restart(int[] failedRanks, String reason, RestartPoint from, long detectedNanos,
            long restoredNanos) {
        restarts.add(new Restart(restarts.size() + 1, failedRanks.clone(), reason, from.globalId(), from.line(),
                from.toString(), detectedNanos - start, restoredNanos - detectedNanos, false));
    }

    /**
     * Rank {@code rank} failed and restarted alone from {@code from} (null: the beginning) while the others ran on;
     * {@code restoredNanos}: when it had restored.
     */
    public synchronized void restartAlone(int rank, String reason, RestoreFrom from, long detectedNanos,
            long restoredNanos) {
        restarts.add(new Restart(restarts.size() + 1, new int[] {rank}, reason, 0, null,
                (from == null ? "the beginning" : from) + ", alone (the other ranks ran on)", detectedNanos - start,
                restoredNanos - detectedNanos, true));
    }

    /** Checkpoint {@code id} was abandoned for {@code reason}; the job ran on. */
    public synchronized void abandoned(long id, String reason, long nowNanos) {
        abandoned.add(new Abandoned(id, reason, nowNanos - start));
    }

    public synchronized List<Abandoned> abandoned() {
        return List.copyOf(abandoned);
    }

    public synchronized List<LocalCheckpoint> localCheckpoints() {
        return List.copyOf(locals);
    }

    public synchronized void warning(String text) {
        warnings.add(text);
    }

    public synchronized void finish(String outcome, long nowNanos) {
        this.outcome = outcome;
        this.wallNanos = nowNanos - start;
    }

    public synchronized List<Checkpoint> checkpoints() {
        return List.copyOf(checkpoints);
    }

    public synchronized List<Restart> restarts() {
        return List.copyOf(restarts);
    }

    /** Total bytes of the committed checkpoints' pieces, global and local. */
    public synchronized long bytesWritten() {
        return checkpoints.stream().mapToLong(Checkpoint::bytes).sum()
                + locals.stream().mapToLong(LocalCheckpoint::bytes).sum();
    }

    /**
     * The share of the wall time the program was held back by checkpoints: for global ones the longest-held rank of
     * each; for local ones each rank's own time, averaged over the ranks.
     */
    private double blockedShare() {
        if (wallNanos <= 0) {
            return 0;
        }
        long held = checkpoints.stream().mapToLong(Checkpoint::maxBlockedNanos).sum();
        long local = locals.stream().mapToLong(LocalCheckpoint::blockedNanos).sum();
        return ((double) held + (double) local / ranks) / wallNanos;
    }

    /** The human-readable summary, one line per fact. */
    public synchronized String summary() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "run report: policy %s, %d ranks on %s, %s after %s%n", policy, ranks, device,
                outcome, seconds(wallNanos)));
        long bytes = bytesWritten();
        if (locals.isEmpty()) {
            s.append(String.format(Locale.ROOT, "  checkpoints committed: %d, %s written%s%n", checkpoints.size(),
                    size(bytes), checkpoints.isEmpty() ? "" : " (" + size(bytes / checkpoints.size())
                            + " each on average)"));
        }
        if (!checkpoints.isEmpty()) {
            long mean = (long) checkpoints.stream().mapToLong(Checkpoint::maxBlockedNanos).average().orElse(0);
            long max = checkpoints.stream().mapToLong(Checkpoint::maxBlockedNanos).max().orElse(0);
            s.append(String.format(Locale.ROOT, "  blocking per checkpoint: mean %s, max %s; %.2f %% of the wall time%n",
                    millis(mean), millis(max), 100.0 * blockedShare()));
        }
        if (!locals.isEmpty()) {
            StringBuilder perRank = new StringBuilder();
            for (int r = 0; r < ranks; r++) {
                int rank = r;
                perRank.append(r == 0 ? "" : ", ").append(locals.stream().filter(l -> l.rank() == rank).count());
            }
            s.append(String.format(Locale.ROOT, "  local checkpoints committed: %d (by rank: %s), %s written, %d "
                    + "deleted once no restart could use them%n", locals.size(), perRank, size(bytes), discarded));
            long mean = (long) locals.stream().mapToLong(LocalCheckpoint::blockedNanos).average().orElse(0);
            long max = locals.stream().mapToLong(LocalCheckpoint::blockedNanos).max().orElse(0);
            s.append(String.format(Locale.ROOT, "  blocking per local checkpoint: mean %s, max %s; %.2f %% of each "
                    + "rank's wall time on average%n", millis(mean), millis(max), 100.0 * blockedShare()));
        }
        if (!logSamples.isEmpty()) {
            StringBuilder peaks = new StringBuilder();
            StringBuilder spilled = new StringBuilder();
            boolean spills = false;
            for (int r = 0; r < ranks; r++) {
                int rank = r;
                long peak = logSamples.stream().filter(l -> l.rank() == rank).mapToLong(LogSample::peakBytes).max()
                        .orElse(0);
                long disk = logSamples.stream().filter(l -> l.rank() == rank).mapToLong(LogSample::spilledPeakBytes)
                        .max().orElse(0);
                spills |= disk > 0;
                peaks.append(r == 0 ? "" : ", ").append(size(peak));
                spilled.append(r == 0 ? "" : ", ").append(size(disk));
            }
            s.append(String.format(Locale.ROOT, "  message logs: peak by rank %s in memory%s (%d samples over time in "
                    + "the JSON report)%n", peaks, spills ? "; spilled to disk beyond --log-memory, peak by rank "
                    + spilled : "", logSamples.size()));
        }
        if (!intervals.isEmpty()) {
            s.append(String.format(Locale.ROOT, "  intervals chosen (--interval auto): %d%n", intervals.size()));
            for (IntervalChosen i : intervals) {
                s.append(String.format(Locale.ROOT, "    at %s: %s%s%n", seconds(i.at()),
                        i.rank() < 0 ? "" : "rank " + i.rank() + ": ", i.choice().describe()));
            }
        }
        if (!abandoned.isEmpty()) {
            s.append(String.format(Locale.ROOT, "  checkpoints abandoned: %d (the job ran on without them)%n",
                    abandoned.size()));
            for (Abandoned a : abandoned) {
                s.append(String.format(Locale.ROOT, "    checkpoint %d at %s: %s%n", a.id(), seconds(a.at()),
                        a.reason()));
            }
        }
        s.append(String.format(Locale.ROOT, "  restarts: %d%n", restarts.size()));
        if (restarts.stream().anyMatch(Restart::alone)) {
            StringBuilder st = new StringBuilder();
            for (int r = 0; r < ranks; r++) {
                st.append(r == 0 ? "" : ", ").append(starts[r]);
            }
            s.append(String.format(Locale.ROOT, "  program starts by rank: %s%n", st));
        }
        for (Restart r : restarts) {
            s.append(String.format(Locale.ROOT, "    #%d at %s: %s; %s, running again after %s%n",
                    r.number(), seconds(r.detectedAt()), failed(r.failedRanks(), r.reason()),
                    "restarted from " + r.from(), millis(r.tookNanos())));
        }
        for (String w : warnings) {
            s.append("  warning: ").append(w).append(System.lineSeparator());
        }
        return s.toString();
    }

    /** The report as a JSON object. */
    public synchronized String toJson() {
        StringBuilder j = new StringBuilder("{\n");
        j.append("  \"policy\": ").append(quote(policy)).append(",\n");
        j.append("  \"device\": ").append(quote(device)).append(",\n");
        j.append("  \"ranks\": ").append(ranks).append(",\n");
        j.append("  \"outcome\": ").append(quote(outcome)).append(",\n");
        j.append("  \"wallNanos\": ").append(wallNanos).append(",\n");
        j.append("  \"bytesWritten\": ").append(bytesWritten()).append(",\n");
        j.append("  \"blockedShare\": ").append(String.format(Locale.ROOT, "%.6f", blockedShare())).append(",\n");
        array(j, "checkpoints", checkpoints, c -> String.format(Locale.ROOT,
                "{\"id\": %d, \"point\": %d, \"bytes\": %d, \"meanBlockedNanos\": %d, \"maxBlockedNanos\": %d, "
                        + "\"committedAtNanos\": %d}",
                c.id(), c.point(), c.bytes(), c.meanBlockedNanos(), c.maxBlockedNanos(), c.committedAt()));
        array(j, "localCheckpoints", locals, c -> String.format(Locale.ROOT,
                "{\"rank\": %d, \"index\": %d, \"point\": %d, \"bytes\": %d, \"blockedNanos\": %d, "
                        + "\"committedAtNanos\": %d}",
                c.rank(), c.index(), c.point(), c.bytes(), c.blockedNanos(), c.committedAt()));
        j.append("  \"localCheckpointsDeleted\": ").append(discarded).append(",\n");
        j.append("  \"starts\": ").append(java.util.Arrays.toString(starts)).append(",\n");
        array(j, "messageLog", logSamples, l -> String.format(Locale.ROOT,
                "{\"rank\": %d, \"bytes\": %d, \"peakBytes\": %d, \"spilledBytes\": %d, "
                        + "\"spilledPeakBytes\": %d, \"atNanos\": %d}", l.rank(), l.bytes(), l.peakBytes(),
                l.spilledBytes(), l.spilledPeakBytes(), l.at()));
        array(j, "restarts", restarts, r -> String.format(Locale.ROOT,
                "{\"number\": %d, \"failedRank\": %d, \"failedRanks\": %s, \"reason\": %s, "
                        + "\"fromCheckpoint\": %d, \"fromLine\": %s, \"detectedAtNanos\": %d, \"tookNanos\": %d, "
                        + "\"alone\": %b}",
                r.number(), r.failedRank(), java.util.Arrays.toString(r.failedRanks()), quote(r.reason()),
                r.fromCheckpoint(),
                r.fromLine() == null ? "null" : java.util.Arrays.toString(r.fromLine()), r.detectedAt(), r.tookNanos(),
                r.alone()));
        array(j, "intervals", intervals, i -> String.format(Locale.ROOT,
                "{\"rank\": %d, \"afterCheckpoint\": %d, \"intervalNanos\": %d, \"costNanos\": %d, "
                        + "\"reason\": %s, \"atNanos\": %d}", i.rank(), i.choice().afterCheckpoint(),
                i.choice().intervalNanos(), i.choice().costNanos(), quote(i.choice().reason()), i.at()));
        array(j, "abandoned", abandoned, a -> String.format(Locale.ROOT,
                "{\"id\": %d, \"reason\": %s, \"atNanos\": %d}", a.id(), quote(a.reason()), a.at()));
        j.append("  \"warnings\": [");
        for (int i = 0; i < warnings.size(); i++) {
            j.append(i == 0 ? "" : ", ").append(quote(warnings.get(i)));
        }
        j.append("]\n}\n");
        return j.toString();
    }

    /** Appends {@code "name": [...],} with one object per line, as {@code row} renders it. */
    private static <T> void array(StringBuilder j, String name, List<T> items,
            java.util.function.Function<T, String> row) {
        j.append("  \"").append(name).append("\": [");
        for (int i = 0; i < items.size(); i++) {
            j.append(i == 0 ? "\n" : ",\n").append("    ").append(row.apply(items.get(i)));
        }
        j.append(items.isEmpty() ? "],\n" : "\n  ],\n");
    }

    /** Writes {@link #toJson()} to {@code file}. */
    public void writeJson(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, toJson(), StandardCharsets.UTF_8);
    }

    static String quote(String s) {
        StringBuilder q = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> q.append("\\\"");
                case '\\' -> q.append("\\\\");
                case '\n' -> q.append("\\n");
                case '\r' -> q.append("\\r");
                case '\t' -> q.append("\\t");
                default -> {
                    if (c < 0x20) {
                        q.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        q.append(c);
                    }
                }
            }
        }
        return q.append('"').toString();
    }

    /** {@code 1.5 MiB}-style size. */
    public static String size(long bytes) {
        return io.snapline.runtime.engine.Unreceived.size(bytes);
    }

    public static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.1f ms", nanos / 1e6);
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.2f s", Math.max(0, nanos) / 1e9);
    }
}
