package io.snapline.runtime.engine.collective;

import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.Communicator;
import io.snapline.runtime.engine.EngineException;
import io.snapline.runtime.engine.ReduceOp;
import io.snapline.runtime.engine.Request;
import io.snapline.runtime.engine.TypeMap;

/**
 * Reduce, all-reduce and scan. Operands are always combined as {@code lower op higher} (the operand holding lower
 * ranks goes in as {@code in}), so non-commutative operators get the rank-ordered result
 * {@code x0 op x1 op ... op x(n-1)}, and every rank of an all-reduce computes bit-identical results.
 */
final class Reductions {
    /** From this many bytes on, commutative all-reductions use Rabenseifner's algorithm. */
    static final int RABENSEIFNER_MIN_BYTES = 32 * 1024;

    private Reductions() {
    }

    /**
     * Binomial-tree reduce. A commutative operator reduces along a tree rooted at {@code root}; a non-commutative
     * one along the tree rooted at rank 0 (whose subtrees are runs of consecutive ranks), then rank 0 forwards the
     * result to {@code root}.
     */
    static void reduce(Communicator c, Object sbuf, int soff, Object rbuf, int roff, int count, TypeMap t, ReduceOp op,
            int root) {
        Args.root(c, root);
        Args.count(count, "count");
        Args.data(sbuf, soff, count, t, "send buffer");
        if (c.rank() == root) {
            Args.data(rbuf, roff, count, t, "receive buffer");
        }
        PredefinedOps.check(op, t);
        Scratch s = Scratch.of(c.endpoint(), t, count, op);
        Object acc = s.newBuffer();
        s.load(sbuf, soff, t, acc);
        int treeRoot = op.isCommutative() ? root : 0;
        acc = toRoot(c, s, acc, op, treeRoot, Collectives.TAG_REDUCE);
        if (treeRoot != root) {
            if (c.rank() == treeRoot) {
                Transfer.send(c, acc, s.origin, s.count, s.type, root, Collectives.TAG_REDUCE);
            } else if (c.rank() == root) {
                Transfer.recv(c, acc, s.origin, s.count, s.type, treeRoot, Collectives.TAG_REDUCE);
            }
        }
        if (c.rank() == root) {
            s.store(acc, 0, s.count, rbuf, roff, t);
        }
    }

    /**
     * Reduces {@code acc} of every rank along the binomial tree rooted at {@code root}; returns the buffer that holds
     * the reduction of this rank's subtree (the full result at {@code root}). Virtual rank {@code v} gathers the
     * subtrees {@code v + 1, v + 2, v + 4, ...}, each a run of higher virtual ranks.
     */
    static Object toRoot(Communicator c, Scratch s, Object acc, ReduceOp op, int root, int tag) {
        int n = c.size();
        int v = (c.rank() - root + n) % n;
        Object tmp = null;
        for (int mask = 1; mask < n; mask <<= 1) {
            if ((v & mask) != 0) {
                Transfer.send(c, acc, s.origin, s.count, s.type, (v - mask + root) % n, tag);
                break;
            }
            if (v + mask < n) {
                tmp = tmp == null ? s.newBuffer() : tmp;
                Transfer.recv(c, tmp, s.origin, s.count, s.type, (v + mask + root) % n, tag);
                op.apply(acc, s.origin, tmp, s.origin, s.count, s.type);
                Object t = acc;
                acc = tmp;
                tmp = t;
            }
        }
        return acc;
    }

    static void allreduce(Communicator c, Object sbuf, int soff, Object rbuf, int roff, int count, TypeMap t,
            ReduceOp op) {
        Args.count(count, "count");
        Args.data(sbuf, soff, count, t, "send buffer");
        Args.data(rbuf, roff, count, t, "receive buffer");
        PredefinedOps.check(op, t);
        Scratch s = Scratch.of(c.endpoint(), t, count, op);
        Object acc = s.newBuffer();
        s.load(sbuf, soff, t, acc);
        int n = c.size();
        if (n > 1) {
            int pof2 = Integer.highestOneBit(n);
            BaseType base = t.base();
            long bytes = (long) count * t.size() * (base == null ? 0 : base.byteSize());
            boolean large = op.isCommutative() && s.count >= pof2 && bytes >= RABENSEIFNER_MIN_BYTES;
            acc = new PowerOfTwo(c, s, op, Collectives.TAG_ALLREDUCE)
                    .allreduce(acc, large);
        }
        s.store(acc, 0, s.count, rbuf, roff, t);
    }

