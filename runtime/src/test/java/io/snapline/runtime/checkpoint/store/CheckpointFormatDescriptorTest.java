package io.snapline.runtime.checkpoint.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Golden values of the version-2 format; a change here is a format change and needs a new version. The files under
 * {@code src/test/resources/checkpoint-format} were written by {@code make-golden.py} from the documented layout, not
 * by this code; version 1's are kept to prove that older checkpoints are refused by name.
 */
class CheckpointFormatDescriptorTest {

    private static final byte[] CHECK = "123456789".getBytes(StandardCharsets.US_ASCII);
    private static final JobFingerprint GOLDEN_JOB = new JobFingerprint(2, "demo.Heat2D",
            List.of("128", "a b", "", "\u00fc%"), "sha256:" + "0123456789abcdef".repeat(4), "coordinated",
            "logging=none", 3);
    private static final String GOLDEN_JOB_LINES = "job 1 format 2\n"
            + "job 2 main-class demo.Heat2D\n"
            + "job 3 arguments 4 128 a%20b  %C3%BC%25\n"
            + "job 4 class-path sha256:" + "0123456789abcdef".repeat(4) + "\n"
            + "job 5 policy coordinated\n"
            + "job 6 policy-options logging=none\n"
            + "job 7 ranks 3\n";

