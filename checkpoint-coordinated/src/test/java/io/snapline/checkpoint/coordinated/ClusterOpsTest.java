package io.snapline.checkpoint.coordinated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.cluster.ClusterAddress;
import io.snapline.runtime.cluster.ClusterAgent;
import io.snapline.runtime.cluster.ClusterClient;
import io.snapline.runtime.cluster.ClusterSecret;
import io.snapline.runtime.cluster.ClusterView;
import io.snapline.runtime.cluster.JobRecord;
import io.snapline.runtime.launch.Launcher;
import io.snapline.runtime.testing.GatedRing;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Operations on a cluster job: its launcher publishes it (ranks and hosts, its newest committed checkpoint) for
 * {@code snapline status}, and a holder of the cluster's secret cancels it; a request sealed with another secret is
 * ignored.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterOpsTest {
    private static final String SECRET_TEXT = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0";

    @TempDir
    Path tmp;
    private final List<ClusterAgent> agents = new ArrayList<>();

    @AfterEach
    void stopAgents() throws Exception {
        for (ClusterAgent a : agents) {
            a.close();
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting for " + what);
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    @Test
    void shouldListTheJobWithItsNewestCheckpointAndCancelItOnlyWithTheSecret() throws Exception {
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
        await(() -> ClusterView.agents(a.member(), secret).freeSlots() == 4, "both agents' slots");

        Path store = tmp.resolve("store");
        Path gate = tmp.resolve("gate"); // never opened: the job runs until it is cancelled
        List<String> argv = List.of("-np", "4", "--cluster", name + "@" + a.memberAddress(), "--secret-file",
                secretFile.toString(), "--checkpoint", "coordinated", "--every", "2", "--store", store.toString(),
                "-cp", MpiRun.classPathOf(GatedRing.class), GatedRing.class.getName(), "100", "6", gate.toString());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CompletableFuture<Integer> job = CompletableFuture.supplyAsync(() -> Launcher.run(argv.toArray(new String[0]),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8)));

        try (ClusterClient client = ClusterClient.connect(ClusterAddress.parse(name + "@" + a.memberAddress()),
                secret)) {
            await(() -> client.jobs().size() == 1 && client.jobs().get(0).committed() > 0 || job.isDone(),
                    "the job to be listed with a committed checkpoint");
            assertFalse(job.isDone(), err::toString);
            JobRecord listed = client.jobs().get(0);
            assertEquals(4, listed.ranks().size());
            assertTrue(listed.where().matches("0\\.\\.1 on \\S+ \\(127\\.0\\.0\\.1:\\d+\\), 2\\.\\.3 on \\S+ "
                    + "\\(127\\.0\\.0\\.1:\\d+\\)"), listed.where());
            assertEquals(store.toAbsolutePath().toString(), listed.store());
            assertTrue(listed.launcher().startsWith("pid " + ProcessHandle.current().pid() + " on host "),
                    listed.launcher());

            // Someone who knows the cluster's name as Hazelcast sees it, but not the secret, cannot cancel it.
            ClusterSecret other = ClusterSecret.of("another secret of 32 bytes or more, not the cluster's"
                    .getBytes(StandardCharsets.US_ASCII));
            a.member().<String, byte[]>getMap("snapline.cancels").set(listed.job(), other.sealer("snapline.cancels")
                    .seal("snapline.cancels/" + listed.job(), "by mallory".getBytes(StandardCharsets.UTF_8)));
            await(() -> err.toString(StandardCharsets.UTF_8).contains("a request to cancel job " + listed.job()
                    + " that does not open with the cluster's secret was ignored"), "the forged request to be refused");
            assertFalse(job.isDone(), err::toString);

            assertTrue(client.cancel(listed.job(), "by the test"));
            assertEquals(3, job.get(120, TimeUnit.SECONDS), err::toString);
            String said = err.toString(StandardCharsets.UTF_8);
            assertTrue(said.contains("snaprun: the job was cancelled by snapline cancel (by the test)\n"), said);
            assertTrue(said.contains("to continue the job from its newest checkpoint in " + store + ", run:"), said);
            await(() -> client.jobs().isEmpty(), "the job's record to go");
            assertFalse(client.cancel(listed.job(), "by the test"), "no such job any more");
        }
    }
}
