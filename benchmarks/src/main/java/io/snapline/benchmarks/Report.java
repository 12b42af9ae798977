package io.snapline.benchmarks;

import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * Turns {@link Measurements} into the Markdown report: one table of Snapline against the raw baselines of the same
 * run, with the ratio targets of the issue, and one against figures published for other MPI implementations.
 */
final class Report {
    /** How a figure is shown: as a time per operation, or as bandwidth from a message size. */
    enum Kind { TIME, BANDWIDTH }

    /** A target on the ratio Snapline ÷ baseline (in the row's unit): at most {@code max}, or at least {@code min}. */
    record Target(String text, double min, double max) {
        static Target atMost(double ratio) {
            return new Target("≤ " + num(ratio) + "× baseline", Double.NEGATIVE_INFINITY, ratio);
        }

        static Target atLeast(double ratio) {
            return new Target("≥ " + num(ratio) + "× baseline", ratio, Double.POSITIVE_INFINITY);
        }

        boolean met(double ratio) {
            return ratio >= min && ratio <= max;
        }
    }

    /** One row: a Snapline figure, the baseline it is divided by, and an optional target. */
    record Row(String metric, String key, Kind kind, long bytes, String baselineKey, String baselineName, Target target) {
    }

    /** A Snapline figure against a constant published elsewhere: a time must be below it, a bandwidth above it. */
    record Reference(String comparison, String key, Kind kind, long bytes, double value, String source) {
    }

    static final List<Row> ROWS = List.of(
            new Row("Ping-pong one-way latency, 1 B", "snapline.pingpong.1", Kind.TIME, 1, "raw.handoff.0",
                    "thread hand-off, volatile flag", null),
            new Row("Ping-pong one-way latency, 8 B", "snapline.pingpong.8", Kind.TIME, 8, "raw.handoff.0",
                    "thread hand-off, volatile flag", Target.atMost(3)),
            new Row("Ping-pong one-way latency, 1 KiB", "snapline.pingpong.1024", Kind.TIME, 1024, "raw.handoff.0",
                    "thread hand-off, volatile flag", null),
            new Row("Bandwidth, 64 KiB messages", "snapline.stream.65536", Kind.BANDWIDTH, 64 << 10, "raw.copy.65536",
                    "System.arraycopy 64 KiB", null),
            new Row("Bandwidth, 1 MiB messages", "snapline.stream.1048576", Kind.BANDWIDTH, 1 << 20, "raw.copy.1048576",
                    "System.arraycopy 1 MiB", null),
            new Row("Bandwidth, 4 MiB messages", "snapline.stream.4194304", Kind.BANDWIDTH, 4 << 20, "raw.copy.4194304",
                    "System.arraycopy 4 MiB", null),
            new Row("Bandwidth, 16 MiB messages", "snapline.stream.16777216", Kind.BANDWIDTH, 16 << 20,
                    "raw.copy.16777216", "System.arraycopy 16 MiB", Target.atLeast(0.5)),
            new Row("Allreduce SUM, 1 double", "snapline.allreduce.1", Kind.TIME, 8, "snapline.pingpong.8",
                    "Snapline 8 B one-way latency", Target.atMost(4)),
            new Row("Allreduce SUM, 1 Mi doubles (8 MiB)", "snapline.allreduce.1048576", Kind.TIME, 8 << 20,
                    "raw.copysum.1048576", "arraycopy + add of 8 MiB", null),
            new Row("Barrier", "snapline.barrier", Kind.TIME, 0, "raw.barrier", "two-thread spin barrier", null),
            new Row("Bcast 1 MiB, root 0", "snapline.bcast.1048576", Kind.TIME, 1 << 20, "raw.bcastcopy.1048576",
                    "System.arraycopy 1 MiB", null));

