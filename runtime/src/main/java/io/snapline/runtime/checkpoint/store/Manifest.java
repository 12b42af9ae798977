package io.snapline.runtime.checkpoint.store;

import java.util.List;

/**
 * A committed global checkpoint: its id, the number of ranks, and exactly one piece per rank, ordered by rank.
 */
public record Manifest(CheckpointId id, int ranks, List<PieceRef> pieces) {

    public Manifest {
        if (id == null) {
            throw new CheckpointStoreException("manifest needs a checkpoint id");
        }
        if (ranks < 1) {
            throw new CheckpointStoreException("manifest needs at least one rank, got " + ranks);
        }
        pieces = List.copyOf(pieces);
        if (pieces.size() != ranks) {
            throw new CheckpointStoreException("manifest of checkpoint " + id + " names " + pieces.size()
                    + " pieces for " + ranks + " ranks; commit only after every rank has written its piece");
        }
        for (int r = 0; r < ranks; r++) {
            if (pieces.get(r).rank() != r) {
                throw new CheckpointStoreException("manifest of checkpoint " + id + " must list pieces by rank "
                        + "0.." + (ranks - 1) + "; position " + r + " holds rank " + pieces.get(r).rank());
            }
        }
    }

    /** The piece of {@code rank}. */
    public PieceRef piece(int rank) {
        if (rank < 0 || rank >= ranks) {
            throw new CheckpointStoreException("checkpoint " + id + " has ranks 0.." + (ranks - 1)
                    + ", not rank " + rank);
        }
        return pieces.get(rank);
    }

    /**
     * Refuses to restore this checkpoint into a job of a different size.
     *
     * @throws CheckpointStoreException naming both numbers if {@code jobRanks != ranks()}
     */
    public void requireRanks(int jobRanks) {
        if (jobRanks != ranks) {
            throw new CheckpointStoreException("checkpoint " + id + " was taken with " + ranks
                    + " ranks but this job has " + jobRanks + "; restart with -np " + ranks
                    + ", or use an empty --store directory to start from scratch");
        }
    }
}
