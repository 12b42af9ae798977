package io.snapline.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.testing.MpiRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --incremental}: Heat2D on a plate whose lower half stays cold for the whole run, so most of each rank's state
 * is the same from one checkpoint to the next. A job restarted from incremental checkpoints (every rank, or one rank
 * alone under message logging) prints what a run without failures prints, every checkpoint after a rank's first writes
 * fewer bytes than its pieces written whole would take, and the store holds chunks.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class IncrementalCheckpointsTest {
    private static final Pattern GLOBAL = Pattern.compile("\\{\"id\": (\\d+), \"point\": \\d+, \"bytes\": (\\d+), "
            + "[^{}]*\"fullBytes\": (-?\\d+)\\}");
    private static final Pattern LOCAL = Pattern.compile("\\{\"rank\": (\\d+), \"index\": (\\d+), \"point\": \\d+, "
            + "\"bytes\": (\\d+), [^{}]*\"fullBytes\": (-?\\d+)\\}");
    private static final String[] PROGRAM = {"768", "100", "--verify"};

    @TempDir
    Path dir;

    @Test
    void shouldRestartEveryRankFromIncrementalCheckpointsAndWriteLessThanWholePieces() throws IOException {
        String json = restartFrom(List.of("--checkpoint", "coordinated", "--every", "20"), "rank=1,point=50");
        List<long[]> rows = rows(json, GLOBAL);
        assertTrue(rows.size() >= 3, json);
        for (int i = 1; i < rows.size(); i++) {
            long[] r = rows.get(i);
            assertTrue(r[0] < r[1], "checkpoint " + i + " wrote " + r[0] + " of " + r[1] + " bytes: " + json);
        }
    }

    @Test
    void shouldRestartOneRankAloneFromItsIncrementalCheckpointsAndWriteLessThanWholePieces() throws IOException {
        String json = restartFrom(List.of("--checkpoint", "independent", "--logging", "pessimistic", "--every", "20"),
                "rank=1,point=50");
        Map<Long, List<long[]>> byRank = new HashMap<>();
        Matcher m = LOCAL.matcher(json);
        while (m.find()) {
            byRank.computeIfAbsent(Long.parseLong(m.group(1)), k -> new ArrayList<>())
                    .add(new long[] {Long.parseLong(m.group(3)), Long.parseLong(m.group(4))});
        }
        assertEquals(4, byRank.size(), json);
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
        assertTrue(later > 0, json);
    }

    /** Runs Heat2D with {@code policy}, {@code --incremental} and {@code failure}; returns the JSON report. */
    private String restartFrom(List<String> policy, String failure) throws IOException {
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
        String json = Files.readString(report, StandardCharsets.UTF_8);
        Matcher ratio = Pattern.compile("\"dedupRatio\": ([0-9.]+)").matcher(json);
        assertTrue(ratio.find() && Double.parseDouble(ratio.group(1)) > 1, json);
        assertFalse(json.contains("chunk garbage collection failed"), json);
        return json;
    }

    /** The report's global checkpoints: bytes written, bytes written whole. */
    private static List<long[]> rows(String json, Pattern row) {
        List<long[]> rows = new ArrayList<>();
        Matcher m = row.matcher(json);
        while (m.find()) {
            rows.add(new long[] {Long.parseLong(m.group(2)), Long.parseLong(m.group(3))});
        }
        return rows;
    }

    private static long chunks(Path store) throws IOException {
        try (Stream<Path> files = Files.walk(store.resolve("chunks"))) {
            return files.filter(f -> f.getFileName().toString().matches("[0-9a-f]{64}")).count();
        }
    }
}