    /**
     * Inclusive scan by recursive doubling: after round k every rank holds the reduction of the 2^k ranks ending at
     * itself ({@code partial} carries the reduction of the whole exchange group, {@code result} only of ranks up to
     * this one).
     */
    static void scan(Communicator c, Object sbuf, int soff, Object rbuf, int roff, int count, TypeMap t, ReduceOp op) {
        Args.count(count, "count");
        Args.data(sbuf, soff, count, t, "send buffer");
        Args.data(rbuf, roff, count, t, "receive buffer");
        PredefinedOps.check(op, t);
        Scratch s = Scratch.of(c.endpoint(), t, count, op);
        int n = c.size();
        int me = c.rank();
        Object result = s.newBuffer();
        s.load(sbuf, soff, t, result);
        if (n > 1) {
            Object partial = s.newBuffer();
            s.load(sbuf, soff, t, partial);
            Object tmp = s.newBuffer();
            for (int mask = 1; mask < n; mask <<= 1) {
                int peer = me ^ mask;
                if (peer >= n) {
                    continue;
                }
                Transfer.sendrecv(c, partial, s.origin, s.count, s.type, peer, tmp, s.origin, s.count, s.type, peer,
                        Collectives.TAG_SCAN);
                if (peer < me) {
                    op.apply(tmp, s.origin, partial, s.origin, s.count, s.type);
                    op.apply(tmp, s.origin, result, s.origin, s.count, s.type);
                } else {
                    op.apply(partial, s.origin, tmp, s.origin, s.count, s.type);
                    Object x = partial;
                    partial = tmp;
                    tmp = x;
                }
            }
        }
        s.store(result, 0, s.count, rbuf, roff, t);
    }

    /**
     * Reduce-scatter: a rank-ordered binomial reduce to rank 0 of all {@code sum(rcounts)} items, then rank 0 sends
     * rank r its {@code rcounts[r]} items (linear scatter, the blocks follow each other in rank order).
     */
    static void reduceScatter(Communicator c, Object sbuf, int soff, Object rbuf, int roff, int[] rcounts, TypeMap t,
            ReduceOp op) {
        Args.counts(c, rcounts, "recvcounts");
        int n = c.size();
        int me = c.rank();
        long sum = 0;
        for (int r = 0; r < n; r++) {
            sum += rcounts[r];
        }
        if (sum > Integer.MAX_VALUE) {
            throw new EngineException("the recvcounts add up to " + sum
                    + " items, more than an int can index");
        }
        int total = (int) sum;
        Args.data(sbuf, soff, total, t, "send buffer");
        Args.data(rbuf, roff, rcounts[me], t, "receive buffer");
        PredefinedOps.check(op, t);
        Scratch s = Scratch.of(c.endpoint(), t, total, op);
        Object acc = s.newBuffer();
        s.load(sbuf, soff, t, acc);
        int tag = Collectives.TAG_REDUCE_SCATTER;
        acc = toRoot(c, s, acc, op, 0, tag);
        if (s.count == 0) {
            return;
        }
        if (me != 0) {
            Transfer.recv(c, rbuf, roff, rcounts[me], t, 0, tag);
            return;
        }
        Request[] sends = new Request[n];
        int first = rcounts[0];
        for (int r = 1; r < n; r++) {
            sends[r] = c.isendColl(acc, s.offset(first), rcounts[r], s.type, r, tag);
            first += rcounts[r];
        }
        s.store(acc, 0, rcounts[0], rbuf, roff, t);
        for (int r = 1; r < n; r++) {
            c.endpoint().await(sends[r]);
        }
    }
}
