package io.snapline.runtime.checkpoint;

import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.CheckpointStore;
import io.snapline.runtime.checkpoint.store.Manifest;
import io.snapline.runtime.checkpoint.store.PieceRef;

/**
 * The checkpoint one rank restores: its piece of committed global checkpoint {@code id} ({@code piece} as the
 * manifest names it), or — when {@code piece} is null — its own local checkpoint number {@code id}.
 */
public record RestoreFrom(CheckpointId id, PieceRef piece) {

    public RestoreFrom {
        if (id == null) {
            throw new IllegalArgumentException("a restore needs a checkpoint id");
        }
    }

    /** Rank {@code rank}'s piece of the global checkpoint {@code manifest}. */
    public static RestoreFrom global(Manifest manifest, int rank) {
        return new RestoreFrom(manifest.id(), manifest.piece(rank));
    }

    /** The rank's local checkpoint number {@code index} (at least 1). */
    public static RestoreFrom local(long index) {
        return new RestoreFrom(CheckpointId.of(index), null);
    }

    public boolean isLocal() {
        return piece == null;
    }

    /** Reads and verifies the piece for rank {@code rank} from {@code store}. */
    public byte[] read(CheckpointStore store, int rank) {
        return isLocal() ? store.readLocal(rank, id.value()) : store.readPiece(id, piece);
    }

    /** "checkpoint 7" or "local checkpoint 3". */
    @Override
    public String toString() {
        return (isLocal() ? "local checkpoint " : "checkpoint ") + id;
    }
}
