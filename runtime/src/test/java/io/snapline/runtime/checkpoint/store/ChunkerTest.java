package io.snapline.runtime.checkpoint.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChunkerTest {

    static byte[] random(long seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void shouldCoverEveryByteOnceWithChunksWithinTheBoundsWhenCutting() {
        byte[] data = random(1, 3 * 1024 * 1024 + 17);
        List<Integer> lengths = Chunker.lengths(ByteBuffer.wrap(data));
        long sum = 0;
        for (int i = 0; i < lengths.size(); i++) {
            int n = lengths.get(i);
            sum += n;
            assertTrue(n <= Chunker.MAX, "chunk " + i + " is " + n);
            assertTrue(n >= Chunker.MIN || i == lengths.size() - 1, "chunk " + i + " is " + n);
        }
        assertEquals(data.length, sum);
        double mean = (double) data.length / lengths.size();
        assertTrue(mean > Chunker.AVERAGE / 2.0 && mean < Chunker.AVERAGE * 2.0, "mean chunk " + mean);
    }

    @Test
    void shouldCutTheSameBytesAtTheSamePlacesWhateverTheBuildOrTheParts() {
        byte[] data = random(2, 1024 * 1024);
        List<Integer> whole = Chunker.lengths(ByteBuffer.wrap(data));
        List<Integer> parts = Chunker.lengths(ByteBuffer.wrap(data, 0, 1000).slice(),
                ByteBuffer.wrap(data, 1000, 0).slice(), ByteBuffer.wrap(data, 1000, 300_000).slice(),
                ByteBuffer.wrap(data, 301_000, data.length - 301_000).slice());
        assertEquals(whole, parts);
        // Pinned: a change of the gear table, the masks or the sizes would cut stored chunks elsewhere.
        assertEquals(List.of(GOLDEN), whole.subList(0, GOLDEN.length));
    }

    private static final Integer[] GOLDEN = {73004, 75561, 28185, 67879, 84731, 107800};

    @Test
    void shouldChangeOnlyTheChunksAroundAnInsertionWhenBytesAreInsertedNearTheStart() {
        byte[] data = random(3, 4 * 1024 * 1024);
        byte[] inserted = new byte[data.length + 100];
        System.arraycopy(data, 0, inserted, 0, 5000);
        System.arraycopy(random(4, 100), 0, inserted, 5000, 100);
        System.arraycopy(data, 5000, inserted, 5100, data.length - 5000);

        Set<String> before = new HashSet<>();
        ChunkList.of(ByteBuffer.wrap(data)).chunks().forEach(c -> before.add(c.hash()));
        List<ChunkList.Chunk> after = ChunkList.of(ByteBuffer.wrap(inserted)).chunks();
        long changed = after.stream().filter(c -> !before.contains(c.hash())).count();

        assertTrue(after.size() > 20, "enough chunks to tell: " + after.size());
        assertTrue(changed <= 2, changed + " of " + after.size() + " chunks changed");
    }

    @Test
    void shouldHaveNoChunkWhenTheSequenceIsEmpty() {
        assertEquals(List.of(), Chunker.lengths(ByteBuffer.allocate(0)));
        assertEquals(List.of(5), Chunker.lengths(ByteBuffer.allocate(5)));
    }
}
