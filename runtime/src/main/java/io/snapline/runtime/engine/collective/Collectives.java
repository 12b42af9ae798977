package io.snapline.runtime.engine.collective;

import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.Communicator;
import io.snapline.runtime.engine.EngineException;
import io.snapline.runtime.engine.ReduceOp;
import io.snapline.runtime.engine.TypeMap;

/**
 * The collective operations over an intracommunicator. Every rank of the communicator calls the same operations in
 * the same order, with matching arguments: counts and displacements follow MPI (displacements in extents of the
 * datatype) and each rank's send signature (count x datatype size, base type) must match the receive signature it
 * pairs with, or an {@link io.snapline.runtime.engine.EngineException} names the ranks and the counts that differ.
 * Each rank checks its own arguments before it sends any message. Operations run on the communicator's collective
 * context, one tag per operation.
 *
 * <p>Algorithms: dissemination barrier; binomial-tree broadcast, gather and scatter; linear gatherv and scatterv;
 * ring all-gather(v); pairwise-exchange all-to-all(v); binomial-tree reduce (rank-ordered for non-commutative
 * operators); recursive-doubling all-reduce, Rabenseifner's for large commutative ones; reduce-scatter as a reduce
 * followed by a scatter; recursive-doubling inclusive scan. MPI.OBJECT buffers work in every data-movement
 * operation, and in reductions with user-defined operators, which work on copies of the caller's objects.
 */
public final class Collectives {
    /** Tags on the collective context; distinct per operation so a mismatched call sequence is caught, not mixed up. */
    static final int TAG_BARRIER = 1;
    static final int TAG_AGREE = 2;
    static final int TAG_BCAST = 3;
    static final int TAG_ALLGATHER = 4;
    static final int TAG_GATHER = 5;
    static final int TAG_GATHERV = 6;
    static final int TAG_SCATTER = 7;
    static final int TAG_SCATTERV = 8;
    static final int TAG_ALLGATHERV = 9;
    static final int TAG_ALLTOALL = 10;
    static final int TAG_ALLTOALLV = 11;
    static final int TAG_REDUCE = 12;
    static final int TAG_ALLREDUCE = 13;
    static final int TAG_REDUCE_SCATTER = 14;
    static final int TAG_SCAN = 15;
    static final int TAG_AGREED = 16;

    private Collectives() {
    }

    /** Dissemination barrier: ceil(log2 n) rounds, each rank sends and receives one empty message per round. */
    public static void barrier(Communicator c) {
        int n = c.size();
        int me = c.rank();
        byte[] none = new byte[0];
        TypeMap bytes = TypeMap.basic(BaseType.BYTE);
        for (int dist = 1; dist < n; dist <<= 1) {
            c.sendrecvColl(none, 0, 0, bytes, (me + dist) % n, none, 0, 0, bytes, (me - dist + n) % n, TAG_BARRIER);
        }
    }

    /**
     * Whether a message on {@code context} with {@code tag} is part of agreeing the context id of a new communicator
     * ({@link #agreeContext}) before the agreed id is confirmed: what a rank sends there depends on how many
     * communicators it created before.
     */
    public static boolean agreesContext(int context, int tag) {
        return context % 2 == 1 && tag == TAG_AGREE;
    }

    /** Whether a message on {@code context} with {@code tag} carries the context id its sender agreed, to confirm it. */
    public static boolean confirmsContext(int context, int tag) {
        return context % 2 == 1 && tag == TAG_AGREED;
    }

    /**
     * Agrees on a context id for a new communicator derived from {@code c}: the maximum of every member's next free
     * context (a dissemination all-reduce, exact for max since max is idempotent), then twice more the maximum with
     * the left neighbour's result, and a last time with the left neighbour's id as agreed, sent under its own tag
     * ({@link #confirmsContext}). Every member then reserves it. The ring steps make each member's result depend on
     * what others computed, not only on its own count: a rank restarted alone, which has created fewer communicators
     * than when it sent its part the first time, gets the others' messages again from their logs and so the context it
     * agreed then, and so does the second of two neighbours restarted together; what a member sends in the last step
     * is its agreed id, which a message-logging policy checks against what it sent the first time, and which each
     * member checks against its own: all equal to their left neighbours, all agree, or the creation fails saying so.
     */
    public static int agreeContext(Communicator c) {
        int n = c.size();
        int me = c.rank();
        int[] mine = {c.endpoint().nextContext()};
        int[] theirs = new int[1];
        TypeMap ints = TypeMap.basic(BaseType.INT);
        for (int dist = 1; dist < n; dist <<= 1) {
            c.sendrecvColl(mine, 0, 1, ints, (me + dist) % n, theirs, 0, 1, ints, (me - dist + n) % n, TAG_AGREE);
            mine[0] = Math.max(mine[0], theirs[0]);
        }
        for (int step = 0; step < 3 && n > 1; step++) {
            c.sendrecvColl(mine, 0, 1, ints, (me + 1) % n, theirs, 0, 1, ints, (me - 1 + n) % n,
                    step < 2 ? TAG_AGREE : TAG_AGREED);
            if (step == 2 && theirs[0] != mine[0]) { // every member equal to its left neighbour: all agree
                throw new EngineException("rank " + c.rank() + " and its left neighbour in the communicator agreed "
                        + "different context ids for a new one (" + mine[0] + " and " + theirs[0] + "): ranks that "
                        + "restarted alone while it was being created, or more than two neighbours restarted "
                        + "together, could not all learn the id agreed before. Create communicators in setup code, "
                        + "before the first Checkpoint.point, or use a coordinated policy");
            }
            mine[0] = Math.max(mine[0], theirs[0]);
        }
        c.endpoint().reserveContextsBelow(mine[0] + 2);
        return mine[0];
    }

