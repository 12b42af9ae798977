package io.snapline.checkpoint.coordinated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.cluster.ClusterAgent;
import io.snapline.runtime.cluster.ClusterSecret;
import io.snapline.runtime.cluster.ClusterView;
import io.snapline.runtime.launch.Launcher;
import io.snapline.runtime.testing.MpiRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A coordinated job submitted to a cluster of two agents on loopback recovers from a killed rank process. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterRestartTest {
    private static final String SECRET_TEXT = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

    @TempDir
    Path tmp;
    private final List<ClusterAgent> agents = new ArrayList<>();

    @AfterEach
    void stopAgents() throws Exception {
        for (ClusterAgent a : agents) {
            a.close();
        }
    }

    /** Runs {@code snaprun} in this JVM on {@link BlockingRestartTest.HaloRing}; returns status, stdout and stderr. */
    private static String[] run(List<String> flags, String... args) {
        List<String> argv = new ArrayList<>(List.of("-np", "4", "-dev", "tcp", "-cp",
                MpiRun.classPathOf(BlockingRestartTest.HaloRing.class)));
        argv.addAll(flags);
        argv.add(BlockingRestartTest.HaloRing.class.getName());
        argv.addAll(List.of(args));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Launcher.run(argv.toArray(new String[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new String[] {Integer.toString(status), out.toString(StandardCharsets.UTF_8),
            err.toString(StandardCharsets.UTF_8)};
    }

    /** Two agents of two slots each on loopback, with every slot published; the secret in {@code tmp/lab.secret}. */
    private String[] startAgents() throws Exception {
        String name = "test-" + UUID.randomUUID();
        ClusterSecret secret = ClusterSecret.of(SECRET_TEXT.getBytes(StandardCharsets.US_ASCII));
        Path secretFile = tmp.resolve("lab.secret");
        Files.writeString(secretFile, SECRET_TEXT);
        Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
        PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        ClusterAgent a = ClusterAgent.start(name, secret, "127.0.0.1", 5701, 0, List.of(), 2, tmp.resolve("a"), log);
        agents.add(a);
        agents.add(ClusterAgent.start(name, secret, "127.0.0.1", 5701, 0, List.of(a.memberAddress()), 2,
                tmp.resolve("b"), log));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (ClusterView.agents(a.member(), secret).freeSlots() < 4) { // both agents have published their slots
            assertTrue(System.nanoTime() < deadline, "the agents did not publish their slots within 30 s");
            TimeUnit.MILLISECONDS.sleep(20);
        }
        return new String[] {name + "@" + a.memberAddress(), secretFile.toString()};
    }

    @Test
    void shouldGiveTheFailureFreeResultWhenARankProcessOnAnAgentIsKilled() throws Exception {
        String[] cluster = startAgents();
        String[] clean = run(List.of(), "12");
        assertEquals("0", clean[0], clean[2]);
        String[] job = run(List.of("--cluster", cluster[0], "--secret-file", cluster[1],
                "--checkpoint", "coordinated", "--every", "3", "--store", tmp.resolve("s").toString(),
                "--inject-failure", "rank=2,point=5"), "12");

        assertEquals("0", job[0], job[2]);
        assertEquals(clean[1].lines().sorted().toList(), job[1].lines().sorted().toList());
        assertEquals(4, job[1].lines().count(), job[1]);
        assertTrue(job[2].contains("snaprun: rank 2 failed (killed: injected failure at safe point 5); restarting all 4 "
                + "ranks from checkpoint 1"), job[2]);
        assertEquals(List.of(4, 4), List.of(agents.get(0).server().launched(), agents.get(1).server().launched()),
                "two attempts of two ranks on each agent");
    }

    @Test
    void shouldKeepTheCheckpointsInTheClusterAndRestartFromThem() throws Exception {
        String[] cluster = startAgents();
        String[] clean = run(List.of(), "12");
        String store = "hazelcast://ck-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> flags = List.of("--cluster", cluster[0], "--secret-file", cluster[1], "--checkpoint",
                "coordinated", "--every", "3", "--store", store, "--inject-failure", "rank=2,point=5");
        String[] job = run(flags, "12");

        assertEquals("0", job[0], job[2]);
        assertEquals(clean[1].lines().sorted().toList(), job[1].lines().sorted().toList());
        assertTrue(job[2].contains("checkpoints in " + store + ";"), job[2]);
        assertTrue(job[2].contains("snaprun: rank 2 failed (killed: injected failure at safe point 5); restarting all 4 "
                + "ranks from checkpoint 1"), job[2]);

        String[] again = run(flags, "12");
        assertEquals("2", again[0], again[2]);
        assertTrue(again[2].contains("--store " + store + " already holds checkpoints "), again[2]);
    }
}
