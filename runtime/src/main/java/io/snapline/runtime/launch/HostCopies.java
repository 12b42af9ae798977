package io.snapline.runtime.launch;

import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.CheckpointStore;
import io.snapline.runtime.checkpoint.store.CheckpointStoreException;
import io.snapline.runtime.checkpoint.store.ClusterStore;
import io.snapline.runtime.checkpoint.store.ClusterStoreUri;
import io.snapline.runtime.checkpoint.store.FileCheckpointStore;
import io.snapline.runtime.checkpoint.store.JobFingerprint;
import io.snapline.runtime.checkpoint.store.PieceRef;
import io.snapline.runtime.checkpoint.store.StoreDirectory;
import io.snapline.runtime.checkpoint.store.TieredCheckpointStore;
import io.snapline.runtime.cluster.AgentEnvironment;
import java.nio.file.Path;

/**
 * A rank's side of a store with host copies ({@code local+hazelcast://}): its pieces go to a directory on its own host
 * first (the rank goes on once that copy is written) and to the cluster's store in the background
 * ({@link TieredCheckpointStore}). The rank tells {@code snaprun} when each piece is in the replica, which is what
 * lets the checkpoint commit ({@link ReplicaCommits}), and which copy each piece it restores came from. The host copies
 * are a cache of what the replica holds: a restart reads a host copy only when it matches the committed manifest
 * (size and CRC32C), and each rank deletes its host copies more than the store's retention count
 * ({@link io.snapline.runtime.checkpoint.PolicySettings#retain()}) older than its newest piece in the replica.
 */
final class HostCopies {
    private HostCopies() {
    }

    /**
     * Opens the store {@code uri} for rank {@code rank}, started by an agent, reporting on {@code control}.
     *
     * @throws CheckpointStoreException when no agent started this process or a copy cannot be opened
     */
    static CheckpointStore open(ClusterStoreUri uri, JobFingerprint fingerprint, int rank, int retain,
            RankControl control) {
        Path agent = AgentEnvironment.directoryOfThisProcess().orElseThrow(() -> new CheckpointStoreException(
                "the checkpoint store " + uri + " keeps a copy on each rank's host, under the directory of the agent "
                        + "that started the rank, and this process was not started by an agent (snaprun --cluster "
                        + "starts ranks there)"));
        Path dir = uri.hostDirectory(agent);
        StoreDirectory.prepare(dir);
        FileCheckpointStore host = new FileCheckpointStore(dir, fingerprint, false);
        ClusterStore replica = ClusterStore.fromAgent(uri, fingerprint);
        return new TieredCheckpointStore(host, replica.store(), TieredCheckpointStore.DEFAULT_MAX_PENDING,
                w -> {
                    System.err.println("snapline: rank " + rank + ": " + w + "; this job's checkpoints commit only "
                            + "once every rank's piece is in the replica, so none commits from now on in this attempt");
                    control.replicaFailed(w);
                },
                listener(host, rank, retain, new TieredCheckpointStore.Listener() {
                    @Override
                    public void replicaWritten(CheckpointId id, PieceRef piece) {
                        control.replicaWritten(id.value(), piece);
                    }

                    @Override
                    public void pieceRead(CheckpointId id, int r, String fastFailure) {
                        control.pieceRead(id.value(), fastFailure);
                    }
                }, w -> System.err.println("snapline: rank " + rank + ": warning: " + w)));
    }

    /**
     * The listener of rank {@code rank}'s store: tells {@code report} everything, and once a piece is in the replica
     * deletes the rank's host copies more than {@code retain} checkpoints older. A host copy that cannot be deleted
     * is only a warning (to {@code warn}): it runs on the replica writer's thread, where an exception would be taken
     * for a failed replica write and stop every later commit.
     */
    static TieredCheckpointStore.Listener listener(FileCheckpointStore host, int rank, int retain,
            TieredCheckpointStore.Listener report, java.util.function.Consumer<String> warn) {
        return new TieredCheckpointStore.Listener() {
            @Override
            public void replicaWritten(CheckpointId id, PieceRef piece) {
                report.replicaWritten(id, piece);
                if (id.value() > retain) {
                    try {
                        host.deleteUncommittedPieces(rank, CheckpointId.of(id.value() - retain));
                    } catch (CheckpointStoreException e) {
                        warn.accept("cannot delete rank " + rank + "'s old host copies: " + e.getMessage()
                                + "; checkpoints still commit, but the host directory keeps them (delete them by "
                                + "hand)");
                    }
                }
            }

            @Override
            public void pieceRead(CheckpointId id, int r, String fastFailure) {
                report.pieceRead(id, r, fastFailure);
            }
        };
    }
}
