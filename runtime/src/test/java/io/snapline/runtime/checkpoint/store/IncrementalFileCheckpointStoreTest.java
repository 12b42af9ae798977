package io.snapline.runtime.checkpoint.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store contract, for a file store that writes every piece as a chunk list ({@code --incremental}). */
class IncrementalFileCheckpointStoreTest extends CheckpointStoreContractTest {

    @TempDir
    Path temp;

    @Override
    protected CheckpointStore newStore(JobFingerprint fingerprint) {
        return new FileCheckpointStore(temp.resolve("store"), fingerprint, true);
    }

    /** An empty payload has an empty chunk list: the piece is its header and the list's. */
    @Test
    @Override
    void shouldRoundTripEmptyPayloadWhenRankHasNoState() {
        PieceRef ref = store.writePiece(CheckpointId.of(1), 0, new byte[0]);
        store.commit(new Manifest(CheckpointId.of(1), 1, List.of(ref)));

        assertEquals(CheckpointFormatDescriptor.PIECE_HEADER_SIZE + ChunkList.HEADER_SIZE, ref.size());
        assertArrayEquals(new byte[0], store.readPiece(CheckpointId.of(1), ref));
    }

    @Test
    void shouldWriteEveryPieceAsAChunkListWhenIncremental() throws Exception {
        PieceRef ref = store.writePiece(CheckpointId.of(1), 0, payload(1, 0));

        byte[] file = java.nio.file.Files.readAllBytes(temp.resolve("store")
                .resolve(CheckpointFormatDescriptor.checkpointDirName(CheckpointId.of(1))).resolve(ref.fileName()));
        assertTrue(PieceHeader.parse("piece", file, CheckpointId.of(1), 0).chunked());
    }
}
