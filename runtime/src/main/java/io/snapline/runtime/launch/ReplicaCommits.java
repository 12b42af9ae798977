package io.snapline.runtime.launch;

import io.snapline.runtime.checkpoint.store.CheckpointId;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The commit rule of a store with host copies ({@code local+hazelcast://}): a checkpoint the policy completed (every
 * rank's piece written on its host) commits in the replica, and so becomes one a restart may use, only once every rank
 * has reported its piece written in the replica too. Until then it is <em>held</em>; a checkpoint held when the attempt
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

    private final int ranks;
    private final TreeMap<Long, T> held = new TreeMap<>();
    private final TreeMap<Long, BitSet> reported = new TreeMap<>();
    /** The newest checkpoint committed or given up: events about it or older ones change nothing. */
    private long done;

    ReplicaCommits(int ranks) {
        if (ranks < 1) {
            throw new IllegalArgumentException("a job has at least 1 rank, got " + ranks);
        }
        this.ranks = ranks;
    }

    /** The policy completed checkpoint {@code id} (its pieces are on the ranks' hosts); {@code commit} commits it. */
    Decision<T> completed(CheckpointId id, T commit) {
        if (id.value() <= done) {
            throw new IllegalStateException("checkpoint " + id + " completed after checkpoint " + done
                    + " was committed or given up; checkpoints complete in the order of their ids");
        }
        if (held.putIfAbsent(id.value(), commit) != null) {
            throw new IllegalStateException("checkpoint " + id + " completed twice");
        }
        return decide();
    }

    /** Rank {@code rank} reported its piece of checkpoint {@code id} written in the replica. */
    Decision<T> replicaWritten(int rank, CheckpointId id) {
        if (rank < 0 || rank >= ranks) {
            throw new IllegalArgumentException("rank " + rank + " reported a replica write, but the job has ranks 0.."
                    + (ranks - 1));
        }
        if (id.value() <= done) {
            return Decision.none();
        }
        reported.computeIfAbsent(id.value(), k -> new BitSet(ranks)).set(rank);
        return decide();
    }

    /** Whether checkpoint {@code id} is held: completed, and not yet in the replica on every rank. */
    boolean isHeld(CheckpointId id) {
        return held.containsKey(id.value());
    }

    private Decision<T> decide() {
        Long newestReady = null;
        for (Long id : held.keySet()) {
            BitSet r = reported.get(id);
            if (r != null && r.cardinality() == ranks) {
                newestReady = id;
            }
        }
        if (newestReady == null) {
            return Decision.none();
        }
        List<T> commit = new ArrayList<>();
        List<CheckpointId> givenUp = new ArrayList<>();
        for (Map.Entry<Long, T> e : held.headMap(newestReady, true).entrySet()) {
            BitSet r = reported.get(e.getKey());
            if (r != null && r.cardinality() == ranks) {
                commit.add(e.getValue());
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
