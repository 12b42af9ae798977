package io.snapline.benchmarks.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.snapline.runtime.checkpoint.RunReport;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.xml.sax.InputSource;

/** The report built from recorded results: figures, the comparison with none's output, the files. */
class BenchReportTest {
    private static final Program HEAT = Program.parse("Heat2D:64 10", null);
    private static final Cell NONE = new Cell(HEAT, Policy.NONE, List.of(), 2, "shm", null);
    private static final Cell COORD = new Cell(HEAT, Policy.parse("coordinated"), List.of(), 2, "shm", null);
    private static final Cell INDEP = new Cell(HEAT, Policy.parse("independent/pessimistic"), List.of(), 2, "shm",
            null);
    private static final Cell COORD_FAIL = new Cell(HEAT, Policy.parse("coordinated"), List.of(), 2, "shm",
            "rank=1,point=5");
    private static final Matrix MATRIX = new Matrix(List.of(NONE, COORD, INDEP, COORD_FAIL), 2);
    private static final List<String> OUT = List.of("Heat2D: 64 x 64 plate", "Heat2D: residual 0.5");
    private static final List<String> WRONG = List.of("Heat2D: 64 x 64 plate", "Heat2D: residual 0.25");

    private static RunResult ok(Cell c, int rep, double wallSeconds, List<String> out, long bytes, long checkpoints,
            int restarts, long restartNanos) {
        long rankCheckpoints = c.policy().name().startsWith("independent") ? checkpoints : checkpoints * c.ranks();
        return new RunResult(c, rep, true, null, out, (long) (wallSeconds * 1e9), 10_000_000L * checkpoints, bytes,
                checkpoints, rankCheckpoints, -1, restarts, restartNanos);
    }

    /** none 1.0 s and 1.2 s; coordinated 1.5 s and 1.3 s; independent one good run and one with another residual. */
    private static BenchReport recorded() {
        List<RunResult> results = List.of(
                ok(NONE, 1, 1.0, OUT, 0, 0, 0, 0),
                ok(COORD, 1, 1.5, OUT, 4096, 4, 0, 0),
                ok(INDEP, 1, 1.1, OUT, 8192, 8, 0, 0),
                ok(COORD_FAIL, 1, 1.6, OUT, 3072, 3, 1, 200_000_000),
                ok(NONE, 2, 1.2, OUT, 0, 0, 0, 0),
                ok(COORD, 2, 1.3, OUT, 4096, 4, 0, 0),
                ok(INDEP, 2, 1.0, WRONG, 8192, 8, 0, 0),
                RunResult.failed(COORD_FAIL, 2, "exit status 1: rank 1 failed", List.of()));
        return BenchReport.of(MATRIX, results, List.of("recorded"));
    }

    private static Map<String, Map<String, String>> csvByPolicy(String csv) {
        return CsvRows.read(csv).stream().collect(Collectors.toMap(
                r -> r.get("policy") + (r.get("failure").isEmpty() ? "" : " fail"), r -> r));
    }

    @Test
    void shouldHaveTheDocumentedCsvColumnsWhenWritten() {
        String header = recorded().csv().lines().findFirst().orElseThrow();

        assertEquals("program,args,policy,options,ranks,device,failure,runs,completed,mismatched,unverified,"
                + "output,wall_median_s,wall_min_s,wall_max_s,overhead_ratio,blocked_median_s,checkpoints,"
                + "bytes_written,bytes_per_rank_checkpoint,log_peak_bytes,restarts,restart_s_per_failure,"
                + "lost_s_per_failure,status", header);
    }

    @Test
    void shouldComputeMediansAndOverheadAgainstNoneWhenEveryRunMatched() {
        Map<String, String> coord = csvByPolicy(recorded().csv()).get("coordinated");

        assertEquals("Heat2D", coord.get("program"));
        assertEquals("64 10", coord.get("args"));
        assertEquals("2", coord.get("ranks"));
        assertEquals("shm", coord.get("device"));
        assertEquals("matched", coord.get("output"));
        assertEquals("1.4000", coord.get("wall_median_s"));
        assertEquals("1.3000", coord.get("wall_min_s"));
        assertEquals("1.5000", coord.get("wall_max_s"));
        assertEquals("1.2727", coord.get("overhead_ratio")); // 1.4 s over none's 1.1 s
        assertEquals("4", coord.get("checkpoints"));
        assertEquals("512", coord.get("bytes_per_rank_checkpoint")); // 4 checkpoints of 2 ranks' states in 4096 B
        assertEquals("", coord.get("log_peak_bytes"));
        assertEquals("ok", coord.get("status"));
        assertEquals("reference", csvByPolicy(recorded().csv()).get("none").get("output"));
    }

