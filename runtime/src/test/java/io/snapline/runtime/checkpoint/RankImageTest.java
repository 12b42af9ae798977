package io.snapline.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.snapline.checkpoint.CheckpointException;
import io.snapline.runtime.checkpoint.store.FixedCuts;
import io.snapline.runtime.engine.BaseType;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The head of a rank image, read without its program state. */
class RankImageTest {
    private static final byte[] RECORD = {1, 2, 3, 4, 5, 6, 7, 8, 9};

    private static byte[] image() {
        List<SavedMessage> unmatched = List.of(new SavedMessage(2, 4, 9, BaseType.INT.ordinal(), 2, new byte[8]),
                new SavedMessage(3, 4, 9, BaseType.BYTE.ordinal(), 3, new byte[] {1, 2, 3}));
        return new RankImage(1, 4, 7, 70, 6, 0, unmatched, new byte[] {42, 43}, RECORD,
                ByteBuffer.wrap(new byte[1000])).encode();
    }

    @Test
    void shouldReadTheHeadFromThePrefixBeforeTheProgramState() {
        byte[] image = image();
        int stateStart = image.length - 1000;

        RankImage.Head head = RankImage.head(Arrays.copyOf(image, stateStart), false, "x");

        assertEquals(1, head.rank());
        assertEquals(4, head.ranks());
        assertEquals(7, head.id());
        assertEquals(70, head.point());
        assertArrayEquals(RECORD, head.dependencies());
        assertArrayEquals(RECORD, RankImage.head(image, true, "x").dependencies());
    }

    @Test
    void shouldAskForMoreWhenThePrefixEndsBeforeTheDependencyRecord() {
        byte[] image = image();
        int recordEnd = image.length - 1000 - 4;

        assertNull(RankImage.head(Arrays.copyOf(image, recordEnd - 1), false, "x"));
        assertNull(RankImage.head(Arrays.copyOf(image, 20), false, "x"));
    }

    @Test
    void shouldDecodeAnImageWithACompressedStateAndReadItsHeadWithoutDecompressing() {
        byte[] state = new byte[300_000];
        for (int i = 0; i < state.length; i++) {
            state[i] = (byte) (i / 1000);
        }
        RankImage original = new RankImage(1, 4, 7, 70, 6, 0, List.of(), new byte[] {42, 43}, RECORD,
                ByteBuffer.wrap(state));
        for (Compression c : new Compression[] {Compression.LZ4, Compression.ZSTD}) {
            ByteBuffer[] parts = original.encodeParts(c);
            byte[] bytes = new byte[parts[0].remaining() + parts[1].remaining()];
            parts[0].get(bytes, 0, parts[0].remaining());
            parts[1].get(bytes, bytes.length - parts[1].remaining(), parts[1].remaining());
            org.junit.jupiter.api.Assertions.assertTrue(bytes.length < state.length / 10, c + ": " + bytes.length);

            assertArrayEquals(RECORD, RankImage.head(bytes, true, "x").dependencies());
            RankImage back = RankImage.decode(bytes, "x");
            byte[] restored = new byte[back.state().remaining()];
            back.state().duplicate().get(restored);
            assertArrayEquals(state, restored, c.toString());
            assertArrayEquals(new byte[] {42, 43}, back.policyData());

            bytes[bytes.length - 7] ^= 1;
            CheckpointException e = assertThrows(CheckpointException.class, () -> RankImage.decode(bytes, "x"));
            org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().startsWith("x (its program state): "),
                    e.getMessage());
        }
        byte[] plain = image();
        assertEquals(1, ByteBuffer.wrap(plain).getShort(4), "an uncompressed image keeps version 1");
        plain[7] = 1; // marked compressed, but of version 1
        assertEquals("x is damaged: rank image version 1 with the state marked compressed", assertThrows(
                CheckpointException.class, () -> RankImage.decode(plain, "x")).getMessage());
    }

    @Test
    void shouldRefuseATruncatedOrForeignImageWhenItIsWhole() {
        byte[] image = image();

        assertEquals("x ends early: the rank image is truncated", assertThrows(CheckpointException.class,
                () -> RankImage.head(Arrays.copyOf(image, image.length - 1), true, "x")).getMessage());
        assertEquals("x is not a Snapline rank image", assertThrows(CheckpointException.class,
                () -> RankImage.head(new byte[60], false, "x")).getMessage());
    }

    @Test
    void shouldPlaceTheStretchesOfLargeArraysAfterTheImagesPrefixUnlessTheStateIsCompressed() {
        byte[] state = new byte[1000];
        Arrays.fill(state, 100, 900, (byte) 7);
        FixedCuts arrays = new FixedCuts.Builder().add(100, 800).build();
        RankImage image = new RankImage(1, 4, 7, 70, 6, 0, List.of(), new byte[] {42}, RECORD, ByteBuffer.wrap(state),
                arrays).withPolicyData(new byte[] {1, 2, 3});

        ByteBuffer[] parts = image.encodeParts(Compression.NONE);
        FixedCuts in = image.arraysIn(parts, Compression.NONE);
        byte[] whole = image.encode();
        assertEquals(1, in.count());
        assertEquals(whole.length - 1000 + 100, in.start(0));
        assertEquals(800, in.length(0));
        for (int i = 0; i < 800; i++) {
            assertEquals(7, whole[(int) in.start(0) + i]);
        }
        assertEquals(FixedCuts.NONE, image.arraysIn(image.encodeParts(Compression.LZ4), Compression.LZ4));
        assertEquals(FixedCuts.NONE, RankImage.decode(whole, "x").arrays(), "a decoded image marks no stretch");
    }
}
