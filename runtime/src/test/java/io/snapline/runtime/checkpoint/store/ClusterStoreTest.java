package io.snapline.runtime.checkpoint.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.cluster.ClusterAddress;
import io.snapline.runtime.cluster.ClusterAgent;
import io.snapline.runtime.cluster.ClusterSecret;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A cluster store opened by clients of the cluster: its location, and one job at a time holding it. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ClusterStoreTest {
    private static final ClusterSecret SECRET = ClusterSecret.of(
            "5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e5e".getBytes(StandardCharsets.US_ASCII));

    @TempDir
    Path dir;

    @Test
    void shouldLockTheStoreForOneJobAtATimeAndNameTheHolder() throws Exception {
        String name = "test-" + UUID.randomUUID();
        try (ClusterAgent agent = ClusterAgent.start(name, SECRET, "127.0.0.1", 5701, 0, List.of(), 1, dir,
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))) {
            ClusterAddress cluster = ClusterAddress.parse(name + "@" + agent.memberAddress());
            ClusterStoreUri uri = ClusterStoreUri.parse("hazelcast://ck");
            try (ClusterStore first = ClusterStore.connect(uri, cluster, SECRET, null);
                    ClusterStore second = ClusterStore.connect(uri, cluster, SECRET, null)) {
                AutoCloseable held = first.lock("Heat-1");
                CheckpointStoreException e = assertThrows(CheckpointStoreException.class, () -> second.lock("Heat-2"));
                assertTrue(e.getMessage().startsWith("the checkpoint store hazelcast://ck is in use by job Heat-1 (pid "
                        + ProcessHandle.current().pid() + " on host "), e.getMessage());
                held.close();
                second.lock("Heat-2").close();
            }
        }
    }

    @Test
    void shouldParseTheStoresLocationWithItsBackupCount() {
        assertEquals(new ClusterStoreUri("ck", 1), ClusterStoreUri.parse("hazelcast://ck"));
        assertEquals(new ClusterStoreUri("ck", 2), ClusterStoreUri.parse("hazelcast://ck?backups=2"));
        assertEquals("hazelcast://ck?backups=0", ClusterStoreUri.parse("hazelcast://ck?backups=0").toString());
        assertEquals("hazelcast://ck", ClusterStoreUri.parse("hazelcast://ck?backups=1").toString());
        assertTrue(ClusterStoreUri.isClusterStore("local+hazelcast://ck"));
        assertTrue(!ClusterStoreUri.isClusterStore("/data/ck") && !ClusterStoreUri.isClusterStore(null));
        assertEquals("hazelcast://ck?backups=7: a cluster store keeps 0 to 6 backup copies", assertThrows(
                IllegalArgumentException.class, () -> ClusterStoreUri.parse("hazelcast://ck?backups=7")).getMessage());
    }

    @Test
    void shouldParseAStoreWithHostCopiesAndWhereTheyAre() {
        ClusterStoreUri plain = ClusterStoreUri.parse("local+hazelcast://ck");
        assertEquals(new ClusterStoreUri("ck", 1, true, null), plain);
        assertEquals(java.nio.file.Path.of("/srv/agent/stores/ck"), plain.hostDirectory(java.nio.file.Path.of(
                "/srv/agent")));
        ClusterStoreUri placed = ClusterStoreUri.parse("local+hazelcast://ck?local=/scratch&backups=2");
        assertEquals(new ClusterStoreUri("ck", 2, true, "/scratch"), placed);
        assertEquals(java.nio.file.Path.of("/scratch/ck"), placed.hostDirectory(java.nio.file.Path.of("/srv/agent")));
        assertEquals(java.nio.file.Path.of("/scratch/other"), ClusterStoreUri.parse(
                "local+hazelcast://other?local=/scratch").hostDirectory(java.nio.file.Path.of("/srv/agent")),
                "two stores given the same DIR keep their copies apart");
        assertEquals("local+hazelcast://ck?backups=2&local=/scratch", placed.toString());
        assertEquals(placed, ClusterStoreUri.parse(placed.toString()));
        assertEquals("local+hazelcast://ck?local=ck: local=DIR names the directory under which the host copies are "
                + "kept (in DIR/NAME) on every host, an absolute path, e.g. local+hazelcast://ck?local=/scratch", assertThrows(
                IllegalArgumentException.class, () -> ClusterStoreUri.parse("local+hazelcast://ck?local=ck"))
                .getMessage());
        assertEquals("local+hazelcast://ck?copies=2: the settings of a store with host copies are backups=N (1 to 6) "
                + "and local=DIR, e.g. local+hazelcast://ck?backups=2&local=/scratch", assertThrows(
                IllegalArgumentException.class, () -> ClusterStoreUri.parse("local+hazelcast://ck?copies=2"))
                .getMessage());
        assertEquals("local+hazelcast://ck?local=/scratch&backups=0: a store with host copies keeps at least 1 "
                + "backup copy in the cluster, so that every committed checkpoint survives the loss of a host (with "
                + "backups=0 the only cluster copy of a piece may be on the same host as its host copy); use backups=1 "
                + "or more, or hazelcast://ck?backups=0 without host copies", assertThrows(IllegalArgumentException.class,
                () -> ClusterStoreUri.parse("local+hazelcast://ck?local=/scratch&backups=0")).getMessage());
        assertEquals(0, ClusterStoreUri.parse("hazelcast://ck?backups=0").backups(), "without host copies 0 is allowed");
        assertEquals("hazelcast://ck?local=/x: the only setting of a cluster store is backups=N (0 to 6), e.g. "
                + "hazelcast://ck?backups=2", assertThrows(IllegalArgumentException.class,
                () -> ClusterStoreUri.parse("hazelcast://ck?local=/x")).getMessage());
    }
}