    @Test
    void shouldCompareStoragePerRankStateWhenOnePolicyCheckpointsGloballyAndTheOtherLocally() {
        // 2 ranks: 3 global checkpoints of 2 MiB each (1 MiB per rank) against 6 local checkpoints of 1 MiB each.
        Cell coord = new Cell(HEAT, Policy.parse("coordinated"), List.of(), 2, "shm", null);
        List<RunResult> results = List.of(ok(NONE, 1, 1.0, OUT, 0, 0, 0, 0),
                ok(coord, 1, 1.2, OUT, 6L << 20, 3, 0, 0), ok(INDEP, 1, 1.1, OUT, 6L << 20, 6, 0, 0));
        BenchReport report = BenchReport.of(new Matrix(List.of(NONE, coord, INDEP), 1), results, List.of("recorded"));
        Map<String, Map<String, String>> rows = csvByPolicy(report.csv());

        assertEquals(Long.toString(1L << 20), rows.get("coordinated").get("bytes_per_rank_checkpoint"));
        assertEquals(Long.toString(1L << 20), rows.get("independent/pessimistic").get("bytes_per_rank_checkpoint"));
        assertEquals("", rows.get("none").get("bytes_per_rank_checkpoint"));
    }

    @Test
    void shouldMarkTheCellAndLeaveTheRunOutOfTheFiguresWhenItsOutputDiffers() {
        BenchReport report = recorded();
        Map<String, String> indep = csvByPolicy(report.csv()).get("independent/pessimistic");

        assertEquals("mismatch", indep.get("output"));
        assertEquals("1", indep.get("mismatched"));
        assertEquals("MISMATCH 1 of 2", indep.get("status"));
        assertEquals("1.1000", indep.get("wall_median_s")); // the good run only, not the mean with 1.0 s
        assertEquals("1.1000", indep.get("wall_max_s"));
        assertFalse(report.allGood());
        String md = report.markdown();
        assertTrue(md.contains("| MISMATCH "), md);
        assertTrue(md.contains("Heat2D 64 10 · independent/pessimistic · 2 ranks shm: output differs from none's, "
                + "line 2: expected 'Heat2D: residual 0.5', got 'Heat2D: residual 0.25'"), md);
    }

    @Test
    void shouldCountAFailedRunAndMeasureTheFailureFromTheOthersWhenARunFailed() {
        BenchReport report = recorded();
        Map<String, String> fail = csvByPolicy(report.csv()).get("coordinated fail");

        assertEquals("rank=1,point=5", fail.get("failure"));
        assertEquals("2", fail.get("runs"));
        assertEquals("1", fail.get("completed"));
        assertEquals("FAILED 1 of 2: exit status 1: rank 1 failed", fail.get("status"));
        assertEquals("1", fail.get("restarts"));
        assertEquals("0.2000", fail.get("restart_s_per_failure"));
        assertEquals("0.2000", fail.get("lost_s_per_failure")); // 1.6 s against coordinated's 1.4 s
        assertTrue(report.markdown().contains("fail rank=1,point=5: exit status 1: rank 1 failed"));
    }

    @Test
    void shouldLeaveTheRunsUnverifiedAndOutOfTheFiguresWhenNonesRunsDisagree() {
        List<RunResult> results = List.of(ok(NONE, 1, 1.0, OUT, 0, 0, 0, 0), ok(NONE, 2, 1.0, WRONG, 0, 0, 0, 0),
                ok(COORD, 1, 1.5, OUT, 4096, 4, 0, 0), ok(COORD, 2, 1.3, WRONG, 4096, 4, 0, 0));
        BenchReport report = BenchReport.of(new Matrix(List.of(NONE, COORD), 2), results, List.of());

        assertEquals(CellSummary.Output.VARIES, report.rows().get(0).output());
        assertEquals("reference output varies from run to run", report.rows().get(0).status());
        CellSummary coord = report.rows().get(1);
        assertEquals(CellSummary.Output.VARIES, coord.output());
        assertEquals(2, coord.unverified());
        assertEquals(0, coord.wall().length);
        assertTrue(Double.isNaN(coord.overhead()));
        assertEquals("UNVERIFIED 2 of 2: none's output varies from run to run, nothing to check against",
                coord.status());
        Map<String, String> csv = csvByPolicy(report.csv()).get("coordinated");
        assertEquals("2", csv.get("unverified"));
        assertEquals("", csv.get("wall_median_s"));
        assertEquals("", csv.get("overhead_ratio"));
        assertEquals("", csv.get("checkpoints"));
        assertFalse(report.allGood());
    }

