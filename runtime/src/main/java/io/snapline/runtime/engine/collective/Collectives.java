package io.snapline.runtime.engine.collective;

import io.snapline.runtime.engine.Communicator;
import io.snapline.runtime.engine.ReduceOp;
import io.snapline.runtime.engine.TypeMap;

/**
 * The collective operations. Every rank of the communicator calls the same operations in the same order; counts
 * and displacements follow MPI (displacements in extents of the datatype). Arguments are checked before any message
 * is sent.
 */
public final class Collectives {
    /** Tags on the collective context; distinct per operation so a mismatched call sequence is caught, not mixed up. */
    static final int TAG_BARRIER = 1;
    static final int TAG_AGREE = 2;
    static final int TAG_BCAST = 3;
    static final int TAG_ALLGATHER = 4;

    private Collectives() {
    }

    /** Dissemination barrier: ceil(log2 n) rounds, each rank sends and receives one empty message per round. */
    public static void barrier(Communicator c) {
        int n = c.size();
        int me = c.rank();
        byte[] none = new byte[0];
        TypeMap bytes = TypeMap.basic(io.snapline.runtime.engine.BaseType.BYTE);
        for (int dist = 1; dist < n; dist <<= 1) {
            c.sendrecvColl(none, 0, 0, bytes, (me + dist) % n, none, 0, 0, bytes, (me - dist + n) % n, TAG_BARRIER);
        }
    }

    /**
     * Agrees on a context id for a new communicator derived from {@code c}: the maximum of every member's next free
     * context (a dissemination all-reduce, exact for max since max is idempotent). Every member then reserves it.
     */
    public static int agreeContext(Communicator c) {
        int n = c.size();
        int me = c.rank();
        int[] mine = {c.endpoint().nextContext()};
        int[] theirs = new int[1];
        TypeMap ints = TypeMap.basic(io.snapline.runtime.engine.BaseType.INT);
        for (int dist = 1; dist < n; dist <<= 1) {
            c.sendrecvColl(mine, 0, 1, ints, (me + dist) % n, theirs, 0, 1, ints, (me - dist + n) % n, TAG_AGREE);
            mine[0] = Math.max(mine[0], theirs[0]);
        }
        c.endpoint().reserveContextsBelow(mine[0] + 2);
        return mine[0];
    }

    /** Binomial-tree broadcast: the root's data reaches everyone in ceil(log2 n) rounds. */
    public static void bcast(Communicator c, Object buf, int off, int count, TypeMap t, int root) {
        checkRoot(c, root);
        Communicator.checkData(buf, off, count, t);
        int n = c.size();
        int me = c.rank();
        int vr = (me - root + n) % n;
        int mask = 1;
        while (mask < n) {
            if ((vr & mask) != 0) {
                c.recvColl(buf, off, count, t, (vr - mask + root) % n, TAG_BCAST);
                break;
            }
            mask <<= 1;
        }
        mask >>= 1;
        while (mask > 0) {
            if (vr + mask < n) {
                c.sendColl(buf, off, count, t, (vr + mask + root) % n, TAG_BCAST);
            }
            mask >>= 1;
        }
    }

    private static void checkRoot(Communicator c, int root) {
        if (root < 0 || root >= c.size()) {
            throw new io.snapline.runtime.engine.EngineException("root " + root + " is out of range for a communicator of size "
                    + c.size() + " (valid: 0.." + (c.size() - 1) + ")");
        }
    }

    public static void gather(Communicator c, Object sbuf, int soff, int scount, TypeMap st, Object rbuf, int roff,
            int rcount, TypeMap rt, int root) {
        throw new UnsupportedOperationException("Gather");
    }

    public static void gatherv(Communicator c, Object sbuf, int soff, int scount, TypeMap st, Object rbuf, int roff,
            int[] rcounts, int[] displs, TypeMap rt, int root) {
        throw new UnsupportedOperationException("Gatherv");
    }

    public static void scatter(Communicator c, Object sbuf, int soff, int scount, TypeMap st, Object rbuf, int roff,
            int rcount, TypeMap rt, int root) {
        throw new UnsupportedOperationException("Scatter");
    }

    public static void scatterv(Communicator c, Object sbuf, int soff, int[] scounts, int[] displs, TypeMap st,
            Object rbuf, int roff, int rcount, TypeMap rt, int root) {
        throw new UnsupportedOperationException("Scatterv");
    }

    /** Ring all-gather: n-1 steps, each rank forwards one block to its right neighbour per step. */
    public static void allgather(Communicator c, Object sbuf, int soff, int scount, TypeMap st, Object rbuf, int roff,
            int rcount, TypeMap rt) {
        int n = c.size();
        int me = c.rank();
        Communicator.checkData(sbuf, soff, scount, st);
        Communicator.checkData(rbuf, roff, Math.multiplyExact(rcount, n), rt);
        int elements = scount * st.size();
        if (elements != rcount * rt.size()) {
            throw new io.snapline.runtime.engine.EngineException("each rank sends " + elements
                    + " element(s) but each receive block holds " + rcount * rt.size() + "; the counts must match");
        }
        int block = rcount * rt.extent();
        io.snapline.runtime.engine.DataMover.copy(sbuf, soff, st, rbuf, roff + me * block, rt, elements);
        int right = (me + 1) % n;
        int left = (me - 1 + n) % n;
        for (int k = 0; k < n - 1; k++) {
            int sendBlock = (me - k + n) % n;
            int recvBlock = (me - k - 1 + n) % n;
            c.sendrecvColl(rbuf, roff + sendBlock * block, rcount, rt, right, rbuf, roff + recvBlock * block, rcount, rt,
                    left, TAG_ALLGATHER);
        }
    }

    public static void allgatherv(Communicator c, Object sbuf, int soff, int scount, TypeMap st, Object rbuf, int roff,
            int[] rcounts, int[] displs, TypeMap rt) {
        throw new UnsupportedOperationException("Allgatherv");
    }

    public static void alltoall(Communicator c, Object sbuf, int soff, int scount, TypeMap st, Object rbuf, int roff,
            int rcount, TypeMap rt) {
        throw new UnsupportedOperationException("Alltoall");
    }

    public static void alltoallv(Communicator c, Object sbuf, int soff, int[] scounts, int[] sdispls, TypeMap st,
            Object rbuf, int roff, int[] rcounts, int[] rdispls, TypeMap rt) {
        throw new UnsupportedOperationException("Alltoallv");
    }

    public static void reduce(Communicator c, Object sbuf, int soff, Object rbuf, int roff, int count, TypeMap t,
            ReduceOp op, int root) {
        throw new UnsupportedOperationException("Reduce");
    }

    public static void allreduce(Communicator c, Object sbuf, int soff, Object rbuf, int roff, int count, TypeMap t,
            ReduceOp op) {
        throw new UnsupportedOperationException("Allreduce");
    }

    public static void reduceScatter(Communicator c, Object sbuf, int soff, Object rbuf, int roff, int[] rcounts,
            TypeMap t, ReduceOp op) {
        throw new UnsupportedOperationException("Reduce_scatter");
    }

    public static void scan(Communicator c, Object sbuf, int soff, Object rbuf, int roff, int count, TypeMap t,
            ReduceOp op) {
        throw new UnsupportedOperationException("Scan");
    }
}
