package io.snapline.runtime.checkpoint.store;

/** A complete checkpoint store: the rank view and the coordinator view over the same storage. */
public interface CheckpointStore extends PieceStore, ManifestStore {
}
