package io.snapline.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.snapline.runtime.checkpoint.store.Chunker;
import io.snapline.runtime.json.JsonText;
import io.snapline.runtime.testing.MpiRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --async}: Heat2D restarted under {@code coordinated}, {@code coordinated-nb} and {@code independent --logging
 * pessimistic} after a rank was killed as it began writing a checkpoint in the background (the program had gone on:
 * the write was in flight), and with {@code --compress} and {@code --incremental}, prints what a run without failures
 * prints; the checkpoint being written never commits, and the report shows the time written in the background apart
 * from the time blocked. {@link MasterWorker} survives a failure during a checkpoint under every policy with
 * {@code --async}.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class AsyncCheckpointsTest {
    private static final String[] PROGRAM = {"256", "100", "--verify"};
    @TempDir
    Path dir;

    @Test
    void shouldRestartFromThePreviousCheckpointWhenARankDiesWhileItsCoordinatedPieceIsWrittenInTheBackground()
            throws IOException {
        Run r = heat(List.of("--checkpoint", "coordinated", "--every", "20"), "rank=1,during-checkpoint=2");
        assertTrue(r.err.contains("restarting all 4 ranks from checkpoint 1 "), "checkpoint 2 was in flight when "
                + "rank 1 died, so it never committed: " + r.err);
        assertTrue(background(r.json) > 0, "pieces were written while the programs ran: " + r.json);
    }

    @Test
    void shouldRestartFromCompressedIncrementalCheckpointsWrittenInTheBackground() throws IOException {
        Run r = heat(List.of("--checkpoint", "coordinated", "--every", "20", "--compress", "lz4", "--incremental"),
                "rank=2,point=50");
        assertTrue(r.err.contains("compressed with lz4"), r.err);
        assertTrue(r.err.contains("; incremental, dedup ratio "), r.err);
        assertTrue(background(r.json) > 0, r.json.toString());
    }

    @Test
    void shouldRestartFromIncrementalCheckpointsWhoseGridsWereCutAtFixedOffsetsInTheBackground() throws IOException {
        // A 768 x 768 plate: each rank's grid holds 386 x 386 doubles, above the 256 KiB of the fixed-size path.
        Run r = run(List.of("--checkpoint", "coordinated", "--every", "20", "--incremental"), "rank=2,point=50",
                Heat2D.class, "768", "100", "--verify");
        assertTrue(r.err.contains("; incremental, dedup ratio "), r.err);
        assertTrue(background(r.json) > 0, r.json.toString());
        try (Stream<Path> files = Files.walk(dir.resolve("store").resolve("chunks"))) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().matches("[0-9a-f]{64}")
                    && f.toFile().length() == Chunker.FIXED), "no chunk cut at a fixed offset");
        }
    }

    @Test
    void shouldRestartFromTheNonBlockingCoordinatedCheckpointsWhenARankDiesWhileWritingOne() throws IOException {
        // On a timer: the ring paces itself (400 laps of at least 5 ms), so that checkpoint 2 comes whatever the
        // machine's speed; Heat2D may end before a second timer fires.
        run(List.of("--checkpoint", "coordinated-nb", "--interval", "50ms"), "rank=1,during-checkpoint=2",
                Ring.class, "400", "5");
    }

    @Test
    void shouldRestartOneRankAloneWhenItDiesWhileWritingItsLocalCheckpointInTheBackground() throws IOException {
        Run r = heat(List.of("--checkpoint", "independent", "--logging", "pessimistic", "--every", "20"),
                "rank=1,during-checkpoint=2");
        assertTrue(r.err.contains("alone"), r.err);
    }

    @Test
    void shouldReportEveryCheckpointSkippedWhileThePreviousWasStillWritten() throws IOException {
        // A checkpoint at every safe point: whether a write is still in flight at the next one depends on the machine,
        // so the test asserts only that what the report says agrees with itself and that the output is right.
        Run r = heat(List.of("--checkpoint", "independent", "--logging", "pessimistic", "--every", "1"),
                "rank=3,point=60");
        JsonNode skipped = r.json.path("overhead").path("time").get("skipped");
        if (skipped != null) {
            assertTrue(r.err.contains("    async: " + skipped.asLong() + " checkpoint(s) skipped (previous still "
                    + "being written)"), r.err);
        } else {
            assertFalse(r.err.contains("async:"), r.err);
        }
    }

    /**
     * {@link MasterWorker} (wildcard receives, {@code Iprobe}, {@code Waitany}, ranks at different rates) under every
     * restarting policy with {@code --async}, a rank killed as it writes a checkpoint: the failure-free output.
     */
    @TestFactory
    Stream<DynamicTest> shouldPrintTheFailureFreeOutputOfMasterWorkerUnderEveryPolicyWithAsyncCheckpoints() {
        String[] farm = {"120", "200000"};
        List<String> clean = MpiRun.ok(4, MasterWorker.class, farm).lines();
        return IrregularProgramsTest.POLICIES.stream().map(p -> DynamicTest.dynamicTest("MasterWorker under "
                + p.name(), () -> {
                    List<String> flags = new ArrayList<>(p.flags());
                    flags.addAll(List.of("--async", "--max-restarts", "4", "--store",
                            dir.resolve(p.name()).toString(), "--inject-failure", "rank=2,during-checkpoint=1"));
                    MpiRun.Outcome o = MpiRun.run(4, flags, MasterWorker.class, farm);
                    String what = "MasterWorker under " + p.name() + " --async, failing during a checkpoint\n";
                    assertTrue(o.result().succeeded(), what + o.err() + o.result().failures());
                    assertEquals(clean, o.lines(), what + o.err());
                    assertFalse(o.err().contains("restarts: 0\n"), "the failure did not strike: " + what + o.err());
                }));
    }

    private record Run(String err, JsonNode json) {
    }

    /** Runs Heat2D with {@code policy}, {@code --async} and {@code failure}; checks the output and one restart. */
    private Run heat(List<String> policy, String failure) throws IOException {
        return run(policy, failure, Heat2D.class, PROGRAM);
    }

    private Run run(List<String> policy, String failure, Class<?> main, String... args) throws IOException {
        MpiRun.Outcome clean = MpiRun.ok(4, main, args);
        Path report = dir.resolve("report.json");
        List<String> flags = new ArrayList<>(policy);
        flags.addAll(List.of("--async", "--store", dir.resolve("store").toString(), "--inject-failure", failure,
                "--report", report.toString()));
        MpiRun.Outcome o = MpiRun.run(4, flags, main, args);

        assertTrue(o.result().succeeded(), o.err() + o.result().failures());
        assertEquals(clean.lines(), o.lines(), o.err());
        assertTrue(o.err().contains("restarts: 1"), o.err());
        assertTrue(o.err().contains("    time: blocked "), o.err());
        return new Run(o.err(), JsonText.MAPPER.readTree(report.toFile()));
    }

    /** The background write time of every checkpoint in the report, and the overhead's, summed. */
    private static long background(JsonNode json) {
        return json.findValues("backgroundNanos").stream().mapToLong(JsonNode::asLong).sum();
    }
}
