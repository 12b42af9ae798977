package io.snapline.runtime.checkpoint.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The chunk list's bytes, as docs/checkpoint-format.md describes them. */
class ChunkListTest {
    private static final String A = "00".repeat(31) + "0a";
    private static final String B = "ff".repeat(32);

    @Test
    void shouldEncodeTheLayoutOfTheFormatPage() {
        byte[] bytes = new ChunkList(7, List.of(new ChunkList.Chunk(A, 3), new ChunkList.Chunk(B, 4))).encode();

        assertEquals("534c434b" + "0001" + "0000" + "0000000000000007" + "00000002"
                + "00000003" + A + "00000004" + B, HexFormat.of().formatHex(bytes));
        assertEquals(new ChunkList(7, List.of(new ChunkList.Chunk(A, 3), new ChunkList.Chunk(B, 4))),
                ChunkList.decode("p", bytes));
    }

    @Test
    void shouldNameEachChunkByTheSha256OfItsBytes() {
        byte[] data = "abc".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ChunkList list = ChunkList.of(ByteBuffer.wrap(data));
        assertEquals(List.of(new ChunkList.Chunk(
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", 3)), list.chunks());
    }

    @Test
    void shouldRefuseBytesThatAreNotAChunkListNamingThePiece() {
        byte[] bytes = new ChunkList(3, List.of(new ChunkList.Chunk(A, 3))).encode();
        bytes[bytes.length - 1] = 'x';
        bytes[5] = 2;
        CheckpointStoreException version = assertThrows(CheckpointStoreException.class,
                () -> ChunkList.decode("rank-00001.piece", bytes));
        assertTrue(version.getMessage().startsWith("rank-00001.piece holds a chunk list of version 2"),
                version.getMessage());
        CheckpointStoreException sum = assertThrows(CheckpointStoreException.class,
                () -> ChunkList.decode("p", java.util.Arrays.copyOf(new ChunkList(3, List.of(new ChunkList.Chunk(A,
                        3))).encode(), 40)));
        assertTrue(sum.getMessage().contains("names 1 chunks"), sum.getMessage());
        assertThrows(CheckpointStoreException.class, () -> new ChunkList(4, List.of(new ChunkList.Chunk(A, 3))));
    }
}