    /** The {@code tcp} device's rows: each against the same operation between two processes over raw Java NIO. */
    static final List<Row> TCP_ROWS = List.of(
            new Row("tcp: Ping-pong one-way latency, 8 B", "snapline.tcp.pingpong.8", Kind.TIME, 8,
                    "raw.nio.pingpong.8", "raw NIO ping-pong, 2 processes", Target.atMost(1.3)),
            new Row("tcp: Bandwidth, 1 MiB messages", "snapline.tcp.stream.1048576", Kind.BANDWIDTH, 1 << 20,
                    "raw.nio.stream.1048576", "raw NIO stream, 2 processes", Target.atLeast(0.8)),
            new Row("tcp: Bandwidth, 1 MiB messages, direct ByteBuffer", "snapline.tcp.stream.1048576.direct",
                    Kind.BANDWIDTH, 1 << 20, "raw.nio.stream.1048576", "raw NIO stream, 2 processes", Target.atLeast(0.8)),
            new Row("tcp: Bandwidth, 1 MiB messages, 64 in flight", "snapline.tcp.stream.1048576.window64",
                    Kind.BANDWIDTH, 1 << 20, "raw.nio.stream.1048576", "raw NIO stream, 2 processes", null),
            new Row("tcp: Bandwidth, 16 MiB messages", "snapline.tcp.stream.16777216", Kind.BANDWIDTH, 16 << 20,
                    "raw.nio.stream.16777216", "raw NIO stream, 2 processes", Target.atLeast(0.8)),
            new Row("tcp: Bandwidth, 16 MiB messages, direct ByteBuffer", "snapline.tcp.stream.16777216.direct",
                    Kind.BANDWIDTH, 16 << 20, "raw.nio.stream.16777216", "raw NIO stream, 2 processes",
                    Target.atLeast(0.8)),
            new Row("tcp: Allreduce SUM, 1 double", "snapline.tcp.allreduce.1", Kind.TIME, 8, "snapline.tcp.pingpong.8",
                    "Snapline tcp 8 B one-way latency", Target.atMost(4)),
            new Row("tcp: Barrier", "snapline.tcp.barrier", Kind.TIME, 0, "raw.nio.pingpong.8",
                    "raw NIO 8 B one-way latency", null));

    static final List<Reference> REFERENCES = List.of(
            new Reference("8 B one-way latency below Open MPI Java bindings, shm (aim)", "snapline.pingpong.8", Kind.TIME,
                    8, 0.57, "0.57 µs"),
            new Reference("8 B one-way latency below MPJ Express 0.44 multicore", "snapline.pingpong.8", Kind.TIME, 8,
                    8.6, "8.6 µs"),
            new Reference("4 MiB bandwidth above MPJ Express 0.44 multicore", "snapline.stream.4194304", Kind.BANDWIDTH,
                    4 << 20, 4.2, "4.2 GB/s"));

    private Report() {
    }

    /** The main table of the {@code shm} device: every row of {@link #ROWS}. */
    static String baselineTable(Measurements m) {
        return baselineTable(m, ROWS);
    }

    /** A table of Snapline figures against their baselines: one line per row. */
    static String baselineTable(Measurements m, List<Row> rows) {
        MarkdownTable t = new MarkdownTable("Metric", "Snapline", "Baseline (same run)", "Ratio", "Target", "Met?");
        for (Row r : rows) {
            OptionalDouble snap = m.get(r.key());
            OptionalDouble base = m.get(r.baselineKey());
            String baseCell = base.isPresent() ? show(r.kind(), r.bytes(), base.getAsDouble()) + " (" + r.baselineName() + ")"
                    : "n/a (" + r.baselineName() + ": " + m.whyMissing(r.baselineKey()) + ")";
            String target = r.target() == null ? "—" : r.target().text();
            if (snap.isEmpty() || base.isEmpty()) {
                String snapCell = snap.isPresent() ? show(r.kind(), r.bytes(), snap.getAsDouble()) : "n/a: " + m.whyMissing(r.key());
                t.row(r.metric(), snapCell, baseCell, "—", target, r.target() == null ? "—" : "not measured");
                continue;
            }
            // For times, Snapline ÷ baseline is the slowdown; for bandwidth it is the fraction of the baseline reached.
            double ratio = r.kind() == Kind.TIME ? snap.getAsDouble() / base.getAsDouble()
                    : base.getAsDouble() / snap.getAsDouble();
            t.row(r.metric(), show(r.kind(), r.bytes(), snap.getAsDouble()), baseCell, num(ratio) + "×", target,
                    r.target() == null ? "—" : (r.target().met(ratio) ? "yes" : "no"));
        }
        return t.render();
    }

    /** The second table: Snapline against published figures of other implementations (not measured here). */
    static String referenceTable(Measurements m) {
        MarkdownTable t = new MarkdownTable("Target", "Snapline", "Reference", "Ratio", "Met?");
        for (Reference r : REFERENCES) {
            OptionalDouble snap = m.get(r.key());
            if (snap.isEmpty()) {
                t.row(r.comparison(), "n/a: " + m.whyMissing(r.key()), r.source(), "—", "not measured");
                continue;
            }
            double shown = r.kind() == Kind.TIME ? snap.getAsDouble() / 1000.0 : r.bytes() / snap.getAsDouble();
            boolean met = r.kind() == Kind.TIME ? shown < r.value() : shown > r.value();
            t.row(r.comparison(), show(r.kind(), r.bytes(), snap.getAsDouble()), r.source(), num(shown / r.value()) + "×",
                    met ? "yes" : "no");
        }
        return t.render();
    }

