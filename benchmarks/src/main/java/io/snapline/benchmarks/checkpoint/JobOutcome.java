package io.snapline.benchmarks.checkpoint;

import io.snapline.benchmarks.BenchmarkException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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

    private static final Pattern FIELD = Pattern.compile("\"(\\w+)\"\\s*:\\s*(-?\\d+)");
    private static final Pattern OBJECT = Pattern.compile("\\{([^{}]*)\\}");

    public JobOutcome {
        checkpoints = List.copyOf(checkpoints);
    }

    /** Reads a run report ({@code RunReport.toJson()}) and the program's output into an outcome. */
    public static JobOutcome of(String policy, String interval, String reportJson, String programOutput) {
        String outcome = stringField(reportJson, "outcome");
        if (!"completed".equals(outcome)) {
            throw new BenchmarkException(policy + " run did not complete: outcome " + outcome);
        }
        long wall = longField(reportJson, "wallNanos");
        int start = reportJson.indexOf("\"checkpoints\"");
        int end = reportJson.indexOf(']', Math.max(start, 0));
        if (start < 0 || end < 0) {
            throw new BenchmarkException("the run report has no checkpoints list:\n" + reportJson);
        }
        List<Taken> taken = new ArrayList<>();
        Matcher o = OBJECT.matcher(reportJson.substring(start, end));
        while (o.find()) {
            String obj = o.group(1);
            taken.add(new Taken(longField(obj, "bytes"), longField(obj, "meanBlockedNanos"),
                    longField(obj, "maxBlockedNanos")));
        }
        taken.addAll(localRounds(reportJson));
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
    private static List<Taken> localRounds(String reportJson) {
        int start = reportJson.indexOf("\"localCheckpoints\"");
        if (start < 0) {
            return List.of();
        }
        int end = reportJson.indexOf(']', start);
        java.util.SortedMap<Long, long[]> byIndex = new java.util.TreeMap<>(); // bytes, blocked sum, max, count
        Matcher o = OBJECT.matcher(reportJson.substring(start, end));
        while (o.find()) {
            String obj = o.group(1);
            long[] round = byIndex.computeIfAbsent(longField(obj, "index"), k -> new long[4]);
            long blocked = longField(obj, "blockedNanos");
            round[0] += longField(obj, "bytes");
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

    static long longField(String json, String name) {
        Matcher m = FIELD.matcher(json);
        while (m.find()) {
            if (m.group(1).equals(name)) {
                return Long.parseLong(m.group(2));
            }
        }
        throw new BenchmarkException("the run report has no number \"" + name + "\":\n" + json);
    }

    static String stringField(String json, String name) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(name) + "\"\\s*:\\s*\"([^\"]*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
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
