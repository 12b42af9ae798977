package io.snapline.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.snapline.runtime.json.JsonText;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunReportTest {
    @Test
    void shouldShowTheMessageLogsPeakInMemoryAndOnDiskOnlyWhenOneSpilled() {
        RunReport report = new RunReport("independent", "shm", 2, 0);
        report.messageLog(0, 1 << 20, 2 << 20, 0, 0, 10);
        report.messageLog(1, 512, 1024, 0, 0, 20);
        assertTrue(report.summary().contains("message logs: peak by rank 2.0 MiB, 1.0 KiB in memory (2 samples"),
                report.summary());
        assertFalse(report.summary().contains("spilled"), report.summary());

        report.messageLog(0, 1 << 20, 2 << 20, 5 << 20, 64 << 20, 30);
        assertTrue(report.summary().contains("message logs: peak by rank 2.0 MiB, 1.0 KiB in memory; spilled to disk "
                + "beyond --log-memory, peak by rank 64.0 MiB, 0 B (3 samples"), report.summary());
        assertTrue(report.toJson().contains("{\"rank\": 0, \"bytes\": 1048576, \"peakBytes\": 2097152, "
                + "\"spilledBytes\": 5242880, \"spilledPeakBytes\": 67108864, \"atNanos\": 30}"), report.toJson());
    }

    @Test
    void shouldShowEachIntervalChosenAndWhyInTheSummaryAndTheJson() {
        RunReport report = new RunReport("coordinated", "shm", 2, 1_000);
        IntervalChooser c = IntervalChooser.of(new Interval.Auto(Interval.Formula.YOUNG, java.time.Duration.ofHours(6),
                0.5), 1_000);
        report.intervalChosen(-1, c.current(), 1_000);
        report.intervalChosen(1, c.measured(3, 212_000_000L, 5_000), 2_000_001_000L);
        String s = report.summary();
        assertTrue(s.contains("  intervals chosen (--interval auto): 2\n".replace("\n", System.lineSeparator())
                + "    at 0.00 s: interval 30.0 s at the start (no checkpoint measured yet: the smaller of 30.0 s and "
                + "MTTF/10 = 36.0 min)"), s);
        assertTrue(s.contains("    at 2.00 s: rank 1: interval 95.7 s after checkpoint 3 (young: sqrt(2 * 212.0 ms * "
                + "6.0 h) = 95.7 s; t_c of checkpoint 3)"), s);
        assertTrue(report.toJson().contains("{\"rank\": 1, \"afterCheckpoint\": 3, \"intervalNanos\": 95699529779, "
                + "\"costNanos\": 212000000, \"reason\": \"young: sqrt(2 * 212.0 ms * 6.0 h) = 95.7 s; t_c of "
                + "checkpoint 3\", \"atNanos\": 2000000000}"), report.toJson());
    }

    @Test
    void shouldSayWhichCopyEachRestoredPieceCameFromInTheSummaryAndTheJson() {
        RunReport report = new RunReport("coordinated", "tcp", 2, 0);
        assertFalse(report.summary().contains("pieces restored"), report.summary());
        report.pieceRead(0, 3, "");
        report.pieceRead(1, 3, "/h/ckpt-3/rank-1.piece: no such file");
        String s = report.summary();
        assertTrue(s.contains("  pieces restored: 1 from their hosts' copies, 1 from the replica\n".replace("\n",
                System.lineSeparator()) + "    rank 1, checkpoint 3, from the replica: /h/ckpt-3/rank-1.piece: no such "
                + "file"), s);
        assertTrue(report.toJson().contains("  \"piecesRead\": [\n"
                + "    {\"rank\": 0, \"checkpoint\": 3, \"tier\": \"host\", \"hostCopyFailure\": null},\n"
                + "    {\"rank\": 1, \"checkpoint\": 3, \"tier\": \"replica\", \"hostCopyFailure\": "
                + "\"/h/ckpt-3/rank-1.piece: no such file\"}\n  ],"), report.toJson());
    }

    private static final long MS = 1_000_000L;

    @Test
    void shouldSeparateTimeFromStorageAndShowTheCompressionRatioWhenCheckpointsAreCompressed() {
        RunReport report = new RunReport("coordinated", "shm", 2, 0, "lz4");
        blocking(report, 1, 1000, 4000, new long[] {20 * MS, 30 * MS}, 100);
        report.kept(List.of(1L));
        blocking(report, 2, 1200, 5000, new long[] {10 * MS, 40 * MS}, 200);
        report.kept(List.of(1L, 2L));
        blocking(report, 3, 1100, 4400, new long[] {10 * MS, 10 * MS}, 300);
        report.kept(List.of(2L, 3L));
        report.finish("completed", 1000 * MS);

        RunReport.Overhead o = report.overhead();
        assertEquals(80 * MS, o.blockedNanos(), "the longest-held rank of each checkpoint, summed");
        assertEquals(0.08, o.blockedShare(), 1e-12);
        assertEquals(0, o.backgroundNanos(), "every piece was written while its rank was held back");
        assertEquals(3, o.checkpoints());
        assertEquals(6600, o.bytesWritten());
        assertEquals(2200, o.meanBytes());
        assertEquals(2400, o.maxBytes());
        assertEquals(6600, o.peakHeldBytes(), "all three were in the store before retention deleted the first");
        assertEquals(26800, o.rawBytes());
        assertEquals(6600, o.storedBytes());
        assertEquals(26800.0 / 6600, o.compressionRatio(), 1e-12);

        String s = report.summary();
        assertTrue(s.contains(lines("  overhead:",
                "    time: blocked 80.0 ms in all, 8.00 % of the wall time; background 0.0 ms (pieces written while "
                        + "the programs ran, summed over the ranks)",
                "    storage: 6.4 KiB written, per checkpoint mean 2.1 KiB, max 2.3 KiB; at most 6.4 KiB of committed "
                        + "checkpoints in the store at once; compressed with lz4, ratio 4.06 (26.2 KiB before "
                        + "compression)")), s);
        String j = report.toJson();
        assertTrue(j.contains("{\"id\": 2, \"point\": 20, \"bytes\": 2400, \"meanBlockedNanos\": 25000000, "
                + "\"maxBlockedNanos\": 40000000, \"committedAtNanos\": 200, \"rawBytes\": 10000, "
                + "\"backgroundNanos\": 0, \"fullBytes\": 2400}"), j);
        assertTrue(j.contains(lines("  \"overhead\": {",
                "    \"time\": {\"blockedNanos\": 80000000, \"blockedShare\": 0.080000, \"backgroundNanos\": 0},",
                "    \"storage\": {\"committed\": 3, \"bytesWritten\": 6600, \"meanBytesPerCheckpoint\": 2200, "
                        + "\"maxBytesPerCheckpoint\": 2400, \"peakHeldBytes\": 6600, \"compression\": \"lz4\", "
                        + "\"rawBytes\": 26800, \"storedBytesWithRaw\": 6600, \"fullBytes\": 6600, "
                        + "\"incremental\": false, \"compressionRatio\": 4.060606}",
                "  },")), j);
        assertTrue(j.contains("\"bytesWritten\": 6600,\n  \"blockedShare\": 0.080000,"), "existing fields stay: " + j);
        assertFalse(j.contains("dedup"), "no incremental checkpoints, so no deduplication to report: " + j);
    }

    @Test
    void shouldCountBackgroundWritesAndDeletedLocalCheckpointsWithoutARatioWhenNothingIsCompressed() {
        RunReport report = new RunReport("independent", "shm", 2, 0);
        local(report, 0, 1, 500, 2 * MS, 7 * MS);
        local(report, 1, 1, 600, 4 * MS, 9 * MS);
        local(report, 0, 2, 700, 6 * MS, 3 * MS);
        report.discarded(0, 1);
        report.localCheckpoint(1, 2, 10, 800, 0, 50); // its rank never said what writing it cost
        report.finish("completed", 1000 * MS);

        RunReport.Overhead o = report.overhead();
        assertEquals(6 * MS, o.blockedNanos(), "each rank's own time, summed and divided by the ranks");
        assertEquals(19 * MS, o.backgroundNanos(), "the writes done while the programs ran, summed over the pieces");
        assertEquals(2600, o.bytesWritten());
        assertEquals(650, o.meanBytes());
        assertEquals(800, o.maxBytes());
        assertEquals(2100, o.peakHeldBytes(), "rank 0's first was deleted before rank 1's second came");
        assertEquals(1800, o.rawBytes());
        assertEquals(1800, o.storedBytes());
        assertFalse(o.compressed());

        String s = report.summary();
        assertTrue(s.contains(lines("  overhead:",
                "    time: blocked 6.0 ms in all, 0.60 % of the ranks' wall time; background 19.0 ms (pieces written "
                        + "while the programs ran, summed over the ranks)",
                "    storage: 2.5 KiB written, per local checkpoint mean 650 B, max 800 B; at most 2.1 KiB of "
                        + "committed checkpoints in the store at once")), s);
        assertFalse(s.contains("ratio"), s);
        String j = report.toJson();
        assertTrue(j.contains("{\"rank\": 0, \"index\": 1, \"point\": 5, \"bytes\": 500, \"blockedNanos\": 2000000, "
                + "\"committedAtNanos\": 10, \"rawBytes\": 500, \"backgroundNanos\": 7000000, \"fullBytes\": 500}"), j);
        assertTrue(j.contains("{\"rank\": 1, \"index\": 2, \"point\": 10, \"bytes\": 800, \"blockedNanos\": 0, "
                + "\"committedAtNanos\": 50, \"rawBytes\": -1, \"backgroundNanos\": 0, \"fullBytes\": -1}"), j);
        assertTrue(j.contains("\"compression\": \"none\", \"rawBytes\": 1800, \"storedBytesWithRaw\": 1800, "
                + "\"fullBytes\": 1800, \"incremental\": false}"), j);
        assertFalse(j.contains("compressionRatio"), j);
    }

    @Test
    void shouldCountTheBytesReallyWrittenAndShowTheDedupRatioWhenCheckpointsAreIncremental() {
        RunReport report = new RunReport("coordinated", "shm", 2, 0, "none", true);
        for (int r = 0; r < 2; r++) { // the first writes every chunk, the second a tenth of them
            report.pieceWritten(r, new PieceWritten(false, 1, 10_100, 10_000, MS, false, 10_000));
        }
        RunReport.Checkpoint first = report.checkpoint(1, 10, 200, new long[] {MS, MS}, 100);
        for (int r = 0; r < 2; r++) {
            report.pieceWritten(r, new PieceWritten(false, 2, 1_100, 10_000, MS, false, 10_000));
        }
        RunReport.Checkpoint second = report.checkpoint(2, 20, 200, new long[] {MS, MS}, 200);
        report.chunksCollected(3, 3_000);
        report.finish("completed", 1000 * MS);

        assertEquals(20_200, first.bytes(), "the chunk lists and every chunk");
        assertEquals(2_200, second.bytes(), "the chunk lists and the new chunks");
        RunReport.Overhead o = report.overhead();
        assertEquals(22_400, o.bytesWritten());
        assertEquals(40_000, o.fullBytes());
        assertEquals(40_000.0 / 22_400, o.dedupRatio(), 1e-12);
        assertTrue(report.summary().contains("; incremental, dedup ratio 1.79 (39.1 KiB written whole), 3 unused "
                + "chunks (2.9 KiB) collected"), report.summary());
        assertTrue(report.toJson().contains("\"fullBytes\": 40000, \"incremental\": true, \"dedupRatio\": 1.785714, "
                + "\"chunksCollected\": 3, \"chunkBytesCollected\": 3000}"), report.toJson());
    }

    @Test
    void shouldLeaveTheOverheadOutOfTheSummaryWhenNoCheckpointCommitted() {
        RunReport report = new RunReport("coordinated", "shm", 2, 0, "zstd");
        report.pieceWritten(0, new PieceWritten(false, 1, 100, 400, MS, false));
        report.abandoned(1, "a rank finished first", 5);
        report.finish("completed", 10 * MS);
        assertFalse(report.summary().contains("overhead"), report.summary());
        assertEquals(0, report.overhead().bytesWritten());
        assertFalse(report.toJson().contains("compressionRatio"), report.toJson());
    }

    /** Global checkpoint {@code id}: each rank's piece {@code stored} bytes, {@code raw} before compression. */
    @Test
    void shouldCountCheckpointsSkippedOrWaitedForWhilePreviousOnesWereWrittenOnlyWhenThereWereAny() {
        RunReport report = new RunReport("independent", "shm", 2, 0);
        local(report, 0, 1, 1000, 5 * MS, 20 * MS);
        report.finish("completed", 1000 * MS);
        assertFalse(report.summary().contains("async:"), report.summary());
        assertFalse(report.toJson().contains("skipped"), report.toJson());

        report.deferred(0, new CheckpointDeferred(true, 40, 1, true, 0));
        report.deferred(1, new CheckpointDeferred(true, 40, 1, true, 0));
        report.deferred(1, new CheckpointDeferred(true, 60, 2, false, 3 * MS));
        assertEquals(new RunReport.Deferrals(2, 1, 3 * MS), report.deferrals());
        assertTrue(report.summary().contains("    async: 2 checkpoint(s) skipped (previous still being written), 1 "
                + "waited for the previous one (3.0 ms summed over the ranks; a committed checkpoint's blocked time "
                + "includes its wait)"), report.summary());
        assertTrue(report.toJson().contains("\"backgroundNanos\": 20000000, \"skipped\": 2, \"waited\": 1, "
                + "\"waitedNanos\": 3000000}"), report.toJson());
    }

    /** A report as the writer before Jackson wrote it, every list and optional figure present. */
    private static final String EARLIER_REPORT = """
            {
              "policy": "coordinated",
              "device": "tcp",
              "ranks": 2,
              "outcome": "completed",
              "wallNanos": 1000000000,
              "bytesWritten": 2900,
              "blockedShare": 0.007000,
              "checkpoints": [
                {"id": 1, "point": 10, "bytes": 2200, "meanBlockedNanos": 4000000, "maxBlockedNanos": 5000000, "committedAtNanos": 100, "rawBytes": 9000, "backgroundNanos": 0, "fullBytes": 3100}
              ],
              "localCheckpoints": [
                {"rank": 1, "index": 2, "point": 20, "bytes": 700, "blockedNanos": 4000000, "committedAtNanos": 150, "rawBytes": -1, "backgroundNanos": 0, "fullBytes": -1}
              ],
              "localCheckpointsDeleted": 0,
              "starts": [1, 2],
              "messageLog": [
                {"rank": 0, "bytes": 10, "peakBytes": 20, "spilledBytes": 0, "spilledPeakBytes": 0, "atNanos": 160}
              ],
              "restarts": [
                {"number": 1, "failedRank": 0, "failedRanks": [0, 1], "reason": "killed: \\"x\\"\\\\ \\t", "fromCheckpoint": 0, "fromLine": [4, 5], "detectedAtNanos": 200, "tookNanos": 100, "alone": false},
                {"number": 2, "failedRank": 1, "failedRanks": [1], "reason": "exit\\n2", "fromCheckpoint": 0, "fromLine": null, "detectedAtNanos": 400, "tookNanos": 100, "alone": true}
              ],
              "piecesRead": [
                {"rank": 0, "checkpoint": 1, "tier": "host", "hostCopyFailure": null},
                {"rank": 1, "checkpoint": 1, "tier": "replica", "hostCopyFailure": "/h/x: \\u0001 no"}
              ],
              "intervals": [
                {"rank": -1, "afterCheckpoint": 0, "intervalNanos": 30000000000, "costNanos": -1, "reason": "no checkpoint measured yet: the smaller of 30.0 s and MTTF/10 = 36.0 min", "atNanos": 1000}
              ],
              "mttfLearned": [
                {"how": "from 1 failure", "atNanos": 600}
              ],
              "abandoned": [
                {"id": 7, "reason": "a rank finished first", "atNanos": 700}
              ],
              "overhead": {
                "time": {"blockedNanos": 7000000, "blockedShare": 0.007000, "backgroundNanos": 0, "skipped": 1, "waited": 0, "waitedNanos": 0},
                "storage": {"committed": 2, "bytesWritten": 2900, "meanBytesPerCheckpoint": 1450, "maxBytesPerCheckpoint": 2200, "peakHeldBytes": 2900, "compression": "lz4", "rawBytes": 9000, "storedBytesWithRaw": 2200, "fullBytes": 3100, "incremental": true, "compressionRatio": 2.903226, "dedupRatio": 1.409091, "chunksCollected": 3, "chunkBytesCollected": 3000}
              },
              "warnings": ["w1 é", "w2"]
            }
            """;

    @Test
    void shouldWriteTheReportAsEarlierBuildsDidAndReadBackEveryFigureWhenParsed() throws Exception {
        RunReport report = new RunReport("coordinated", "tcp", 2, 0, "lz4", true);
        report.attemptStarted();
        report.rankStarted(1);
        report.pieceWritten(0, new PieceWritten(false, 1, 1000, 4000, MS, false, 1500));
        report.pieceWritten(1, new PieceWritten(false, 1, 1200, 5000, 2 * MS, false, 1600));
        report.checkpoint(1, 10, 2200, new long[] {3 * MS, 5 * MS}, 100);
        report.localCheckpoint(1, 2, 20, 700, 4 * MS, 150);
        report.messageLog(0, 10, 20, 0, 0, 160);
        report.restart(new int[] {0, 1}, "killed: \"x\"\\ \t", RestartPoint.line(new long[] {4, 5}), 200, 300);
        report.restartAlone(1, "exit\n2", null, 400, 500);
        report.pieceRead(0, 1, "");
        report.pieceRead(1, 1, "/h/x: \u0001 no");
        report.intervalChosen(-1, IntervalChooser.of(new Interval.Auto(Interval.Formula.YOUNG,
                java.time.Duration.ofHours(6), 0.5), 1_000).current(), 1_000);
        report.mttfLearned("from 1 failure", 600);
        report.abandoned(7, "a rank finished first", 700);
        report.deferred(0, new CheckpointDeferred(true, 40, 1, true, 0));
        report.chunksCollected(3, 3000);
        report.warning("w1 \u00e9");
        report.warning("w2");
        report.finish("completed", 1000 * MS);

        assertEquals(EARLIER_REPORT.replaceFirst("\\{\n", "{\n  \"format\": \"snapline-run-report/1\",\n"),
                report.toJson(), "the earlier writer's members, order and layout, after the format member");
        JsonNode j = JsonText.parse(report.toJson());
        assertEquals(0.007, j.get("blockedShare").asDouble(), 1e-12);
        assertEquals(3100, j.get("checkpoints").get(0).get("fullBytes").asLong());
        assertEquals("[1,2]", j.get("starts").toString());
        JsonNode restarts = j.get("restarts");
        assertEquals("killed: \"x\"\\ \t", restarts.get(0).get("reason").asText());
        assertEquals("[4,5]", restarts.get(0).get("fromLine").toString());
        assertTrue(restarts.get(1).get("fromLine").isNull());
        assertTrue(restarts.get(1).get("alone").asBoolean());
        assertEquals("exit\n2", restarts.get(1).get("reason").asText());
        assertTrue(j.get("piecesRead").get(0).get("hostCopyFailure").isNull());
        assertEquals("/h/x: \u0001 no", j.get("piecesRead").get(1).get("hostCopyFailure").asText());
        assertEquals(1.409091, j.get("overhead").get("storage").get("dedupRatio").asDouble(), 1e-12);
        assertEquals(1, j.get("overhead").get("time").get("skipped").asInt());
        assertEquals("w1 \u00e9", j.get("warnings").get(0).asText());
    }

    private static void blocking(RunReport report, long id, long stored, long raw, long[] blocked, long at) {
        for (int r = 0; r < blocked.length; r++) {
            report.pieceWritten(r, new PieceWritten(false, id, stored, raw, blocked[r] / 2, false));
        }
        report.checkpoint(id, id * 10, stored * blocked.length, blocked, at);
    }

    /** A local checkpoint of {@code bytes}, not compressed, written in the background in {@code background}. */
    private static void local(RunReport report, int rank, long index, long bytes, long blocked, long background) {
        report.pieceWritten(rank, new PieceWritten(true, index, bytes, bytes, background, true));
        report.localCheckpoint(rank, index, index * 5, bytes, blocked, index * 10);
    }

    private static String lines(String... lines) {
        return String.join(System.lineSeparator(), lines);
    }
}
