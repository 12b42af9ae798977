package io.snapline.runtime.checkpoint.store;

import java.util.Arrays;

/**
 * The stretches of a payload that hold the bytes of a large primitive array, which an incremental store cuts at fixed
 * offsets from the stretch's first byte ({@link Chunker#FIXED} bytes a chunk, the last one shorter) instead of where
 * the content says: a stretch is hashed chunk by chunk where it lies, without the gear hash, and a change to some
 * elements changes only the chunks that hold them. The rest of the payload is cut content-defined. Where the cuts fall
 * never matters to a reader (a chunk list names its chunks in payload order), so stretches only make writes cheaper and
 * deduplication steadier; wrong stretches would cost deduplication, never correctness.
 *
 * <p>Immutable.
 */
public final class FixedCuts {
    /** No stretch: the whole payload is cut content-defined. */
    public static final FixedCuts NONE = new FixedCuts(new long[0], new long[0]);

    private final long[] starts;
    private final long[] lengths;

    private FixedCuts(long[] starts, long[] lengths) {
        this.starts = starts;
        this.lengths = lengths;
    }

    /** How many stretches there are. */
    public int count() {
        return starts.length;
    }

    /** The offset in the payload of stretch {@code i}'s first byte. */
    public long start(int i) {
        return starts[i];
    }

    /** The length in bytes of stretch {@code i}. */
    public long length(int i) {
        return lengths[i];
    }

    /** These stretches {@code by} bytes further into the payload (their payload gained a prefix of that length). */
    public FixedCuts shift(long by) {
        if (by == 0 || starts.length == 0) {
            return this;
        }
        long[] moved = starts.clone();
        for (int i = 0; i < moved.length; i++) {
            moved[i] += by;
        }
        return new FixedCuts(moved, lengths);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FixedCuts f && Arrays.equals(starts, f.starts) && Arrays.equals(lengths, f.lengths);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(starts) + Arrays.hashCode(lengths);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("FixedCuts[");
        for (int i = 0; i < starts.length; i++) {
            s.append(i == 0 ? "" : ", ").append(starts[i]).append('+').append(lengths[i]);
        }
        return s.append(']').toString();
    }

    /** Collects stretches in payload order; reusable ({@link #clear}). Not thread-safe. */
    public static final class Builder {
        private long[] starts = new long[4];
        private long[] lengths = new long[4];
        private int count;

        /**
         * Adds the stretch of {@code length} bytes at {@code start} if it is non-empty and begins at or after the end
         * of the previous one; returns whether it did.
         */
        public boolean tryAdd(long start, long length) {
            long end = count == 0 ? 0 : starts[count - 1] + lengths[count - 1];
            if (length < 1 || start < end) {
                return false;
            }
            add(start, length);
            return true;
        }

        /**
         * Adds the stretch of {@code length} bytes at {@code start}.
         *
         * @throws IllegalArgumentException if it is empty or begins before the end of the previous one
         */
        public Builder add(long start, long length) {
            long end = count == 0 ? 0 : starts[count - 1] + lengths[count - 1];
            if (length < 1 || start < end) {
                throw new IllegalArgumentException("a stretch of " + length + " bytes at " + start + " after one "
                        + "ending at " + end + "; stretches are non-empty and in payload order");
            }
            if (count == starts.length) {
                starts = Arrays.copyOf(starts, count * 2);
                lengths = Arrays.copyOf(lengths, count * 2);
            }
            starts[count] = start;
            lengths[count] = length;
            count++;
            return this;
        }

        /** Forgets every stretch added. */
        public void clear() {
            count = 0;
        }

        /** The stretches added so far. */
        public FixedCuts build() {
            return count == 0 ? NONE : new FixedCuts(Arrays.copyOf(starts, count), Arrays.copyOf(lengths, count));
        }
    }
}
