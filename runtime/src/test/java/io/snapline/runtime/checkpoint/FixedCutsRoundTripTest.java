package io.snapline.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.Chunker;
import io.snapline.runtime.checkpoint.store.FileCheckpointStore;
import io.snapline.runtime.checkpoint.store.FixedCuts;
import io.snapline.runtime.checkpoint.store.Manifest;
import io.snapline.runtime.checkpoint.store.PieceWrite;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A captured state with several arrays and small objects, from the codec through the rank image to an incremental
 * store and back: restored bit for bit, and a later checkpoint with one element of the grid changed writes the piece,
 * the image's head (it names the checkpoint) and the grid's one changed 64 KiB chunk, nothing else.
 */
class FixedCutsRoundTripTest {
    @TempDir
    Path temp;

    private final StateCodec codec = new StateCodec(FixedCutsRoundTripTest.class.getClassLoader());

    /** A piece written, and where its payload's first stretch (the grid's bytes) starts. */
    private record Written(PieceWrite write, long gridAt) {
    }

    private Written write(FileCheckpointStore store, long id, Map<String, Object> states) {
        ByteBuffer state = codec.encode(states);
        RankImage image = new RankImage(0, 1, id, id * 10, 3, 0, List.of(), new byte[0], new byte[0], state,
                codec.arrays());
        ByteBuffer[] parts = image.encodeParts(Compression.NONE);
        FixedCuts cuts = image.arraysIn(parts, Compression.NONE);
        PieceWrite w = store.writePieceCounted(CheckpointId.of(id), 0, cuts, parts);
        store.commit(new Manifest(CheckpointId.of(id), 1, List.of(w.piece())));
        return new Written(w, cuts.start(0));
    }

    private Map<String, Object> read(FileCheckpointStore store, long id, PieceWrite w) {
        RankImage image = RankImage.decode(store.readPiece(CheckpointId.of(id), w.piece()), "piece " + id);
        return codec.decode(image.state());
    }

    @Test
    void shouldRestoreBitForBitAndWriteOnlyTheChangedChunkOfTheGridAndTheImagesHead() {
        Map<String, Object> states = StateCodecTest.mixed();
        double[] u = ((StateCodecTest.Grid) states.get("grid")).u;
        try (FileCheckpointStore store = new FileCheckpointStore(temp.resolve("store"), null, true)) {
            Written first = write(store, 1, states);
            u[3 * Chunker.FIXED / Double.BYTES + 5] = 1e300; // in the grid's fourth chunk
            Written second = write(store, 2, states);

            assertEquals(first.gridAt(), second.gridAt());
            assertEquals(second.write().piece().size() + second.gridAt() + Chunker.FIXED, second.write().bytesWritten(),
                    "the piece, the image's head up to the grid (one content-defined chunk), one chunk of the grid");

            Map<String, Object> back = read(store, 2, second.write());
            double[] u2 = ((StateCodecTest.Grid) back.get("grid")).u;
            for (int i = 0; i < u.length; i++) {
                assertEquals(Double.doubleToRawLongBits(u[i]), Double.doubleToRawLongBits(u2[i]), "element " + i);
            }
            assertArrayEquals((long[]) states.get("counts"), (long[]) back.get("counts"));
            assertArrayEquals((float[]) states.get("edge"), (float[]) back.get("edge"));
            assertArrayEquals((int[]) states.get("small"), (int[]) back.get("small"));
            assertEquals(((StateCodecTest.Grid) states.get("grid")).name, ((StateCodecTest.Grid) back.get("grid")).name);
        }
    }
}