    /** Binomial-tree broadcast: the root's data reaches everyone in ceil(log2 n) rounds. */
    public static void bcast(Communicator c, Object buf, int off, int count, TypeMap t, int root) {
        Args.root(c, root);
        Args.count(count, "count");
        Args.data(buf, off, count, t, "buffer");
        int n = c.size();
        int vr = (c.rank() - root + n) % n;
        int mask = 1;
        while (mask < n) {
            if ((vr & mask) != 0) {
                Transfer.recv(c, buf, off, count, t, (vr - mask + root) % n, TAG_BCAST);
                break;
            }
            mask <<= 1;
        }
        mask >>= 1;
        while (mask > 0) {
            if (vr + mask < n) {
                Transfer.send(c, buf, off, count, t, (vr + mask + root) % n, TAG_BCAST);
            }
            mask >>= 1;
        }
    }

    /** Rank r's {@code scount} items land in block r ({@code rcount} items) of the root's receive buffer. */
    public static void gather(Communicator c, Object sbuf, int soff, int scount, TypeMap st, Object rbuf, int roff,
            int rcount, TypeMap rt, int root) {
        BinomialGather.gather(c, sbuf, soff, scount, st, rbuf, roff, rcount, rt, root);
    }

    /** As {@link #gather}, with rank r's block of {@code rcounts[r]} items at {@code displs[r]} extents. */
    public static void gatherv(Communicator c, Object sbuf, int soff, int scount, TypeMap st, Object rbuf, int roff,
            int[] rcounts, int[] displs, TypeMap rt, int root) {
        LinearV.gatherv(c, sbuf, soff, scount, st, rbuf, roff, rcounts, displs, rt, root);
    }

    /** Block r ({@code scount} items) of the root's send buffer goes to rank r. */
    public static void scatter(Communicator c, Object sbuf, int soff, int scount, TypeMap st, Object rbuf, int roff,
            int rcount, TypeMap rt, int root) {
        BinomialGather.scatter(c, sbuf, soff, scount, st, rbuf, roff, rcount, rt, root);
    }

    /** As {@link #scatter}, with rank r's block of {@code scounts[r]} items at {@code displs[r]} extents. */
    public static void scatterv(Communicator c, Object sbuf, int soff, int[] scounts, int[] displs, TypeMap st,
            Object rbuf, int roff, int rcount, TypeMap rt, int root) {
        LinearV.scatterv(c, sbuf, soff, scounts, displs, st, rbuf, roff, rcount, rt, root);
    }

    /** Every rank receives every rank's block, in rank order. */
    public static void allgather(Communicator c, Object sbuf, int soff, int scount, TypeMap st, Object rbuf, int roff,
            int rcount, TypeMap rt) {
        Exchanges.allgather(c, sbuf, soff, scount, st, rbuf, roff, rcount, rt);
    }

    public static void allgatherv(Communicator c, Object sbuf, int soff, int scount, TypeMap st, Object rbuf, int roff,
            int[] rcounts, int[] displs, TypeMap rt) {
        Exchanges.allgatherv(c, sbuf, soff, scount, st, rbuf, roff, rcounts, displs, rt);
    }

    /** Block j of rank i's send buffer lands in block i of rank j's receive buffer. */
    public static void alltoall(Communicator c, Object sbuf, int soff, int scount, TypeMap st, Object rbuf, int roff,
            int rcount, TypeMap rt) {
        Exchanges.alltoall(c, sbuf, soff, scount, st, rbuf, roff, rcount, rt);
    }

    public static void alltoallv(Communicator c, Object sbuf, int soff, int[] scounts, int[] sdispls, TypeMap st,
            Object rbuf, int roff, int[] rcounts, int[] rdispls, TypeMap rt) {
        Exchanges.alltoallv(c, sbuf, soff, scounts, sdispls, st, rbuf, roff, rcounts, rdispls, rt);
    }

    /** The root receives {@code x0 op x1 op ... op x(n-1)}, item by item. */
    public static void reduce(Communicator c, Object sbuf, int soff, Object rbuf, int roff, int count, TypeMap t,
            ReduceOp op, int root) {
        Reductions.reduce(c, sbuf, soff, rbuf, roff, count, t, op, root);
    }

    /** Every rank receives the same bits: {@code x0 op x1 op ... op x(n-1)}. */
    public static void allreduce(Communicator c, Object sbuf, int soff, Object rbuf, int roff, int count, TypeMap t,
            ReduceOp op) {
        Reductions.allreduce(c, sbuf, soff, rbuf, roff, count, t, op);
    }

    /** Reduces {@code sum(rcounts)} items; rank r receives the r-th run of {@code rcounts[r]} items of the result. */
    public static void reduceScatter(Communicator c, Object sbuf, int soff, Object rbuf, int roff, int[] rcounts,
            TypeMap t, ReduceOp op) {
        Reductions.reduceScatter(c, sbuf, soff, rbuf, roff, rcounts, t, op);
    }

    /** Inclusive prefix reduction: rank r receives {@code x0 op ... op xr}. */
    public static void scan(Communicator c, Object sbuf, int soff, Object rbuf, int roff, int count, TypeMap t,
            ReduceOp op) {
        Reductions.scan(c, sbuf, soff, rbuf, roff, count, t, op);
    }
}
