package io.snapline.checkpoint.coordinated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.checkpoint.store.CheckpointFormatDescriptor;
import io.snapline.runtime.checkpoint.store.CheckpointId;
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
 * A coordinated job of 4 ranks on agents in separate JVMs (2 slots each) with {@code --store local+hazelcast://}:
 * each rank's pieces are written on its host first and in the cluster behind. A checkpoint commits once every rank's
 * piece is in the cluster; a restart reads each piece from its host's copy when it is there and intact, from the
 * replica otherwise, says which, and prints what a failure-free run prints.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class HostCopiesTest {
    private static final String STEPS = "12";
    /** Rank 0 waits at step 6, after checkpoints 1..3 (at safe points 2, 4 and 6). */
    private static final String GATE = "6";

    @TempDir
    Path tmp;

    /** A job of {@code snaprun} running in this JVM, its stderr readable while it runs. */
    private record Job(CompletableFuture<Integer> status, ByteArrayOutputStream out, ByteArrayOutputStream err) {
        static Job start(List<String> flags, Path gate) {
            List<String> argv = new ArrayList<>(List.of("-np", "4", "-cp", MpiRun.classPathOf(GatedRing.class)));
            argv.addAll(flags);
            argv.addAll(List.of(GatedRing.class.getName(), STEPS, GATE, gate.toString()));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            return new Job(CompletableFuture.supplyAsync(() -> Launcher.run(argv.toArray(new String[0]),
                    new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
                            StandardCharsets.UTF_8))), out, err);
        }

        String said() {
            return err.toString(StandardCharsets.UTF_8);
        }

        List<String> lines() {
            return out.toString(StandardCharsets.UTF_8).lines().sorted().toList();
        }

        /** Waits until the job has said {@code text} (or ended). */
        void awaitSaid(String text) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!said().contains(text) && !status.isDone()) {
                assertTrue(System.nanoTime() < deadline, "the job did not say '" + text + "' within 120 s:\n" + said());
                TimeUnit.MILLISECONDS.sleep(20);
            }
            assertTrue(said().contains(text), "the job ended without saying '" + text + "':\n" + said());
        }
    }

    private List<String> cleanRun() throws Exception {
        Path open = Files.createFile(tmp.resolve("open"));
        Job clean = Job.start(List.of("-dev", "shm"), open);
        assertEquals(0, clean.status().get(120, TimeUnit.SECONDS), clean.said());
        assertEquals(4, clean.lines().size(), clean.said());
        return clean.lines();
    }

    private static List<String> flags(AgentJvms cluster, String... more) {
        List<String> flags = new ArrayList<>(cluster.flags());
        flags.addAll(List.of("--ranks-per-host", "2", "--failure-timeout", "10s", "--checkpoint", "coordinated",
                "--every", "2"));
        flags.addAll(List.of(more));
        return flags;
    }

    @Test
    void shouldRestartFromTheHostCopiesAfterAFailureAndPrintTheFailureFreeResult() throws Exception {
        List<String> clean = cleanRun();
        try (AgentJvms cluster = new AgentJvms(tmp)) {
            cluster.start(2);
            cluster.start(2);
            cluster.await(a -> a.agents().size() == 2 && a.freeSlots() == 4, 60_000, "two agents with 4 free slots");
            String name = "hc-" + UUID.randomUUID().toString().substring(0, 8);
            Path gate = tmp.resolve("gate");
            Job job = Job.start(flags(cluster, "--store", "local+hazelcast://" + name, "--inject-failure",
                    "rank=3,point=9"), gate);
            // Checkpoint 3 commits only once every rank's piece of it is in the cluster, while rank 0 waits at the
            // gate; the failure strikes past the gate, so the restart has a committed checkpoint to restore.
            job.awaitSaid("checkpoint 3 committed");
            Files.createFile(gate);
            int status = job.status().get(240, TimeUnit.SECONDS);

            assertEquals(0, status, job.said());
            assertEquals(clean, job.lines(), job.said());
            assertTrue(job.said().contains("snaprun: rank 3 failed (killed: injected failure at safe point 9); "
                    + "restarting all 4 ranks from checkpoint "), job.said());
            for (int rank = 0; rank < 4; rank++) {
                assertTrue(job.said().matches("(?s).*snaprun: rank " + rank + " restored its piece of checkpoint [34] "
                        + "from its host's copy\n.*"), job.said());
            }
            assertTrue(job.said().contains("snaprun:   pieces restored: 4 from their hosts' copies, 0 from the replica\n"),
                    job.said());
            // the host copies lie under each agent's directory
            assertTrue(Files.isDirectory(tmp.resolve("cache-0").resolve("stores").resolve(name)));
            assertTrue(Files.isDirectory(tmp.resolve("cache-1").resolve("stores").resolve(name)));
        }
    }

    @Test
    void shouldReadTheReplicaForTheRanksMovedOffALostHost() throws Exception {
        List<String> clean = cleanRun();
        try (AgentJvms cluster = new AgentJvms(tmp)) {
            cluster.start(2);
            AgentJvms.Agent lost = cluster.start(2);
            cluster.start(2);
            cluster.await(a -> a.agents().size() == 3 && a.freeSlots() == 6, 60_000, "three agents with 6 free slots");
            String name = "hc-" + UUID.randomUUID().toString().substring(0, 8);
            Path gate = tmp.resolve("gate");
            Job job = Job.start(flags(cluster, "--store", "local+hazelcast://" + name), gate);
            job.awaitSaid("checkpoint 3 committed");
            // Ranks 0 and 1 run on the first agent, 2 and 3 on the second (placement follows the agents' order, as
            // the lines asserted below show). Rank 0 waits at the gate and ranks 2 and 3 are gone, so no checkpoint
            // after 3 can be taken: the restart is from checkpoint 3.
            AgentJvms.kill(lost);
            Files.createFile(gate);
            int status = job.status().get(240, TimeUnit.SECONDS);
            String said = job.said();

            assertEquals(0, status, said);
            assertEquals(clean, job.lines(), said);
            assertTrue(said.matches("(?s).*snaprun: host \\S+ \\(127\\.0\\.0\\.1:\\d+\\) lost: rank\\(s\\) 2 to \\S+ "
                    + "\\(127\\.0\\.0\\.1:\\d+\\), 3 to .*"), said);
            for (int rank = 0; rank < 2; rank++) {
                assertTrue(said.contains("snaprun: rank " + rank + " restored its piece of checkpoint 3 from its "
                        + "host's copy\n"), said);
            }
            for (int rank = 2; rank < 4; rank++) {
                assertTrue(said.contains("snaprun: rank " + rank + " restored its piece of checkpoint 3 from the "
                        + "replica (its host's copy: "), said);
            }
            assertTrue(said.contains("snaprun:   pieces restored: 2 from their hosts' copies, 2 from the replica\n"),
                    said);
        }
    }

    @Test
    void shouldReadTheReplicaForPiecesWhoseHostCopyIsMissingOrDamagedOnResume() throws Exception {
        List<String> clean = cleanRun();
        try (AgentJvms cluster = new AgentJvms(tmp)) {
            cluster.start(2);
            AgentJvms.Agent lost = cluster.start(2);
            cluster.await(a -> a.agents().size() == 2 && a.freeSlots() == 4, 60_000, "two agents with 4 free slots");
            String name = "hc-" + UUID.randomUUID().toString().substring(0, 8);
            Path hosts = tmp.resolve("hosts");
            String store = "local+hazelcast://" + name + "?local=" + hosts;
            Path gate = tmp.resolve("gate");
            Job job = Job.start(flags(cluster, "--store", store), gate);
            job.awaitSaid("checkpoint 3 committed");
            AgentJvms.kill(lost); // ranks 2 and 3 ran there, and the other agent has no room for them
            assertEquals(1, job.status().get(240, TimeUnit.SECONDS), job.said());
            assertTrue(job.said().contains(" --resume '" + store + "' "), job.said());

            Path newest = hosts.resolve(name).resolve(CheckpointFormatDescriptor.checkpointDirName(CheckpointId.of(3)));
            Files.delete(newest.resolve(CheckpointFormatDescriptor.pieceFileName(1)));
            Path damaged = newest.resolve(CheckpointFormatDescriptor.pieceFileName(2));
            byte[] bytes = Files.readAllBytes(damaged);
            bytes[bytes.length - 1] ^= 0x5a;
            Files.write(damaged, bytes);

            cluster.start(2); // another host in the lost one's place
            cluster.await(a -> a.agents().size() == 2 && a.freeSlots() == 4, 60_000, "the new agent to join");
            Files.createFile(gate);
            Job resumed = Job.start(flags(cluster, "--resume", store), gate);
            int status = resumed.status().get(240, TimeUnit.SECONDS);

            assertEquals(0, status, resumed.said());
            assertEquals(clean, resumed.lines(), resumed.said());
            String said = resumed.said();
            assertTrue(said.contains("snaprun: rank 0 restored its piece of checkpoint 3 from its host's copy\n"), said);
            assertTrue(said.contains("snaprun: rank 3 restored its piece of checkpoint 3 from its host's copy\n"), said);
            assertTrue(said.matches("(?s).*snaprun: rank 1 restored its piece of checkpoint 3 from the replica \\(its "
                    + "host's copy: [^\n]*" + CheckpointFormatDescriptor.pieceFileName(1) + "[^\n]*\\)\n.*"), said);
            assertTrue(said.contains("snaprun:   pieces restored: 2 from their hosts' copies, 2 from the replica\n"),
                    said);
            assertTrue(said.matches("(?s).*snaprun: rank 2 restored its piece of checkpoint 3 from the replica \\(its "
                    + "host's copy: [^\n]*" + CheckpointFormatDescriptor.pieceFileName(2) + "[^\n]*\\)\n.*"), said);
        }
    }
}
