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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --incremental}: Heat2D on a plate whose lower half stays cold for the whole run, so most of each rank's state
 * is the same from one checkpoint to the next. A job restarted from incremental checkpoints (every rank, or one rank
 * alone under message logging) prints what a run without failures prints, every checkpoint after a rank's first writes
 * fewer bytes than its pieces written whole would take, and the store holds chunks, some of them cut from the ranks'
 * grids at fixed offsets. {@link MasterWorker} survives
 * every kind of failure under every policy with incremental checkpoints.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class IncrementalCheckpointsTest {
    private static final String[] PROGRAM = {"768", "100", "--verify"};

    @TempDir
    Path dir;

    @Test
    void shouldRestartEveryRankFromIncrementalCheckpointsAndWriteLessThanWholePieces() throws IOException {
        JsonNode json = restartFrom(List.of("--checkpoint", "coordinated", "--every", "20"), "rank=1,point=50");
        List<long[]> rows = rows(json.get("checkpoints"));
        assertTrue(rows.size() >= 3, json.toString());
        for (int i = 1; i < rows.size(); i++) {
            long[] r = rows.get(i);
            assertTrue(r[0] < r[1], "checkpoint " + i + " wrote " + r[0] + " of " + r[1] + " bytes: " + json);
        }
    }

    @Test
    void shouldRestartOneRankAloneFromItsIncrementalCheckpointsAndWriteLessThanWholePieces() throws IOException {
        JsonNode json = restartFrom(List.of("--checkpoint", "independent", "--logging", "pessimistic", "--every", "20"),
                "rank=1,point=50");
        Map<Long, List<long[]>> byRank = new HashMap<>();
        for (JsonNode c : json.get("localCheckpoints")) {
            byRank.computeIfAbsent(c.get("rank").asLong(), k -> new ArrayList<>())
                    .add(new long[] {c.get("bytes").asLong(), c.get("fullBytes").asLong()});
        }
        assertEquals(4, byRank.size(), json.toString());
        int later = 0;
        for (List<long[]> rows : byRank.values()) {
            for (int i = 1; i < rows.size(); i++) {
                long[] r = rows.get(i);
                if (r[1] >= 0) {
                    assertTrue(r[0] < r[1], "a local checkpoint wrote " + r[0] + " of " + r[1] + " bytes: " + json);
                    later++;
                }
            }
        }
        assertTrue(later > 0, json.toString());
    }

    @Test
    void shouldRestartFromIncrementalCheckpointsWhenARankDiesWhileWritingItsChunks() throws IOException {
        JsonNode json = restartFrom(List.of("--checkpoint", "coordinated", "--every", "20"),
                "rank=2,during-checkpoint=3");
        assertTrue(json.get("checkpoints").size() >= 3, json.toString());
    }

    /**
     * {@link MasterWorker} (wildcard receives, {@code Iprobe}, {@code Waitany}, ranks at different rates) under every
     * restarting policy with {@code --incremental}, each kind of failure of {@link IrregularProgramsTest} once: the
     * failure-free output every time.
     */
    @TestFactory
    Stream<DynamicTest> shouldPrintTheFailureFreeOutputOfMasterWorkerUnderEveryPolicyWithIncrementalCheckpoints() {
        String[] farm = {"120", "200000"};
        return IrregularProgramsTest.POLICIES.stream().map(p -> DynamicTest.dynamicTest("MasterWorker under "
                + p.name(), () -> {
                    List<String> clean = MpiRun.ok(4, MasterWorker.class, farm).lines();
                    for (IrregularProgramsTest.Failures f : IrregularProgramsTest.failures(0, 2, 3, 40, 1)) {
                        List<String> flags = new ArrayList<>(p.flags());
                        flags.addAll(List.of("--incremental", "--max-restarts", "4", "--store",
                                dir.resolve(p.name() + "-" + System.nanoTime()).toString()));
                        f.specs().forEach(spec -> flags.addAll(List.of("--inject-failure", spec)));
                        MpiRun.Outcome o = MpiRun.run(4, flags, MasterWorker.class, farm);
                        String what = "MasterWorker under " + p.name() + " --incremental, failing " + f.name() + "\n";
                        assertTrue(o.result().succeeded(), what + o.err() + o.result().failures());
                        assertEquals(clean, o.lines(), what + o.err());
                        assertFalse(o.err().contains("restarts: 0\n"), "the failure did not strike: " + what + o.err());
                    }
                }));
    }

    /** Runs Heat2D with {@code policy}, {@code --incremental} and {@code failure}; returns the JSON report. */
    private JsonNode restartFrom(List<String> policy, String failure) throws IOException {
        MpiRun.Outcome clean = MpiRun.ok(4, Heat2D.class, PROGRAM);
        Path store = dir.resolve("store");
        Path report = dir.resolve("report.json");
        List<String> flags = new ArrayList<>(policy);
        flags.addAll(List.of("--incremental", "--store", store.toString(), "--inject-failure", failure, "--report",
                report.toString()));
        MpiRun.Outcome o = MpiRun.run(4, flags, Heat2D.class, PROGRAM);

        assertTrue(o.result().succeeded(), o.err() + o.result().failures());
        assertEquals(clean.lines(), o.lines(), o.err());
        assertTrue(o.err().contains("restarts: 1"), o.err());
        assertTrue(o.err().contains("; incremental, dedup ratio "), o.err());
        assertTrue(chunks(store) > 0, "no chunk in " + store);
        assertTrue(fixedChunks(store) > 0, "a rank's grid (" + 386 * 386 * 8 + " bytes) is cut into chunks of "
                + Chunker.FIXED + " bytes, yet none of the " + chunks(store) + " chunks is that long");
        JsonNode json = JsonText.MAPPER.readTree(report.toFile());
        assertTrue(json.path("overhead").path("storage").path("dedupRatio").asDouble() > 1, json.toString());
        json.get("warnings").forEach(w -> assertFalse(w.asText().contains("chunk garbage collection failed"),
                json.toString()));
        return json;
    }

    /** The report's global checkpoints: bytes written, bytes written whole. */
    private static List<long[]> rows(JsonNode checkpoints) {
        List<long[]> rows = new ArrayList<>();
        for (JsonNode c : checkpoints) {
            rows.add(new long[] {c.get("bytes").asLong(), c.get("fullBytes").asLong()});
        }
        return rows;
    }

    private static long chunks(Path store) throws IOException {
        try (Stream<Path> files = Files.walk(store.resolve("chunks"))) {
            return files.filter(f -> f.getFileName().toString().matches("[0-9a-f]{64}")).count();
        }
    }

    /**
     * The chunks of exactly {@link Chunker#FIXED} bytes: a content-defined cut seldom falls there (none of 16 in this
     * test's store before the fixed-size path).
     */
    private static long fixedChunks(Path store) throws IOException {
        try (Stream<Path> files = Files.walk(store.resolve("chunks"))) {
            return files.filter(f -> f.getFileName().toString().matches("[0-9a-f]{64}"))
                    .filter(f -> f.toFile().length() == Chunker.FIXED).count();
        }
    }
}
