package io.snapline.runtime.launch.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.snapline.runtime.launch.ControlChannel;
import io.snapline.runtime.launch.ControlMessage;
import io.snapline.runtime.launch.Launcher;
import io.snapline.runtime.launch.RankControl;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures the launcher must survive on {@code -dev tcp}: a rank process killed or frozen, the launcher itself killed
 * or terminated, a stranger on the control port. Nothing may hang and no rank process may be left behind.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SupervisionTest {
    @TempDir
    Path dir;

    private final List<ProcessHandle> seen = new ArrayList<>();

    /**
     * Every rank says it is ready, then waits for the file named by its argument. Rank 0 listens for dead peers and,
     * when told of one, fails as a pending MPI operation would.
     */
    public static class Waiter {
        public static void main(String[] args) throws Exception {
            int rank = Integer.parseInt(args[0]);
            CountDownLatch peerDied = new CountDownLatch(1);
            if (rank == 0) {
                RankControl.current().addPeerDeathListener((r, why) -> {
                    System.out.println("rank 0 was told: rank " + r + " died: " + why);
                    peerDied.countDown();
                });
            }
            System.out.println("ready " + rank);
            Path go = Path.of(args[3]);
            for (int i = 0; i < 3000 && !Files.exists(go); i++) {
                if (peerDied.await(20, TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException("a peer died");
                }
            }
        }
    }

    @AfterEach
    void killLeftovers() {
        for (ProcessHandle h : seen) {
            if (h.isAlive()) {
                h.destroyForcibly();
                fail("rank process " + h.pid() + " was left running");
            }
        }
    }

    private List<ProcessHandle> awaitRanks(TcpRun.Running job, ProcessHandle launcher, int np)
            throws InterruptedException {
        TcpRun.await(() -> job == null || job.out().lines().filter(l -> l.startsWith("ready ")).count() == np,
                30_000, np + " ranks to be ready");
        TcpRun.await(() -> TcpRun.ranks(launcher).size() == np, 10_000, np + " rank processes");
        List<ProcessHandle> ranks = TcpRun.ranks(launcher);
        seen.addAll(ranks);
        return ranks;
    }

    private static ProcessHandle rank(List<ProcessHandle> ranks, int r) {
        return ranks.stream().filter(h -> TcpRun.rankOf(h) == r).findFirst().orElseThrow();
    }

    private static void assertAllGone(List<ProcessHandle> ranks, long millis) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (ProcessHandle h : ranks) {
            while (h.isAlive()) {
                if (System.nanoTime() > deadline) {
                    fail("rank process " + h.pid() + " still runs " + millis + " ms later");
                }
                Thread.sleep(10);
            }
        }
        assertEquals(List.of(), TcpRun.ranks(ProcessHandle.current()), "no rank process is left");
    }

    @Test
    void shouldEndJobNamingRankWhenRankProcessIsKilled() throws Exception {
        TcpRun.Running job = TcpRun.start(3, List.of(), Waiter.class, dir.resolve("never").toString());
        List<ProcessHandle> ranks = awaitRanks(job, ProcessHandle.current(), 3);
        long killedAt = System.nanoTime();
        assertTrue(rank(ranks, 1).destroyForcibly());
        TcpRun.Result r = job.result.get(15, TimeUnit.SECONDS);
        long millis = (System.nanoTime() - killedAt) / 1_000_000;
        assertEquals(1, r.status(), r.err());
        List<String> err = r.err().lines().toList();
        assertEquals("snaprun: rank 1 died: its process was killed by signal 9 (SIGKILL); with --checkpoint none "
                + "the job ends", err.get(0), r.err());
        assertTrue(r.out().contains("rank 0 was told: rank 1 died: its process was killed by signal 9 (SIGKILL)\n"),
                r.out());
        assertFalse(r.err().contains("a peer died"), "a survivor's consequent failure is not reported:\n" + r.err());
        assertEquals("snaprun: rank(s) [2] did not stop within 2 s of the abort and were terminated", err.get(1));
        assertTrue(millis < 2_000 + 3_000, "the job ended " + millis + " ms after the kill");
        assertAllGone(ranks, 200);
    }

    @Test
    void shouldDeclareRankDeadWhenItStopsAnsweringForTheFailureTimeout() throws Exception {
        TcpRun.Running job = TcpRun.start(2, List.of("--failure-timeout", "500ms"), Waiter.class,
                dir.resolve("never").toString());
        List<ProcessHandle> ranks = awaitRanks(job, ProcessHandle.current(), 2);
        long frozenAt = System.nanoTime();
        Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(rank(ranks, 1).pid())).start();
        assertEquals(0, stop.waitFor());
        TcpRun.Result r = job.result.get(15, TimeUnit.SECONDS);
        long millis = (System.nanoTime() - frozenAt) / 1_000_000;
        assertEquals(1, r.status(), r.err());
        String first = r.err().lines().findFirst().orElseThrow();
        assertTrue(first.matches("snaprun: rank 1 died: no sign of life for \\d+ ms \\(failure timeout 500 ms\\); "
                + "with --checkpoint none the job ends"), r.err());
        assertTrue(r.out().contains("rank 0 was told: rank 1 died: no sign of life"), r.out());
        assertTrue(millis >= 400 && millis < 5_000, "declared dead after " + millis + " ms");
        assertAllGone(ranks, 200);
    }

    @Test
    void shouldRefuseControlConnectionWithoutTheToken() throws Exception {
        Path go = dir.resolve("go");
        TcpRun.Running job = TcpRun.start(1, List.of(), Waiter.class, go.toString());
        List<ProcessHandle> ranks = awaitRanks(job, ProcessHandle.current(), 1);
        InetSocketAddress control = new InetSocketAddress(InetAddress.getLoopbackAddress(),
                TcpRun.controlPortOf(ranks.get(0)));
        try (ControlChannel stranger = ControlChannel.connect(control)) {
            stranger.send(new ControlMessage.Hello(new byte[32], 0, control));
            assertEquals(null, stranger.receive(ControlChannel.MAX_FRAME), "the launcher hung up");
        }
        try (SocketChannel garbage = SocketChannel.open(control)) {
            garbage.write(ByteBuffer.wrap(new byte[] {0x7f, 0, 0, 0, 1}));
            assertEquals(-1, garbage.read(ByteBuffer.allocate(16)), "the launcher hung up");
        } catch (SocketException reset) {
            // hung up with the fifth byte unread: a reset rather than an end of stream
        }
        TcpRun.await(() -> job.err().lines().count() >= 2, 5_000, "two refusals");
        List<String> err = job.err().lines().toList();
        assertTrue(err.get(0).matches("snaprun: refused a control connection from /127\\.0\\.0\\.1:\\d+: "
                + "it did not present the job's token"), job.err());
        assertTrue(err.get(1).matches("snaprun: refused a control connection from /127\\.0\\.0\\.1:\\d+: "
                + "no valid hello \\(control frame of 2130706432 bytes \\(limit 1024\\)\\)"), job.err());
        Files.createFile(go);
        TcpRun.Result r = job.result.get(15, TimeUnit.SECONDS);
        assertEquals(0, r.status(), "the job itself was not disturbed:\n" + r.err());
        assertEquals(List.of("ready 0"), r.outLines());
    }

    /** A launcher in a JVM of its own, so it can be killed. */
    private Process launcher(Path out) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Launcher.class.getName()));
        cmd.addAll(List.of(TcpRun.argv(2, List.of(), Waiter.class, dir.resolve("never").toString())));
        return new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(dir.resolve("err").toFile()).start();
    }

    private List<ProcessHandle> awaitReady(Process launcher, Path out) throws Exception {
        TcpRun.await(() -> lines(out).stream().filter(l -> l.startsWith("ready ")).count() == 2, 30_000,
                "both ranks to be ready");
        return awaitRanks(null, launcher.toHandle(), 2);
    }

    private static List<String> lines(Path p) {
        try {
            return Files.readAllLines(p);
        } catch (IOException e) {
            return List.of();
        }
    }

    @Test
    void shouldLeaveNoRankRunningWhenLauncherIsKilled() throws Exception {
        Path out = dir.resolve("out");
        Process launcher = launcher(out);
        try {
            List<ProcessHandle> ranks = awaitReady(launcher, out);
            launcher.destroyForcibly().waitFor();
            assertAllGone(ranks, 3_000);
        } finally {
            launcher.destroyForcibly();
        }
    }

    @Test
    void shouldStopRanksWhenLauncherIsTerminated() throws Exception {
        Path out = dir.resolve("out");
        Process launcher = launcher(out);
        try {
            List<ProcessHandle> ranks = awaitReady(launcher, out);
            launcher.destroy();
            assertTrue(launcher.waitFor(10, TimeUnit.SECONDS), "the launcher ended on SIGTERM");
            assertEquals(143, launcher.exitValue());
            assertAllGone(ranks, 200);
        } finally {
            launcher.destroyForcibly();
        }
    }
}
