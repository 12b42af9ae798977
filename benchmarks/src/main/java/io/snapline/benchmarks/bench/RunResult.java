package io.snapline.benchmarks.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * What one run of a cell gave: whether the job completed, the program's standard output, and the figures of the
 * launcher's run report ({@code --report}).
 *
 * @param cell           the cell
 * @param repetition     which run of it, from 1
 * @param completed      the job exited with 0 and its report says {@code completed}
 * @param reason         why it did not complete (null when it did)
 * @param stdout         the program's output lines
 * @param wallNanos      the job's wall time (report)
 * @param blockedNanos   the time the ranks were held back by checkpoints (report: {@code overhead.time})
 * @param bytesWritten   bytes the checkpoints put in the store
 * @param checkpoints    committed checkpoints (global ones, or local ones of {@code independent})
 * @param rankCheckpoints the ranks' states the committed checkpoints hold: a global checkpoint counts once per rank,
 *                       a local one once, so that {@code bytesWritten / rankCheckpoints} compares the policies like
 *                       for like
 * @param logPeakBytes   the message logs' peak, summed over the ranks; -1 when the report has no log samples
 * @param restarts       restarts after failures
 * @param restartNanos   the restarts' time from detection to the restarted ranks running, summed
 */
public record RunResult(Cell cell, int repetition, boolean completed, String reason, List<String> stdout,
        long wallNanos, long blockedNanos, long bytesWritten, long checkpoints, long rankCheckpoints, long logPeakBytes,
        int restarts,
        long restartNanos) {
    public RunResult {
        stdout = List.copyOf(stdout);
    }

    /** A run that did not complete. */
    static RunResult failed(Cell cell, int repetition, String reason, List<String> stdout) {
        return new RunResult(cell, repetition, false, reason, stdout, 0, 0, 0, 0, 0, -1, 0, 0);
    }

    /**
     * Reads a run report (the JSON {@code snaprun --report} writes). A report whose outcome is not
     * {@code completed} gives a failed result.
     */
    static RunResult of(Cell cell, int repetition, JsonNode report, List<String> stdout) {
        String outcome = report.path("outcome").asText("missing");
        if (!outcome.equals("completed")) {
            return failed(cell, repetition, "outcome " + outcome, stdout);
        }
        JsonNode time = report.path("overhead").path("time");
        JsonNode storage = report.path("overhead").path("storage");
        long global = report.path("checkpoints").size();
        long local = report.path("localCheckpoints").size();
        long checkpoints = storage.has("committed") ? storage.path("committed").asLong() : global + local;
        long restartNanos = 0;
        for (JsonNode r : report.path("restarts")) {
            restartNanos += r.path("tookNanos").asLong();
        }
        return new RunResult(cell, repetition, true, null, stdout, required(report, "wallNanos"),
                time.path("blockedNanos").asLong(), report.path("bytesWritten").asLong(), checkpoints,
                global * cell.ranks() + local,                logPeak(report.path("messageLog")), report.path("restarts").size(), restartNanos);
    }

    /** The sum over ranks of each rank's largest {@code peakBytes}; -1 without samples. */
    private static long logPeak(JsonNode samples) {
        if (samples.isEmpty()) {
            return -1;
        }
        java.util.Map<Integer, Long> byRank = new java.util.TreeMap<>();
        for (JsonNode s : samples) {
            byRank.merge(s.path("rank").asInt(), s.path("peakBytes").asLong(), Math::max);
        }
        return byRank.values().stream().mapToLong(Long::longValue).sum();
    }

    private static long required(JsonNode report, String field) {
        JsonNode v = report.get(field);
        if (v == null || !v.canConvertToLong()) {
            throw new IllegalArgumentException("the run report has no number \"" + field + "\"");
        }
        return v.asLong();
    }
}
