package io.snapline.runtime.cluster;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * What a launcher publishes about a job it runs on the cluster, in {@link #MAP} under the job's id, sealed: who runs
 * it, since when, where each rank runs now, its store, and its newest committed checkpoint. The entry goes when the
 * job ends, or within 30 s of its launcher's death (the launcher publishes it again every 10 s).
 *
 * @param job         the job's id
 * @param launcher    the launcher's process, {@code pid P on host H}
 * @param started     when the job was submitted
 * @param store       where its checkpoints are (a directory or a store in the cluster), or empty without any
 * @param ranks       per rank, the host it runs on ({@code node1 (10.0.0.1:40111)})
 * @param committed   the newest committed checkpoint's id, 0 for none yet
 * @param committedAt when it was committed (null for none)
 */
public record JobRecord(String job, String launcher, Instant started, String store, List<String> ranks, long committed,
        Instant committedAt) {
    /** The map launchers publish their jobs in. */
    public static final String MAP = "snapline.jobs";

    public JobRecord {
        ranks = List.copyOf(ranks);
    }

    /** This record with checkpoint {@code id} committed at {@code at}. */
    public JobRecord committed(long id, Instant at) {
        return new JobRecord(job, launcher, started, store, ranks, id, at);
    }

    /** This record with the ranks on {@code now}. */
    public JobRecord placed(List<String> now) {
        return new JobRecord(job, launcher, started, store, now, committed, committedAt);
    }

    /** {@code 0..1 on node1 (...), 2 on node2 (...)}: consecutive ranks on one host together. */
    public String where() {
        StringJoiner j = new StringJoiner(", ");
        int from = 0;
        for (int r = 1; r <= ranks.size(); r++) {
            if (r == ranks.size() || !ranks.get(r).equals(ranks.get(from))) {
                j.add((r - 1 == from ? Integer.toString(from) : from + ".." + (r - 1)) + " on " + ranks.get(from));
                from = r;
            }
        }
        return j.toString();
    }

    byte[] encode() {
        return ("job=" + job + "\nlauncher=" + launcher + "\nstarted=" + started + "\nstore=" + store + "\nranks="
                + String.join(";", ranks) + "\ncommitted=" + committed + "\ncommittedAt="
                + (committedAt == null ? "" : committedAt) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    static JobRecord decode(byte[] bytes) {
        Map<String, String> f = new HashMap<>();
        for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                f.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        try {
            String at = f.get("committedAt");
            return new JobRecord(f.get("job"), f.get("launcher"), Instant.parse(f.get("started")), f.get("store"),
                    new ArrayList<>(List.of(f.get("ranks").split(";"))), Long.parseLong(f.get("committed")),
                    at.isEmpty() ? null : Instant.parse(at));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("a job record that does not parse: " + f, e);
        }
    }
}
