package io.snapline.runtime.checkpoint.store;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Content-defined chunking (FastCDC with normalized chunking, Xia et al., USENIX ATC 2016): cuts a byte sequence
 * where a rolling "gear" hash of the last bytes hits a mask, so that inserting or deleting bytes moves only the cuts
 * near the change and every later chunk keeps its content (and its name, the chunk's SHA-256). Used by the file
 * store's incremental pieces ({@code --incremental}).
 *
 * <p>Chunks are at least {@link #MIN} bytes (the last one may be shorter), at most {@link #MAX}, and {@link #AVERAGE}
 * on average for random data: before a chunk reaches the average the cut mask has two bits more than
 * {@code log2(AVERAGE)} (cuts are rarer), after it two bits fewer (cuts are likelier), which narrows the spread of
 * sizes. The gear table comes from SplitMix64 with a fixed seed, written out here, so that the same bytes are cut at the
 * same places by every build and every JVM: a chunk stored by one run is found again by the next. Changing the seed,
 * the masks or the sizes changes the cuts (old chunks are then not reused, never misread: a chunk is named by its
 * content).
 *
 * <p>Stateless and thread-safe.
 */
public final class Chunker {
    /** The shortest chunk, except the last of a sequence. */
    public static final int MIN = 16 * 1024;
    /** The average chunk for random data. */
    public static final int AVERAGE = 64 * 1024;
    /** The longest chunk. */
    public static final int MAX = 256 * 1024;

    /** SplitMix64's seed for the gear table: permanent (see the class comment). */
    private static final long GEAR_SEED = 0x534E41504C494E45L; // "SNAPLINE"
    private static final long[] GEAR = gear();
    /** Cut mask before the average size: 18 bits (log2(AVERAGE) + 2), the hash's highest, which mix the most bytes. */
    private static final long MASK_SMALL = -1L << (64 - 18);
    /** Cut mask after the average size: 14 bits (log2(AVERAGE) - 2). */
    private static final long MASK_LARGE = -1L << (64 - 14);

    private Chunker() {
    }

    private static long[] gear() {
        long[] g = new long[256];
        long state = GEAR_SEED;
        for (int i = 0; i < g.length; i++) {
            state += 0x9E3779B97F4A7C15L;
            long z = state;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            g[i] = z ^ (z >>> 31);
        }
        return g;
    }

    /**
     * The lengths of the chunks the remaining bytes of {@code parts} (in order, as one sequence; positions unchanged)
     * are cut into: they cover every byte exactly once, in order. An empty sequence has no chunk.
     */
    public static List<Integer> lengths(ByteBuffer... parts) {
        List<Integer> lengths = new ArrayList<>();
        long fp = 0;
        int length = 0;
        for (ByteBuffer part : parts) {
            for (int i = part.position(), end = part.limit(); i < end; i++) {
                length++;
                if (length > MIN) {
                    fp = (fp << 1) + GEAR[part.get(i) & 0xff];
                    long mask = length <= AVERAGE ? MASK_SMALL : MASK_LARGE;
                    if ((fp & mask) == 0 || length == MAX) {
                        lengths.add(length);
                        length = 0;
                        fp = 0;
                    }
                }
            }
        }
        if (length > 0) {
            lengths.add(length);
        }
        return lengths;
    }
}
