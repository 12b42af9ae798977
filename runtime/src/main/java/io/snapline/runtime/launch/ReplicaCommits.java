package io.snapline.runtime.launch;

import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.Manifest;
import io.snapline.runtime.checkpoint.store.PieceRef;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The commit rule of a store with host copies ({@code local+hazelcast://}): a checkpoint the policy completed (every
 * rank's piece written on its host) commits in the replica, and so becomes one a restart may use, only once every rank
 * has reported its piece written in the replica too, and each report names the piece the manifest names (its size and
 * CRC32C): a report of another piece under the same id (written by a rank process of an earlier attempt that outlived
 * it, say) is not counted. Until then it is <em>held</em>; a checkpoint held when the attempt
 * ends is never committed, and the job restarts from the newest one committed before it.
 *
 * <p>Checkpoints commit in the order of their ids. Each rank writes its replica pieces in order, so when a newer held
 * checkpoint is ready an older one still held never will be (a rank skipped it): it is given up, since the replica
 * accepts only commits newer than its newest. One thread uses an instance (the attempt's coordinator loop).
 *
 * @param <T> what is held with a checkpoint: what committing it needs
 */
final class ReplicaCommits<T> {
    /** What one event made ready to commit, oldest first, and the held checkpoints it gave up. */
    record Decision<T>(List<T> commit, List<CheckpointId> givenUp) {
        static <T> Decision<T> none() {
            return new Decision<>(List.of(), List.of());
        }
    }

    /** What a rank reported written in the replica: its piece's stored size and payload CRC32C. */
    private record Reported(long size, int crc32c) {
        boolean names(PieceRef piece) {
            return piece.size() == size && piece.crc32c() == crc32c;
        }
    }

    /** A completed checkpoint: its manifest, and what committing it needs. */
    private record Completed<T>(Manifest manifest, T commit) {
    }

    private final int ranks;
    private final TreeMap<Long, Completed<T>> held = new TreeMap<>();
    /** Per checkpoint id, per rank: the newest report of its piece in the replica (null: none yet). */
    private final TreeMap<Long, Reported[]> reported = new TreeMap<>();
    /** The newest checkpoint committed or given up: events about it or older ones change nothing. */
    private long done;

    ReplicaCommits(int ranks) {
        if (ranks < 1) {
            throw new IllegalArgumentException("a job has at least 1 rank, got " + ranks);
        }
        this.ranks = ranks;
    }

    /**
     * The policy completed the checkpoint {@code manifest} names (its pieces are on the ranks' hosts); {@code commit}
     * commits it.
     */
    Decision<T> completed(Manifest manifest, T commit) {
        CheckpointId id = manifest.id();
        if (id.value() <= done) {
            throw new IllegalStateException("checkpoint " + id + " completed after checkpoint " + done
                    + " was committed or given up; checkpoints complete in the order of their ids");
        }
        if (held.putIfAbsent(id.value(), new Completed<>(manifest, commit)) != null) {
            throw new IllegalStateException("checkpoint " + id + " completed twice");
        }
        return decide();
    }

    /**
     * Rank {@code rank} reported its piece of checkpoint {@code id} written in the replica, {@code size} bytes stored
     * with payload CRC32C {@code crc32c}; it counts only if that is the piece the checkpoint's manifest names.
     */
    Decision<T> replicaWritten(int rank, CheckpointId id, long size, int crc32c) {
        if (rank < 0 || rank >= ranks) {
            throw new IllegalArgumentException("rank " + rank + " reported a replica write, but the job has ranks 0.."
                    + (ranks - 1));
        }
        if (id.value() <= done) {
            return Decision.none();
        }
        reported.computeIfAbsent(id.value(), k -> new Reported[ranks])[rank] = new Reported(size, crc32c);
        return decide();
    }

    /** Whether checkpoint {@code id} is held: completed, and not yet in the replica on every rank. */
    boolean isHeld(CheckpointId id) {
        return held.containsKey(id.value());
    }

    /**
     * Whether every rank reported the very piece of {@code c} that its manifest names (a rank without a piece in the
     * manifest counts as not reported).
     */
    private boolean inReplica(Completed<T> c) {
        Reported[] r = reported.get(c.manifest().id().value());
        if (r == null) {
            return false;
        }
        for (int rank = 0; rank < ranks; rank++) {
            PieceRef piece = pieceOf(c.manifest(), rank);
            if (r[rank] == null || piece == null || !r[rank].names(piece)) {
                return false;
            }
        }
        return true;
    }

    private static PieceRef pieceOf(Manifest manifest, int rank) {
        for (PieceRef p : manifest.pieces()) {
            if (p.rank() == rank) {
                return p;
            }
        }
        return null;
    }

    private Decision<T> decide() {
        Long newestReady = null;
        for (Map.Entry<Long, Completed<T>> e : held.entrySet()) {
            if (inReplica(e.getValue())) {
                newestReady = e.getKey();
            }
        }
        if (newestReady == null) {
            return Decision.none();
        }
        List<T> commit = new ArrayList<>();
        List<CheckpointId> givenUp = new ArrayList<>();
        for (Map.Entry<Long, Completed<T>> e : held.headMap(newestReady, true).entrySet()) {
            if (inReplica(e.getValue())) {
                commit.add(e.getValue().commit());
            } else {
                givenUp.add(CheckpointId.of(e.getKey()));
            }
        }
        held.headMap(newestReady, true).clear();
        reported.headMap(newestReady, true).clear();
        done = newestReady;
        return new Decision<>(List.copyOf(commit), List.copyOf(givenUp));
    }
}