    @Test
    void shouldLeaveTheRunsUnverifiedAndSaySoWhenNoNoneRunCompleted() {
        List<RunResult> results = List.of(RunResult.failed(NONE, 1, "exit status 1: boom", List.of()),
                ok(COORD, 1, 1.5, OUT, 4096, 4, 0, 0));
        BenchReport report = BenchReport.of(new Matrix(List.of(NONE, COORD), 1), results, List.of());

        CellSummary coord = report.rows().get(1);
        assertEquals(CellSummary.Output.UNKNOWN, coord.output());
        assertEquals(1, coord.completed());
        assertEquals(1, coord.unverified());
        assertEquals(0, coord.wall().length);
        assertEquals(-1, coord.checkpoints());
        assertEquals(-1, coord.bytesWritten());
        assertEquals("UNVERIFIED 1 of 1: no none run completed, nothing to check against", coord.status());
        Map<String, String> csv = csvByPolicy(report.csv()).get("coordinated");
        assertEquals("unknown", csv.get("output"));
        assertEquals("1", csv.get("unverified"));
        assertEquals("", csv.get("wall_median_s"));
        assertEquals("", csv.get("bytes_written"));
        assertEquals(coord.status(), csv.get("status"));
        String md = report.markdown();
        assertTrue(md.contains("| 0/1 "), md);
        assertTrue(md.contains("Heat2D 64 10 · coordinated · 2 ranks shm: 1 completed run(s) unverified, no none run "
                + "completed, so there was nothing to check their output against"), md);
        assertFalse(report.allGood());
        assertTrue(report.overheadPlot() == null && report.storagePlot() == null, "no figures from unchecked runs");
    }

    @Test
    void shouldWriteTheTablesAndWellFormedPlotsWhenWritten(@TempDir Path dir) throws Exception {
        List<Path> files = recorded().write(dir);

        assertEquals(List.of("report.md", "report.csv", "overhead.svg", "time.svg", "storage.svg", "recovery.svg"),
                files.stream().map(p -> p.getFileName().toString()).toList());
        for (String svg : List.of("overhead.svg", "time.svg", "storage.svg", "recovery.svg")) {
            String text = Files.readString(dir.resolve(svg));
            var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                    .parse(new InputSource(new StringReader(text)));
            assertEquals("svg", doc.getDocumentElement().getTagName());
        }
        String overhead = Files.readString(dir.resolve("overhead.svg"));
        assertTrue(overhead.contains(">+27.3 %<"), overhead); // coordinated: 1.4 s over 1.1 s
        assertTrue(overhead.contains(">Heat2D 64 10, 2 ranks, shm<"), overhead);
        assertTrue(Files.readString(dir.resolve("storage.svg")).contains(">1.0 KiB<"));
        String time = Files.readString(dir.resolve("time.svg")); // coordinated: 40 ms held back of 1.4 s
        assertTrue(time.contains(">1.40 s (0.04 s held back)<"), time);
        assertTrue(time.contains(">held back by checkpoints<"), time);
    }

    @Test
    void shouldReadTheFiguresOfTheLaunchersRunReportWhenTheJobCompleted() throws Exception {
        RunReport report = new RunReport("independent", "shm", 2, 0);
        report.localCheckpoint(0, 1, 10, 1000, 5_000_000, 100_000_000);
        report.localCheckpoint(1, 1, 10, 3000, 7_000_000, 110_000_000);
        report.messageLog(0, 100, 400, 0, 0, 120_000_000);
        report.messageLog(0, 50, 500, 0, 0, 130_000_000);
        report.messageLog(1, 70, 300, 0, 0, 130_000_000);
        report.restartAlone(1, "rank 1 was killed", null, 200_000_000, 260_000_000);
        report.finish("completed", 900_000_000);
        var json = new ObjectMapper().readTree(report.toJson());

        RunResult r = RunResult.of(INDEP, 1, json, OUT);

        assertTrue(r.completed());
        assertEquals(900_000_000, r.wallNanos());
        assertEquals(4000, r.bytesWritten());
        assertEquals(2, r.checkpoints());
        assertEquals(2, r.rankCheckpoints()); // local checkpoints: one rank's state each
        assertEquals(6_000_000, r.blockedNanos()); // the report's: local checkpoints' 5 + 7 ms over the 2 ranks
        assertEquals(800, r.logPeakBytes()); // rank 0's largest peak and rank 1's
        assertEquals(1, r.restarts());
        assertEquals(60_000_000, r.restartNanos());
        assertEquals(OUT, r.stdout());
    }

    @Test
    void shouldGiveAFailedResultWhenTheReportSaysTheJobFailed() throws Exception {
        RunReport report = new RunReport("none", "shm", 2, 0);
        report.finish("failed", 900_000_000);

        RunResult r = RunResult.of(NONE, 1, new ObjectMapper().readTree(report.toJson()), List.of());

        assertFalse(r.completed());
        assertEquals("outcome failed", r.reason());
    }
}
