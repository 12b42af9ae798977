package io.snapline.runtime.checkpoint.store;

/**
 * A complete checkpoint store: the rank view and the coordinator view over the same storage, for global checkpoints
 * (committed by a manifest) and local ones (committed by each rank).
 */
public interface CheckpointStore extends PieceStore, ManifestStore, LocalCheckpointStore {
}
