package io.snapline.runtime.launch.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import io.snapline.runtime.device.tcp.TcpDevice;
import io.snapline.runtime.launch.RankControl;
import io.snapline.runtime.launch.RankRegistry;
import mpi.MPI;
import mpi.MPIException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Failure detection with real MPI programs on {@code -dev tcp}: a rank process is killed (SIGKILL) or frozen
 * (SIGSTOP) while the others are blocked in a receive from it, inside collectives or in a barrier. The job must end
 * with a non-zero status within a bound, name the dead rank, leave no rank process behind, and survivors that catch
 * the failure must see an {@code MPIException} naming the dead rank.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class TcpFailureDetectionTest {
    /**
     * Upper bound from the kill to the end of the job: the default failure timeout (2 s) plus the grace period (2 s)
     * plus the terminate wait (1 s), with a margin for a loaded machine. Detection itself is much faster.
     */
    private static final long END_BOUND_MILLIS = 10_000;
    private static final Pattern READY = Pattern.compile("ready (\\d+) pid (\\d+)");

    private final List<ProcessHandle> seen = new ArrayList<>();
    private final List<String> uncaught = new CopyOnWriteArrayList<>();
    private Thread.UncaughtExceptionHandler savedHandler;

    /** Prints the marker the test finds the rank process by. */
    static void ready(int rank) {
        System.out.println("ready " + rank + " pid " + ProcessHandle.current().pid());
    }

    /** Rank 1 sleeps; every other rank blocks in a receive from rank 1. */
    public static class BlockedInRecv {
        public static void main(String[] args) throws InterruptedException {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            ready(me);
            if (me == 1) {
                Thread.sleep(60_000);
            } else {
                MPI.COMM_WORLD.Recv(new int[1], 0, 1, MPI.INT, 1, 0);
                System.out.println("rank " + me + " received from the dead rank");
            }
            MPI.Finalize();
        }
    }

    /** Every rank runs all-reduces in a loop (rank 1 included, until it is killed). */
    public static class AllreduceLoop {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int n = MPI.COMM_WORLD.Size();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int[] sum = new int[1];
            for (int i = 0; System.nanoTime() < end; i++) {
                MPI.COMM_WORLD.Allreduce(new int[] {i}, 0, sum, 0, 1, MPI.INT, MPI.SUM);
                if (sum[0] != i * n) {
                    throw new IllegalStateException("Allreduce " + i + " gave " + sum[0]);
                }
                if (i == 100) {
                    ready(me);
                }
            }
            MPI.Finalize();
        }
    }

    /** Rank 1 sleeps; every other rank waits in a barrier. */
    public static class InBarrier {
        public static void main(String[] args) throws InterruptedException {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            ready(me);
            if (me == 1) {
                Thread.sleep(60_000);
            }
            MPI.COMM_WORLD.Barrier();
            System.out.println("rank " + me + " passed the barrier");
            MPI.Finalize();
        }
    }

    /**
     * Rank 0 receives from rank 1, catches the failure, prints its message, waits for the launcher's notice of the
     * death, prints it and exits with 3; rank 1 sleeps.
     */
    public static class Catcher {
        public static void main(String[] args) throws InterruptedException {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            ready(me);
            if (me == 1) {
                Thread.sleep(60_000);
                return;
            }
            try {
                MPI.COMM_WORLD.Recv(new int[1], 0, 1, MPI.INT, 1, 0);
                System.out.println("rank 0 received from the dead rank");
            } catch (MPIException e) {
                System.out.println("rank 0 caught: " + e.getMessage());
                for (int i = 0; i < 300 && RankControl.current().deadRanks().isEmpty(); i++) {
                    Thread.sleep(10);
                }
                RankControl.current().deadRanks().forEach((r, why) -> System.out.println("rank 0 was told: rank " + r
                        + " died: " + why));
                System.out.flush();
                System.exit(3);
            }
        }
    }

    /**
     * Rank 1 never receives; rank 0 sends to it until flow control blocks it, catches the failure, prints its message
     * and exits with 3.
     */
    public static class BlockedSender {
        public static void main(String[] args) throws InterruptedException {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            ready(me);
            if (me == 1) {
                Thread.sleep(60_000);
                return;
            }
            byte[] b = new byte[16 * 1024];
            try {
                for (int i = 0; i < 1_000_000; i++) {
                    MPI.COMM_WORLD.Send(b, 0, b.length, MPI.BYTE, 1, 0);
                }
                System.out.println("rank 0 sent everything to the dead rank");
            } catch (MPIException e) {
                System.out.println("rank 0 caught: " + e.getMessage());
                System.out.flush();
                System.exit(3);
            }
        }
    }

    /** Rank 1 sleeps before MPI.Init; the others wait for it in MPI.Init. */
    public static class LateInit {
        public static void main(String[] args) throws InterruptedException {
            int me = Integer.parseInt(args[0]);
            ready(me);
            if (me == 1) {
                Thread.sleep(60_000);
            }
            MPI.Init(args);
            System.out.println("rank " + me + " passed MPI.Init");
            MPI.Finalize();
        }
    }

    /**
     * Rank 1 cuts its data connections without a goodbye (as a dying process would) but stays alive, so only the
     * device can notice; rank 0 receives from it, catches the failure, prints its message and exits with 3.
     */
    public static class Severed {
        public static void main(String[] args) throws InterruptedException {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            ready(me);
            if (me == 1) {
                Thread.sleep(300);
                ((TcpDevice) RankRegistry.lookup(ClassLoader.getSystemClassLoader()).endpoint().device()).terminate();
                System.out.println("rank 1 cut its connections");
                Thread.sleep(60_000);
                return;
            }
            try {
                MPI.COMM_WORLD.Recv(new int[1], 0, 1, MPI.INT, 1, 0);
                System.out.println("rank 0 received from the dead rank");
            } catch (MPIException e) {
                System.out.println("rank 0 caught: " + e.getMessage());
                System.out.flush();
                System.exit(3);
            }
        }
    }

    /** Records exceptions that escape the launcher's own threads (they would land on the user's terminal). */
    @BeforeEach
    void watchLauncherThreads() {
        savedHandler = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(t.getName() + ": " + e));
    }

    @AfterEach
    void killLeftovers() throws InterruptedException {
        Thread.sleep(200); // let the launcher's threads wind down
        Thread.setDefaultUncaughtExceptionHandler(savedHandler);
        for (ProcessHandle h : seen) {
            if (h.isAlive()) {
                h.destroyForcibly();
                fail("rank process " + h.pid() + " was left running");
            }
        }
        assertEquals(List.of(), uncaught, "no exception escaped a launcher thread");
    }

    /** Waits for every rank's ready marker and returns the rank processes by rank. */
    private Map<Integer, ProcessHandle> awaitReady(TcpRun.Running job, int np) throws InterruptedException {
        TcpRun.await(() -> READY.matcher(job.out()).results().count() == np || job.result.isDone(), 30_000,
                np + " ranks to be ready");
        Map<Integer, ProcessHandle> ranks = new TreeMap<>();
        Matcher m = READY.matcher(job.out());
        while (m.find()) {
            ProcessHandle h = ProcessHandle.of(Long.parseLong(m.group(2)))
                    .orElseThrow(() -> new AssertionError("rank process " + m.group(2) + " is gone:\n" + job.err()));
            assertTrue(TcpRun.isRank(h) && h.parent().map(p -> p.pid() == ProcessHandle.current().pid()).orElse(false),
                    "pid " + h.pid() + " is a rank process started by this launcher");
            ranks.put(Integer.parseInt(m.group(1)), h);
            seen.add(h);
        }
        assertEquals(np, ranks.size(), "ready ranks:\n" + job.out() + job.err());
        return ranks;
    }

    private static void assertNoRankLeft(Map<Integer, ProcessHandle> ranks) throws InterruptedException {
        TcpRun.await(() -> ranks.values().stream().noneMatch(ProcessHandle::isAlive), 1_000,
                "every rank process to be gone");
        assertEquals(List.of(), TcpRun.ranks(ProcessHandle.current()), "no rank process is left");
    }

    /** Kills rank 1 of a job running {@code program} and checks how the job ends; returns the result. */
    private TcpRun.Result killRankOne(int np, Class<?> program, long settleMillis) throws Exception {
        return killRankOne(np, List.of(), program, settleMillis);
    }

    private TcpRun.Result killRankOne(int np, List<String> flags, Class<?> program, long settleMillis)
            throws Exception {
        TcpRun.Running job = TcpRun.start(np, flags, program);
        Map<Integer, ProcessHandle> ranks = awaitReady(job, np);
        Thread.sleep(settleMillis); // let the survivors block in the operation
        long killedAt = System.nanoTime();
        assertTrue(ranks.get(1).destroyForcibly(), "SIGKILL sent");
        TcpRun.Result r = job.result.get(END_BOUND_MILLIS + 5_000, TimeUnit.MILLISECONDS);
        long millis = (System.nanoTime() - killedAt) / 1_000_000;
        System.out.println(program.getSimpleName() + ": the job ended " + millis + " ms after the kill");
        assertEquals(1, r.status(), r.err());
        assertTrue(millis < END_BOUND_MILLIS, "the job ended " + millis + " ms after the kill");
        assertEquals("snaprun: rank 1 died: its process was killed by signal 9 (SIGKILL); with --checkpoint none the "
                + "job ends", r.err().lines().findFirst().orElseThrow(), "the death, not a survivor's consequent failure, "
                + "is reported:\n" + r.err());
        assertFalse(r.out().contains("the dead rank") || r.out().contains("passed"),
                "no survivor completed an operation with the dead rank:\n" + r.out());
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("snaprun: job ended with exit status 1 after ")),
                r.err());
        assertNoRankLeft(ranks);
        return r;
    }

    @Test
    void shouldEndJobNamingDeadRankWhenItIsKilledWhileOthersReceiveFromIt() throws Exception {
        killRankOne(3, BlockedInRecv.class, 300);
    }

    @Test
    void shouldEndJobNamingDeadRankWhenItIsKilledInsideCollectives() throws Exception {
        killRankOne(3, AllreduceLoop.class, 100);
    }

    @Test
    void shouldEndJobNamingDeadRankWhenItIsKilledWhileOthersWaitInBarrier() throws Exception {
        killRankOne(3, InBarrier.class, 300);
    }

    private static String caught(TcpRun.Result r) {
        String caught = r.outLines().stream().filter(l -> l.startsWith("rank 0 caught: ")).findFirst()
                .orElseThrow(() -> new AssertionError("rank 0 caught nothing:\n" + r.out() + r.err()));
        System.out.println(caught);
        return caught;
    }

    @Test
    void shouldRaiseMpiExceptionNamingDeadRankWhenItIsKilledDuringReceive() throws Exception {
        TcpRun.Result r = killRankOne(2, Catcher.class, 300);
        // Usually the survivor's device sees the connection close first; the launcher's notice may win the race.
        assertTrue(caught(r).matches("rank 0 caught: Recv: rank 1 has failed \\((its connection closed without a "
                + "goodbye|rank 1 died: its process was killed by signal 9 \\(SIGKILL\\))\\); operations involving "
                + "rank 1 cannot complete"), r.out());
        assertTrue(r.out().contains("rank 0 was told: rank 1 died: its process was killed by signal 9 (SIGKILL)\n"),
                "the launcher's notice reached the survivor:\n" + r.out());
    }

    @Test
    void shouldEndJobNamingDeadRankWhenItIsKilledBeforeOthersFinishMpiInit() throws Exception {
        // A failure timeout shorter than the grace period: survivors stuck in MPI.Init must keep hearing the launcher
        // (they once stopped reading its messages, declared it gone and exited on their own) until it stops them.
        TcpRun.Result r = killRankOne(3, List.of("--failure-timeout", "500ms"), LateInit.class, 300);
        assertEquals(List.of("snaprun: rank 1 died: its process was killed by signal 9 (SIGKILL); with --checkpoint "
                + "none the job ends", "snaprun: rank(s) [0, 2] did not stop within 2 s of the abort and were terminated"),
                r.err().lines().limit(2).toList(), r.err());
    }

    @Test
    void shouldRaiseMpiExceptionNamingDeadRankWhenItIsKilledWhileSenderIsBlockedByFlowControl() throws Exception {
        TcpRun.Result r = killRankOne(2, BlockedSender.class, 500);
        assertTrue(caught(r).matches("rank 0 caught: Send: rank 1 has failed \\((its connection closed without a "
                + "goodbye|rank 1 died: its process was killed by signal 9 \\(SIGKILL\\)|its connection broke: .*)\\); "
                + "operations involving rank 1 cannot complete"), r.out());
    }

    @Test
    void shouldRaiseMpiExceptionNamingDeadRankWhenOnlyTheDeviceNoticesIt() throws Exception {
        TcpRun.Running job = TcpRun.start(2, List.of(), Severed.class);
        Map<Integer, ProcessHandle> ranks = awaitReady(job, 2);
        TcpRun.Result r = job.result.get(END_BOUND_MILLIS + 5_000, TimeUnit.MILLISECONDS);
        assertEquals("rank 0 caught: Recv: rank 1 has failed (its connection closed without a goodbye); "
                + "operations involving rank 1 cannot complete", caught(r));
        assertEquals(1, r.status(), r.err());
        List<String> err = r.err().lines().toList();
        assertEquals("snaprun: rank 0 died: its process exited with status 3 before its main returned (System.exit?); "
                + "with --checkpoint none the job ends", err.get(0), r.err());
        assertEquals("snaprun: rank(s) [1] did not stop within 2 s of the abort and were terminated", err.get(1), r.err());
        assertNoRankLeft(ranks);
    }

    @Test
    void shouldRaiseMpiExceptionNamingDeadRankWhenLauncherDeclaresItDeadFirst() throws Exception {
        TcpRun.Running job = TcpRun.start(2, List.of("--failure-timeout", "500ms"), Catcher.class);
        Map<Integer, ProcessHandle> ranks = awaitReady(job, 2);
        Thread.sleep(300);
        long frozenAt = System.nanoTime();
        Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(ranks.get(1).pid())).start();
        assertEquals(0, stop.waitFor());
        TcpRun.Result r = job.result.get(END_BOUND_MILLIS + 5_000, TimeUnit.MILLISECONDS);
        long millis = (System.nanoTime() - frozenAt) / 1_000_000;
        System.out.println("Catcher, frozen: the job ended " + millis + " ms after SIGSTOP");
        assertEquals(1, r.status(), r.err());
        assertTrue(millis >= 400 && millis < END_BOUND_MILLIS, "the job ended " + millis + " ms after SIGSTOP");
        assertTrue(r.err().lines().findFirst().orElseThrow().matches("snaprun: rank 1 died: no sign of life for \\d+ ms "
                + "\\(failure timeout 500 ms\\); with --checkpoint none the job ends"), r.err());
        String caught = r.outLines().stream().filter(l -> l.startsWith("rank 0 caught: ")).findFirst()
                .orElseThrow(() -> new AssertionError("rank 0 caught nothing:\n" + r.out() + r.err()));
        System.out.println(caught);
        assertTrue(r.out().matches("(?s).*rank 0 was told: rank 1 died: no sign of life for \\d+ ms \\(failure timeout 500 "
                + "ms\\)\n.*"), "the launcher's verdict reached the survivor:\n" + r.out());
        // The launcher kills the frozen rank as it tells the survivors, so the survivor's device may see the connection
        // close before the verdict is handled: either cause may be the one the exception carries.
        assertTrue(caught.matches("rank 0 caught: Recv: rank 1 has failed \\((rank 1 died: no sign of life for \\d+ ms "
                + "\\(failure timeout 500 ms\\)|its connection closed without a goodbye)\\); operations involving rank 1 "
                + "cannot complete"), caught);
        assertNoRankLeft(ranks);
    }
}
