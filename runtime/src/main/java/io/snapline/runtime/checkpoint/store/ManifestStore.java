package io.snapline.runtime.checkpoint.store;

import java.util.List;
import java.util.Optional;

/**
 * The coordinator's view of the store: a bounded LIFO of committed checkpoints.
 */
public interface ManifestStore extends AutoCloseable {

    /**
     * Atomically commits {@code manifest}: afterwards (even after a crash) the checkpoint is complete.
     *
     * @throws CheckpointStoreException if a piece the manifest names is missing or of another size, or if
     *     the id is not newer than the latest complete checkpoint
     */
    void commit(Manifest manifest);

    /**
     * The newest complete checkpoint whose manifest and pieces all verify, falling back past torn or corrupt
     * ones (each skipped one is reported in {@link Recovered#warnings()}); empty if there is none.
     * This is the restart path: it also removes temporary files left by a crash, so call it before ranks write.
     *
     * @throws CheckpointStoreException if checkpoints were committed but none of them is complete any more
     *     (starting from scratch silently would lose committed work)
     */
    Optional<Recovered> latest();

    /**
     * The manifest of committed checkpoint {@code id}, its own checksum verified (the pieces are not read). Read-only:
     * unlike {@link #latest()} it changes nothing in the store, so tools may call it on a running job's store.
     *
     * @throws CheckpointStoreException if the manifest is missing or corrupt
     */
    Manifest manifest(CheckpointId id);

    /**
     * The job fingerprint recorded with committed checkpoint {@code id} (its manifest's checksum verified, the pieces
     * not read), or empty when it records none. Read-only, like {@link #manifest}.
     *
     * @throws CheckpointFormatException if the checkpoint is of a format this build does not read
     * @throws CheckpointStoreException if the manifest is missing or damaged
     */
    Optional<JobFingerprint> fingerprint(CheckpointId id);

    /** The ids of all committed checkpoints (verified or not), oldest first. */
    List<CheckpointId> list();

    /**
     * Keeps the {@code k} newest complete checkpoints and deletes everything older than the oldest kept one.
     * (Here "complete" means the manifest verifies, every piece is present with its stated size, and
     * {@link #latest()} did not skip the checkpoint as damaged.)
     * Never deletes the newest complete checkpoint.
     *
     * @throws CheckpointStoreException if {@code k < 1}
     */
    void retain(int k);

    /** Releases resources; later calls fail. */
    @Override
    void close();
}
