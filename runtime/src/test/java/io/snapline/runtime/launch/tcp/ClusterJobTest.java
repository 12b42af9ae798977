package io.snapline.runtime.launch.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.cluster.ClusterAgent;
import io.snapline.runtime.cluster.ClusterSecret;
import io.snapline.runtime.cluster.ClusterView;
import io.snapline.runtime.launch.Launcher;
import io.snapline.runtime.testing.MpiRun;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import mpi.MPI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Jobs submitted to a cluster ({@code snaprun --cluster}) of two agents on loopback, each with two slots: where the
 * ranks run, and that output and exit status are those of the same job run on this host.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterJobTest {
    private static final String SECRET_TEXT = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private static final int SLOTS = 2;

    /** Each rank swaps 100 000 longs with the rank half the job away (on the other agent), checks them, and sums. */
    public static class Exchange {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int n = MPI.COMM_WORLD.Size();
            int partner = (me + n / 2) % n;
            long[] out = new long[100_000];
            long[] in = new long[out.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = me * 1_000_003L + i;
            }
            MPI.COMM_WORLD.Sendrecv(out, 0, out.length, MPI.LONG, partner, 1, in, 0, in.length, MPI.LONG, partner, 1);
            for (int i = 0; i < in.length; i++) {
                if (in[i] != partner * 1_000_003L + i) {
                    throw new IllegalStateException("value " + i + " from rank " + partner + " is " + in[i]);
                }
            }
            long[] total = new long[1];
            MPI.COMM_WORLD.Allreduce(new long[] {in[in.length - 1]}, 0, total, 0, 1, MPI.LONG, MPI.SUM);
            System.out.println("rank " + me + " got " + in.length + " values from rank " + partner + ", total "
                    + total[0]);
            MPI.Finalize();
        }
    }

    /** Says it is ready, then sleeps for a minute. */
    public static class Sleeper {
        public static void main(String[] args) throws InterruptedException {
            System.out.println("ready " + args[0]);
            Thread.sleep(60_000);
        }
    }

    private final String name = "test-" + UUID.randomUUID();
    private final ClusterSecret secret = ClusterSecret.of(SECRET_TEXT.getBytes(StandardCharsets.US_ASCII));
    private final List<ClusterAgent> agents = new ArrayList<>();
    private Path dir;
    private Path secretFile;

    @BeforeAll
    void startAgents() throws IOException {
        dir = Files.createTempDirectory("cluster-job-test");
        secretFile = privateFile("lab.secret", SECRET_TEXT);
        PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        ClusterAgent a = ClusterAgent.start(name, secret, "127.0.0.1", 5701, 0, List.of(), SLOTS, dir.resolve("a"),
                log);
        agents.add(a);
        agents.add(ClusterAgent.start(name, secret, "127.0.0.1", 5701, 0, List.of(a.memberAddress()), SLOTS,
                dir.resolve("b"), log));
    }

    @AfterAll
    void stopAgents() throws IOException {
        for (ClusterAgent a : agents) {
            a.close();
        }
    }

    /** Every slot is free, and published so, before a job is submitted. */
    @BeforeEach
    void awaitIdleCluster() throws InterruptedException {
        TcpRun.await(() -> {
            ClusterView.Agents seen = ClusterView.agents(agents.get(0).member(), secret);
            return seen.agents().size() == 2 && seen.freeSlots() == 2 * SLOTS;
        }, 30_000, "both agents with every slot free");
    }

    private Path privateFile(String file, String text) throws IOException {
        Path p = dir.resolve(file);
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        return p;
    }

    private List<String> cluster(String... more) {
        List<String> flags = new ArrayList<>(List.of("--cluster", name + "@" + agents.get(0).memberAddress(),
                "--secret-file", secretFile.toString()));
        flags.addAll(List.of(more));
        return flags;
    }

    private int[] launched() {
        return agents.stream().mapToInt(a -> a.server().launched()).toArray();
    }

    @Test
    void shouldSpreadRanksOverBothAgentsWithTheOutputAndStatusOfALocalRun() {
        TcpRun.Result local = TcpRun.run(4, List.of(), Exchange.class);
        int[] before = launched();
        TcpRun.Result remote = TcpRun.run(4, cluster(), Exchange.class);
        int[] after = launched();

        assertEquals(0, local.status(), local.err());
        assertEquals(0, remote.status(), remote.err());
        assertEquals(sorted(local.outLines()), sorted(remote.outLines()));
        assertEquals(4, remote.outLines().size(), remote.out());
        assertEquals(List.of(2, 2), List.of(after[0] - before[0], after[1] - before[1]), "two ranks on each agent");
        assertTrue(remote.err().startsWith("snaprun: cluster " + name + "@" + agents.get(0).memberAddress()
                + ": ranks 0..1 on "), remote.err());
        assertTrue(remote.err().contains(", 2..3 on "), remote.err());
    }

    @Test
    void shouldTagWholeLinesAsALocalRunDoes() {
        TcpRun.Result local = TcpRun.run(4, List.of("--tag-output"), TcpJobTest.Printer.class, "x");
        TcpRun.Result remote = TcpRun.run(4, cluster("--tag-output"), TcpJobTest.Printer.class, "x");
        assertEquals(0, remote.status(), remote.err());
        for (int rank = 0; rank < 4; rank++) {
            String tag = "[" + rank + "] ";
            assertEquals(local.outLines().stream().filter(l -> l.startsWith(tag)).toList(),
                    remote.outLines().stream().filter(l -> l.startsWith(tag)).toList(), "rank " + rank + "'s lines");
        }
        assertEquals(local.outLines().size(), remote.outLines().size());
    }

    @Test
    void shouldPlaceTheGivenNumberOfRanksOnEachAgent() {
        int[] before = launched();
        TcpRun.Result r = TcpRun.run(2, cluster("--ranks-per-host", "1"), Exchange.class);
        int[] after = launched();
        assertEquals(0, r.status(), r.err());
        assertEquals(List.of(1, 1), List.of(after[0] - before[0], after[1] - before[1]));
    }

    @Test
    void shouldEndWithTheExitStatusOfALocalRunWhenARankFails() {
        TcpRun.Result thrown = TcpRun.run(4, cluster(), TcpJobTest.Thrower.class);
        assertEquals(TcpRun.run(4, List.of(), TcpJobTest.Thrower.class).status(), thrown.status(), thrown.err());
        assertEquals(1, thrown.status());
        assertTrue(thrown.err().contains("snaprun: rank 1 failed with an uncaught exception:\n"
                + "java.lang.IllegalStateException: rank 1 gives up\n"), thrown.err());

        TcpRun.Result aborted = TcpRun.run(4, cluster(), TcpJobTest.Aborter.class, "7");
        assertEquals(7, aborted.status(), aborted.err());
        assertTrue(aborted.err().contains("snaprun: rank 1 called Abort(7)"), aborted.err());
    }

    @Test
    void shouldRefuseAJobWhoseSecretIsNotTheCluster() throws IOException {
        Path other = privateFile("other.secret", "another secret of 32 bytes or more, not the cluster's");
        List<String> flags = cluster();
        flags.set(flags.indexOf(secretFile.toString()), other.toString());
        int[] before = launched();
        TcpRun.Result r = TcpRun.run(2, flags, Exchange.class);
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().startsWith("snaprun: cannot reach cluster " + name + " at "
                + agents.get(0).memberAddress() + " (is an agent running there, with the same --cluster and "
                + "--secret-file?)"), r.err());
        assertEquals(before[0] + before[1], launched()[0] + launched()[1], "nothing started");
    }

    @Test
    void shouldSayWhatIsMissingWhenTheSecretFileIsMissingOrTheClusterTooSmall() {
        List<String> flags = cluster();
        Path missing = dir.resolve("missing.secret");
        flags.set(flags.indexOf(secretFile.toString()), missing.toString());
        TcpRun.Result noSecret = TcpRun.run(2, flags, Exchange.class);
        assertEquals(2, noSecret.status(), noSecret.err());
        assertEquals("snaprun: --secret-file " + missing + ": no such file (create one with: bin/snapline secret "
                + missing + ")\n", noSecret.err());

        TcpRun.Result tooMany = TcpRun.run(5, cluster(), Exchange.class);
        assertEquals(2, tooMany.status(), tooMany.err());
        assertEquals("snaprun: 5 ranks need 5 free slots; the cluster's 2 agent(s) have 4: start more agents or give "
                + "them more --slots\n", tooMany.err());
    }

    @Test
    void shouldStopTheRanksOnTheAgentsWhenTheLauncherIsTerminated() throws Exception {
        stopRanksOnAgents(false);
    }

    @Test
    void shouldStopTheRanksOnTheAgentsWhenTheLauncherIsKilled() throws Exception {
        stopRanksOnAgents(true);
    }

    /** Runs {@code snaprun --cluster} as a process, waits until its four ranks run, then ends it (Ctrl-C or kill). */
    private void stopRanksOnAgents(boolean kill) throws Exception {
        Path tmp = Files.createTempDirectory(dir, "launcher-tmp");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"), Launcher.class.getName(),
                "-np", "4"));
        cmd.addAll(cluster());
        cmd.addAll(List.of("-cp", MpiRun.classPathOf(Sleeper.class), Sleeper.class.getName()));
        Process launcher = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            StringBuilder seen = new StringBuilder();
            Thread reader = new Thread(() -> {
                try {
                    launcher.inputReader().lines().forEach(line -> {
                        synchronized (seen) {
                            seen.append(line).append('\n');
                        }
                    });
                } catch (java.io.UncheckedIOException e) {
                    // the launcher is gone
                }
            });
            reader.setDaemon(true);
            reader.start();
            try {
                TcpRun.await(() -> {
                    synchronized (seen) {
                        return seen.toString().split("ready ", -1).length == 5;
                    }
                }, 60_000, "four ranks to say they are ready");
            } catch (AssertionError e) {
                synchronized (seen) {
                    throw new AssertionError(e.getMessage() + "; the launcher said:\n" + seen, e);
                }
            }
            assertEquals(0, agents.get(0).server().freeSlots() + agents.get(1).server().freeSlots());
            if (kill) {
                launcher.destroyForcibly();
            } else {
                launcher.destroy(); // SIGTERM runs the shutdown hooks, as Ctrl-C does
            }
            TcpRun.await(() -> agents.get(0).server().freeSlots() == SLOTS
                    && agents.get(1).server().freeSlots() == SLOTS, 20_000, "the agents' slots to be free again");
            TcpRun.await(() -> TcpRun.ranks(ProcessHandle.current()).isEmpty(), 10_000, "the rank processes to go");
            assertTrue(launcher.waitFor(10, TimeUnit.SECONDS));
            if (!kill) { // the jars it made of class directories to ship are gone with it
                try (var left = Files.list(tmp)) {
                    assertEquals(List.of(), left.filter(f -> f.getFileName().toString().startsWith("snaprun-classpath-"))
                            .toList());
                }
            }
        } finally {
            launcher.destroyForcibly();
        }
    }

    private static List<String> sorted(List<String> lines) {
        return lines.stream().sorted().toList();
    }
}
