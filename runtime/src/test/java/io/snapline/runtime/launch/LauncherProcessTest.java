package io.snapline.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.snapline.runtime.testing.MpiRun;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mpi.MPI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Launcher#main} in a JVM of its own: a rank that never looks at the runtime again cannot be stopped, so the
 * launcher must end the process after the grace period with the job's exit status.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LauncherProcessTest {
    /** Far more than the grace period plus a JVM start, far less than a hang. */
    private static final long PROCESS_LIMIT_SECONDS = 20;

    @TempDir
    Path dir;

    /** Rank 0 fails (by exception, or by {@code Abort(code)} when given a code); rank 1 computes forever. */
    public static class BusyIgnoresAbort {
        static volatile double sink;

        public static void main(String[] args) throws InterruptedException {
            String[] mine = MPI.Init(args);
            if (MPI.COMM_WORLD.Rank() == 0) {
                Thread.sleep(200);
                if (mine.length > 0) {
                    MPI.COMM_WORLD.Abort(Integer.parseInt(mine[0]));
                }
                throw new IllegalStateException("rank 0 gives up");
            }
            System.out.println("rank 1 computing");
            double x = 1;
            while (true) {
                for (int i = 0; i < 1_000_000; i++) {
                    x = Math.sqrt(x + i);
                }
                sink = x;
            }
        }
    }

    /** Whole-job outcome of one launcher process. */
    record Exit(int status, String out, String err, long millis) {
    }

    private Exit launch(String... launcherArgs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Launcher.class.getName()));
        cmd.addAll(List.of(launcherArgs));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        long start = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(PROCESS_LIMIT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail("the launcher was still running after " + PROCESS_LIMIT_SECONDS + " s; stderr:\n"
                    + Files.readString(err, StandardCharsets.UTF_8));
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        return new Exit(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8), millis);
    }

    private static String[] job(String... programArgs) {
        List<String> a = new ArrayList<>(List.of("-np", "2", "-cp", MpiRun.classPathOf(BusyIgnoresAbort.class),
                BusyIgnoresAbort.class.getName()));
        a.addAll(List.of(programArgs));
        return a.toArray(new String[0]);
    }

    @Test
    void shouldExitOneAndAbandonBusyRankWhenAnotherRankThrows() throws Exception {
        Exit e = launch(job());
        assertEquals(1, e.status(), e.err());
        assertEquals("rank 1 computing\n", e.out());
        List<String> err = e.err().lines().toList();
        assertEquals("snaprun: rank 0 failed with an uncaught exception:", err.get(0));
        assertEquals("java.lang.IllegalStateException: rank 0 gives up", err.get(1));
        assertTrue(e.err().contains("snaprun: rank(s) [1] did not stop within 2 s of the abort and were abandoned"),
                e.err());
        assertTrue(e.millis() >= SupervisorTimeouts.DEFAULTS.abortGrace().toMillis(), "the busy rank had its grace period: " + e.millis() + " ms");
        assertTrue(err.get(err.size() - 1).startsWith("snaprun: job ended with exit status 1 after "), e.err());
    }

    @Test
    void shouldExitWithAbortCodeWhenRankAbortsWhileAnotherComputes() throws Exception {
        Exit e = launch(job("7"));
        assertEquals(7, e.status(), e.err());
        assertEquals(List.of("snaprun: rank 0 called Abort(7)",
                "snaprun: rank(s) [1] did not stop within 2 s of the abort and were abandoned"),
                e.err().lines().limit(2).toList());
    }

    @Test
    void shouldExitTwoWithUsageErrorWhenStartedWithBadFlag() throws Exception {
        Exit e = launch("-np", "2", "--checkpoint", "sometimes", "demo.Main");
        assertEquals(2, e.status());
        assertTrue(e.err().startsWith("snaprun: checkpoint policy 'sometimes' is not installed in this build "
                + "(installed: none); its jar must be on the launcher's class path\n"), e.err());
        assertEquals("", e.out());
    }
}
