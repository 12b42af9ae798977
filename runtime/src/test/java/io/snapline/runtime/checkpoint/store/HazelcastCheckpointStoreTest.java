package io.snapline.runtime.checkpoint.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hazelcast.core.HazelcastInstance;
import io.snapline.runtime.cluster.ClusterSecret;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The store contract on a one-member cluster, and what replication adds: chunked pieces, pieces that survive the loss
 * of a member with a backup copy, and damage reported (and fallen back from) when a member leaves with the only copy.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HazelcastCheckpointStoreTest extends CheckpointStoreContractTest {
    private static TestCluster cluster;
    private static HazelcastInstance member;

    @BeforeAll
    static void startMember() {
        cluster = new TestCluster();
        member = cluster.start();
    }

    @AfterAll
    static void stopMember() {
        cluster.close();
    }

    @Override
    protected CheckpointStore newStore(JobFingerprint fingerprint) {
        return new HazelcastCheckpointStore(member, "t-" + UUID.randomUUID(), fingerprint, 1);
    }

    @Test
    void shouldReadBackAPieceOfSeveralChunksAndDropTheChunksOfALongerPieceItReplaced() {
        byte[] large = pattern(2 * HazelcastCheckpointStore.CHUNK + 12345, 7);
        store.writePiece(CheckpointId.of(1), 0, pattern(3 * HazelcastCheckpointStore.CHUNK + 5, 3));
        PieceRef ref = store.writePiece(CheckpointId.of(1), 0, large); // written again, shorter
        store.commit(new Manifest(CheckpointId.of(1), 1, List.of(ref)));

        assertArrayEquals(large, store.readPiece(CheckpointId.of(1), ref));
        byte[] local = pattern(HazelcastCheckpointStore.CHUNK + 1, 11);
        store.writeLocal(2, 5, ByteBuffer.wrap(local, 0, 100), ByteBuffer.wrap(local, 100, local.length - 100));
        assertArrayEquals(local, store.readLocal(2, 5));
        assertEquals(List.of(5L), store.localIndexes(2));
    }

    @Test
    void shouldReportACorruptChunkAndFallBackToTheCheckpointBeforeIt() {
        String name = "t-" + UUID.randomUUID();
        HazelcastCheckpointStore s = new HazelcastCheckpointStore(member, name, null, 1);
        checkpointOf(s, 1, pattern(HazelcastCheckpointStore.CHUNK + 10, 1));
        checkpointOf(s, 2, pattern(HazelcastCheckpointStore.CHUNK + 10, 2));
        com.hazelcast.map.IMap<String, byte[]> chunks = member.getMap("snapline.store." + name + ".chunks");
        String key = chunkOf(chunks, "p/2/0", 1);
        byte[] second = chunks.get(key);
        second[20] ^= 1;
        chunks.set(key, second);

        CheckpointStoreException e = assertThrows(CheckpointStoreException.class,
                () -> s.readPiece(CheckpointId.of(2), s.manifest(CheckpointId.of(2)).pieces().get(0)));
        assertTrue(e.getMessage().contains("corrupt chunk 2 of 2"), e.getMessage());
        Recovered r = s.latest().orElseThrow();
        assertEquals(CheckpointId.of(1), r.manifest().id());
        assertEquals(1, r.warnings().size());
        assertTrue(r.warnings().get(0).startsWith("skipping checkpoint 2: ") && r.warnings().get(0).contains(
                "corrupt chunk 2 of 2"), r.warnings().toString());
    }

    @Test
    void shouldKeepEveryCheckpointWhenAMemberLeavesAndEachEntryHasABackupCopy() {
        try (TestCluster two = new TestCluster()) {
            HazelcastInstance a = two.start();
            HazelcastInstance b = two.start();
            awaitMembers(a, 2);
            String name = "t-" + UUID.randomUUID();
            HazelcastCheckpointStore onA = new HazelcastCheckpointStore(a, name, JOB, 1);
            byte[] payload = pattern(8 * HazelcastCheckpointStore.CHUNK + 3, 5);
            PieceRef ref = checkpointOf(onA, 1, payload);
            onA.appendEvents(0, new byte[] {1, 2, 3});
            onA.writeRecoveryLine(new long[] {1, 1});

            a.getLifecycleService().terminate(); // the member that wrote everything, without a goodbye
            awaitMembers(b, 1);
            HazelcastCheckpointStore onB = new HazelcastCheckpointStore(b, name, JOB, 1);

            Recovered r = onB.latest().orElseThrow();
            assertEquals(List.of(), r.warnings());
            assertArrayEquals(payload, onB.readPiece(CheckpointId.of(1), ref));
            assertEquals(Optional.of(JOB), onB.fingerprint(CheckpointId.of(1)));
            assertArrayEquals(new byte[] {1, 2, 3}, onB.readEvents(0).get(0));
            assertArrayEquals(new long[] {1, 1}, onB.recoveryLine().orElseThrow());
        }
    }

    @Test
    void shouldSayWhichChunkWasLostWhenAMemberLeavesWithTheOnlyCopy() {
        try (TestCluster two = new TestCluster()) {
            HazelcastInstance a = two.start();
            HazelcastInstance b = two.start();
            awaitMembers(a, 2);
            String name = "t-" + UUID.randomUUID();
            HazelcastCheckpointStore onA = new HazelcastCheckpointStore(a, name, null, 0);
            // 40 chunks in 271 partitions owned half by each member: the chance that b owns none is 2^-40
            checkpointOf(onA, 1, pattern(40 * HazelcastCheckpointStore.CHUNK, 9));

            boolean manifestOnB = b.getPartitionService().getPartition("00000000000000000001").getOwner()
                    .localMember();
            b.getLifecycleService().terminate();
            awaitMembers(a, 1);

            if (manifestOnB) { // the checkpoint's manifest went with b: the store says it cannot know what it had
                while (!onA.manifestsLost()) {
                    java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
                }
            }
            CheckpointStoreException e = assertThrows(CheckpointStoreException.class, onA::latest);
            if (manifestOnB) {
                // (said from the newest committed id when its record survived, from the partition's loss otherwise)
                assertTrue(e.getMessage().startsWith("no checkpoint left in the cluster store '" + name + "': ")
                        && e.getMessage().matches("(?s).*(checkpoint 1 was committed but its manifest is gone|members "
                        + "left the cluster with the only copies of some of the store's manifests).*"), e.getMessage());
            } else {
                // (the warning that some manifests' only copies were lost may come first: b's partitions held none
                // of this store's manifests, but the store cannot know that)
                assertTrue(e.getMessage().startsWith("no complete checkpoint in the cluster store '" + name + "': ")
                        && e.getMessage().contains("skipping checkpoint 1: "), e.getMessage());
                assertTrue(e.getMessage().matches("(?s).*(chunk \\d+ of 40 is missing from the cluster|is missing)"
                        + ".*"), e.getMessage());
            }
        }
    }

    /** The whole contract again with every value sealed. */
    @Nested
    class Sealed extends CheckpointStoreContractTest {
        @Override
        protected CheckpointStore newStore(JobFingerprint fingerprint) {
            return new HazelcastCheckpointStore(member, "t-" + UUID.randomUUID(), fingerprint, 1, SECRET.sealer());
        }
    }

    private static final ClusterSecret SECRET = ClusterSecret.of("0123456789abcdef0123456789abcdef".getBytes(
            java.nio.charset.StandardCharsets.US_ASCII));

    @Test
    void shouldStoreNothingReadableAndRefuseAnotherSecretOrAMovedChunkWhenSealed() {
        String name = "t-" + UUID.randomUUID();
        HazelcastCheckpointStore s = new HazelcastCheckpointStore(member, name, JOB, 1, SECRET.sealer());
        byte[] payload = ("the state of rank 0 ".repeat(70_000)).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        checkpointOf(s, 1, payload);
        checkpointOf(s, 2, payload);
        String prefix = "snapline.store." + name + ".";
        for (String map : List.of("files", "chunks", "manifests")) {
            com.hazelcast.map.IMap<String, byte[]> m = member.getMap(prefix + map);
            for (String key : m.keySet()) {
                String text = new String(m.get(key), java.nio.charset.StandardCharsets.ISO_8859_1);
                assertFalse(text.contains("state of rank") || text.contains("demo.Main") || text.contains("ranks "),
                        map + " " + key + " holds plain text");
            }
        }

        HazelcastCheckpointStore other = new HazelcastCheckpointStore(member, name, JOB, 1, ClusterSecret.of(
                "another secret, 32 bytes or more!!".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).sealer());
        CheckpointStoreException wrong = assertThrows(CheckpointStoreException.class, other::latest);
        assertTrue(wrong.getMessage().startsWith("no complete checkpoint in the cluster store '" + name + "': "
                + "skipping checkpoint 2: 00000000000000000002 in the cluster store '" + name + "' does not open with "
                + "this cluster's secret: it was written with another --secret-file"), wrong.getMessage());

        com.hazelcast.map.IMap<String, byte[]> chunks = member.getMap(prefix + "chunks");
        // a chunk of checkpoint 1 put in place of checkpoint 2's
        chunks.set(chunkOf(chunks, "p/2/0", 1), chunks.get(chunkOf(chunks, "p/1/0", 1)));
        Recovered r = s.latest().orElseThrow();
        assertEquals(CheckpointId.of(1), r.manifest().id());
        assertTrue(r.warnings().get(0).contains("has a chunk 2 of 2 that does not open with this cluster's secret "
                + "(changed or moved)"), r.warnings().toString());
    }

    @Test
    void shouldSetALocalCheckpointAsideRatherThanDeleteItAndFreeItsNumber() {
        for (ClusterSecret secret : java.util.Arrays.asList(null, SECRET)) {
            String name = "t-" + UUID.randomUUID();
            HazelcastCheckpointStore s = new HazelcastCheckpointStore(member, name, JOB, 1,
                    secret == null ? null : secret.sealer());
            byte[] kept = pattern(HazelcastCheckpointStore.CHUNK + 99, 4);
            s.writeLocal(1, 3, ByteBuffer.wrap(kept));

            String where = s.setAsideLocal(1, 3);
            assertEquals("set aside in the cluster store '" + name + "' as a/1/3-1", where);
            assertEquals(List.of(), s.localIndexes(1));
            s.writeLocal(1, 3, ByteBuffer.wrap(new byte[] {5}));
            assertEquals("set aside in the cluster store '" + name + "' as a/1/3-2", s.setAsideLocal(1, 3));
            com.hazelcast.map.IMap<String, byte[]> files = member.getMap("snapline.store." + name + ".files");
            assertTrue(files.containsKey("a/1/3-1") && files.containsKey("a/1/3-2"), files.keySet().toString());
            assertEquals(List.of(), s.localRanks());
        }
    }

    @Test
    void shouldRestoreOnAHostWithoutTheLocalCopyFromTheClusterReplica(@org.junit.jupiter.api.io.TempDir Path dir) {
        String name = "t-" + UUID.randomUUID();
        List<String> failed = new java.util.concurrent.CopyOnWriteArrayList<>();
        TieredCheckpointStore first = new TieredCheckpointStore(new FileCheckpointStore(dir.resolve("host-a"), JOB),
                new HazelcastCheckpointStore(member, name, JOB, 1, SECRET.sealer()),
                TieredCheckpointStore.DEFAULT_MAX_PENDING, failed::add);
        byte[] payload = pattern(3 * HazelcastCheckpointStore.CHUNK, 12);
        PieceRef ref = checkpointOf(first, 4, payload);
        first.close();
        assertEquals(List.of(), failed, "replica writes that failed");

        TieredCheckpointStore second = new TieredCheckpointStore(new FileCheckpointStore(dir.resolve("host-b"), JOB),
                new HazelcastCheckpointStore(member, name, JOB, 1, SECRET.sealer()),
                TieredCheckpointStore.DEFAULT_MAX_PENDING, w -> { });
        Recovered r = second.latest().orElseThrow();
        assertEquals(CheckpointId.of(4), r.manifest().id());
        assertArrayEquals(payload, second.readPiece(CheckpointId.of(4), ref));
        second.close();
    }

    @Test
    void shouldRefuseABadNameOrBackupCount() {
        CheckpointStoreException name = assertThrows(CheckpointStoreException.class,
                () -> new HazelcastCheckpointStore(member, "a b", null, 1));
        assertTrue(name.getMessage().contains("got 'a b'"), name.getMessage());
        assertThrows(CheckpointStoreException.class, () -> new HazelcastCheckpointStore(member, "a.b", null, 1),
                "a '.' would make one store's map configuration match another's");
        CheckpointStoreException backups = assertThrows(CheckpointStoreException.class,
                () -> new HazelcastCheckpointStore(member, "ok", null, 7));
        assertTrue(backups.getMessage().contains("0 to 6 backup copies, got 7"), backups.getMessage());
    }

    @Test
    void shouldRetainOnlyCompleteCheckpointsAndSayWhenTheNewestManifestIsGone() {
        String name = "t-" + UUID.randomUUID();
        HazelcastCheckpointStore s = new HazelcastCheckpointStore(member, name, JOB, 1, SECRET.sealer());
        checkpointOf(s, 1, pattern(10, 1));
        checkpointOf(s, 2, pattern(HazelcastCheckpointStore.CHUNK + 5, 2));
        com.hazelcast.map.IMap<String, byte[]> chunks = member.getMap("snapline.store." + name + ".chunks");
        chunks.delete(chunkOf(chunks, "p/2/0", 1)); // checkpoint 2 lost a chunk: 1 is the newest complete one

        s.retain(1);
        assertEquals(List.of(CheckpointId.of(1), CheckpointId.of(2)), s.list());
        assertEquals(CheckpointId.of(1), s.latest().orElseThrow().manifest().id());

        checkpointOf(s, 3, pattern(10, 3));
        member.<String, byte[]>getMap("snapline.store." + name + ".manifests").delete("00000000000000000003");
        Recovered r = s.latest().orElseThrow();
        assertEquals(CheckpointId.of(1), r.manifest().id());
        assertTrue(r.warnings().get(0).startsWith("checkpoint 3 was committed but its manifest is gone; checkpoints "
                + "newer than 2 may have been lost"), r.warnings().toString());
        member.<String, byte[]>getMap("snapline.store." + name + ".manifests").clear();
        CheckpointStoreException e = assertThrows(CheckpointStoreException.class, s::latest);
        assertTrue(e.getMessage().startsWith("no checkpoint left in the cluster store '" + name + "': checkpoint 3 "
                + "was committed but its manifest is gone"), e.getMessage());
    }

    @Test
    void shouldReplaceAnEventStreamWholeAndRemoveWhatInterruptedWritesLeft() {
        String name = "t-" + UUID.randomUUID();
        HazelcastCheckpointStore s = new HazelcastCheckpointStore(member, name, null, 1, SECRET.sealer());
        s.appendEvents(2, new byte[] {1});
        s.appendEvents(2, new byte[] {2});
        s.replaceEvents(2, List.of(new byte[] {3}));
        s.appendEvents(2, new byte[] {4});
        assertEquals(List.of("[3]", "[4]"), s.readEvents(2).stream().map(java.util.Arrays::toString).toList());
        com.hazelcast.map.IMap<String, byte[]> misc = member.getMap("snapline.store." + name + ".misc");
        assertEquals(Set.of("events/2", "events/2/1/0", "events/2/1/1"), Set.copyOf(misc.keySet()),
                "the first generation's records are gone");
        assertEquals(List.of(2), s.localRanks(), "a rank with an event stream only");

        s.writeLocal(0, 1, ByteBuffer.wrap(pattern(HazelcastCheckpointStore.CHUNK + 1, 5)));
        com.hazelcast.map.IMap<String, byte[]> chunks = member.getMap("snapline.store." + name + ".chunks");
        chunks.set("l/0/2#abc/0", new byte[] {9}); // a rank died before its descriptor was written
        chunks.set("p/7/1#def/3", new byte[] {9});
        s.deleteInterruptedWrites();
        assertEquals(2, chunks.size(), chunks.keySet().toString());
        assertEquals(HazelcastCheckpointStore.CHUNK + 1, s.readLocal(0, 1).length);
    }

    @Test
    void shouldOpenTheStoreFromAClientOfTheCluster() {
        String name = "t-" + UUID.randomUUID();
        HazelcastCheckpointStore onMember = new HazelcastCheckpointStore(member, name, JOB, 1, SECRET.sealer());
        byte[] payload = pattern(2 * HazelcastCheckpointStore.CHUNK, 8);
        PieceRef ref = checkpointOf(onMember, 1, payload);
        java.net.InetSocketAddress at = (java.net.InetSocketAddress) member.getLocalEndpoint().getSocketAddress();
        HazelcastInstance client = com.hazelcast.client.HazelcastClient.newHazelcastClient(
                io.snapline.runtime.cluster.ClusterConfigs.client(member.getConfig().getClusterName(), "127.0.0.1:"
                        + at.getPort()));
        try {
            HazelcastCheckpointStore onClient = new HazelcastCheckpointStore(client, name, JOB, 1, SECRET.sealer());
            assertArrayEquals(payload, onClient.readPiece(CheckpointId.of(1), ref));
            assertEquals(CheckpointId.of(1), onClient.latest().orElseThrow().manifest().id());
        } finally {
            client.shutdown();
        }
    }

    /** The key of chunk {@code k} (from 0) of the file under {@code file}, whatever its generation. */
    private static String chunkOf(com.hazelcast.map.IMap<String, byte[]> chunks, String file, int k) {
        return chunks.keySet().stream().filter(c -> c.startsWith(file + "#") && c.endsWith("/" + k)).findFirst()
                .orElseThrow(() -> new AssertionError("no chunk " + k + " of " + file + " in " + chunks.keySet()));
    }

    private static PieceRef checkpointOf(CheckpointStore s, long id, byte[] payload) {
        PieceRef ref = s.writePiece(CheckpointId.of(id), 0, payload);
        s.commit(new Manifest(CheckpointId.of(id), 1, List.of(ref)));
        return ref;
    }

    private static byte[] pattern(int length, int seed) {
        byte[] b = new byte[length];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }

    /** Waits until {@code member} sees {@code n} members and its partitions are safe (every backup in place). */
    private static void awaitMembers(HazelcastInstance member, int n) {
        while (member.getCluster().getMembers().size() != n || !member.getPartitionService().isClusterSafe()) {
            Thread.onSpinWait();
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
        }
    }
}
