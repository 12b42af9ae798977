package io.snapline.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The run report's overhead accounting on real jobs whose program state (Heat2D's smooth grid of doubles) compresses
 * well under {@code --compress lz4}: every checkpoint's stored bytes are fewer than its bytes before compression, the
 * ratio is their quotient, the bytes written are what the store's piece files hold, and a policy that writes in the
 * background says how long.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class OverheadAccountingTest {
    @TempDir
    Path dir;

    /** One committed checkpoint as the JSON report lists it; {@code key} is its id, or rank and number. */
    private record Row(String key, long bytes, long rawBytes, long backgroundNanos) {
    }

    @Test
    void shouldAccountACoordinatedJobsCompressedCheckpointsAsTheStoreHoldsThem() throws IOException {
        JsonNode json = run("--checkpoint", "coordinated", "--every", "20");
        List<Row> rows = rows(json.get("checkpoints"), c -> c.get("id").asText());

        assertCompressedAsReported(json, rows);
        assertEquals(0, overhead(json, "time", "backgroundNanos"), "a blocking checkpoint writes while the ranks wait");
        rows.forEach(r -> assertEquals(0, r.backgroundNanos(), json.toString()));

        Map<String, Long> onDisk = new HashMap<>();
        try (Stream<Path> dirs = Files.list(dir.resolve("store"))) {
            for (Path d : dirs.filter(p -> p.getFileName().toString().matches("ckpt-\\d{20}")).toList()) {
                onDisk.put(Long.toString(Long.parseLong(d.getFileName().toString().substring(5))), pieceBytes(d));
            }
        }
        assertStoreHoldsWhatWasReported(json, rows, onDisk);
    }

    @Test
    void shouldAccountAnIndependentJobsBackgroundWritesAndCompressedLocalCheckpoints() throws IOException {
        JsonNode json = run("--checkpoint", "independent", "--logging", "none", "--every", "20");
        List<Row> rows = rows(json.get("localCheckpoints"),
                c -> c.get("rank").asText() + "/" + c.get("index").asText());

        assertCompressedAsReported(json, rows);
        long background = rows.stream().mapToLong(Row::backgroundNanos).sum();
        assertTrue(background > 0, "each rank writes its pieces on its writer thread while it computes: " + json);
        assertEquals(background, overhead(json, "time", "backgroundNanos"), json.toString());

        Map<String, Long> onDisk = new HashMap<>();
        try (Stream<Path> files = Files.walk(dir.resolve("store").resolve("local"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().matches("ckpt-\\d{20}\\.piece")).toList()) {
                String rank = Integer.toString(Integer.parseInt(f.getParent().getFileName().toString().substring(5)));
                String index = Long.toString(Long.parseLong(f.getFileName().toString().substring(5, 25)));
                onDisk.put(rank + "/" + index, Files.size(f));
            }
        }
        assertStoreHoldsWhatWasReported(json, rows, onDisk);
    }

    /** Runs Heat2D on 4 ranks under {@code policy} with lz4, and returns its JSON report. */
    private JsonNode run(String... policy) throws IOException {
        Path report = dir.resolve("report.json");
        List<String> flags = new ArrayList<>(List.of(policy));
        flags.addAll(List.of("--compress", "lz4", "--store", dir.resolve("store").toString(), "--report",
                report.toString()));
        MpiRun.Outcome o = MpiRun.run(4, flags, Heat2D.class, "128", "120");
        assertTrue(o.result().succeeded(), o.err() + o.result().failures());
        assertTrue(o.err().contains("  overhead:"), o.err());
        assertTrue(o.err().contains("; compressed with lz4, ratio "), o.err());
        return JsonText.MAPPER.readTree(report.toFile());
    }

    /**
     * Every checkpoint was stored smaller than it was before compression, and the report's totals and ratio are those
     * of its checkpoints.
     */
    private static void assertCompressedAsReported(JsonNode json, List<Row> rows) {
        assertFalse(rows.isEmpty(), json.toString());
        assertEquals(rows.size(), overhead(json, "storage", "committed"), json.toString());
        long stored = 0;
        long raw = 0;
        for (Row r : rows) {
            assertTrue(r.bytes() < r.rawBytes(), "checkpoint " + r.key() + " stored " + r.bytes() + " of "
                    + r.rawBytes() + " bytes: " + json);
            stored += r.bytes();
            raw += r.rawBytes();
        }
        assertEquals(stored, overhead(json, "storage", "bytesWritten"), json.toString());
        assertEquals(stored, json.get("bytesWritten").asLong(), "the existing total: " + json);
        assertEquals(raw, overhead(json, "storage", "rawBytes"), json.toString());
        assertEquals(stored, overhead(json, "storage", "storedBytesWithRaw"), json.toString());
        JsonNode ratio = json.get("overhead").get("storage").get("compressionRatio");
        assertTrue(ratio != null && ratio.isNumber(), json.toString());
        assertEquals((double) raw / stored, ratio.asDouble(), 1e-6, json.toString());
    }

    /**
     * What is left in the store are committed checkpoints of the run, each of the size the report gave it, and the
     * most the store held at once is at least what it holds now and at most all that was written.
     */
    private static void assertStoreHoldsWhatWasReported(JsonNode json, List<Row> rows, Map<String, Long> onDisk) {
        assertFalse(onDisk.isEmpty(), "the store keeps the newest checkpoints");
        Map<String, Long> reported = new HashMap<>();
        rows.forEach(r -> reported.put(r.key(), r.bytes()));
        onDisk.forEach((key, bytes) -> assertEquals(reported.get(key), bytes, "checkpoint " + key + ": " + json));
        long held = onDisk.values().stream().mapToLong(Long::longValue).sum();
        long peak = overhead(json, "storage", "peakHeldBytes");
        assertTrue(peak >= held && peak <= overhead(json, "storage", "bytesWritten"), peak + " vs " + held + ": "
                + json);
    }

    /** The bytes of the piece files in checkpoint directory {@code d}. */
    private static long pieceBytes(Path d) throws IOException {
        long sum = 0;
        try (Stream<Path> files = Files.list(d)) {
            for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".piece")).toList()) {
                sum += Files.size(f);
            }
        }
        return sum;
    }

    /** The report's checkpoints (global or local) as rows, {@code key} naming each. */
    private static List<Row> rows(JsonNode checkpoints, java.util.function.Function<JsonNode, String> key) {
        List<Row> rows = new ArrayList<>();
        for (JsonNode c : checkpoints) {
            rows.add(new Row(key.apply(c), c.get("bytes").asLong(), c.get("rawBytes").asLong(),
                    c.get("backgroundNanos").asLong()));
        }
        return rows;
    }

    /** The number {@code name} in the report's {@code overhead.part}; a missing one fails the test. */
    private static long overhead(JsonNode json, String part, String name) {
        JsonNode value = json.path("overhead").path(part).get(name);
        assertTrue(value != null && value.isIntegralNumber(), "overhead." + part + "." + name + ": " + json);
        return value.asLong();
    }
}
