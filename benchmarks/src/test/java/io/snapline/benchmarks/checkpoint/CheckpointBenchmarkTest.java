package io.snapline.benchmarks.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.benchmarks.BenchmarkException;
import io.snapline.runtime.checkpoint.RunReport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pure parts of the checkpoint benchmark: reading run reports and program output, the tables, the options. */
class CheckpointBenchmarkTest {
    private static final String OUTPUT = "HeatStencil: 10 steps\n@checksum 1d14dd971ebd9713\n@loop-nanos 5000000000\n@tail-nanos 2000000000 5\n"
            + "@state-bytes 134217728\n";

    @Test
    void shouldReadCheckpointsAndWallTimeWhenGivenTheLaunchersJsonReport() {
        RunReport report = new RunReport("coordinated", "shm", 2, 0);
        report.checkpoint(1, 100, 268_435_500, new long[] {1_000_000_000, 1_200_000_000}, 60_000_000_000L);
        report.checkpoint(2, 200, 268_435_600, new long[] {800_000_000, 600_000_000}, 120_000_000_000L);
        report.finish("completed", 180_000_000_000L);

        JobOutcome o = JobOutcome.of("coordinated", "60s", report.toJson(), OUTPUT);

        assertEquals(180_000_000_000L, o.wallNanos());
        assertEquals(List.of(new JobOutcome.Taken(268_435_500, 1_100_000_000, 1_200_000_000),
                new JobOutcome.Taken(268_435_600, 700_000_000, 800_000_000)), o.checkpoints());
        assertEquals(268_435_550, o.meanBytes());
        assertEquals(1_000_000_000, o.meanBlockedNanos()); // mean of each checkpoint's slowest rank
        assertEquals(1_200_000_000, o.maxBlockedNanos());
        assertEquals(2_000_000_000, o.blockedNanos());
        assertEquals("1d14dd971ebd9713", o.checksum());
        assertEquals(5_000_000_000L, o.loopNanos());
        assertEquals(400_000_000.0, o.tailNanosPerStep());
        assertEquals(134_217_728, o.stateBytes());
    }

    @Test
    void shouldGroupLocalCheckpointsByNumberWhenThePolicyIsIndependent() {
        RunReport report = new RunReport("independent", "shm", 2, 0);
        report.localCheckpoint(1, 1, 90, 100, 30_000_000, 50_000_000_000L);
        report.localCheckpoint(0, 1, 100, 120, 10_000_000, 60_000_000_000L);
        report.localCheckpoint(0, 2, 200, 130, 20_000_000, 70_000_000_000L);
        report.finish("completed", 90_000_000_000L);

        JobOutcome o = JobOutcome.of("independent", "10s", report.toJson(), OUTPUT);

        assertEquals(List.of(new JobOutcome.Taken(220, 20_000_000, 30_000_000),
                new JobOutcome.Taken(130, 20_000_000, 20_000_000)), o.checkpoints());
        assertEquals(50_000_000, o.blockedNanos());
    }

    /** The report of the test above (and a restart) as the launcher's writer before Jackson wrote it. */
    private static final String EARLIER_INDEPENDENT_REPORT = """
            {
              "policy": "independent",
              "device": "shm",
              "ranks": 2,
              "outcome": "completed",
              "wallNanos": 90000000000,
              "bytesWritten": 350,
              "blockedShare": 0.000333,
              "checkpoints": [],
              "localCheckpoints": [
                {"rank": 1, "index": 1, "point": 90, "bytes": 100, "blockedNanos": 30000000, "committedAtNanos": 50000000000, "rawBytes": -1, "backgroundNanos": 0, "fullBytes": -1},
                {"rank": 0, "index": 1, "point": 100, "bytes": 120, "blockedNanos": 10000000, "committedAtNanos": 60000000000, "rawBytes": -1, "backgroundNanos": 0, "fullBytes": -1},
                {"rank": 0, "index": 2, "point": 200, "bytes": 130, "blockedNanos": 20000000, "committedAtNanos": 70000000000, "rawBytes": -1, "backgroundNanos": 0, "fullBytes": -1}
              ],
              "localCheckpointsDeleted": 0,
              "starts": [0, 0],
              "messageLog": [],
              "restarts": [
                {"number": 1, "failedRank": 1, "failedRanks": [1], "reason": "killed", "fromCheckpoint": 0, "fromLine": null, "detectedAtNanos": 80000000000, "tookNanos": 73000000, "alone": true}
              ],
              "piecesRead": [],
              "intervals": [],
              "mttfLearned": [],
              "abandoned": [],
              "overhead": {
                "time": {"blockedNanos": 30000000, "blockedShare": 0.000333, "backgroundNanos": 0},
                "storage": {"committed": 3, "bytesWritten": 350, "meanBytesPerCheckpoint": 116, "maxBytesPerCheckpoint": 130, "peakHeldBytes": 350, "compression": "none", "rawBytes": 0, "storedBytesWithRaw": 0, "fullBytes": 0, "incremental": false}
              },
              "warnings": []
            }
            """;

