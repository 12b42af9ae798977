package io.snapline.checkpoint.coordinated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.snapline.runtime.launch.Launcher;
import io.snapline.runtime.testing.MpiRun;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A launcher interrupted (SIGINT, as Ctrl-C sends, or SIGTERM) while its job runs says how to continue the job, and
 * the command it prints does: the resumed job ends with the result of a run without interruption.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InterruptHintTest {
    private static final String STEPS = "100";

    @TempDir
    Path tmp;

    private static List<String> clean;

    /** What the program prints without interruption (computed once). */
    private static synchronized List<String> clean() {
        if (clean == null) {
            clean = sorted(MpiRun.run(2, List.of(), BlockingRestartTest.HaloRing.class, STEPS).out());
        }
        return clean;
    }

    private static List<String> sorted(String out) {
        List<String> lines = new ArrayList<>(out.lines().toList());
        lines.sort(null);
        return lines;
    }

    private static boolean committed(Path store) throws IOException {
        if (!Files.isDirectory(store)) {
            return false;
        }
        try (Stream<Path> dirs = Files.list(store)) {
            return dirs.anyMatch(d -> Files.exists(d.resolve("MANIFEST")));
        }
    }

    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource({"INT, shm", "TERM, shm", "INT, tcp", "TERM, tcp"})
    void shouldPrintTheCommandThatContinuesTheJobWhenTheLauncherIsInterrupted(String signal, String device)
            throws Exception {
        assumeTrue(MpiRun.device().equals("shm"), "starts launcher processes of both devices itself");
        Path store = tmp.resolve("s");
        Path log = tmp.resolve("launcher.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process launcher = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                Launcher.class.getName(), "-np", "2", "-dev", device, "--checkpoint", "coordinated", "--every", "5",
                "--store", store.toString(), "-cp", MpiRun.classPathOf(BlockingRestartTest.HaloRing.class),
                BlockingRestartTest.HaloRing.class.getName(), STEPS, "20")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            while (!committed(store)) {
                assertTrue(launcher.isAlive(), Files.readString(log));
                Thread.sleep(20);
            }
            Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(launcher.pid())).inheritIO().start();
            assertEquals(0, kill.waitFor());
            assertTrue(launcher.waitFor(30, TimeUnit.SECONDS), "the launcher ended: " + Files.readString(log));
        } finally {
            launcher.destroyForcibly().waitFor();
        }
        String said = Files.readString(log);
        assertEquals(signal.equals("INT") ? 130 : 143, launcher.exitValue(), said);
        String intro = "snaprun: interrupted; to continue the job from its newest checkpoint in " + store
                + ", run:\n  snaprun ";
        int at = said.indexOf(intro);
        assertTrue(at >= 0, said);
        String command = said.substring(at + intro.length()).lines().findFirst().orElseThrow();
        assertEquals("-np 2" + (device.equals("tcp") ? " -dev tcp" : "") + " --checkpoint coordinated --every 5 "
                + "--resume " + store.toAbsolutePath() + " -cp "
                + Path.of(MpiRun.classPathOf(BlockingRestartTest.HaloRing.class)).toAbsolutePath() + " '"
                + BlockingRestartTest.HaloRing.class.getName() + "' " + STEPS + " 20", command);

        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> words = Stream.of(command.split(" "))
                .map(w -> w.startsWith("'") ? w.substring(1, w.length() - 1) : w).toList();
        int status = Launcher.run(words.toArray(new String[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        String resumed = err.toString(StandardCharsets.UTF_8);
        assertEquals(0, status, resumed);
        assertTrue(resumed.contains("snaprun: resuming from checkpoint "), resumed);
        assertEquals(clean(), sorted(out.toString(StandardCharsets.UTF_8)));
    }
}
