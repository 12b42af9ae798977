package io.snapline.benchmarks.checkpoint;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.snapline.benchmarks.BenchmarkException;
import io.snapline.runtime.json.JsonText;
import java.util.ArrayList;
import java.util.List;

/**
 * What one run of the heat program under one policy gave: the figures of the launcher's JSON run report
 * ({@code --report}) and the lines rank 0 printed ({@code @checksum}, {@code @loop-nanos}, {@code @state-bytes}).
 *
 * @param policy      {@code none}, {@code coordinated}, ...
 * @param interval    the {@code --interval} value, or null for {@code none}
 * @param wallNanos   the job's wall time from the run report (launch to the last rank's end)
 * @param checkpoints the committed checkpoints, in order
 * @param checksum    rank 0's {@code @checksum} value
 * @param loopNanos   rank 0's step loop time
 * @param tailNanosPerStep rank 0's time per step over the second half of the loop
 * @param stateBytes  bytes of one rank's state array
 */
public record JobOutcome(String policy, String interval, long wallNanos, List<Taken> checkpoints, String checksum,
        long loopNanos, double tailNanosPerStep, long stateBytes) {
    /** One committed checkpoint: bytes of all ranks' pieces, and how long the ranks were held back. */
    public record Taken(long bytes, long meanBlockedNanos, long maxBlockedNanos) {
    }

    public JobOutcome {
        checkpoints = List.copyOf(checkpoints);
    }

    /** Reads a run report ({@code RunReport.toJson()}) and the program's output into an outcome. */
    public static JobOutcome of(String policy, String interval, String reportJson, String programOutput) {
        JsonNode report = parse(reportJson);
        String outcome = report.path("outcome").asText(null);
        if (!"completed".equals(outcome)) {
            throw new BenchmarkException(policy + " run did not complete: outcome " + outcome);
        }
        long wall = number(report, "wallNanos");
        if (!report.path("checkpoints").isArray()) {
            throw new BenchmarkException("the run report has no checkpoints list:\n" + reportJson);
        }
        List<Taken> taken = new ArrayList<>();
        for (JsonNode c : report.get("checkpoints")) {
            taken.add(new Taken(number(c, "bytes"), number(c, "meanBlockedNanos"), number(c, "maxBlockedNanos")));
        }
        taken.addAll(localRounds(report.path("localCheckpoints")));
        String checksum = programLine(programOutput, "@checksum");
        String[] tail = programLine(programOutput, "@tail-nanos").split(" ");
        return new JobOutcome(policy, interval, wall, taken, checksum,
                Long.parseLong(programLine(programOutput, "@loop-nanos")),
                Long.parseLong(tail[0]) / (double) Math.max(1, Long.parseLong(tail[tail.length - 1])),
                Long.parseLong(programLine(programOutput, "@state-bytes")));
    }

    /**
     * The local checkpoints of the report ({@code independent}), as one {@link Taken} per number: every rank's k-th
     * local checkpoint together (bytes summed, blocking averaged and maximised over the ranks), like a global one.
     */
    private static List<Taken> localRounds(JsonNode locals) {
        java.util.SortedMap<Long, long[]> byIndex = new java.util.TreeMap<>(); // bytes, blocked sum, max, count
        for (JsonNode c : locals) {
            long[] round = byIndex.computeIfAbsent(number(c, "index"), k -> new long[4]);
            long blocked = number(c, "blockedNanos");
            round[0] += number(c, "bytes");
            round[1] += blocked;
            round[2] = Math.max(round[2], blocked);
            round[3]++;
        }
        List<Taken> rounds = new ArrayList<>();
        for (long[] r : byIndex.values()) {
            rounds.add(new Taken(r[0], r[1] / r[3], r[2]));
        }
        return rounds;
    }

    /** The label of the run in tables: {@code coordinated, 10s} or {@code none}. */
    public String label() {
        return interval == null ? policy : policy + " --interval " + interval;
    }

    /** Mean bytes of a checkpoint (all ranks' pieces together), or 0 without checkpoints. */
    public long meanBytes() {
        return (long) checkpoints.stream().mapToLong(Taken::bytes).average().orElse(0);
    }

    /**
     * Mean over checkpoints of the longest time any rank was held back by it: what the job as a whole waited, since
     * the ranks exchange halos every step. 0 without checkpoints.
     */
    public long meanBlockedNanos() {
        return (long) checkpoints.stream().mapToLong(Taken::maxBlockedNanos).average().orElse(0);
    }

    /** The sum over checkpoints of the longest time any rank was held back: the job's total time held back. */
    public long blockedNanos() {
        return checkpoints.stream().mapToLong(Taken::maxBlockedNanos).sum();
    }

    /** The longest any rank was held back by any checkpoint, or 0 without checkpoints. */
    public long maxBlockedNanos() {
        return checkpoints.stream().mapToLong(Taken::maxBlockedNanos).max().orElse(0);
    }

    /** A run report's JSON text as a tree; not JSON at all is a {@link BenchmarkException}. */
    static JsonNode parse(String reportJson) {
        try {
            return JsonText.parse(reportJson);
        } catch (JsonProcessingException e) {
            throw new BenchmarkException("the run report is not JSON (" + e.getOriginalMessage() + "):\n"
                    + reportJson);
        }
    }

    /** Member {@code name} of {@code json}, an integer. */
    static long number(JsonNode json, String name) {
        JsonNode value = json.get(name);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()) {
            throw new BenchmarkException("the run report has no number \"" + name + "\":\n" + json);
        }
        return value.longValue();
    }

    /** The value after {@code key} on the first line of {@code output} that starts with it. */
    static String programLine(String output, String key) {
        for (String line : output.split("\n")) {
            String t = line.trim();
            if (t.startsWith(key + " ")) {
                return t.substring(key.length() + 1).trim();
            }
        }
        throw new BenchmarkException("the heat program printed no " + key + " line; its output was:\n" + output);
    }
}
