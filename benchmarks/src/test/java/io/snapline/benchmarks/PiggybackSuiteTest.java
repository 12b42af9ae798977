package io.snapline.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PiggybackSuiteTest {

    @Test
    void shouldShowBothColumnsAndRatiosWhenFiguresAreKnown() {
        Measurements m = new Measurements();
        m.put("pb.none.shm.pingpong.8", 800);
        m.put("pb.flags.shm.pingpong.8", 1000);
        m.put("pb.none.shm.stream.1048576", 100_000);
        m.put("pb.flags.shm.stream.1048576", 125_000);
        String table = PiggybackSuite.table(m, BenchmarkOptions.parse("--only", "piggyback", "--devices", "shm"));

        assertTrue(table.startsWith("| Device | Metric "), table);
        assertTrue(table.contains("| --checkpoint coordinated-nb --interval 1h | Ratio (coordinated-nb ÷ none) |"), table);
        assertEquals(List.of("shm", "Ping-pong one-way latency, 8 B", "0.800 µs", "1.00 µs", "1.25×"),
                cells(line(table, "| shm    | Ping-pong")));
        assertEquals(List.of("shm", "Bandwidth, 1 MiB messages", "10.5 GB/s", "8.39 GB/s", "0.800×"),
                cells(line(table, "| shm    | Bandwidth")));
        assertFalse(table.contains("| tcp "), table);
    }

    @Test
    void shouldShowWhatTheLogsCopyAndChecksumAloneCostWhenTheComparedPolicyLogs() {
        Measurements m = new Measurements();
        m.put("pb.none.shm.pingpong.8", 200);
        m.put("pb.flags.shm.pingpong.8", 400);
        m.put("pb.none.shm.stream.1048576", 20_000);
        m.put("pb.flags.shm.stream.1048576", 200_000);
        m.put("pb.floor.8", 10);
        m.put("pb.floor.1048576", 60_000);
        BenchmarkOptions logging = BenchmarkOptions.parse("--only", "piggyback", "--devices", "shm", "--compare-flags",
                "--checkpoint independent --interval 1h");
        String table = PiggybackSuite.table(m, logging);

        assertEquals(List.of("shm", "Ping-pong one-way latency, 8 B", "0.200 µs", "0.400 µs", "2.00×", "1.05×"),
                cells(line(table, "| shm    | Ping-pong")));
        assertEquals(List.of("shm", "Bandwidth, 1 MiB messages", "52.4 GB/s", "5.24 GB/s", "0.100×", "0.250×"),
                cells(line(table, "| shm    | Bandwidth")));
        assertTrue(table.contains("(10.0 ns for 8 B, 60.0 µs for 1 MiB)"), table);
        assertTrue(PiggybackSuite.logs(BenchmarkOptions.parse("--compare-flags", "--checkpoint independent --logging causal")));
        assertFalse(PiggybackSuite.logs(BenchmarkOptions.parse("--compare-flags", "--checkpoint independent --logging none")));
        assertFalse(PiggybackSuite.logs(BenchmarkOptions.parse("--compare-flags", "--checkpoint coordinated-nb")));
        assertFalse(PiggybackSuite.table(m, BenchmarkOptions.parse("--only", "piggyback", "--devices", "shm"))
                .contains("CRC"));
    }

    @Test
    void shouldParseCompareFlagsAndAcceptPiggybackOnlyWhenNamed() {
        BenchmarkOptions o = BenchmarkOptions.parse("--only", "piggyback", "--compare-flags", " --checkpoint coordinated  --interval 1h ");
        assertEquals(List.of("--checkpoint", "coordinated", "--interval", "1h"), o.compareFlags());
        assertFalse(o.measuresBaselineGroups());
        assertEquals(BenchmarkOptions.DEFAULT_COMPARE_FLAGS, BenchmarkOptions.parse().compareFlags());
        assertFalse(BenchmarkOptions.parse().measures("piggyback"));
        assertEquals(Set.of("latency", "piggyback"), BenchmarkOptions.parse("--only", "latency,piggyback").groups());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BenchmarkOptions.parse("--compare-flags", "--interval 1h"));
        assertTrue(e.getMessage().startsWith("--compare-flags must name a policy with --checkpoint"), e.getMessage());
    }

    @Test
    void shouldMeasureBothColumnsOnShmWhenRunWithTinyCounts() throws Exception {
        String report = MessagingBenchmark.run(BenchmarkOptions.parse("--only", "piggyback", "--devices", "shm",
                "--rounds", "1", "--trials", "1", "--scale", "0.002"), new PrintStream(new ByteArrayOutputStream()));

        assertFalse(report.contains("### shm device"), report);
        assertTrue(report.contains("### Piggyback overhead (--checkpoint none vs --checkpoint coordinated-nb --interval 1h"),
                report);
        for (String metric : List.of("| shm    | Ping-pong", "| shm    | Bandwidth")) {
            List<String> c = cells(line(report, metric));
            assertTrue(c.get(2).matches("[0-9.]+ (µs|GB/s)") && c.get(3).matches("[0-9.]+ (µs|GB/s)")
                    && c.get(4).matches("[0-9.]+×"), c.toString());
        }
    }

    private static String line(String text, String prefix) {
        return Arrays.stream(text.split("\n")).filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starts with '" + prefix + "' in:\n" + text));
    }

    private static List<String> cells(String line) {
        String inner = line.substring(1, line.length() - 1);
        return Arrays.stream(inner.split(" \\|")).map(String::trim).toList();
    }
}
