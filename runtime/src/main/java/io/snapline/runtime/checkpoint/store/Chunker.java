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
    /** The chunks a stretch of {@link FixedCuts} is cut into, from its first byte (its last chunk may be shorter). */
    public static final int FIXED = 64 * 1024;
    /** The smallest primitive array, in bytes, whose bytes a capture hands over as a stretch of {@link FixedCuts}. */
    public static final int FIXED_FROM = 256 * 1024;

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
     * The lengths of the chunks the remaining bytes of {@code parts} (as in {@link #lengths(ByteBuffer...)}) are cut
     * into when the stretches of {@code fixed} are cut at fixed offsets: each stretch into chunks of {@link #FIXED}
     * bytes from its first byte, the last one shorter; every stretch between them, and before the first and after the
     * last, content-defined on its own.
     *
     * @throws IllegalArgumentException if a stretch ends past the bytes of {@code parts}
     */
    public static List<Integer> lengths(FixedCuts fixed, ByteBuffer... parts) {
        if (fixed.count() == 0) {
            return lengths(parts);
        }
        long total = 0;
        for (ByteBuffer p : parts) {
            total += p.remaining();
        }
        List<Integer> lengths = new ArrayList<>();
        ChunkList.Cursor cursor = new ChunkList.Cursor(parts);
        long at = 0;
        for (int i = 0; i < fixed.count(); i++) {
            long start = fixed.start(i);
            long length = fixed.length(i);
            if (start + length > total) {
                throw new IllegalArgumentException("a stretch of " + length + " bytes at " + start + " ends past the "
                        + total + " bytes of the payload");
            }
            lengths.addAll(lengths(cursor.next(Math.toIntExact(start - at))));
            for (long left = length; left > 0; left -= FIXED) {
                lengths.add((int) Math.min(FIXED, left));
            }
            cursor.next(Math.toIntExact(length));
            at = start + length;
        }
        lengths.addAll(lengths(cursor.next(Math.toIntExact(total - at))));
        return lengths;
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
