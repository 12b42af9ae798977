package io.snapline.checkpoint.independent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.launch.Launcher;
import io.snapline.runtime.testing.AgentJvms;
import io.snapline.runtime.testing.GatedRing;
import io.snapline.runtime.testing.MpiRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job with pessimistic message logging of 6 ranks on three agents, each in a JVM of its own with 3 slots (2 ranks
 * each, one slot spare), its checkpoints and event streams in the cluster ({@code --store hazelcast://...}), loses a
 * host mid-run: its agent (a member holding part of the store) and rank processes are SIGKILLed. Only the two ranks
 * of that host restart, on the spare slots of the others, from what the cluster's backup copies kept, while the others
 * run on; the output is that of a failure-free run.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class HostLossTest {
    @TempDir
    Path tmp;

    private static String[] run(List<String> flags, String... args) {
        List<String> argv = new ArrayList<>(List.of("-np", "6", "-cp", MpiRun.classPathOf(GatedRing.class)));
        argv.addAll(flags);
        argv.add(GatedRing.class.getName());
        argv.addAll(List.of(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Launcher.run(argv.toArray(new String[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[] {Integer.toString(status), out.toString(StandardCharsets.UTF_8),
            err.toString(StandardCharsets.UTF_8)};
    }

    @Test
    void shouldRestartOnlyTheLostHostsRanksFromTheReplicatedStore() throws Exception {
        Path open = Files.createFile(tmp.resolve("open"));
        String[] clean = run(List.of("-dev", "shm"), "12", "6", open.toString());
        assertEquals("0", clean[0], clean[2]);

        try (AgentJvms cluster = new AgentJvms(tmp)) {
            cluster.start(3);
            cluster.start(3);
            AgentJvms.Agent lost = cluster.start(3);
            cluster.await(a -> a.agents().size() == 3 && a.freeSlots() == 9, 60_000, "three agents with 9 free slots");
            Path gate = tmp.resolve("gate");
            List<String> flags = new ArrayList<>(cluster.flags());
            flags.addAll(List.of("--ranks-per-host", "2", "--failure-timeout", "10s", "--checkpoint", "independent",
                    "--logging", "pessimistic", "--every", "2", "--store", "hazelcast://hl-" + UUID.randomUUID()
                            .toString().substring(0, 8)));
            CompletableFuture<String[]> job = CompletableFuture.supplyAsync(() -> run(flags, "12", "6",
                    gate.toString()));
            Path reached = Path.of(gate + ".reached");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.exists(reached) && !job.isDone()) {
                assertTrue(System.nanoTime() < deadline, "rank 0 did not reach the gate within 120 s");
                TimeUnit.MILLISECONDS.sleep(20);
            }
            assertFalse(job.isDone(), () -> job.join()[2]);
            AgentJvms.kill(lost); // ranks 4 and 5 ran there; rank 0 waits at the gate, so the job cannot have ended
            Files.createFile(gate);
            String[] r = job.get(240, TimeUnit.SECONDS);

            assertEquals("0", r[0], r[2]);
            assertEquals(clean[1].lines().sorted().toList(), r[1].lines().sorted().toList(), r[2]);
            assertTrue(r[2].matches("(?s).*snaprun: host \\S+ \\(127\\.0\\.0\\.1:\\d+\\) lost: rank\\(s\\) 4 to \\S+ "
                    + "\\(127\\.0\\.0\\.1:\\d+\\), 5 to \\S+ \\(127\\.0\\.0\\.1:\\d+\\) from now on\n.*"), r[2]);
            assertTrue(r[2].contains("restarting rank 4 alone"), r[2]);
            assertTrue(r[2].contains("restarting rank 5 alone"), r[2]);
            assertFalse(r[2].contains("restarting all"), r[2]);
        }
    }
}
