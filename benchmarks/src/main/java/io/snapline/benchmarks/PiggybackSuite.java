package io.snapline.benchmarks;

import io.snapline.benchmarks.rank.PingPong;
import io.snapline.benchmarks.rank.Stream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The {@code piggyback} group: what a checkpoint policy's per-message work costs when no checkpoint is taken. On
 * each measured device, the 8-byte ping-pong and the 1 MiB stream run twice in the same round, once under
 * {@code --checkpoint none} (no channel hook installed) and once under {@link BenchmarkOptions#compareFlags()} (by
 * default {@code --checkpoint coordinated-nb --interval 1h}: every message is stamped with the sender's epoch and a
 * per-channel sequence number and passes the policy's hook, and the interval is too long for a checkpoint to start).
 * The order alternates between rounds, so drift of the machine's load does not always favour the same column.
 * Figures: {@code pb.none.DEVICE.KEY} and {@code pb.flags.DEVICE.KEY}.
 */
final class PiggybackSuite {
    static final int LATENCY_SIZE = 8;
    static final int STREAM_SIZE = 1 << 20;
    /** The column prefixes. */
    static final String NONE = "pb.none.";
    static final String FLAGS = "pb.flags.";
    /** The floor of a sender-based log per message size (see {@link RawBaselines#logFloorNanos}). */
    static final String FLOOR = "pb.floor.";
    /** The log memory the floor's copies go to: the benchmark's default {@code --log-memory}. */
    static final long FLOOR_REGION = 128L << 20;

    private PiggybackSuite() {
    }

    /** Measures every device of {@code o}; {@code round} (from 1) decides which column goes first. */
    static void measure(BenchmarkOptions o, Measurements m, PrintStream progress, int round) {
        for (String device : List.of("shm", "tcp")) {
            if (!o.measuresDevice(device)) {
                continue;
            }
            progress.println("  piggyback on " + device + ": ping-pong " + LATENCY_SIZE + " B and stream 1 MiB under "
                    + "--checkpoint none and under " + String.join(" ", o.compareFlags()));
            boolean noneFirst = round % 2 == 1;
            for (int i = 0; i < 2; i++) {
                if ((i == 0) == noneFirst) {
                    run(o, device, List::of, NONE, m, progress);
                } else {
                    runWithStore(o, device, m, progress);
                }
            }
        }
        if (logs(o)) {
            progress.println("  piggyback: the floor of a sender-based log (a copy into " + (FLOOR_REGION >> 20)
                    + " MiB of log memory and a CRC32C per message)");
            m.put(FLOOR + LATENCY_SIZE, RawBaselines.logFloorNanos(LATENCY_SIZE, FLOOR_REGION, o.scaled(1_000_000),
                    o.trials()));
            m.put(FLOOR + STREAM_SIZE, RawBaselines.logFloorNanos(STREAM_SIZE, FLOOR_REGION, o.scaled(64), o.trials()));
        }
    }

    /** Whether the compared flags log messages ({@code independent} with pessimistic or causal logging). */
    static boolean logs(BenchmarkOptions o) {
        List<String> f = o.compareFlags();
        int l = f.indexOf("--logging");
        boolean none = l >= 0 && l + 1 < f.size() && f.get(l + 1).equals("none") || f.contains("--logging=none");
        return policy(o).equals("independent") && !none;
    }

    /** Runs the jobs under the compared flags, each job with a checkpoint store of its own (deleted afterwards). */
    private static void runWithStore(BenchmarkOptions o, String device, Measurements m, PrintStream progress) {
        List<Path> stores = new ArrayList<>();
        try {
            run(o, device, () -> {
                List<String> flags = new ArrayList<>(o.compareFlags());
                if (!flags.contains("--store")) {
                    try {
                        Path store = Files.createTempDirectory("snapbench-piggyback-");
                        stores.add(store);
                        flags.addAll(List.of("--store", store.toString()));
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot create a temporary checkpoint store", e);
                    }
                }
                return flags;
            }, FLAGS, m, progress);
        } finally {
            stores.forEach(PiggybackSuite::delete);
        }
    }

    private static void run(BenchmarkOptions o, String device, java.util.function.Supplier<List<String>> flags,
            String column, Measurements m, PrintStream progress) {
        boolean tcp = device.equals("tcp");
        String prefix = column + device + ".";
        int roundTrips = o.scaled(tcp ? TcpSuite.ROUND_TRIPS : Suite.ROUND_TRIPS);
        int warmup = o.scaled(tcp ? TcpSuite.LATENCY_WARMUP : Suite.LATENCY_WARMUP);
        RankJob.run(device, RankJob.RANKS, flags.get(), prefix, PingPong.class, List.of(str(warmup), str(roundTrips),
                str(o.trials()), str(LATENCY_SIZE)), m, progress);
        int count = o.scaled((int) (Suite.STREAM_BYTES / STREAM_SIZE));
        String spec = STREAM_SIZE + ":" + count + (tcp ? ":" + TcpSuite.STREAM_WARMUP_BURSTS : "");
        RankJob.run(device, RankJob.RANKS, flags.get(), prefix, Stream.class, List.of(str(o.trials()), spec), m,
                progress);
    }

    /** The table: per device, latency and bandwidth under both settings and their ratio (flags ÷ none). */
    static String table(Measurements m, BenchmarkOptions o) {
        String flags = String.join(" ", o.compareFlags());
        boolean floor = logs(o);
        List<String> columns = new ArrayList<>(List.of("Device", "Metric", "--checkpoint none", flags, "Ratio ("
                + policy(o) + " ÷ none)"));
        if (floor) {
            columns.add("Ratio with only the log's copy and CRC added");
        }
        MarkdownTable t = new MarkdownTable(columns.toArray(String[]::new));
        for (String device : List.of("shm", "tcp")) {
            if (!o.measuresDevice(device)) {
                continue;
            }
            row(t, m, device, "Ping-pong one-way latency, 8 B", "pingpong." + LATENCY_SIZE, Report.Kind.TIME,
                    LATENCY_SIZE, floor);
            row(t, m, device, "Bandwidth, 1 MiB messages", "stream." + STREAM_SIZE, Report.Kind.BANDWIDTH,
                    STREAM_SIZE, floor);
        }
        String text = t.render();
        if (floor) {
            text += "\nThe last column: `none` with, added to each message, what a sender-based log does on the "
                    + "sender's path at the least, measured in this run: a copy of the payload into " + (FLOOR_REGION >> 20)
                    + " MiB of log memory and its CRC32C (" + Report.num(m.get(FLOOR + LATENCY_SIZE).orElse(Double.NaN))
                    + " ns for " + LATENCY_SIZE + " B, " + Report.num(m.get(FLOOR + STREAM_SIZE).orElse(Double.NaN)
                    / 1000) + " µs for 1 MiB).\n";
        }
        return text;
    }

    private static void row(MarkdownTable t, Measurements m, String device, String metric, String key,
            Report.Kind kind, long bytes, boolean floor) {
        var none = m.get(NONE + device + "." + key);
        var with = m.get(FLAGS + device + "." + key);
        String a = none.isPresent() ? Report.show(kind, bytes, none.getAsDouble()) : "n/a: " + m.whyMissing(NONE + device + "." + key);
        String b = with.isPresent() ? Report.show(kind, bytes, with.getAsDouble()) : "n/a: " + m.whyMissing(FLAGS + device + "." + key);
        // Both figures are times per operation, so flags ÷ none is the slowdown for latency; for bandwidth the
        // ratio of the bandwidths (none ÷ flags in time) is shown, below 1 when the policy costs throughput.
        String ratio = none.isEmpty() || with.isEmpty() ? "—"
                : Report.num(kind == Report.Kind.TIME ? with.getAsDouble() / none.getAsDouble()
                        : none.getAsDouble() / with.getAsDouble()) + "×";
        if (!floor) {
            t.row(device, metric, a, b, ratio);
            return;
        }
        var cost = m.get(FLOOR + bytes);
        String best = none.isEmpty() || cost.isEmpty() ? "—" : Report.num(kind == Report.Kind.TIME
                ? (none.getAsDouble() + cost.getAsDouble()) / none.getAsDouble()
                : none.getAsDouble() / (none.getAsDouble() + cost.getAsDouble())) + "×";
        t.row(device, metric, a, b, ratio, best);
    }

    private static String policy(BenchmarkOptions o) {
        int i = o.compareFlags().indexOf("--checkpoint");
        return i >= 0 && i + 1 < o.compareFlags().size() ? o.compareFlags().get(i + 1) : "flags";
    }

    private static void delete(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the temporary checkpoint store " + dir, e);
        }
    }

    private static String str(int n) {
        return Integer.toString(n);
    }
}
