package io.snapline.runtime.checkpoint.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Golden values of the version-1 format; a change here is a format change and needs a new version. */
class CheckpointFormatDescriptorTest {

    private static final byte[] CHECK = "123456789".getBytes(StandardCharsets.US_ASCII);

    @Test
    void shouldComputeStandardCheckValueWhenChecksummingDigits() {
        assertEquals(0xe3069283, CheckpointFormatDescriptor.crc32c(CHECK, 0, CHECK.length));
    }

    @Test
    void shouldLayOutPieceHeaderWhenWritingVersionOne() {
        byte[] header = CheckpointFormatDescriptor.pieceHeader(CheckpointId.of(7), 2, CHECK);

        String hex = HexFormat.of().formatHex(header);
        assertEquals("534e5043" + "0001" + "0000" + "0000000000000007" + "00000002" + "0000000000000009"
                + "e3069283", hex.substring(0, 64));
        assertEquals(String.format("%08x", CheckpointFormatDescriptor.crc32c(header, 0, 32)), hex.substring(64));
    }

    @Test
    void shouldNameFilesAndDirectoriesWhenGivenIdAndRank() {
        assertEquals("ckpt-00000000000000000007", CheckpointFormatDescriptor.checkpointDirName(CheckpointId.of(7)));
        assertEquals(7, CheckpointFormatDescriptor.parseCheckpointDirName("ckpt-00000000000000000007"));
        assertEquals(-1, CheckpointFormatDescriptor.parseCheckpointDirName("ckpt-0000000000000000000x"));
        assertEquals("rank-00003.piece", CheckpointFormatDescriptor.pieceFileName(3));
    }

    @Test
    void shouldWriteGoldenManifestWhenEncoding() {
        Manifest manifest = new Manifest(CheckpointId.of(7), 2, List.of(
                new PieceRef(0, "rank-00000.piece", 45, 0xe3069283),
                new PieceRef(1, "rank-00001.piece", 36, 0)));

        String body = "snapline-manifest 1\n"
                + "checkpoint 7\n"
                + "ranks 2\n"
                + "piece 0 rank-00000.piece 45 e3069283\n"
                + "piece 1 rank-00001.piece 36 00000000\n";
        byte[] bodyBytes = body.getBytes(StandardCharsets.US_ASCII);
        String expected = body + String.format("crc32c %08x%n", CheckpointFormatDescriptor.crc32c(bodyBytes, 0,
                bodyBytes.length)).replace(System.lineSeparator(), "\n");

        byte[] encoded = CheckpointFormatDescriptor.encodeManifest(manifest);

        assertEquals(expected, new String(encoded, StandardCharsets.US_ASCII));
        assertEquals(manifest, CheckpointFormatDescriptor.decodeManifest("MANIFEST", encoded));
    }

    @Test
    void shouldRefuseManifestWhenVersionIsUnknown() {
        String body = "snapline-manifest 2\ncheckpoint 1\nranks 1\npiece 0 rank-00000.piece 36 00000000\n";
        byte[] bodyBytes = body.getBytes(StandardCharsets.US_ASCII);
        byte[] bytes = (body + String.format("crc32c %08x", CheckpointFormatDescriptor.crc32c(bodyBytes, 0,
                bodyBytes.length)) + "\n").getBytes(StandardCharsets.US_ASCII);

        CheckpointStoreException e = assertThrows(CheckpointStoreException.class,
                () -> CheckpointFormatDescriptor.decodeManifest("M", bytes));

        assertTrue(e.getMessage().contains("expected 'snapline-manifest 1'"), e.getMessage());
    }

    @Test
    void shouldReturnPayloadWhenPieceVerifies() {
        byte[] header = CheckpointFormatDescriptor.pieceHeader(CheckpointId.of(7), 2, CHECK);
        byte[] file = new byte[header.length + CHECK.length];
        System.arraycopy(header, 0, file, 0, header.length);
        System.arraycopy(CHECK, 0, file, header.length, CHECK.length);

        byte[] payload = CheckpointFormatDescriptor.verifyPiece("p", file, CheckpointId.of(7),
                new PieceRef(2, "rank-00002.piece", file.length, 0xe3069283));

        assertArrayEquals(CHECK, payload);
        PieceRef otherRank = new PieceRef(1, "rank-00001.piece", file.length, 0xe3069283);
        CheckpointStoreException e = assertThrows(CheckpointStoreException.class,
                () -> CheckpointFormatDescriptor.verifyPiece("p", file, CheckpointId.of(7), otherRank));
        assertTrue(e.getMessage().contains("expected checkpoint 7 rank 1"), e.getMessage());
    }

    @Test
    void shouldRefuseManifestWhenPiecesAreMissingOrOutOfOrder() {
        PieceRef rank1 = new PieceRef(1, "rank-00001.piece", 36, 0);

        CheckpointStoreException count = assertThrows(CheckpointStoreException.class,
                () -> new Manifest(CheckpointId.of(1), 2, List.of(rank1)));
        CheckpointStoreException order = assertThrows(CheckpointStoreException.class,
                () -> new Manifest(CheckpointId.of(1), 1, List.of(rank1)));

        assertTrue(count.getMessage().contains("1 pieces for 2 ranks"), count.getMessage());
        assertTrue(order.getMessage().contains("position 0 holds rank 1"), order.getMessage());
    }
}
