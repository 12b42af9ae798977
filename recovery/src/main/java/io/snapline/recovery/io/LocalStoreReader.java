package io.snapline.recovery.io;

import io.snapline.checkpoint.CheckpointException;
import io.snapline.recovery.RecoveryException;
import io.snapline.runtime.checkpoint.DependencyTracker;
import io.snapline.runtime.checkpoint.RankImage;
import io.snapline.runtime.checkpoint.store.CheckpointStoreException;
import io.snapline.runtime.checkpoint.store.LocalCheckpointStore;
import java.nio.BufferUnderflowException;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the local checkpoints of a store for {@link LocalHistory#read}: per rank its base and the consecutive
 * checkpoints after it, each piece verified (checksum), decoded and checked to be what its file name says.
 */
final class LocalStoreReader {
    private LocalStoreReader() {
    }

    static LocalHistory.Read read(LocalCheckpointStore store, int ranks) {
        if (ranks < 1) {
            throw new RecoveryException("a job has at least one rank, got " + ranks);
        }
        List<String> warnings = new ArrayList<>();
        for (int r : store.localRanks()) {
            if (r >= ranks) {
                warnings.add("the local checkpoints of rank " + r + " are ignored: the job has ranks 0.." + (ranks - 1));
            }
        }
        long[] base = new long[ranks];
        List<List<LocalHistory.Entry>> perRank = new ArrayList<>(ranks);
        for (int r = 0; r < ranks; r++) {
            perRank.add(rank(store, r, ranks, base, warnings));
        }
        return LocalHistory.build(ranks, base, perRank, warnings);
    }

    /** Rank {@code r}'s usable entries, its base included when it is a local checkpoint; sets {@code base[r]}. */
    private static List<LocalHistory.Entry> rank(LocalCheckpointStore store, int r, int ranks, long[] base,
            List<String> warnings) {
        List<Long> present = store.localIndexes(r);
        List<LocalHistory.Entry> entries = new ArrayList<>();
        int i = 0;
        if (!present.isEmpty() && present.get(0) != 1) {
            while (i < present.size() && base[r] == 0) {
                long k = present.get(i++);
                try {
                    entries.add(load(store, r, k, ranks));
                    base[r] = k;
                } catch (RecoveryException e) {
                    warnings.add(e.getMessage() + "; it was rank " + r + "'s oldest checkpoint, so "
                            + (i < present.size() ? "checkpoint " + present.get(i) + " is tried as the oldest usable "
                            + "one instead" : "the rank has no usable checkpoint and is taken to restart from its "
                            + "start, which its deleted older checkpoints may contradict"));
                }
            }
        }
        long expected = base[r] + 1;
        for (; i < present.size(); i++) {
            long k = present.get(i);
            if (k != expected) {
                warnings.add("rank " + r + ": local checkpoint " + expected + " is missing, so its checkpoints "
                        + range(present, i) + " are left out (the intervals after the gap cannot be rebuilt)");
                break;
            }
            try {
                entries.add(load(store, r, k, ranks));
            } catch (RecoveryException e) {
                warnings.add(e.getMessage() + "; " + (i + 1 < present.size() ? "it and rank " + r + "'s later "
                        + "checkpoints " + range(present, i + 1) + " are" : "it is") + " left out (the intervals "
                        + "after it cannot be rebuilt)");
                break;
            }
            expected++;
        }
        return entries;
    }

    /** Local checkpoint {@code k} of rank {@code r}, or a {@link RecoveryException} saying why it is not usable. */
    private static LocalHistory.Entry load(LocalCheckpointStore store, int r, long k, int ranks) {
        String where = "rank " + r + "'s local checkpoint " + k;
        RankImage image;
        try {
            image = RankImage.decode(store.readLocal(r, k), where);
        } catch (CheckpointStoreException | CheckpointException e) {
            throw new RecoveryException(where + " cannot be read: " + e.getMessage(), e);
        }
        if (image.rank() != r || image.id() != k || image.ranks() != ranks) {
            throw new RecoveryException(where + " holds checkpoint " + image.id() + " of rank " + image.rank() + " of "
                    + image.ranks() + " ranks, not checkpoint " + k + " of rank " + r + " of " + ranks);
        }
        if (image.dependencies().length == 0) {
            throw new RecoveryException(where + " holds no dependency record (written without dependency tracking)");
        }
        DependencyTracker.Record record;
        try {
            record = DependencyTracker.Record.decode(image.dependencies());
        } catch (BufferUnderflowException | NegativeArraySizeException e) {
            throw new RecoveryException(where + " holds a truncated dependency record", e);
        }
        if (record.interval() != k - 1) {
            throw new RecoveryException(where + " holds the record of interval " + record.interval() + ", not "
                    + (k - 1));
        }
        return new LocalHistory.Entry(k, record);
    }

    /** E.g. {@code 4..7} or {@code 4}: the present numbers from position {@code from} on. */
    private static String range(List<Long> present, int from) {
        long first = present.get(from);
        long last = present.get(present.size() - 1);
        return first == last ? Long.toString(first) : first + ".." + last;
    }
}
