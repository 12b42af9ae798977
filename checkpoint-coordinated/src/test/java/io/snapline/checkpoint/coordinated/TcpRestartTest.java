package io.snapline.checkpoint.coordinated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.checkpoint.Checkpoint;
import io.snapline.runtime.launch.Launcher;
import io.snapline.runtime.testing.MpiRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mpi.MPI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoint/restart with every rank in its own JVM ({@code -dev tcp}, whatever {@code snapline.test.device} says):
 * rank processes killed for real, by the test or by failure injection, and no process left behind.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TcpRestartTest {
    private static final String RANK_MAIN = "io.snapline.runtime.launch.RankProcess";

    @TempDir
    Path tmp;

    /** {@code snaprun -dev tcp} running in the background, its output captured. */
    private static final class Job {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final CompletableFuture<Integer> status;

        Job(int np, List<String> flags, String... args) {
            this(np, flags, BlockingRestartTest.HaloRing.class, args);
        }

        Job(int np, List<String> flags, Class<?> main, String... args) {
            List<String> argv = new ArrayList<>(List.of("-np", Integer.toString(np), "-dev", "tcp", "-cp",
                    MpiRun.classPathOf(main)));
            argv.addAll(flags);
            argv.add(main.getName());
            argv.addAll(List.of(args));
            PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
            PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
            status = CompletableFuture.supplyAsync(() -> Launcher.run(argv.toArray(new String[0]), o, e));
        }

        int await() throws Exception {
            return status.get(150, TimeUnit.SECONDS);
        }

        String out() {
            return out.toString(StandardCharsets.UTF_8);
        }

        String err() {
            return err.toString(StandardCharsets.UTF_8);
        }

        List<String> sortedLines() {
            return out().lines().sorted().toList();
        }
    }

    /** The rank processes below this JVM. */
    private static List<ProcessHandle> rankProcesses() {
        return ProcessHandle.current().descendants()
                .filter(h -> h.info().arguments().map(a -> List.of(a).contains(RANK_MAIN)).orElse(false))
                .toList();
    }

    private static int rankOf(ProcessHandle h) {
        List<String> args = List.of(h.info().arguments().orElseThrow());
        return Integer.parseInt(args.get(args.indexOf(RANK_MAIN) + 3));
    }

    private static void await(BooleanSupplier condition, long millis, String what) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + millis + " ms waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    /** Records the pid of every rank process seen while a job runs. */
    private static final class RankWatch implements AutoCloseable {
        final Set<Long> seen = ConcurrentHashMap.newKeySet();
        private final Thread thread;
        private volatile boolean running = true;

        RankWatch() {
            thread = new Thread(() -> {
                while (running) {
                    rankProcesses().forEach(h -> seen.add(h.pid()));
                    try {
                        Thread.sleep(15);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "rank-watch");
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join();
        }
    }

    private static void assertNoRankProcessLeft(Set<Long> pids) {
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                    "rank process " + pid + " outlived the job");
        }
        assertEquals(List.of(), rankProcesses(), "no rank process is left");
    }

    @Test
    void shouldGiveTheFailureFreeResultWhenTheTestKillsARankProcessMidRun() throws Exception {
        Job clean = new Job(3, List.of(), "60", "25");
        assertEquals(0, clean.await(), clean.err());
        Job job = new Job(3, List.of("--checkpoint", "coordinated", "--every", "4", "--store",
                tmp.resolve("s").toString()), "60", "25");
        Set<Long> firstAttempt;
        try (RankWatch watch = new RankWatch()) {
            await(() -> job.err().contains("checkpoint 2 committed"), 60_000, "checkpoint 2");
            List<ProcessHandle> ranks = rankProcesses();
            assertEquals(3, ranks.size(), ranks.toString());
            firstAttempt = Set.copyOf(ranks.stream().map(ProcessHandle::pid).toList());
            ProcessHandle victim = ranks.stream().filter(h -> rankOf(h) == 1).findFirst().orElseThrow();
            assertTrue(victim.destroyForcibly());
            assertEquals(0, job.await(), job.err());
            watch.close();
            assertNoRankProcessLeft(watch.seen);
            assertTrue(watch.seen.size() >= 6, "a second set of rank processes ran: " + watch.seen);
        }
        assertNoRankProcessLeft(firstAttempt);
        assertEquals(clean.sortedLines(), job.sortedLines());
        assertEquals(3, job.sortedLines().size(), job.out());
        Matcher m = Pattern.compile("snaprun: rank 1 failed \\(its process was killed by signal 9 \\(SIGKILL\\)\\); "
                + "restarting all 3 ranks from checkpoint (\\d+) \\(restart 1 of at most 3;").matcher(job.err());
        assertTrue(m.find(), job.err());
        assertTrue(Long.parseLong(m.group(1)) >= 2, job.err());
        assertTrue(job.err().contains("snaprun:   restarts: 1"), job.err());
    }

    @Test
    void shouldLeaveNoRankProcessWhenARestartedJobRunsOutOfRestarts() throws Exception {
        Job job;
        int status;
        Set<Long> seen;
        try (RankWatch watch = new RankWatch()) {
            job = new Job(3, List.of("--checkpoint", "coordinated", "--every", "3", "--store",
                    tmp.resolve("s").toString(), "--max-restarts", "1", "--inject-failure", "rank=0,point=5",
                    "--inject-failure", "rank=2,point=9"), "20", "20");
            status = job.await();
            watch.close();
            seen = Set.copyOf(watch.seen);
        }
        assertEquals(1, status, job.err());
        assertTrue(job.err().contains("snaprun: rank 0 failed (killed: injected failure at safe point 5); restarting "
                + "all 3 ranks from checkpoint 1 (restart 1 of at most 1;"), job.err());
        assertTrue(job.err().contains("snaprun: rank 2 failed (killed: injected failure at safe point 9); not "
                + "restarting: the job has used all 1 restart(s) allowed by --max-restarts"), job.err());
        assertTrue(job.err().contains("snaprun: rank 2 was killed (injected failure at safe point 9)"), job.err());
        assertEquals(6, seen.size(), "two attempts of 3 rank processes each: " + seen);
        assertNoRankProcessLeft(seen);
    }

    @Test
    void shouldFallBackToThePreviousCheckpointWhenARankProcessIsKilledWhileWritingOne() throws Exception {
        Job clean = new Job(3, List.of(), "12");
        assertEquals(0, clean.await(), clean.err());
        Job job = new Job(3, List.of("--checkpoint", "coordinated", "--every", "3", "--store",
                tmp.resolve("s").toString(), "--inject-failure", "rank=1,during-checkpoint=2"), "12");
        assertEquals(0, job.await(), job.err());
        assertEquals(clean.sortedLines(), job.sortedLines());
        assertTrue(job.err().contains("snaprun: rank 1 failed (killed: injected failure while writing checkpoint 2); "
                + "restarting all 3 ranks from checkpoint 1 (restart 1 of at most 3;"), job.err());
        assertEquals(1, job.err().split("checkpoint 2 committed", -1).length - 1,
                "checkpoint 2 commits only once, after the restart:\n" + job.err());
        assertTrue(job.err().contains("checkpoints committed: 4,"), job.err());
        assertEquals(List.of(), rankProcesses(), "no rank process is left");
    }

    /**
     * Ten steps around a ring; in the first run (not after a restart) rank 1 throws at step 7 what its argument
     * names: an {@code Error}, which a restart may cure, or an exception, the program's own bug.
     */
    public static class Thrower {
        public static void main(String[] args) throws Exception {
            String[] rest = MPI.Init(args);
            int rank = MPI.COMM_WORLD.Rank();
            int size = MPI.COMM_WORLD.Size();
            long[] s = Checkpoint.restoreOr(() -> new long[2]);
            long[] in = new long[1];
            while (s[0] < 10) {
                s[0]++;
                MPI.COMM_WORLD.Sendrecv(new long[] {s[1] + rank}, 0, 1, MPI.LONG, (rank + 1) % size, 3, in, 0, 1,
                        MPI.LONG, (rank + size - 1) % size, 3);
                s[1] = s[1] * 7 + in[0];
                if (rank == 1 && s[0] == 7 && !Checkpoint.isRestart()) {
                    if (rest[0].equals("error")) {
                        throw new StackOverflowError("simulated");
                    }
                    throw new IllegalStateException("simulated bug");
                }
                Checkpoint.point(s);
            }
            System.out.println("rank " + rank + " done " + s[1]);
            MPI.Finalize();
        }
    }

    @Test
    void shouldRestartWhenARankEndsWithAnError() throws Exception {
        Job job = new Job(3, List.of("--checkpoint", "coordinated", "--every", "3", "--store",
                tmp.resolve("s").toString()), Thrower.class, "error");
        assertEquals(0, job.await(), job.err());
        assertTrue(job.err().contains("snaprun: rank 1 failed (java.lang.StackOverflowError: simulated); restarting "
                + "all 3 ranks from checkpoint 2 (restart 1 of at most 3;"), job.err());
        assertEquals(3, job.sortedLines().size(), job.out());
        assertEquals(List.of(), rankProcesses(), "no rank process is left");
    }

    @Test
    void shouldEndTheJobWithoutRestartWhenARankThrowsAnException() throws Exception {
        Job job = new Job(3, List.of("--checkpoint", "coordinated", "--every", "3", "--store",
                tmp.resolve("s").toString()), Thrower.class, "exception");
        assertEquals(1, job.await(), job.err());
        assertFalse(job.err().contains("restarting"), job.err());
        assertTrue(job.err().contains("snaprun: rank 1 failed with an uncaught exception:\n"
                + "java.lang.IllegalStateException: simulated bug\n"), job.err());
        assertTrue(job.err().contains("snaprun:   restarts: 0"), job.err());
        assertEquals(List.of(), rankProcesses(), "no rank process is left");
    }

    /**
     * A ring whose rank 2, at step {@code cut} of its first run (the file {@code marker} absent), cuts its connections
     * to the other ranks without a goodbye and then hangs, its process alive and talking to {@code snaprun}: what the
     * others see of a rank on a hung host, or behind a broken network. Arguments: {@code steps cut marker}.
     */
    public static final class UnreachableRing {
        private UnreachableRing() {
        }

        public static void main(String[] args) throws Exception {
            String[] rest = MPI.Init(args);
            int steps = Integer.parseInt(rest[0]);
            int cut = Integer.parseInt(rest[1]);
            Path marker = Path.of(rest[2]);
            int rank = MPI.COMM_WORLD.Rank();
            int size = MPI.COMM_WORLD.Size();
            long[] state = Checkpoint.restoreOr(() -> new long[] {0, rank});
            long[] got = new long[1];
            while (state[0] < steps) {
                if (rank == 2 && state[0] == cut && !java.nio.file.Files.exists(marker)) {
                    java.nio.file.Files.createFile(marker);
                    var device = io.snapline.runtime.launch.RankRegistry.lookup(MPI.class.getClassLoader())
                            .endpoint().device();
                    ((io.snapline.runtime.device.tcp.TcpDevice) device).terminate();
                    new java.util.concurrent.CountDownLatch(1).await(); // alive, unreachable: snaprun ends it
                }
                MPI.COMM_WORLD.Sendrecv(new long[] {state[1]}, 0, 1, MPI.LONG, (rank + 1) % size, 3, got, 0, 1,
                        MPI.LONG, (rank + size - 1) % size, 3);
                state[1] = state[1] * 31 + got[0] + state[0];
                state[0]++;
                Checkpoint.point(state);
            }
            System.out.println("rank " + rank + " " + state[1]);
            MPI.Finalize();
        }
    }

    @Test
    void shouldRestartWhenRanksLoseTheirConnectionsToARankWhoseProcessStillLooksAlive() throws Exception {
        Job clean = new Job(4, List.of(), UnreachableRing.class, "40", "1000", tmp.resolve("unused").toString());
        assertEquals(0, clean.await(), clean.err());

        Job job = new Job(4, List.of("--checkpoint", "coordinated", "--every", "5", "--store",
                tmp.resolve("store").toString()), UnreachableRing.class, "40", "17", tmp.resolve("cut").toString());

        assertEquals(0, job.await(), job.err());
        assertEquals(clean.sortedLines(), job.sortedLines(), job.err());
        assertTrue(job.err().matches("(?s).*snaprun: rank 2 failed \\(rank [013] lost its connection to it "
                + "\\(its connection .*"), job.err());
        assertTrue(job.err().contains("snaprun:   restarts: 1"), job.err());
        assertEquals(List.of(), rankProcesses(), "no rank process is left");
    }

    @Test
    void shouldPrintTheProtocolsChangesOfStateFromTheLauncherAndFromEveryRankProcessWhenVerbose() throws Exception {
        // 100 steps of at least 10 ms: a second at the least, twenty intervals, however loaded the machine
        Job job = new Job(2, List.of("-v", "--checkpoint", "coordinated-nb", "--interval", "50ms", "--store",
                tmp.resolve("store").toString()), "100", "10");

        assertEquals(0, job.await(), job.err());
        assertTrue(job.err().contains("snaprun: [checkpoint.coordinated.nb] coordinator IDLE -> REQUESTED: the "
                + "interval passed\n"), job.err());
        for (int r = 0; r < 2; r++) {
            assertTrue(job.err().contains("snapline rank " + r + ": [checkpoint.coordinated.nb] rank " + r
                    + " RUNNING -> CHECKPOINT_REQUESTED on "), job.err());
            assertTrue(job.err().contains("snapline rank " + r + ": [checkpoint.coordinated.nb] rank " + r
                    + " WRITING -> PREPARED on PIECE_WRITTEN"), job.err());
        }
        assertTrue(job.err().contains("snaprun: [supervisor] attempt STARTING -> RUNNING: every rank joined\n"),
                job.err());
    }
}
