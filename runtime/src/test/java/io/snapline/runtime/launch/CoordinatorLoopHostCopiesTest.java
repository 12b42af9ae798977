package io.snapline.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.checkpoint.CheckpointPolicy;
import io.snapline.runtime.checkpoint.CoordinatorServices;
import io.snapline.runtime.checkpoint.IntervalChooser;
import io.snapline.runtime.checkpoint.PolicyCoordinator;
import io.snapline.runtime.checkpoint.PolicySettings;
import io.snapline.runtime.checkpoint.RankPolicy;
import io.snapline.runtime.checkpoint.RankServices;
import io.snapline.runtime.checkpoint.RestartPoint;
import io.snapline.runtime.checkpoint.RunReport;
import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.InMemoryCheckpointStore;
import io.snapline.runtime.checkpoint.store.JobFingerprint;
import io.snapline.runtime.checkpoint.store.Manifest;
import io.snapline.runtime.checkpoint.store.PieceRef;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The coordinator loop with host copies: a checkpoint its policy commits reaches the store (and the job's record and
 * the run report) only once every rank reported its piece in the replica.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CoordinatorLoopHostCopiesTest {
    private static final int RANKS = 2;
    private final InMemoryCheckpointStore store = new InMemoryCheckpointStore(JobFingerprint.of("Main", List.of(), "",
            "committer", "", RANKS));
    private final List<Boolean> accepted = new CopyOnWriteArrayList<>();
    /** The pieces the policy's checkpoints name, by checkpoint id. */
    private final Map<Long, List<PieceRef>> written = new java.util.concurrent.ConcurrentHashMap<>();

    /** Commits checkpoint {@code message[0]} with every rank's piece when any rank sends it. */
    private final CheckpointPolicy committer = new CheckpointPolicy() {
        @Override
        public String name() {
            return "committer";
        }

        @Override
        public String description() {
            return "commits the checkpoint a rank names";
        }

        @Override
        public RankPolicy forRank(RankServices services) {
            throw new UnsupportedOperationException("no ranks here");
        }

        @Override
        public PolicyCoordinator coordinator(CoordinatorServices services) {
            return new PolicyCoordinator() {
                @Override
                public void onRankMessage(int rank, byte[] message) {
                    CheckpointId id = CheckpointId.of(message[0]);
                    List<PieceRef> pieces = List.of(store.writePiece(id, 0, new byte[] {message[0]}),
                            store.writePiece(id, 1, new byte[] {message[0]}));
                    written.put(id.value(), pieces);
                    accepted.add(services.commit(new Manifest(id, RANKS, pieces), message[0], new long[RANKS]));
                }

                @Override
                public void onTick(long nanoTime) {
                }

                @Override
                public void onRankFinished(int rank) {
                }
            };
        }
    };

    private CoordinatorLoop loop(boolean hostCopies, List<Long> committed, ByteArrayOutputStream log) {
        PolicySettings settings = new PolicySettings("committer", java.time.Duration.ofHours(1), 2,
                java.time.Duration.ofMinutes(5), Map.of());
        return new CoordinatorLoop(committer, RANKS, settings, store, CheckpointId.of(1), RestartPoint.fresh(RANKS),
                new RunReport("committer", "tcp", RANKS, System.nanoTime()), new PrintStream(log, true,
                        StandardCharsets.UTF_8), new CoordinatorLoop.Ranks() {
                            @Override
                            public void send(int rank, byte[] message) {
                            }

                            @Override
                            public void fail(String reason) {
                                throw new AssertionError(reason);
                            }
                        }, null, IntervalChooser.of(settings.checkpointInterval(), System.nanoTime()),
                committed::add, hostCopies);
    }

    /** Rank {@code rank} reports the piece of checkpoint {@code id} that the policy's manifest names. */
    private void replicaWritten(CoordinatorLoop loop, int rank, long id) throws InterruptedException {
        loop.sync(); // the policy has written the checkpoint's pieces
        PieceRef p = written.get(id).get(rank);
        loop.onReplicaWritten(rank, id, p.size(), p.crc32c());
    }

    @Test
    void shouldCommitACheckpointOnlyOnceEveryRankReportedItsPieceInTheReplica() throws Exception {
        List<Long> committed = new CopyOnWriteArrayList<>();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (CoordinatorLoop loop = loop(true, committed, log)) {
            loop.onRankMessage(0, new byte[] {1});
            replicaWritten(loop, 1, 1);
            loop.sync();
            assertEquals(List.of(true), accepted, "the policy is told its checkpoint was taken");
            assertEquals(List.of(), store.list(), "not in the store while rank 0's replica write is under way");
            assertEquals(List.of(), committed);

            replicaWritten(loop, 0, 1);
            loop.sync();
            assertEquals(List.of(CheckpointId.of(1)), store.list());
            assertEquals(List.of(1L), committed);
            assertTrue(log.toString(StandardCharsets.UTF_8).contains("snaprun: checkpoint 1 committed at safe point 1"),
                    log.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void shouldKeepTheNewestCommittedCheckpointWhileNewerOnesAreOnlyOnTheHosts() throws Exception {
        List<Long> committed = new CopyOnWriteArrayList<>();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (CoordinatorLoop loop = loop(true, committed, log)) {
            loop.onRankMessage(0, new byte[] {1});
            replicaWritten(loop, 0, 1);
            replicaWritten(loop, 1, 1);
            for (byte id = 2; id <= 4; id++) {
                loop.onRankMessage(0, new byte[] {id});
            }
            loop.sync();
            assertEquals(List.of(CheckpointId.of(1)), store.list(), "retention (2) counts committed checkpoints only");
            assertEquals(CheckpointId.of(5), loop.nextId(), "a held checkpoint's id is used: a restart starts above it");

            // no rank reports checkpoint 2 (as if its replica writes had been skipped), both report 3
            replicaWritten(loop, 0, 3);
            replicaWritten(loop, 1, 3);
            loop.sync();
            assertEquals(List.of(CheckpointId.of(1), CheckpointId.of(3)), store.list());
            assertEquals(List.of(1L, 3L), committed);
            assertTrue(log.toString(StandardCharsets.UTF_8).contains("snaprun: checkpoint 2 is not committed: not "
                    + "every rank's piece of it reached the replica, and a newer checkpoint did\n"),
                    log.toString(StandardCharsets.UTF_8));
        }
    }

    @Test
    void shouldNotCommitACheckpointWhoseReplicaPieceIsNotTheOneItsManifestNames() throws Exception {
        List<Long> committed = new CopyOnWriteArrayList<>();
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (CoordinatorLoop loop = loop(true, committed, log)) {
            loop.onRankMessage(0, new byte[] {1});
            replicaWritten(loop, 0, 1);
            PieceRef p = written.get(1L).get(1);
            loop.onReplicaWritten(1, 1, p.size(), ~p.crc32c());
            loop.sync();
            assertEquals(List.of(), store.list(), "rank 1's piece in the replica is another than the manifest's");
            assertEquals(List.of(), committed);
        }
    }

    @Test
    void shouldCommitAtOnceWithoutHostCopies() throws Exception {
        List<Long> committed = new CopyOnWriteArrayList<>();
        try (CoordinatorLoop loop = loop(false, committed, new ByteArrayOutputStream())) {
            loop.onRankMessage(0, new byte[] {1});
            loop.sync();
            assertEquals(List.of(CheckpointId.of(1)), store.list());
            assertEquals(List.of(1L), committed);
        }
    }
}
