package io.snapline.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.testing.MpiRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --compress}: checkpoints hold each rank's program state compressed, and a job restarted from them (all
 * ranks, or one rank alone under message logging) prints what a run without failures prints.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CompressedCheckpointsTest {
    @TempDir
    Path dir;

    @Test
    void shouldRestartEveryRankFromCheckpointsCompressedWithZstandard() throws IOException {
        restartFrom(List.of("--checkpoint", "coordinated", "--every", "20"), "zstd", "rank=2,point=70");
    }

    @Test
    void shouldRestartOneRankAloneFromItsCheckpointCompressedWithLz4() throws IOException {
        restartFrom(List.of("--checkpoint", "independent", "--logging", "pessimistic", "--every", "20"), "lz4",
                "rank=1,point=70");
    }

    @Test
    void shouldRestartFromARecoveryLineOfLocalCheckpointsCompressedWithZstandard() throws IOException {
        restartFrom(List.of("--checkpoint", "independent", "--logging", "none", "--every", "20"), "zstd",
                "rank=3,point=70");
    }

    private void restartFrom(List<String> policy, String codec, String failure) throws IOException {
        MpiRun.Outcome clean = MpiRun.ok(4, Heat2D.class, "64", "120", "--verify");
        Path store = dir.resolve("store");
        List<String> flags = new ArrayList<>(policy);
        flags.addAll(List.of("--compress", codec, "--store", store.toString(), "--inject-failure", failure));
        MpiRun.Outcome o = MpiRun.run(4, flags, Heat2D.class, "64", "120", "--verify");

        assertTrue(o.result().succeeded(), o.err() + o.result().failures());
        assertEquals(clean.lines(), o.lines(), o.err());
        assertTrue(o.err().contains("restarts: 1"), o.err());
        assertTrue(compressedPieces(store) > 0, "no checkpoint piece in " + store + " holds a compressed state");
    }

    /** How many piece files hold a program state in the compressed form (its magic, "SLCZ"). */
    private static long compressedPieces(Path store) throws IOException {
        byte[] magic = "SLCZ".getBytes(StandardCharsets.US_ASCII);
        try (Stream<Path> files = Files.walk(store)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".piece")).filter(f -> {
                try {
                    byte[] b = Files.readAllBytes(f);
                    outer:
                    for (int i = 0; i + magic.length <= b.length; i++) {
                        for (int k = 0; k < magic.length; k++) {
                            if (b[i + k] != magic[k]) {
                                continue outer;
                            }
                        }
                        return true;
                    }
                    return false;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).count();
        }
    }
}