    private static byte[] golden(String name) throws IOException {
        try (InputStream in = CheckpointFormatDescriptorTest.class.getResourceAsStream("/checkpoint-format/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing golden file " + name);
            }
            return in.readAllBytes();
        }
    }

    private static Manifest goldenManifest(long pieceSize) {
        return new Manifest(CheckpointId.of(7), 3, List.of(new PieceRef(0, "rank-00000.piece", pieceSize, 0xe3069283),
                new PieceRef(1, "rank-00001.piece", pieceSize, 0xe3069283),
                new PieceRef(2, "rank-00002.piece", pieceSize, 0xe3069283)));
    }

    @Test
    void shouldComputeStandardCheckValueWhenChecksummingDigits() {
        assertEquals(0xe3069283, CheckpointFormatDescriptor.crc32c(CHECK, 0, CHECK.length));
    }

    @Test
    void shouldLayOutPieceHeaderWhenWritingVersionTwo() {
        byte[] fingerprint = "job 1".getBytes(StandardCharsets.US_ASCII);
        byte[] header = CheckpointFormatDescriptor.pieceHeader(CheckpointId.of(7), 2, fingerprint, CHECK.length,
                0xe3069283);

        String hex = HexFormat.of().formatHex(header);
        assertEquals("534e5043" + "0002" + "0000" + "0000000000000007" + "00000002" + "00000005"
                + "0000000000000009" + "e3069283" + String.format("%08x", CheckpointFormatDescriptor.crc32c(fingerprint,
                0, fingerprint.length)), hex.substring(0, 80));
        assertEquals(String.format("%08x", CheckpointFormatDescriptor.crc32c(header, 0, 40)), hex.substring(80));
    }

    @Test
    void shouldWriteTheGoldenPieceWhenGivenAFingerprintAndPayload() throws IOException {
        byte[] expected = golden("v2/rank-00002.piece");

        byte[] file = CheckpointFormatDescriptor.pieceFile(CheckpointId.of(7), 2, GOLDEN_JOB, CHECK);

        assertArrayEquals(expected, file);
        assertArrayEquals(CHECK, CheckpointFormatDescriptor.verifyPiece("p", expected, CheckpointId.of(7),
                new PieceRef(2, "rank-00002.piece", expected.length, 0xe3069283)));
        assertEquals(GOLDEN_JOB, CheckpointFormatDescriptor.pieceFingerprint("p", expected, CheckpointId.of(7), 2));
    }

    @Test
    void shouldReadTheFingerprintFromTheHeadOfAPieceWhenThePayloadIsNotRead() throws IOException {
        byte[] file = golden("v2/rank-00002.piece");
        byte[] head = new byte[CheckpointFormatDescriptor.fingerprintEnd(file)];
        System.arraycopy(file, 0, head, 0, head.length);

        assertEquals(file.length - CHECK.length, head.length);
        assertEquals(GOLDEN_JOB, CheckpointFormatDescriptor.pieceFingerprint("p", head, CheckpointId.of(7), 2));
    }

    @Test
    void shouldNameFilesAndDirectoriesWhenGivenIdAndRank() {
        assertEquals("ckpt-00000000000000000007", CheckpointFormatDescriptor.checkpointDirName(CheckpointId.of(7)));
        assertEquals(7, CheckpointFormatDescriptor.parseCheckpointDirName("ckpt-00000000000000000007"));
        assertEquals(-1, CheckpointFormatDescriptor.parseCheckpointDirName("ckpt-0000000000000000000x"));
        assertEquals("rank-00003.piece", CheckpointFormatDescriptor.pieceFileName(3));
    }

    @Test
    void shouldWriteTheGoldenManifestWhenEncodingOneWithAFingerprint() throws IOException {
        byte[] expected = golden("v2/MANIFEST");
        Manifest manifest = goldenManifest(golden("v2/rank-00002.piece").length);

        byte[] encoded = CheckpointFormatDescriptor.encodeManifest(manifest, GOLDEN_JOB);

        assertEquals(new String(expected, StandardCharsets.US_ASCII), new String(encoded, StandardCharsets.US_ASCII));
        CheckpointFormatDescriptor.ManifestFile decoded = CheckpointFormatDescriptor.decodeManifest("MANIFEST",
                expected);
        assertEquals(manifest, decoded.manifest());
        assertEquals(GOLDEN_JOB, decoded.fingerprint());
    }

    @Test
    void shouldEncodeTheFingerprintAsGoldenLinesWhenArgumentsNeedEscaping() {
        assertEquals(GOLDEN_JOB_LINES, FingerprintLines.encode(GOLDEN_JOB));
        assertEquals(GOLDEN_JOB, FingerprintLines.decode("x", List.of(GOLDEN_JOB_LINES.split("\n"))));
    }

    @Test
    void shouldWriteNoJobLinesWhenTheStoreHasNoFingerprint() {
        Manifest manifest = new Manifest(CheckpointId.of(1), 1, List.of(new PieceRef(0, "rank-00000.piece", 44, 0)));

        byte[] encoded = CheckpointFormatDescriptor.encodeManifest(manifest, null);

        assertTrue(new String(encoded, StandardCharsets.US_ASCII).startsWith(
                "snapline-manifest 2\ncheckpoint 1\nranks 1\npiece 0 rank-00000.piece 44 00000000\ncrc32c "));
        assertNull(CheckpointFormatDescriptor.decodeManifest("M", encoded).fingerprint());
    }

    @Test
    void shouldRefuseAVersionOneManifestByNameWhenReadingOne() throws IOException {
        CheckpointFormatException e = assertThrows(CheckpointFormatException.class,
                () -> CheckpointFormatDescriptor.decodeManifest("DIR/MANIFEST", golden("v1/MANIFEST")));

        assertEquals("DIR/MANIFEST was written in checkpoint format 1 by an earlier Snapline; this build reads format 2"
                + " only. Continue that job with the Snapline version that started it, or start the job afresh with "
                + "another --store", e.getMessage());
    }

    @Test
    void shouldRefuseAVersionOnePieceByNameWhenReadingOne() throws IOException {
        byte[] v1 = golden("v1/rank-00000.piece");

        CheckpointFormatException read = assertThrows(CheckpointFormatException.class,
                () -> CheckpointFormatDescriptor.verifyLocalPiece("p", v1, CheckpointId.of(7), 0));
        CheckpointFormatException fingerprint = assertThrows(CheckpointFormatException.class,
                () -> CheckpointFormatDescriptor.pieceFingerprint("p", v1, CheckpointId.of(7), 0));

        assertTrue(read.getMessage().startsWith("p was written in checkpoint format 1 by an earlier Snapline"),
                read.getMessage());
        assertEquals(read.getMessage(), fingerprint.getMessage());
    }

    @Test
    void shouldCallAPieceDamagedNotOldWhenItsVersionFieldIsCorrupt() throws IOException {
        byte[] file = golden("v2/rank-00002.piece");
        file[5] = 1; // version 1, but the rest is a version-2 header

        CheckpointStoreException e = assertThrows(CheckpointStoreException.class,
                () -> CheckpointFormatDescriptor.verifyLocalPiece("p", file, CheckpointId.of(7), 2));

        assertEquals(CheckpointStoreException.class, e.getClass());
        assertEquals("p has a header checksum mismatch", e.getMessage());
    }

    @Test
    void shouldRefuseAPieceWhenItsFingerprintIsCorrupt() throws IOException {
        byte[] file = golden("v2/rank-00002.piece");
        file[CheckpointFormatDescriptor.PIECE_HEADER_SIZE + 10] ^= 0x01;

        CheckpointStoreException e = assertThrows(CheckpointStoreException.class,
                () -> CheckpointFormatDescriptor.verifyLocalPiece("p", file, CheckpointId.of(7), 2));

        assertEquals("p has a fingerprint checksum mismatch", e.getMessage());
    }

    @Test
    void shouldReturnPayloadWhenPieceVerifies() {
        byte[] file = CheckpointFormatDescriptor.pieceFile(CheckpointId.of(7), 2, null, CHECK);

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
        PieceRef rank1 = new PieceRef(1, "rank-00001.piece", 44, 0);

        CheckpointStoreException count = assertThrows(CheckpointStoreException.class,
                () -> new Manifest(CheckpointId.of(1), 2, List.of(rank1)));
        CheckpointStoreException order = assertThrows(CheckpointStoreException.class,
                () -> new Manifest(CheckpointId.of(1), 1, List.of(rank1)));

        assertTrue(count.getMessage().contains("1 pieces for 2 ranks"), count.getMessage());
        assertTrue(order.getMessage().contains("position 0 holds rank 1"), order.getMessage());
    }
}
