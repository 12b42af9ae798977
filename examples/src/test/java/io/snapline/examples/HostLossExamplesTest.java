package io.snapline.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.launch.Launcher;
import io.snapline.runtime.testing.AgentJvms;
import io.snapline.runtime.testing.MpiRun;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The heat stencil and master/worker over 6 ranks on three agents, each in a JVM of its own with 3 slots (2 ranks on
 * each, one slot spare), under each policy: once the job has written checkpoints, the host of ranks 4 and 5 is lost
 * (its agent and their processes SIGKILLed while the other ranks are held stopped, so that the job cannot end first).
 * The job finishes with what a failure-free run prints. A new agent joins in the lost one's place for the next case.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class HostLossExamplesTest {
    private Path dir;
    private AgentJvms cluster;
    /** The agents alive, in the order they joined: ranks 0..1, 2..3 and 4..5 go to the first three. */
    private final List<AgentJvms.Agent> live = new ArrayList<>();
    private final Map<String, List<String>> clean = new HashMap<>();
    private int runs;

    @BeforeAll
    void startAgents() throws Exception {
        dir = Files.createTempDirectory("host-loss-examples");
        cluster = new AgentJvms(dir);
        for (int i = 0; i < 3; i++) {
            live.add(cluster.start(3));
        }
    }

    @AfterAll
    void stopAgents() throws Exception {
        cluster.close();
    }

    private static String[] run(List<String> flags, Class<?> main, List<String> args) {
        List<String> argv = new ArrayList<>(List.of("-np", "6", "-cp", MpiRun.classPathOf(main)));
        argv.addAll(flags);
        argv.add(main.getName());
        argv.addAll(args);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Launcher.run(argv.toArray(new String[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[] {Integer.toString(status), out.toString(StandardCharsets.UTF_8),
            err.toString(StandardCharsets.UTF_8)};
    }

    /** Whether a rank has written a piece or local checkpoint into {@code store}. */
    private static boolean written(Path store) {
        try (Stream<Path> files = Files.walk(store)) {
            return files.anyMatch(p -> Files.isRegularFile(p) && !p.getFileName().toString().equals("LOCK")
                    && !p.getFileName().toString().startsWith("."));
        } catch (IOException | UncheckedIOException e) {
            return false; // not there yet, or being written
        }
    }

    /** Each policy once, the two programs taking turns. */
    @ParameterizedTest(name = "{0} under {1} {2}")
    @CsvSource({
        "Heat2D,       coordinated,    none",
        "MasterWorker, coordinated-nb, none",
        "Heat2D,       independent,    pessimistic",
        "MasterWorker, independent,    causal",
    })
    void shouldPrintTheFailureFreeResultWhenAHostIsLost(String program, String policy, String logging)
            throws Exception {
        hostLost(program, policy, logging);
    }

    /** The other program under each policy (the long suite, {@code -Plong}). */
    @Tag("long")
    @ParameterizedTest(name = "{0} under {1} {2}")
    @CsvSource({
        "MasterWorker, coordinated,    none",
        "Heat2D,       coordinated-nb, none",
        "MasterWorker, independent,    pessimistic",
        "Heat2D,       independent,    causal",
    })
    void shouldPrintTheFailureFreeResultWhenAHostIsLostWithTheOtherProgram(String program, String policy,
            String logging) throws Exception {
        hostLost(program, policy, logging);
    }

    private void hostLost(String program, String policy, String logging) throws Exception {
        Class<?> main = program.equals("Heat2D") ? Heat2D.class : MasterWorker.class;
        List<String> args = program.equals("Heat2D") ? List.of("48", "400", "--verify") : List.of("300", "20000");
        List<String> expected = clean.computeIfAbsent(program, p -> {
            String[] r = run(List.of("-dev", "shm"), main, args);
            assertEquals("0", r[0], r[2]);
            return r[1].lines().sorted().toList();
        });
        cluster.await(a -> a.agents().size() == 3 && a.freeSlots() == 9, 60_000, "three agents with 9 free slots");

        Path store = dir.resolve("store-" + runs++);
        List<String> flags = new ArrayList<>(cluster.flags());
        flags.addAll(List.of("--ranks-per-host", "2", "--failure-timeout", "10s", "--checkpoint", policy, "--store",
                store.toString()));
        // The non-blocking policy takes checkpoints on a timer only.
        flags.addAll(policy.equals("coordinated-nb") ? List.of("--interval", "100ms") : List.of("--every", "10"));
        if (!logging.equals("none")) {
            flags.addAll(List.of("--logging", logging));
        }
        CompletableFuture<String[]> job = CompletableFuture.supplyAsync(() -> run(flags, main, args));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!written(store) && !job.isDone()) {
            assertTrue(System.nanoTime() < deadline, "nothing was checkpointed within 120 s");
            TimeUnit.MILLISECONDS.sleep(20);
        }
        assertFalse(job.isDone(), () -> "the job ended before a host could be lost: " + job.join()[2]);
        AgentJvms.Agent lost = live.remove(2);
        AgentJvms.signalRanks(live.get(0), "STOP");
        AgentJvms.signalRanks(live.get(1), "STOP");
        try {
            AgentJvms.kill(lost);
        } finally {
            AgentJvms.signalRanks(live.get(0), "CONT");
            AgentJvms.signalRanks(live.get(1), "CONT");
        }
        String[] r = job.get(240, TimeUnit.SECONDS);
        live.add(cluster.start(3)); // the host comes back: its agent joins the cluster again

        assertEquals("0", r[0], r[2]);
        assertEquals(expected, r[1].lines().sorted().toList(), r[2]);
        assertTrue(r[2].matches("(?s).*snaprun: host \\S+ \\(127\\.0\\.0\\.1:\\d+\\) lost: rank\\(s\\) 4 to \\S+ "
                + "\\(127\\.0\\.0\\.1:\\d+\\), 5 to \\S+ \\(127\\.0\\.0\\.1:\\d+\\) from now on\n.*"), r[2]);
    }
}
