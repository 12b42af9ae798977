package io.snapline.runtime.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Agents as cluster members: what a client sees of them, agents leaving, and processes without the secret. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterAgentTest {
    private static final ClusterSecret SECRET = ClusterSecret.of("0123456789abcdef0123456789abcdef".getBytes(
            StandardCharsets.US_ASCII));

    @TempDir
    Path dir;
    private final String name = "test-" + UUID.randomUUID();
    private final List<AutoCloseable> open = new ArrayList<>();
    private final PrintStream log = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);

    @AfterEach
    void stopAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
    }

    private ClusterAgent agent(ClusterSecret secret, int slots, List<String> members) throws Exception {
        ClusterAgent a = ClusterAgent.start(name, secret, "127.0.0.1", 5701, 0, members, slots,
                dir.resolve("cache-" + open.size()), log);
        open.add(a);
        return a;
    }

    @Test
    void shouldShowAClientEveryAgentWithItsSlotsUntilItLeaves() throws Exception {
        ClusterAgent a = agent(SECRET, 2, List.of());
        ClusterAgent b = agent(SECRET, 3, List.of(a.memberAddress()));
        HazelcastInstance client = HazelcastClient.newHazelcastClient(ClusterConfigs.client(
                SECRET.clusterName(name), a.memberAddress()));
        open.add(client::shutdown);

        await(() -> ClusterView.agents(client, SECRET).agents().size() == 2);
        ClusterView.Agents seen = ClusterView.agents(client, SECRET);
        assertEquals(List.of(2, 3), seen.agents().stream().map(x -> x.record().slots()).toList());
        assertEquals(b.serverAddress(), seen.agents().get(1).record().address());
        assertEquals(5, seen.freeSlots());

        b.member().getLifecycleService().terminate(); // the host is lost: no goodbye, its entry stays in the map
        b.server().close();
        await(() -> ClusterView.agents(client, SECRET).agents().size() == 1);
        assertEquals(a.serverAddress(), ClusterView.agents(client, SECRET).agents().get(0).record().address());
    }

    @Test
    void shouldKeepProcessesWithoutTheSecretOutOrUseless() throws Exception {
        ClusterAgent a = agent(SECRET, 1, List.of());
        ClusterSecret other = ClusterSecret.of("another secret of 32 bytes or more".getBytes(StandardCharsets.US_ASCII));
        ClusterAgent stranger = agent(other, 1, List.of(a.memberAddress()));
        assertEquals(1, a.member().getCluster().getMembers().size(), "another secret makes another cluster");
        assertEquals(1, stranger.member().getCluster().getMembers().size());

        // A process that learned the cluster's name but not its secret can join as a member ...
        HazelcastInstance intruder = Hazelcast.newHazelcastInstance(ClusterConfigs.member(SECRET.clusterName(name),
                "127.0.0.1", 5701, List.of(a.memberAddress())));
        open.add(intruder::shutdown);
        await(() -> a.member().getCluster().getMembers().size() == 2);
        // ... but reads nothing it could use, and what it writes is not believed.
        for (byte[] value : intruder.<String, byte[]>getMap(AgentRecord.MAP).values()) {
            assertFalse(new String(value, StandardCharsets.ISO_8859_1).contains("slots="), "sealed");
        }
        String forged = intruder.getCluster().getLocalMember().getUuid().toString();
        intruder.<String, byte[]>getMap(AgentRecord.MAP).set(forged, new AgentRecord("evil", a.serverAddress(), 64, 64)
                .encode());
        ClusterView.Agents seen = ClusterView.agents(a.member(), SECRET);
        assertEquals(1, seen.agents().size());
        assertEquals(List.of(forged), seen.refused());
    }

    private static void await(BooleanSupplier condition) {
        while (!condition.getAsBoolean()) {
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
        }
    }
}