    @Test
    void shouldReadAReportWrittenByEarlierBuildsLikeOneWrittenNow() {
        JobOutcome o = JobOutcome.of("independent", "10s", EARLIER_INDEPENDENT_REPORT, OUTPUT);

        assertEquals(90_000_000_000L, o.wallNanos());
        assertEquals(List.of(new JobOutcome.Taken(220, 20_000_000, 30_000_000),
                new JobOutcome.Taken(130, 20_000_000, 20_000_000)), o.checkpoints());
    }

    @Test
    void shouldSayWhatIsMissingWhenTheReportLacksAFigure() {
        BenchmarkException e = assertThrows(BenchmarkException.class, () -> JobOutcome.of("coordinated", "10s",
                "{\"outcome\": \"completed\", \"wallNanos\": 5, \"checkpoints\": [{\"bytes\": 1}]}", OUTPUT));
        assertTrue(e.getMessage().startsWith("the run report has no number \"meanBlockedNanos\""), e.getMessage());
        e = assertThrows(BenchmarkException.class, () -> JobOutcome.of("none", null, "{\"outcome\": \"completed\", "
                + "\"wallNanos\": 5}", OUTPUT));
        assertTrue(e.getMessage().startsWith("the run report has no checkpoints list"), e.getMessage());
        e = assertThrows(BenchmarkException.class, () -> JobOutcome.of("none", null, "{\"outcome\": ", OUTPUT));
        assertTrue(e.getMessage().startsWith("the run report is not JSON"), e.getMessage());
    }

    @Test
    void shouldReadNoCheckpointsWhenThePolicyIsNone() {
        RunReport report = new RunReport("none", "shm", 2, 0);
        report.finish("completed", 90_000_000_000L);

        JobOutcome o = JobOutcome.of("none", null, report.toJson(), OUTPUT);

        assertEquals(List.of(), o.checkpoints());
        assertEquals(0, o.meanBlockedNanos());
        assertEquals("none", o.label());
    }

    @Test
    void shouldRefuseWhenTheRunFailedOrPrintedNoChecksum() {
        RunReport failed = new RunReport("coordinated", "shm", 2, 0);
        failed.finish("failed with exit status 1", 1);
        BenchmarkException e = assertThrows(BenchmarkException.class,
                () -> JobOutcome.of("coordinated", "10s", failed.toJson(), OUTPUT));
        assertTrue(e.getMessage().contains("did not complete: outcome failed with exit status 1"), e.getMessage());

        RunReport ok = new RunReport("none", "shm", 2, 0);
        ok.finish("completed", 1);
        e = assertThrows(BenchmarkException.class, () -> JobOutcome.of("none", null, ok.toJson(), "no figures\n"));
        assertTrue(e.getMessage().contains("printed no @checksum line"), e.getMessage());
    }

