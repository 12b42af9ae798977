package io.snapline.runtime.checkpoint.store;

/**
 * A complete checkpoint store: the rank view and the coordinator view over the same storage, for global checkpoints
 * (committed by a manifest) and local ones (committed by each rank).
 */
public interface CheckpointStore extends PieceStore, ManifestStore, LocalCheckpointStore {
    /**
     * Deletes what writes that were under way when their rank died left behind (temporary files, never read), so a
     * job killed again and again does not fill the disk with partial pieces. Called by the supervisor while no rank
     * of the job runs: before a restart and before a resume. A store that leaves nothing behind does nothing.
     *
     * @throws CheckpointStoreException if leftovers cannot be removed
     */
    default void deleteInterruptedWrites() {
    }

    /**
     * Deletes what no piece in the store uses any more (the chunks of incremental pieces), once retention or a deleted
     * local checkpoint has left it unused; called by the coordinator only. A store that shares nothing between pieces
     * frees nothing.
     *
     * @throws CheckpointStoreException if the collection fails (it then deleted nothing a piece uses)
     */
    default Collected collectGarbage() {
        return Collected.NOTHING;
    }

    /** What {@link #collectGarbage()} freed. */
    record Collected(int chunks, long bytes) {
        public static final Collected NOTHING = new Collected(0, 0);
    }
}
