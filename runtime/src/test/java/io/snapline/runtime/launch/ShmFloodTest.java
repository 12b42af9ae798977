package io.snapline.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.snapline.runtime.testing.Flood;
import io.snapline.runtime.testing.MpiRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A flood on {@code shm} in a JVM with a 64 MiB heap: rank 0 sends four times the heap in 1 KiB messages. The ranks
 * share that heap, so what rank 1 has not received yet must stay within its window for rank 0, and rank 0 must wait
 * instead: every byte arrives in order once rank 1 receives, and a rank 1 that never receives leaves a job that ends
 * with a report naming rank 0's wait, not with {@code OutOfMemoryError}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ShmFloodTest {
    private static final long PROCESS_LIMIT_SECONDS = 150;

    @TempDir
    Path dir;

    record Exit(int status, String out, String err) {
    }

    private Exit launch(String kind, String receiver) throws IOException, InterruptedException {
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
                "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), Launcher.class.getName(), "-np", "2",
                "-cp", MpiRun.classPathOf(Flood.class), Flood.class.getName(), kind, receiver);
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(PROCESS_LIMIT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail("the job was still running after " + PROCESS_LIMIT_SECONDS + " s; stderr:\n"
                    + Files.readString(err, StandardCharsets.UTF_8));
        }
        return new Exit(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytes", "objects"})
    void shouldDeliverFourHeapsInOrderWithinTheWindowWhenTheReceiverReceivesLate(String kind) throws Exception {
        Exit e = launch(kind, "late");
        assertFalse(e.err().contains("OutOfMemoryError"), e.err());
        assertEquals(0, e.status(), e.err());
        List<String> lines = e.out().lines().sorted().toList();
        assertEquals(2, lines.size(), e.out());
        assertTrue(lines.get(0).matches("rank 0 sent \\d+ messages"), lines.get(0));
        String n = lines.get(0).split(" ")[3];
        assertEquals("rank 1 received " + n + " messages in order, crc matches, held within the window", lines.get(1));
    }

    @Test
    void shouldReportTheWaitingSenderInsteadOfRunningOutOfMemoryWhenNobodyReceives() throws Exception {
        Exit e = launch("bytes", "never");
        assertFalse(e.err().contains("OutOfMemoryError"), e.err());
        assertEquals(1, e.status(), e.err());
        List<String> err = e.err().lines().toList();
        assertEquals("snaprun: deadlock: no rank can make progress", err.get(0), e.err());
        assertEquals("  rank 0: blocked in Send to world rank 1 (tag 5, context 0, 1024 BYTE element(s)) waiting for a "
                + "matching receive: world rank 1 already holds as much unreceived data from this rank as it buffers",
                err.get(1));
        assertEquals("", e.out());
    }
}
