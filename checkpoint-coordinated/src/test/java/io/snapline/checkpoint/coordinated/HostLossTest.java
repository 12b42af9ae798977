package io.snapline.checkpoint.coordinated;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A coordinated job of 6 ranks on three agents, each in a JVM of its own with 3 slots (2 ranks each, one slot spare),
 * loses a host: its agent and rank processes are SIGKILLed mid-run. The job restarts from its newest checkpoint with
 * the lost host's ranks on the spare slots of the others and prints what a failure-free run prints.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class HostLossTest {
    @TempDir
    Path tmp;

    /** Runs {@code snaprun} in this JVM; returns status, stdout and stderr. */
    static String[] run(List<String> flags, String... args) {
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

    /** Whether the file store in {@code store} holds a committed checkpoint. */
    static boolean committed(Path store) {
        try (Stream<Path> files = Files.walk(store)) {
            return files.anyMatch(p -> p.getFileName().toString().equals("MANIFEST"));
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            return false; // being written
        }
    }

    @Test
    void shouldFinishWithTheFailureFreeOutputWhenAHostIsLostMidRun() throws Exception {
        Path open = Files.createFile(tmp.resolve("open"));
        String[] clean = run(List.of("-dev", "shm"), "12", "6", open.toString());
        assertEquals("0", clean[0], clean[2]);

        try (AgentJvms cluster = new AgentJvms(tmp)) {
            cluster.start(3);
            cluster.start(3);
            AgentJvms.Agent lost = cluster.start(3);
            cluster.await(a -> a.agents().size() == 3 && a.freeSlots() == 9, 60_000, "three agents with 9 free slots");
            Path store = tmp.resolve("store");
            Path gate = tmp.resolve("gate");
            List<String> flags = new ArrayList<>(cluster.flags());
            flags.addAll(List.of("--ranks-per-host", "2", "--failure-timeout", "10s", "--checkpoint", "coordinated", "--every", "2", "--store",
                    store.toString()));
            CompletableFuture<String[]> job = CompletableFuture.supplyAsync(() -> run(flags, "12", "6",
                    gate.toString()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!committed(store) && !job.isDone()) {
                assertTrue(System.nanoTime() < deadline, "no checkpoint was committed within 120 s");
                TimeUnit.MILLISECONDS.sleep(20);
            }
            AgentJvms.kill(lost); // ranks 4 and 5 ran there; rank 0 waits at the gate, so the job cannot have ended
            Files.createFile(gate);
            String[] r = job.get(240, TimeUnit.SECONDS);

            assertEquals("0", r[0], r[2]);
            assertEquals(clean[1].lines().sorted().toList(), r[1].lines().sorted().toList(), r[2]);
            assertTrue(r[2].matches("(?s).*snaprun: rank [45] failed \\(host \\S+ \\(127\\.0\\.0\\.1:\\d+\\) lost: .*"),
                    r[2]);
            assertTrue(r[2].matches("(?s).*snaprun: host \\S+ \\(127\\.0\\.0\\.1:\\d+\\) lost: rank\\(s\\) 4 to \\S+ "
                    + "\\(127\\.0\\.0\\.1:\\d+\\), 5 to \\S+ \\(127\\.0\\.0\\.1:\\d+\\) from now on\n.*"), r[2]);
        }
    }

    @Test
    void shouldEndWithTheResumeCommandWhenTheLostRanksCannotBePlacedAndResumeOnANewAgent() throws Exception {
        Path open = Files.createFile(tmp.resolve("open"));
        String[] clean = run(List.of("-dev", "shm"), "12", "6", open.toString());

        try (AgentJvms cluster = new AgentJvms(tmp)) {
            cluster.start(3);
            AgentJvms.Agent lost = cluster.start(3);
            cluster.await(a -> a.agents().size() == 2 && a.freeSlots() == 6, 60_000, "two agents with 6 free slots");
            Path store = tmp.resolve("store");
            Path gate = tmp.resolve("gate");
            List<String> flags = new ArrayList<>(cluster.flags());
            flags.addAll(List.of("--failure-timeout", "10s", "--checkpoint", "coordinated", "--every", "2"));
            List<String> first = new ArrayList<>(flags);
            first.addAll(List.of("--store", store.toString()));
            CompletableFuture<String[]> job = CompletableFuture.supplyAsync(() -> run(first, "12", "6",
                    gate.toString()));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!committed(store) && !job.isDone()) {
                assertTrue(System.nanoTime() < deadline, "no checkpoint was committed within 120 s");
                TimeUnit.MILLISECONDS.sleep(20);
            }
            AgentJvms.kill(lost); // ranks 3..5 ran there, and the other agent has no room for them
            String[] r = job.get(240, TimeUnit.SECONDS);

            assertEquals("1", r[0], r[2]);
            assertTrue(r[2].matches("(?s).*snaprun: host \\S+ \\(127\\.0\\.0\\.1:\\d+\\) lost, and rank\\(s\\) 3, 4, 5 "
                    + "that ran there cannot be placed on the agents left: 3 rank\\(s\\) to restart need 3 free slots; "
                    + "the 1 agent\\(s\\) left have 0 \\(waited 10 s for slots to free\\); start agents or free "
                    + "slots, then resume the job\n.*"), r[2]);
            assertTrue(r[2].contains("to continue the job from its newest checkpoint in " + store + ", run:\n  "),
                    r[2]);
            assertTrue(r[2].contains(" --resume " + store + " "), r[2]);

            cluster.start(3); // a host back: its agent rejoins the cluster, and the job resumes there
            cluster.await(a -> a.agents().size() == 2 && a.freeSlots() == 6, 60_000, "the new agent to join");
            Files.createFile(gate);
            List<String> resume = new ArrayList<>(flags);
            resume.addAll(List.of("--resume", store.toString()));
            String[] resumed = run(resume, "12", "6", gate.toString());
            assertEquals("0", resumed[0], resumed[2]);
            assertEquals(clean[1].lines().sorted().toList(), resumed[1].lines().sorted().toList(), resumed[2]);
        }
    }

    @Test
    void shouldMoveTheRanksOfAnAgentTheClusterDeclaresLostWhileItsConnectionsStayOpen() throws Exception {
        Path open = Files.createFile(tmp.resolve("open"));
        String[] clean = run(List.of("-dev", "shm"), "12", "6", open.toString());

        try (AgentJvms cluster = new AgentJvms(tmp)) {
            cluster.start(3);
            cluster.start(3);
            AgentJvms.Agent hung = cluster.start(3);
            cluster.await(a -> a.agents().size() == 3 && a.freeSlots() == 9, 60_000, "three agents with 9 free slots");
            Path gate = tmp.resolve("gate");
            List<String> argv = new ArrayList<>(List.of("-np", "6", "-cp", MpiRun.classPathOf(GatedRing.class)));
            argv.addAll(cluster.flags());
            argv.addAll(List.of("--ranks-per-host", "2", "--failure-timeout", "10s", "--checkpoint", "coordinated",
                    "--every", "2", "--store", tmp.resolve("store").toString(), GatedRing.class.getName(), "12", "6",
                    gate.toString()));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            CompletableFuture<Integer> job = CompletableFuture.supplyAsync(() -> Launcher.run(argv.toArray(
                    new String[0]), new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true,
                    StandardCharsets.UTF_8)));
            Path reached = Path.of(gate + ".reached");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.exists(reached) && !job.isDone()) {
                assertTrue(System.nanoTime() < deadline, "rank 0 did not reach the gate within 120 s");
                TimeUnit.MILLISECONDS.sleep(20);
            }
            // The agent hangs (as in a very long pause): its connections stay open, its ranks run on, and only the
            // cluster's heartbeats can tell that it is gone.
            signal("STOP", hung.process().pid());
            try {
                deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                while (!err.toString(StandardCharsets.UTF_8).contains("lost: rank(s) 4 to ") && !job.isDone()) {
                    assertTrue(System.nanoTime() < deadline, "the hung agent was not declared lost within 120 s:\n"
                            + err.toString(StandardCharsets.UTF_8));
                    TimeUnit.MILLISECONDS.sleep(20);
                }
                Files.createFile(gate);
                int status = job.get(240, TimeUnit.SECONDS);
                String said = err.toString(StandardCharsets.UTF_8);

                assertEquals(0, status, said);
                assertEquals(clean[1].lines().sorted().toList(),
                        out.toString(StandardCharsets.UTF_8).lines().sorted().toList(), said);
                assertTrue(said.matches("(?s).*snaprun: rank [45] failed \\(host \\S+ \\(127\\.0\\.0\\.1:\\d+\\) lost: its "
                        + "agent left the cluster\\).*"), said);
            } finally {
                signal("CONT", hung.process().pid());
            }
        }
    }

    private static void signal(String name, long pid) throws Exception {
        assertEquals(0, new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start().waitFor());
    }

    @Test
    void shouldNeverGiveAWrongResultWhenTwoAgentsOfAStoreWithOneBackupAreLostOneAfterTheOther() throws Exception {
        Path open = Files.createFile(tmp.resolve("open"));
        String[] clean = run(List.of("-dev", "shm"), "12", "6", open.toString());

        try (AgentJvms cluster = new AgentJvms(tmp)) {
            cluster.start(3);
            AgentJvms.Agent second = cluster.start(3);
            AgentJvms.Agent third = cluster.start(3);
            cluster.await(a -> a.agents().size() == 3 && a.freeSlots() == 9, 60_000, "three agents with 9 free slots");
            String store = "hazelcast://two-" + java.util.UUID.randomUUID().toString().substring(0, 8);
            Path gate = tmp.resolve("gate");
            List<String> flags = new ArrayList<>(cluster.flags());
            flags.addAll(List.of("--failure-timeout", "10s", "--checkpoint", "coordinated", "--every", "2"));
            List<String> argv = new ArrayList<>(List.of("-np", "6", "-cp", MpiRun.classPathOf(GatedRing.class)));
            argv.addAll(flags);
            argv.addAll(List.of("--ranks-per-host", "2", "--store", store, GatedRing.class.getName(), "12", "6",
                    gate.toString()));
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            CompletableFuture<Integer> job = CompletableFuture.supplyAsync(() -> Launcher.run(argv.toArray(
                    new String[0]), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8)));
            Path reached = Path.of(gate + ".reached");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!Files.exists(reached) && !job.isDone()) {
                assertTrue(System.nanoTime() < deadline, "rank 0 did not reach the gate within 120 s");
                TimeUnit.MILLISECONDS.sleep(20);
            }
            AgentJvms.kill(third);
            while (!err.toString(StandardCharsets.UTF_8).contains("lost: rank(s) 4 to ") && !job.isDone()) {
                assertTrue(System.nanoTime() < deadline, "ranks 4 and 5 did not move:\n" + err);
                TimeUnit.MILLISECONDS.sleep(20);
            }
            AgentJvms.kill(second); // before the cluster has surely made new backups of what the third held
            int status = job.get(240, TimeUnit.SECONDS);
            String said = err.toString(StandardCharsets.UTF_8);

            assertEquals(1, status, said);
            // Either the restart after the second loss finds no room for its ranks, or (when the two agents held the
            // only copies of some of the store) it finds every checkpoint damaged first and says which piece is gone.
            assertTrue(said.contains("cannot be placed on the agents left") || said.matches("(?s).*snaprun: cannot "
                    + "restart: .*(is missing|is gone|were lost|may have been lost).*"), said);
            assertTrue(said.contains(" --resume " + store + " "), said);

            cluster.start(3);
            cluster.start(3);
            cluster.await(a -> a.agents().size() == 3 && a.freeSlots() == 9, 60_000, "two new agents");
            Files.createFile(gate);
            List<String> resume = new ArrayList<>(flags);
            resume.addAll(List.of("--resume", store));
            String[] resumed = run(resume, "12", "6", gate.toString());
            if (resumed[0].equals("0")) {
                assertEquals(clean[1].lines().sorted().toList(), resumed[1].lines().sorted().toList(), resumed[2]);
            } else {
                // What the two agents held alone is gone, and the resume says so instead of computing from a guess.
                assertTrue(resumed[2].matches("(?s).*(lost|gone|damaged|missing).*"), resumed[2]);
                assertEquals("", resumed[1], resumed[2]);
            }
        }
    }
}