    @Test
    void shouldShowOverheadAgainstTheNoneMeanAndBlockingAgainstTheWriteBaselineWhenRendering() {
        JobOutcome none1 = outcome("none", null, 100, List.of(), "abc");
        JobOutcome none2 = outcome("none", null, 110, List.of(), "abc");
        JobOutcome coordinated = outcome("coordinated", "60s", 126,
                List.of(new JobOutcome.Taken(256L << 20, 900_000_000, 1_000_000_000),
                        new JobOutcome.Taken(256L << 20, 1_400_000_000, 2_000_000_000)), "abc");
        JobOutcome broken = outcome("coordinated-nb", "10s", 105, List.of(), "def");
        List<WriteBaseline.Sample> samples = List.of(new WriteBaseline.Sample(128L << 20, 400_000_000, 90_000_000),
                new WriteBaseline.Sample(128L << 20, 500_000_000, 70_000_000),
                new WriteBaseline.Sample(128L << 20, 900_000_000, 80_000_000));

        String table = CheckpointTable.runs(List.of(none1, coordinated, broken, none2), samples);

        String[] lines = table.split("\n");
        assertEquals(6, lines.length, table);
        assertTrue(lines[2].matches("\\| none +\\| — +\\| 100\\.0 s +\\| -4\\.8 % .*\\| same +\\|"), lines[2]);
        // 126 s against the none mean of 105 s; mean of the slowest ranks 1.5 s against the median write of 0.5 s.
        assertTrue(lines[3].matches("\\| coordinated +\\| 60s +\\| 126\\.0 s +\\| \\+20\\.0 % +\\| 2 +\\| 256\\.0 MiB +"
                + "\\| 1500 ms / 2000 ms +\\| 2\\.4 % +\\| 3\\.00× +\\| same +\\|"), lines[3]);
        assertTrue(lines[4].contains("| DIFFERENT: def |"), lines[4]);
        assertTrue(CheckpointTable.checksums(List.of(none1, coordinated, broken, none2))
                .startsWith("Checksums: 1 of 4 runs differ from the first run's abc"));

        String baselines = CheckpointTable.baselines(samples);
        String[] rows = baselines.split("\n");
        assertTrue(rows[2].matches("\\| FileChannel\\.write \\+ force\\(true\\) of one piece, 128\\.0 MiB, .*"
                + "\\| 500 ms \\| 400 ms \\| 900 ms \\| 3 +\\|"), rows[2]);
        assertTrue(rows[3].matches("\\| Kryo .*\\| 80 ms +\\| 70 ms +\\| 90 ms +\\| 3 +\\|"), rows[3]);
    }

    @Test
    void shouldSayAllEqualWhenEveryChecksumMatches() {
        List<JobOutcome> runs = List.of(outcome("none", null, 1, List.of(), "abc"),
                outcome("coordinated", "10s", 1, List.of(), "abc"));
        assertEquals("Checksums: all 2 runs computed the same grid (checksum abc).", CheckpointTable.checksums(runs));
    }

    @Test
    void shouldParseFlagsAndExplainMistakesWhenGivenACommandLine() {
        CheckpointOptions o = CheckpointOptions.parse("--state-mib", "16", "--duration", "10s", "--intervals",
                "1s,3s", "--dir", "/var/tmp", "--jvm-opts", " -Xmx2g  -XX:+UseSerialGC ");
        assertEquals(16, o.stateMib());
        assertEquals(Duration.ofSeconds(10), o.duration());
        assertEquals(List.of("1s", "3s"), o.intervals());
        assertEquals(List.of("coordinated", "coordinated-nb", "independent/none"), o.policies());
        assertEquals(Path.of("/var/tmp"), o.dir());
        assertEquals(List.of("-Xmx2g", "-XX:+UseSerialGC"), o.jvmOpts());
        assertEquals(Duration.ofMillis(500), CheckpointOptions.parseDuration("--duration", "500ms"));
        assertEquals(Duration.ofMinutes(3), CheckpointOptions.parseDuration("--duration", "3m"));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CheckpointOptions.parse("--intervals", "10s,soon"));
        assertEquals("--intervals needs a duration such as 500ms, 10s or 3m, got 'soon'", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> CheckpointOptions.parse("--steps"));
        assertEquals("--steps needs a value", e.getMessage());
    }

    private static JobOutcome outcome(String policy, String interval, long wallSeconds, List<JobOutcome.Taken> taken,
            String checksum) {
        return new JobOutcome(policy, interval, wallSeconds * 1_000_000_000L, taken, checksum, 1, 1, 8);
    }
}
