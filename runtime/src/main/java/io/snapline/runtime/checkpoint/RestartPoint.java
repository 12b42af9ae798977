package io.snapline.runtime.checkpoint;

import io.snapline.runtime.checkpoint.store.Manifest;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Where a restarted job continues: per rank, the checkpoint it restores, or null when it starts from the
 * beginning. A global checkpoint restores every rank from the same id; a recovery line over local checkpoints may
 * restore each rank from a different one.
 */
public final class RestartPoint {
    private final List<RestoreFrom> ranks;
    private final String description;

    private RestartPoint(RestoreFrom[] ranks, String description) {
        this.ranks = Collections.unmodifiableList(Arrays.asList(ranks.clone()));
        this.description = description;
    }

    /** Every rank starts from the beginning: there is no usable checkpoint yet. */
    public static RestartPoint fresh(int ranks) {
        return beginning(ranks, "no usable checkpoint yet");
    }

    /** Every rank starts from the beginning, for the reason {@code why} (e.g. the only consistent recovery line). */
    public static RestartPoint beginning(int ranks, String why) {
        return new RestartPoint(new RestoreFrom[ranks], "the beginning (" + why + ")");
    }

    /** Every rank restores its piece of committed checkpoint {@code manifest}. */
    public static RestartPoint global(Manifest manifest) {
        RestoreFrom[] from = new RestoreFrom[manifest.ranks()];
        for (int r = 0; r < from.length; r++) {
            from[r] = RestoreFrom.global(manifest, r);
        }
        return new RestartPoint(from, "checkpoint " + manifest.id());
    }

    /** Rank r restores its local checkpoint {@code line[r]} (0: it starts from the beginning). */
    public static RestartPoint line(long[] line) {
        RestoreFrom[] from = new RestoreFrom[line.length];
        for (int r = 0; r < line.length; r++) {
            from[r] = line[r] == 0 ? null : RestoreFrom.local(line[r]);
        }
        return new RestartPoint(from, "recovery line " + Arrays.toString(line) + " (local checkpoints by rank)");
    }

    /** What rank {@code rank} restores, or null to start fresh. */
    public RestoreFrom rank(int rank) {
        return ranks.get(rank);
    }

    public int ranks() {
        return ranks.size();
    }

    /** How many ranks restore a checkpoint (the others start from the beginning). */
    public int restoring() {
        return (int) ranks.stream().filter(Objects::nonNull).count();
    }

    /** The global checkpoint every rank restores, or 0 when this is not one (fresh start or a recovery line). */
    public long globalId() {
        RestoreFrom first = ranks.get(0);
        return first != null && !first.isLocal() ? first.id().value() : 0;
    }

    /** The local checkpoint of every rank (0: the beginning), or null when this is a global checkpoint. */
    public long[] line() {
        if (globalId() != 0) {
            return null;
        }
        return ranks.stream().mapToLong(f -> f == null ? 0 : f.id().value()).toArray();
    }

    /** "checkpoint 7", "recovery line [3, 0, 2] (...)" or "the beginning (why)". */
    @Override
    public String toString() {
        return description;
    }
}
