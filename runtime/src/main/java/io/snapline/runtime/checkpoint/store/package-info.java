/**
 * Stable storage for global checkpoints: one piece per rank plus a manifest that commits them.
 *
 * <p>The SPI is split by caller. A rank uses {@link io.snapline.runtime.checkpoint.store.PieceStore} to write
 * its piece of checkpoint {@code k} and to read it back verified. The coordinator uses
 * {@link io.snapline.runtime.checkpoint.store.ManifestStore} to commit a
 * {@link io.snapline.runtime.checkpoint.store.Manifest} atomically (the moment a checkpoint becomes
 * complete), to find the latest complete checkpoint after a restart (falling back past torn or corrupt ones),
 * and to retain the newest {@code K}. {@link io.snapline.runtime.checkpoint.store.FileCheckpointStore} is the
 * durable implementation; its on-disk format is documented in
 * {@link io.snapline.runtime.checkpoint.store.CheckpointFormatDescriptor} and {@code docs/checkpoint-format.md}.
 * {@link io.snapline.runtime.checkpoint.store.InMemoryCheckpointStore} serves protocol tests. Opened for incremental
 * writes ({@code --incremental}), the file store cuts each piece into content-defined chunks
 * ({@link io.snapline.runtime.checkpoint.store.Chunker}) kept once by their SHA-256 in a chunk directory
 * ({@code ChunkStore}, which also collects the unused ones) and writes as the piece their
 * {@link io.snapline.runtime.checkpoint.store.ChunkList}.
 *
 * <p>Every failure is a {@link io.snapline.runtime.checkpoint.store.CheckpointStoreException} whose message
 * says what to do.
 */
package io.snapline.runtime.checkpoint.store;
