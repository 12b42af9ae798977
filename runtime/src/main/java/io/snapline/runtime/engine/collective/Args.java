package io.snapline.runtime.engine.collective;

import io.snapline.runtime.engine.Communicator;
import io.snapline.runtime.engine.EngineException;
import io.snapline.runtime.engine.TypeMap;

/** Argument checks shared by the collectives; each raises {@link EngineException} saying what to fix. */
final class Args {
    private Args() {
    }

    static void root(Communicator c, int root) {
        if (root < 0 || root >= c.size()) {
            throw new EngineException("root " + root + " is out of range for a communicator of size " + c.size()
                    + " (valid: 0.." + (c.size() - 1) + ")");
        }
    }

    static void count(int count, String what) {
        if (count < 0) {
            throw new EngineException(what + " must not be negative, was " + count);
        }
    }

    /** A per-rank array ({@code counts} or {@code displs}) must have one entry per rank. */
    static void perRank(Communicator c, int[] a, String what) {
        if (a == null) {
            throw new EngineException(what + " is null; it needs one entry per rank (" + c.size() + ")");
        }
        if (a.length < c.size()) {
            throw new EngineException(what + " has " + a.length + " entries but the communicator has " + c.size()
                    + " ranks; it needs one entry per rank");
        }
    }

    /** Per-rank counts: one non-negative entry per rank. */
    static void counts(Communicator c, int[] counts, String what) {
        perRank(c, counts, what);
        for (int r = 0; r < c.size(); r++) {
            if (counts[r] < 0) {
                throw new EngineException(what + "[" + r + "] must not be negative, was " + counts[r]);
            }
        }
    }

    /** {@code count * n} without overflow. */
    static int times(int count, int n, String what) {
        long v = (long) count * n;
        if (v > Integer.MAX_VALUE) {
            throw new EngineException(what + " (" + count + " x " + n + " ranks) overflows an int");
        }
        return (int) v;
    }

    /** Buffer index of block {@code displ} extents of {@code t} past {@code offset}. */
    static int block(int offset, int displ, TypeMap t) {
        long v = offset + (long) displ * t.extent();
        if (v < 0 || v > Integer.MAX_VALUE) {
            throw new EngineException("displacement " + displ + " (in extents of the datatype, " + t.extent()
                    + " element(s) each) from offset " + offset + " is outside any buffer");
        }
        return (int) v;
    }

    /** Checks every block of a v-form buffer: {@code counts[r]} items at {@code displs[r]} extents. */
    static void vbuffer(Communicator c, Object buf, int off, int[] counts, int[] displs, TypeMap t, String what) {
        counts(c, counts, what + " counts");
        perRank(c, displs, what + " displacements");
        for (int r = 0; r < c.size(); r++) {
            String problem = t.checkBuffer(buf, block(off, displs[r], t), counts[r], !what.equals("send"));
            if (problem != null) {
                throw new EngineException(what + " block of rank " + r + " (" + counts[r] + " item(s) at displacement "
                        + displs[r] + "): " + problem);
            }
        }
    }

    static void data(Object buf, int off, int count, TypeMap t, String what) {
        if (t == null) {
            throw new EngineException(what + " datatype is null");
        }
        // every buffer but a send buffer receives data (Bcast's "buffer" at the non-roots too)
        String problem = t.checkBuffer(buf, off, count, !what.equals("send buffer"));
        if (problem != null) {
            throw new EngineException(what + ": " + problem);
        }
    }
}
