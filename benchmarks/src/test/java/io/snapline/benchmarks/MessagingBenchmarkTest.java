package io.snapline.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the whole harness with tiny iteration counts on both devices: checks that a complete report comes out, not the
 * timings. The tcp rows start child JVMs (rank processes and raw NIO peers), hence the generous timeout.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class MessagingBenchmarkTest {

    @Test
    void shouldWriteCompleteTableWhenRunWithTinyCounts(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("reports/performance.md");
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        String report = MessagingBenchmark.run(new BenchmarkOptions(1, 1, 0.002, out, BenchmarkOptions.GROUPS),
                new PrintStream(progress, true, StandardCharsets.UTF_8));

        assertEquals(report, Files.readString(out));
        assertTrue(report.contains("| Metric "), report);
        assertTrue(report.contains("### shm device") && report.contains("### tcp device"), report);
        List<Report.Row> rows = new java.util.ArrayList<>(Report.ROWS);
        rows.addAll(Report.TCP_ROWS);
        for (Report.Row row : rows) {
            String line = lineStartingWith(report, "| " + row.metric() + " ");
            // every row measured: a figure in its unit in the Snapline column, a ratio, and a verdict when targeted
            List<String> cells = cells(line);
            assertTrue(cells.get(1).matches("[0-9.]+ (µs|GB/s)") || cells.get(1).startsWith("n/a: Allreduce is not implemented"),
                    line);
            if (!cells.get(1).startsWith("n/a")) {
                assertTrue(cells.get(3).matches("[0-9.]+×"), line);
                assertTrue(row.target() == null ? cells.get(5).equals("—") : cells.get(5).matches("yes|no"), line);
            }
        }
        for (Report.Reference ref : Report.REFERENCES) {
            assertTrue(cells(lineStartingWith(report, "| " + ref.comparison() + " ")).get(4).matches("yes|no"), report);
        }
        assertTrue(cells(lineStartingWith(report, "| Bytes allocated per message, ping-pong ")).get(1).matches("[0-9]+ B"), report);
        assertTrue(cells(lineStartingWith(report, "| Raw NIO, selector thread reads ")).get(1).matches("[0-9.]+ µs"), report);
        assertTrue(progress.toString(StandardCharsets.UTF_8).contains("report written to"));
    }

    @Test
    void shouldMeasureEveryFigureWhenRankProgramsRun() {
        Measurements m = Suite.measure(new BenchmarkOptions(1, 2, 0.001, null, BenchmarkOptions.GROUPS), new PrintStream(new ByteArrayOutputStream()));
        for (String key : List.of("raw.handoff.0", "raw.handoff.8", "snapline.pingpong.1", "snapline.pingpong.8", "snapline.pingpong.1024",
                "snapline.stream.65536", "snapline.stream.16777216", "raw.copy.16777216", "snapline.barrier",
                "raw.barrier", "snapline.bcast.1048576", "raw.copysum.1048576", "snapline.self.8", "snapline.sendrecv.8",
                "snapline.alloc.pingpong.8", "raw.protocol.8",
                "raw.nio.pingpong.8", "raw.nio.handoff.8", "raw.nio.poll.8", "snapline.tcp.pingpong.8", "snapline.tcp.alloc.pingpong.8",
                "raw.nio.stream.1048576", "raw.nio.stream.16777216", "snapline.tcp.stream.1048576",
                "snapline.tcp.stream.1048576.window64", "snapline.tcp.stream.16777216", "snapline.tcp.stream.1048576.direct",
                "snapline.tcp.stream.16777216.direct", "snapline.tcp.barrier", "snapline.tcp.sendrecv.8",
                "snapline.tcp.allreduce.1")) {
            assertTrue(m.get(key).isPresent(), key + " missing from " + m.keys());
        }
    }

    @Test
    void shouldMeasureOnlyTcpWhenDevicesSaySo() throws Exception {
        String report = MessagingBenchmark.run(BenchmarkOptions.parse("--devices", "tcp", "--only", "latency",
                "--rounds", "1", "--trials", "1", "--scale", "0.002"), new PrintStream(new ByteArrayOutputStream()));
        assertTrue(report.startsWith("Snapline messaging benchmark: tcp device, 2 ranks"), report);
        assertFalse(report.contains("### shm device"), report);
        List<String> latency = cells(lineStartingWith(report, "| tcp: Ping-pong one-way latency, 8 B "));
        assertTrue(latency.get(1).matches("[0-9.]+ µs") && latency.get(5).matches("yes|no"), report);
        assertEquals("not measured", cells(lineStartingWith(report, "| tcp: Bandwidth, 1 MiB messages ")).get(5));
    }

    @Test
    void shouldComputeTcpRatiosAgainstRawNioWhenFiguresAreKnown() {
        Measurements m = new Measurements();
        m.put("snapline.tcp.pingpong.8", 26_000);
        m.put("raw.nio.pingpong.8", 20_000);
        m.put("snapline.tcp.stream.1048576", 1_000_000);
        m.put("raw.nio.stream.1048576", 700_000);
        String table = Report.baselineTable(m, Report.TCP_ROWS);

        assertEquals(List.of("tcp: Ping-pong one-way latency, 8 B", "26.0 µs", "20.0 µs (raw NIO ping-pong, 2 processes)",
                "1.30×", "≤ 1.30× baseline", "yes"), cells(lineStartingWith(table, "| tcp: Ping-pong one-way latency, 8 B ")));
        List<String> bandwidth = cells(lineStartingWith(table, "| tcp: Bandwidth, 1 MiB messages "));
        assertEquals(List.of("1.05 GB/s", "1.50 GB/s (raw NIO stream, 2 processes)", "0.700×", "≥ 0.800× baseline", "no"),
                bandwidth.subList(1, 6));
        List<String> allreduce = cells(lineStartingWith(table, "| tcp: Allreduce SUM, 1 double "));
        assertEquals(List.of("26.0 µs (Snapline tcp 8 B one-way latency)", "—", "≤ 4.00× baseline", "not measured"),
                allreduce.subList(2, 6));

        m.put("raw.nio.handoff.8", 22_000);
        m.put("raw.nio.poll.8", 17_000);
        String diagnostics = Report.tcpDiagnosticsTable(m);
        assertEquals("22.0 µs", cells(lineStartingWith(diagnostics, "| Raw NIO, selector thread ")).get(1));
        assertEquals("-3.00 µs", cells(lineStartingWith(diagnostics, "| Cost of that structure ")).get(1));
        assertEquals("9.00 µs", cells(lineStartingWith(diagnostics, "| Snapline's own code on top ")).get(1));
    }

    @Test
    void shouldFailWithPeerErrorWhenNioBaselineModeIsUnknown() {
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> io.snapline.benchmarks.raw.NioBaseline.run(RankJob.TCP_JVM_OPTIONS, List.of("gossip", "1")));
        assertTrue(e.getMessage().contains("unknown mode 'gossip'; expected pingpong, handoff, poll or stream"), e.getMessage());
    }

    @Test
    void shouldComputeRatioAndVerdictWhenFiguresAreKnown() {
        Measurements m = new Measurements();
        m.put("snapline.pingpong.8", 900);
        m.put("raw.handoff.0", 100);
        m.put("snapline.stream.16777216", 4_000_000);
        m.put("raw.copy.16777216", 1_000_000);
        String table = Report.baselineTable(m);

        List<String> latency = cells(lineStartingWith(table, "| Ping-pong one-way latency, 8 B "));
        assertEquals(List.of("Ping-pong one-way latency, 8 B", "0.900 µs", "0.100 µs (thread hand-off, volatile flag)",
                "9.00×", "≤ 3.00× baseline", "no"), latency);
        List<String> bandwidth = cells(lineStartingWith(table, "| Bandwidth, 16 MiB messages "));
        assertEquals("4.19 GB/s", bandwidth.get(1));
        assertEquals("0.250×", bandwidth.get(3));
        assertEquals("no", bandwidth.get(5));
        assertEquals("not measured", cells(lineStartingWith(table, "| Allreduce SUM, 1 double ")).get(5));

        List<String> mpj = cells(lineStartingWith(Report.referenceTable(m), "| 8 B one-way latency below MPJ Express"));
        assertEquals(List.of("0.900 µs", "8.6 µs", "0.105×", "yes"), mpj.subList(1, 5));
    }

    @Test
    void shouldReportUnavailableOperationWhenRankSaysSo() {
        Measurements m = new Measurements();
        RankJob.parse("noise\n@result barrier 1234.5\n@unavailable allreduce.1 Allreduce is not implemented in this build\n", m);
        assertEquals(1234.5, m.get("snapline.barrier").orElseThrow());
        assertFalse(m.get("snapline.allreduce.1").isPresent());
        assertEquals("Allreduce is not implemented in this build", m.whyMissing("snapline.allreduce.1"));
    }

    @Test
    void shouldRejectBadOptionsWithMessageSayingWhat() {
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> BenchmarkOptions.parse("--trials", "zero"));
        assertEquals("--trials needs an integer, got 'zero'", e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> BenchmarkOptions.parse("--scale", "0"));
        assertEquals("--scale must be above 0 and at most 1000, got 0.0", e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> BenchmarkOptions.parse("--out"));
        assertEquals("--out needs a value", e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> BenchmarkOptions.parse("--only", "latency,gossip"));
        assertTrue(e.getMessage().startsWith("--only takes groups from latency, bandwidth, collectives, piggyback; got "), e.getMessage());
        assertEquals(java.util.Set.of("latency"), BenchmarkOptions.parse("--only", "latency", "--rounds", "1").groups());
        e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> BenchmarkOptions.parse("--devices", "shm,ib"));
        assertTrue(e.getMessage().startsWith("--devices takes devices from shm, tcp; got "), e.getMessage());
        assertEquals(java.util.Set.of("tcp"), BenchmarkOptions.parse("--devices", "tcp").devices());
        assertEquals(BenchmarkOptions.DEVICES, BenchmarkOptions.parse().devices());
    }

    private static String lineStartingWith(String text, String prefix) {
        for (String line : text.split("\n")) {
            if (line.startsWith(prefix)) {
                return line;
            }
        }
        throw new AssertionError("no line starts with '" + prefix + "' in:\n" + text);
    }

    private static List<String> cells(String line) {
        String inner = line.substring(1, line.length() - 1);
        return java.util.Arrays.stream(inner.split(" \\|")).map(String::trim).toList();
    }
}
