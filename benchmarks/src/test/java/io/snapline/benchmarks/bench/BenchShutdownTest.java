package io.snapline.benchmarks.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stopping the bench's current job: the launcher before its ranks, all of them waited for, no job after shutdown.
 * The "launcher" here is a shell that, like the real one, starts a new "rank" whenever its rank dies.
 */
@DisabledOnOs(OS.WINDOWS)
@Timeout(60)
class BenchShutdownTest {
    /** A shell that prints its child's pid and restarts the child each time it dies, until killed itself. */
    private static final List<String> RESTARTING_LAUNCHER = List.of("sh", "-c",
            "while :; do sleep 600 & echo $!; wait $!; done");

    /** A started launcher and its first rank. */
    private record Started(Process launcher, ProcessHandle rank) {
    }

    /** Starts the restarting launcher as {@code job}'s current job. */
    private static Started startLauncher(CurrentJob job) throws IOException, InterruptedException {
        Process launcher = job.start(new ProcessBuilder(RESTARTING_LAUNCHER));
        BufferedReader out = new BufferedReader(new InputStreamReader(launcher.getInputStream(),
                StandardCharsets.UTF_8));
        long rank = Long.parseLong(out.readLine().trim()); // the rank runs once its pid is printed
        return new Started(launcher, ProcessHandle.of(rank).orElseThrow());
    }

    @Test
    void shouldKillTheLauncherAndItsRanksAndWaitForThemWhenAJobIsStopped() throws Exception {
        CurrentJob job = new CurrentJob();
        Started started = startLauncher(job);
        assertTrue(started.rank().isAlive());

        job.stop(started.launcher());

        assertFalse(started.launcher().isAlive(), "the launcher is still running");
        assertFalse(started.rank().isAlive(), "the rank is still running");
        // nothing of the job is left under this JVM, no rank restarted either
        assertEquals(List.of(), ProcessHandle.current().descendants()
                .filter(h -> h.info().commandLine().orElse("").contains("sleep 600")).toList());
    }

    @Test
    void shouldListTheRanksThenKillTheLauncherThenTheRanksWhenAJobIsStopped() throws Exception {
        List<String> events = new ArrayList<>();
        FakeLauncher launcher = new FakeLauncher(events, List.of(new FakeRank(7, events), new FakeRank(8, events)));

        new CurrentJob().stop(launcher);

        assertEquals(List.of("list ranks", "kill launcher", "kill rank 7", "kill rank 8", "wait launcher",
                "wait rank 7", "wait rank 8"), events);
    }

    @Test
    void shouldStopTheJobDeleteTheWorkAndStartNoOtherWhenShutdownBegins(@TempDir Path dir) throws Exception {
        Path work = Files.createDirectories(dir.resolve("snapline-bench-1/cell1-run1/store"));
        CurrentJob job = new CurrentJob();
        Started started = startLauncher(job);
        ByteArrayOutputStream said = new ByteArrayOutputStream();

        job.shutdown(dir.resolve("snapline-bench-1"), new PrintStream(said, true, StandardCharsets.UTF_8));

        assertFalse(started.launcher().isAlive(), "the launcher is still running");
        assertFalse(started.rank().isAlive(), "the rank is still running");
        assertFalse(Files.exists(work.getParent().getParent()), "the work directory is left");
        assertTrue(said.toString(StandardCharsets.UTF_8).contains("snapline bench: stopped; killing the running job"),
                said.toString(StandardCharsets.UTF_8));
        IOException refused = assertThrows(IOException.class,
                () -> job.start(new ProcessBuilder(RESTARTING_LAUNCHER)));
        assertEquals("the bench is being stopped; no new job is started", refused.getMessage());
    }

    /** A launcher that records what is done to it. */
    private static final class FakeLauncher extends Process {
        private final List<String> events;
        private final List<ProcessHandle> ranks;

        FakeLauncher(List<String> events, List<ProcessHandle> ranks) {
            this.events = events;
            this.ranks = ranks;
        }

        @Override
        public Stream<ProcessHandle> descendants() {
            events.add("list ranks");
            return ranks.stream();
        }

        @Override
        public Process destroyForcibly() {
            events.add("kill launcher");
            return this;
        }

        @Override
        public CompletableFuture<Process> onExit() {
            events.add("wait launcher");
            return CompletableFuture.completedFuture(this);
        }

        @Override
        public OutputStream getOutputStream() {
            return OutputStream.nullOutputStream();
        }

        @Override
        public InputStream getInputStream() {
            return InputStream.nullInputStream();
        }

        @Override
        public InputStream getErrorStream() {
            return InputStream.nullInputStream();
        }

        @Override
        public int waitFor() {
            return 0;
        }

        @Override
        public int exitValue() {
            return 0;
        }

        @Override
        public void destroy() {
            destroyForcibly();
        }

        @Override
        public long pid() {
            return 6;
        }
    }

    /** A rank that records what is done to it. */
    private record FakeRank(long pid, List<String> events) implements ProcessHandle {
        @Override
        public boolean destroyForcibly() {
            events.add("kill rank " + pid);
            return true;
        }

        @Override
        public CompletableFuture<ProcessHandle> onExit() {
            events.add("wait rank " + pid);
            return CompletableFuture.completedFuture(this);
        }

        @Override
        public boolean destroy() {
            return destroyForcibly();
        }

        @Override
        public Optional<ProcessHandle> parent() {
            return Optional.empty();
        }

        @Override
        public Stream<ProcessHandle> children() {
            return Stream.empty();
        }

        @Override
        public Stream<ProcessHandle> descendants() {
            return Stream.empty();
        }

        @Override
        public Info info() {
            return ProcessHandle.current().info();
        }

        @Override
        public boolean supportsNormalTermination() {
            return true;
        }

        @Override
        public boolean isAlive() {
            return false;
        }

        @Override
        public int compareTo(ProcessHandle other) {
            return Long.compare(pid, other.pid());
        }
    }
}
