package io.snapline.recovery.io;

import io.snapline.checkpoint.CheckpointException;
import io.snapline.recovery.RecoveryException;
import io.snapline.runtime.checkpoint.DependencyRecord;
import io.snapline.runtime.checkpoint.RankImage;
import io.snapline.runtime.checkpoint.store.CheckpointStoreException;
import io.snapline.runtime.checkpoint.store.LocalCheckpointStore;
import java.nio.BufferUnderflowException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the local checkpoints of a store for {@link LocalHistory#read}: the floor the store recorded, then per rank
 * its floor checkpoint and the consecutive checkpoints after it, each piece verified (header, size and checksum of
 * the whole piece, streamed) and its head decoded (rank, size, number and dependency record; never the program
 * state) and checked to be what its file name says.
 */
final class LocalStoreReader {
    /** How much of a piece's payload is kept at first: the image head and a dependency record of ~15,000 messages. */
    private static final int HEAD_BYTES = 256 * 1024;

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
        long[] floor = floor(store, ranks, warnings);
        boolean[] floorUsable = new boolean[ranks];
        List<LocalHistory.Damage> damaged = new ArrayList<>();
        List<List<LocalHistory.Entry>> perRank = new ArrayList<>(ranks);
        for (int r = 0; r < ranks; r++) {
            perRank.add(rank(store, r, ranks, floor[r], floorUsable, damaged, warnings));
        }
        return LocalHistory.build(ranks, floor, floorUsable, perRank, warnings, damaged);
    }

    /**
     * The floor the store recorded: below it checkpoints may have been deleted, at and above it none was. None
     * recorded: every rank's start (nothing was deleted). One that cannot be read, or is for another number of ranks,
     * is taken as the start too, with a warning: only checkpoints from 1 on can then be trusted to be complete.
     */
    private static long[] floor(LocalCheckpointStore store, int ranks, List<String> warnings) {
        Optional<long[]> recorded;
        try {
            recorded = store.recoveryLine();
        } catch (CheckpointStoreException e) {
            warnings.add("the line below which local checkpoints were deleted cannot be read (" + e.getMessage()
                    + "), so only lines over checkpoints from each rank's first on are considered");
            return new long[ranks];
        }
        if (recorded.isPresent() && recorded.get().length != ranks) {
            warnings.add("the store recorded a line of " + recorded.get().length + " ranks, not " + ranks
                    + ", below which local checkpoints were deleted; it is ignored, so only lines over checkpoints "
                    + "from each rank's first on are considered");
            return new long[ranks];
        }
        return recorded.orElseGet(() -> new long[ranks]);
    }

    /**
     * Rank {@code r}'s usable entries from its floor on (the floor's own first, when it is a local checkpoint and
     * usable; sets {@code floorUsable[r]}), up to the first damaged or missing one.
     */
    private static List<LocalHistory.Entry> rank(LocalCheckpointStore store, int r, int ranks, long floor,
            boolean[] floorUsable, List<LocalHistory.Damage> damaged, List<String> warnings) {
        List<Long> present = store.localIndexes(r);
        long newest = present.isEmpty() ? 0 : present.get(present.size() - 1);
        List<LocalHistory.Entry> entries = new ArrayList<>();
        floorUsable[r] = true;
        if (floor > 0) {
            try {
                entries.add(load(store, r, floor, ranks));
            } catch (LocalHistory.DamagedCheckpointException e) {
                floorUsable[r] = false;
                damaged.add(e.damage());
                warnings.add(e.getMessage() + "; it is the oldest checkpoint the store keeps for rank " + r
                        + " (older ones were deleted), so rank " + r + " cannot restart from it"
                        + (newest > floor ? "" : " and can only start again from the beginning"));
            }
        }
        for (long k = floor + 1; k <= newest; k++) {
            try {
                entries.add(load(store, r, k, ranks));
            } catch (LocalHistory.DamagedCheckpointException e) {
                damaged.add(e.damage());
                warnings.add(e.getMessage() + "; " + (k < newest ? "it and rank " + r + "'s later checkpoint"
                        + (k + 1 == newest ? " " + newest : "s " + (k + 1) + ".." + newest) + " are" : "it is")
                        + " left out (the intervals after it cannot be rebuilt)");
                break;
            }
        }
        return entries;
    }

    /** Local checkpoint {@code k} of rank {@code r}, verified, or a {@link LocalHistory.DamagedCheckpointException}. */
    static LocalHistory.Entry load(LocalCheckpointStore store, int r, long k, int ranks) {
        String where = store.localLocation(r, k);
        RankImage.Head head = head(store, r, k);
        if (head.rank() != r || head.id() != k || head.ranks() != ranks) {
            throw damaged(r, k, where + " holds checkpoint " + head.id() + " of rank " + head.rank() + " of "
                    + head.ranks() + " ranks, not checkpoint " + k + " of rank " + r + " of " + ranks, null);
        }
        if (head.dependencies().length == 0) {
            throw damaged(r, k, where + " holds no dependency record (written without dependency tracking)", null);
        }
        DependencyRecord record;
        try {
            record = DependencyRecord.decode(head.dependencies());
        } catch (BufferUnderflowException | NegativeArraySizeException e) {
            throw damaged(r, k, where + " holds a truncated dependency record", e);
        } catch (IllegalArgumentException e) {
            throw damaged(r, k, where + ": " + e.getMessage(), e);
        }
        if (record.interval() != k - 1) {
            throw damaged(r, k, where + " holds the record of interval " + record.interval() + ", not " + (k - 1),
                    null);
        }
        return new LocalHistory.Entry(k, record);
    }

    /** The verified head of local checkpoint {@code k} of rank {@code r}, or a damaged-checkpoint exception. */
    static RankImage.Head head(LocalCheckpointStore store, int r, long k) {
        try {
            int want = HEAD_BYTES;
            while (true) {
                byte[] prefix = store.verifyLocal(r, k, want);
                boolean whole = prefix.length < want;
                RankImage.Head head = RankImage.head(prefix, whole, store.localLocation(r, k));
                if (head != null) {
                    return head;
                }
                want = (int) Math.min(Integer.MAX_VALUE - 8L, want * 8L);
            }
        } catch (CheckpointStoreException | CheckpointException e) {
            throw damaged(r, k, e.getMessage(), e);
        }
    }

    private static LocalHistory.DamagedCheckpointException damaged(int r, long k, String problem, Throwable cause) {
        return new LocalHistory.DamagedCheckpointException(new LocalHistory.Damage(r, k, problem), cause);
    }
}
