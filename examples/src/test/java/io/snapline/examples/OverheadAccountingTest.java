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
 * The run report's overhead accounting on real jobs whose program state (Heat2D's smooth grid of doubles) compresses
 * well under {@code --compress lz4}: every checkpoint's stored bytes are fewer than its bytes before compression, the
 * ratio is their quotient, the bytes written are what the store's piece files hold, and a policy that writes in the
 * background says how long.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class OverheadAccountingTest {
    private static final Pattern GLOBAL = Pattern.compile("\\{\"id\": (\\d+), \"point\": \\d+, \"bytes\": (\\d+), "
            + "[^{}]*\"rawBytes\": (-?\\d+), \"backgroundNanos\": (\\d+), \"fullBytes\": -?\\d+\\}");
    private static final Pattern LOCAL = Pattern.compile("\\{\"rank\": (\\d+), \"index\": (\\d+), \"point\": \\d+, "
            + "\"bytes\": (\\d+), [^{}]*\"rawBytes\": (-?\\d+), \"backgroundNanos\": (\\d+), "
            + "\"fullBytes\": -?\\d+\\}");

    @TempDir
    Path dir;

    /** One committed checkpoint as the JSON report lists it; {@code key} is its id, or rank and number. */
    private record Row(String key, long bytes, long rawBytes, long backgroundNanos) {
    }

    @Test
    void shouldAccountACoordinatedJobsCompressedCheckpointsAsTheStoreHoldsThem() throws IOException {
        String json = run("--checkpoint", "coordinated", "--every", "20");
        List<Row> rows = rows(json, GLOBAL, m -> m.group(1), 2);

        assertCompressedAsReported(json, rows);
        assertEquals(0, field(json, "backgroundNanos", "\"time\""), "a blocking checkpoint writes while the ranks wait");
        rows.forEach(r -> assertEquals(0, r.backgroundNanos(), json));

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
        String json = run("--checkpoint", "independent", "--logging", "none", "--every", "20");
        List<Row> rows = rows(json, LOCAL, m -> m.group(1) + "/" + m.group(2), 3);

        assertCompressedAsReported(json, rows);
        long background = rows.stream().mapToLong(Row::backgroundNanos).sum();
        assertTrue(background > 0, "each rank writes its pieces on its writer thread while it computes: " + json);
        assertEquals(background, field(json, "backgroundNanos", "\"time\""), json);

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
    private String run(String... policy) throws IOException {
        Path report = dir.resolve("report.json");
        List<String> flags = new ArrayList<>(List.of(policy));
        flags.addAll(List.of("--compress", "lz4", "--store", dir.resolve("store").toString(), "--report",
                report.toString()));
        MpiRun.Outcome o = MpiRun.run(4, flags, Heat2D.class, "128", "120");
        assertTrue(o.result().succeeded(), o.err() + o.result().failures());
        assertTrue(o.err().contains("  overhead:"), o.err());
        assertTrue(o.err().contains("; compressed with lz4, ratio "), o.err());
        return Files.readString(report, StandardCharsets.UTF_8);
    }

    /**
     * Every checkpoint was stored smaller than it was before compression, and the report's totals and ratio are those
     * of its checkpoints.
     */
    private static void assertCompressedAsReported(String json, List<Row> rows) {
        assertFalse(rows.isEmpty(), json);
        assertEquals(rows.size(), field(json, "committed", "\"storage\""), json);
        long stored = 0;
        long raw = 0;
        for (Row r : rows) {
            assertTrue(r.bytes() < r.rawBytes(), "checkpoint " + r.key() + " stored " + r.bytes() + " of "
                    + r.rawBytes() + " bytes: " + json);
            stored += r.bytes();
            raw += r.rawBytes();
        }
        assertEquals(stored, field(json, "bytesWritten", "\"storage\""), json);
        assertEquals(stored, field(json, "bytesWritten", "\"wallNanos\""), "the existing total: " + json);
        assertEquals(raw, field(json, "rawBytes", "\"storage\""), json);
        assertEquals(stored, field(json, "storedBytesWithRaw", "\"storage\""), json);
        Matcher ratio = Pattern.compile("\"compressionRatio\": ([0-9.]+)").matcher(json);
        assertTrue(ratio.find(), json);
        assertEquals((double) raw / stored, Double.parseDouble(ratio.group(1)), 1e-6, json);
    }

    /**
     * What is left in the store are committed checkpoints of the run, each of the size the report gave it, and the
     * most the store held at once is at least what it holds now and at most all that was written.
     */
    private static void assertStoreHoldsWhatWasReported(String json, List<Row> rows, Map<String, Long> onDisk) {
        assertFalse(onDisk.isEmpty(), "the store keeps the newest checkpoints");
        Map<String, Long> reported = new HashMap<>();
        rows.forEach(r -> reported.put(r.key(), r.bytes()));
        onDisk.forEach((key, bytes) -> assertEquals(reported.get(key), bytes, "checkpoint " + key + ": " + json));
        long held = onDisk.values().stream().mapToLong(Long::longValue).sum();
        long peak = field(json, "peakHeldBytes", "\"storage\"");
        assertTrue(peak >= held && peak <= field(json, "bytesWritten", "\"storage\""), peak + " vs " + held + ": "
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

    private static List<Row> rows(String json, Pattern row, java.util.function.Function<Matcher, String> key,
            int bytesGroup) {
        List<Row> rows = new ArrayList<>();
        Matcher m = row.matcher(json);
        while (m.find()) {
            rows.add(new Row(key.apply(m), Long.parseLong(m.group(bytesGroup)),
                    Long.parseLong(m.group(bytesGroup + 1)), Long.parseLong(m.group(bytesGroup + 2))));
        }
        return rows;
    }

    /** The number after {@code "name": } at its first place after {@code after}. */
    private static long field(String json, String name, String after) {
        Matcher m = Pattern.compile("\"" + name + "\": (-?\\d+)").matcher(json);
        assertTrue(m.find(json.indexOf(after)), name + " after " + after + ": " + json);
        return Long.parseLong(m.group(1));
    }
}