    /**
     * Where the time of an 8-byte message goes: the ping-pong latency next to the same send and receive done by one
     * thread to itself (pure software path, no cross-core traffic, no waiting), the allocation per message, and the
     * exchange a two-rank Allreduce of one double is built on.
     */
    static String diagnosticsTable(Measurements m) {
        MarkdownTable t = new MarkdownTable("Figure", "Value");
        t.row("One-way latency, 2 ranks (ping-pong)", time(m, "snapline.pingpong.8"));
        t.row("Raw thread hand-off, volatile flag only (cross-core floor)", time(m, "raw.handoff.0"));
        t.row("Raw thread hand-off carrying 8 B copied into the peer's array", time(m, "raw.handoff.8"));
        t.row("Raw model of the shm protocol: post under a lock, sender copies in (no Snapline code)",
                time(m, "raw.protocol.8"));
        t.row("Send + receive on one thread, self-addressed (software path only)", time(m, "snapline.self.8"));
        OptionalDouble pp = m.get("snapline.pingpong.8");
        OptionalDouble self = m.get("snapline.self.8");
        t.row("Remainder: waking the peer and cross-core traffic (latency − self path)",
                pp.isPresent() && self.isPresent() ? show(Kind.TIME, 0, pp.getAsDouble() - self.getAsDouble()) : "—");
        t.row("Bytes allocated per message, ping-pong (rank 0 thread)", bytes(m, "snapline.alloc.pingpong.8"));
        t.row("Bytes allocated per message, self-addressed", bytes(m, "snapline.alloc.self.8"));
        t.row("Sendrecv of 1 double between 2 ranks (the exchange inside a 2-rank Allreduce)", time(m, "snapline.sendrecv.8"));
        return t.render();
    }

    /**
     * Where the time of an 8-byte message over {@code tcp} goes: the device's latency next to raw NIO in the device's
     * two structures — a selector thread reading and handing each message to the main thread (the progress thread:
     * {@code ANY_SOURCE}, {@code Waitall}, a rank that computes) and the waiting thread polling its socket, then
     * sleeping in a selector (a wait for a named rank, as in the ping-pong) — so the difference between the polling
     * and the blocking raw figures is the structure and the rest is Snapline's own code.
     */
    static String tcpDiagnosticsTable(Measurements m) {
        MarkdownTable t = new MarkdownTable("Figure", "Value");
        t.row("tcp one-way latency, 2 rank processes (ping-pong)", time(m, "snapline.tcp.pingpong.8"));
        t.row("Raw NIO, blocking read and write on one thread per process", time(m, "raw.nio.pingpong.8"));
        t.row("Raw NIO, selector thread reads and hands each message to the main thread", time(m, "raw.nio.handoff.8"));
        t.row("Raw NIO, the waiting thread polls its socket for 100 µs (yielding), then sleeps in a selector",
                time(m, "raw.nio.poll.8"));
        t.row("Cost of that structure (polling − blocking)", difference(m, "raw.nio.poll.8", "raw.nio.pingpong.8"));
        t.row("Snapline's own code on top of that structure (tcp − polling)",
                difference(m, "snapline.tcp.pingpong.8", "raw.nio.poll.8"));
        t.row("Bytes allocated per message by the rank thread, ping-pong (which also reads its replies)",
                bytes(m, "snapline.tcp.alloc.pingpong.8"));
        t.row("tcp Sendrecv of 1 double (the exchange inside a 2-rank Allreduce)", time(m, "snapline.tcp.sendrecv.8"));
        return t.render();
    }

    private static String difference(Measurements m, String a, String b) {
        OptionalDouble x = m.get(a);
        OptionalDouble y = m.get(b);
        return x.isPresent() && y.isPresent() ? show(Kind.TIME, 0, x.getAsDouble() - y.getAsDouble()) : "—";
    }

    private static String time(Measurements m, String key) {
        OptionalDouble v = m.get(key);
        return v.isPresent() ? show(Kind.TIME, 0, v.getAsDouble()) : "n/a: " + m.whyMissing(key);
    }

    private static String bytes(Measurements m, String key) {
        OptionalDouble v = m.get(key);
        return v.isPresent() ? String.format(Locale.ROOT, "%.0f B", v.getAsDouble()) : "n/a: " + m.whyMissing(key);
    }

    /** A figure in its unit: µs per operation, or GB/s (10^9 bytes per second) for bandwidth. */
    static String show(Kind kind, long bytes, double nanos) {
        return kind == Kind.TIME ? num(nanos / 1000.0) + " µs" : num(bytes / nanos) + " GB/s";
    }

    /** Three significant digits, without exponent notation. */
    static String num(double v) {
        double a = Math.abs(v);
        String f = a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f";
        return String.format(Locale.ROOT, f, v);
    }
}
