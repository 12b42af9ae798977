package io.snapline.benchmarks.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code snapline bench} on a tiny matrix: real jobs, each in its own JVM, and the report they give. */
class BenchEndToEndTest {
    /** How a bench ended: its exit status and what picocli printed to standard error. */
    private record Ended(int status, String err) {
    }

    /** Runs {@code snapline bench ARGS --out DIR/report --work DIR} in this JVM (the jobs in JVMs of their own). */
    private static Ended bench(Path dir, String... args) {
        StringWriter err = new StringWriter();
        CommandLine cl = BenchCommand.commandLine();
        cl.setErr(new PrintWriter(err, true));
        List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--out", dir.resolve("report").toString(), "--work", dir.toString()));
        return new Ended(cl.execute(all.toArray(new String[0])), err.toString());
    }

    @Test
    @Timeout(300)
    void shouldRunEveryCellAndReportMatchedOutputWhenTheMatrixIsTiny(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("report");
        Files.createDirectories(out.resolve("runs"));
        Files.writeString(out.resolve("recovery.svg"), "<svg/>"); // an earlier bench's, with failures
        Files.writeString(out.resolve("runs/cell9-run1.json"), "{}");
        Ended ended = bench(dir, "--programs", "Ring:10 50", "--policies", "none,coordinated", "--ranks", "2",
                "--repeat", "1", "--interval", "100ms");

        assertEquals(0, ended.status(), ended.err());
        for (String f : List.of("report.md", "report.csv", "overhead.svg", "runs/cell1-run1.json",
                "runs/cell2-run1.json", "runs/cell1-run1.stdout.txt")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f + " is missing");
        }
        List<String> csv = Files.readAllLines(out.resolve("report.csv"));
        assertEquals(3, csv.size(), String.join("\n", csv));
        assertTrue(csv.get(1).startsWith("Ring,10 50,none,,2,shm,,1,1,0,0,reference,"), csv.get(1));
        assertTrue(csv.get(1).endsWith(",ok"), csv.get(1));
        assertTrue(csv.get(2).startsWith("Ring,10 50,coordinated,,2,shm,,1,1,0,0,matched,"), csv.get(2));
        assertTrue(csv.get(2).endsWith(",ok"), csv.get(2));
        // what was compared: Ring's result line, the token after 10 laps of 0 + 1
        for (String run : List.of("cell1-run1", "cell2-run1")) {
            assertEquals(List.of("Ring: token = 10 after 10 laps over 2 ranks"),
                    Files.readAllLines(out.resolve("runs/" + run + ".stdout.txt")));
        }
        List<String> runs = CsvRows.read(Files.readString(out.resolve("runs.csv"))).stream()
                .map(r -> String.join(" ", r.get("cell"), r.get("policy"), r.get("run"), r.get("completed"),
                        r.get("output"))).toList();
        assertEquals(List.of("1 none 1 true matched", "2 coordinated 1 true matched"), runs);
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("| Ring 10 50 "), md);
        assertTrue(md.contains("| coordinated "), md);
        assertTrue(Files.readString(out.resolve("runs/cell2-run1.json")).contains("\"policy\": \"coordinated\""));
        assertFalse(Files.exists(out.resolve("recovery.svg")), "an earlier bench's plot is left");
        assertFalse(Files.exists(out.resolve("runs/cell9-run1.json")), "an earlier bench's run is left");
        // the stores and scratch files of the runs are gone
        try (var left = Files.list(dir)) {
            assertEquals(List.of(out), left.toList());
        }
    }

    @Test
    @Timeout(300)
    void shouldMarkTheCellMismatchedAndExitWithOneWhenARunPrintsSomethingElse(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("report");
        String classes = Path.of(RestartTeller.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        // --interval 1h: the plain coordinated cell takes no checkpoint, so its failed rank starts over and prints
        // what none prints; with --every 5 the job restarts from the checkpoint at safe point 15 and says so
        Ended ended = bench(dir, "--programs", RestartTeller.class.getName() + ":30", "-cp", classes,
                "--policies", "none,coordinated", "--options", "--every 5", "--failures", "rank=1,point=20",
                "--interval", "1h", "--ranks", "2", "--repeat", "1");

        assertEquals(1, ended.status(), ended.err());
        List<String> rows = CsvRows.read(Files.readString(out.resolve("report.csv"))).stream()
                .map(r -> String.join(" | ", r.get("program").replace(RestartTeller.class.getPackageName() + ".", ""),
                        r.get("policy"), r.get("options"), r.get("failure"),
                        r.get("runs"), r.get("completed"), r.get("mismatched"), r.get("output"), r.get("status")))
                .toList();
        assertEquals(List.of(
                "RestartTeller | none |  |  | 1 | 1 | 0 | reference | ok",
                "RestartTeller | coordinated |  |  | 1 | 1 | 0 | matched | ok",
                "RestartTeller | coordinated | --every 5 |  | 1 | 1 | 0 | matched | ok",
                "RestartTeller | coordinated |  | rank=1,point=20 | 1 | 1 | 0 | matched | ok",
                "RestartTeller | coordinated | --every 5 | rank=1,point=20 | 1 | 1 | 1 | mismatch | MISMATCH 1 of 1"),
                rows);
        assertEquals(List.of("matched", "matched", "matched", "matched", "mismatch"),
                CsvRows.read(Files.readString(out.resolve("runs.csv"))).stream().map(r -> r.get("output")).toList());
        String md = Files.readString(out.resolve("report.md"));
        assertTrue(md.contains("output differs from none's, line 1: expected 'steps 30', got 'steps 30, restored from "
                + "a checkpoint'"), md);
    }

    @Test
    @Timeout(120)
    void shouldReportTheRunAsFailedAndLeaveNoJobJvmWhenItOutlivesTheRunTimeout(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("report");
        Ended ended;
        try {
            ended = bench(dir, "--programs", BlocksUntilKilled.class.getName(), "-cp", testClasses(),
                    "--policies", "none", "--ranks", "2", "--devices", "shm", "--repeat", "1", "--run-timeout", "3s");
        } finally {
            // a job JVM the bench leaked never ends: waiting for it runs into @Timeout
            for (ProcessHandle job : jobJvms()) {
                job.onExit().get();
            }
        }

        assertEquals(List.of(), jobJvms());
        assertEquals(1, ended.status(), ended.err());
        List<java.util.Map<String, String>> rows = CsvRows.read(Files.readString(out.resolve("report.csv")));
        assertEquals(1, rows.size());
        assertEquals("1", rows.get(0).get("runs"));
        assertEquals("0", rows.get(0).get("completed"));
        assertEquals("unknown", rows.get(0).get("output"));
        assertEquals("", rows.get(0).get("wall_median_s"));
        assertEquals("FAILED 1 of 1: did not end within --run-timeout (3000 ms); stopped", rows.get(0).get("status"));
    }

    /** The JVMs under this one that run {@link BlocksUntilKilled}. */
    private static List<ProcessHandle> jobJvms() {
        return ProcessHandle.current().descendants()
                .filter(h -> h.info().commandLine().orElse("").contains(BlocksUntilKilled.class.getName())).toList();
    }

    /** Where this module's test classes are: the class path of the test programs. */
    private static String testClasses() throws java.net.URISyntaxException {
        return Path.of(BlocksUntilKilled.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
