package io.snapline.runtime.engine.collective;

import io.snapline.runtime.engine.Communicator;
import io.snapline.runtime.engine.DataMover;
import io.snapline.runtime.engine.Request;
import io.snapline.runtime.engine.TypeMap;

/**
 * Gather and scatter along the binomial tree rooted at {@code root}. With virtual ranks {@code v = (rank - root) mod
 * n}, the subtree of {@code v} is the run {@code v .. v + min(lowbit(v), n - v) - 1}; an inner rank forwards its whole
 * subtree's blocks as one dense message, so the root exchanges {@code ceil(log2 n)} messages instead of {@code n - 1}.
 * Leaves send from and receive into the user's buffer directly, and so does the root whenever a subtree's blocks do
 * not wrap around the end of its buffer.
 */
final class BinomialGather {
    private BinomialGather() {
    }

    private static int subtree(int v, int n) {
        return v == 0 ? n : Math.min(Integer.lowestOneBit(v), n - v);
    }

    static void gather(Communicator c, Object sbuf, int soff, int scount, TypeMap st, Object rbuf, int roff,
            int rcount, TypeMap rt, int root) {
        int n = c.size();
        int me = c.rank();
        Args.root(c, root);
        Args.count(scount, "sendcount");
        Args.data(sbuf, soff, scount, st, "send buffer");
        if (me == root) {
            Args.count(rcount, "recvcount");
            Args.data(rbuf, roff, Args.times(rcount, n, "recvcount"), rt, "receive buffer");
            Transfer.local(c, sbuf, soff, scount, st, rbuf, roff + me * rcount * rt.extent(), rcount, rt,
                    Collectives.TAG_GATHER);
            gatherAtRoot(c, rbuf, roff, rcount, rt, root);
            return;
        }
        int v = (me - root + n) % n;
        int parent = (v - Integer.lowestOneBit(v) + root) % n;
        int sub = subtree(v, n);
        if (sub == 1) {
            Transfer.send(c, sbuf, soff, scount, st, parent, Collectives.TAG_GATHER);
            return;
        }
        int block = scount * st.size();
        TypeMap dt = Transfer.denseType(st);
        Object tmp = Transfer.dense(st, Args.times(block, sub, "the subtree's data"));
        DataMover.copy(sbuf, soff, st, tmp, 0, dt, block);
        Request[] rs = new Request[32];
        int[] expect = new int[32];
        int[] from = new int[32];
        int k = 0;
        for (int mask = 1; mask < Integer.lowestOneBit(v) && v + mask < n; mask <<= 1, k++) {
            int items = Math.min(mask, n - v - mask) * block;
            from[k] = (v + mask + root) % n;
            expect[k] = items;
            rs[k] = c.irecvColl(tmp, mask * block, items, dt, from[k], Collectives.TAG_GATHER);
        }
        Transfer.awaitAll(c, rs, k, expect, from);
        Transfer.send(c, tmp, 0, sub * block, dt, parent, Collectives.TAG_GATHER);
    }

    private static void gatherAtRoot(Communicator c, Object rbuf, int roff, int rcount, TypeMap rt, int root) {
        int n = c.size();
        int stride = rcount * rt.extent();
        int block = rcount * rt.size();
        TypeMap dt = Transfer.denseType(rt);
        Request[] rs = new Request[32];
        Object[] wrapped = new Object[32];
        int[] expect = new int[32];
        int[] from = new int[32];
        int k = 0;
        for (int mask = 1; mask < n; mask <<= 1, k++) {
            int first = (mask + root) % n;
            int ranks = Math.min(mask, n - mask);
            from[k] = first;
            expect[k] = block * ranks;
            if (first + ranks <= n) {
                rs[k] = c.irecvColl(rbuf, roff + first * stride, rcount * ranks, rt, first, Collectives.TAG_GATHER);
            } else {
                wrapped[k] = Transfer.dense(rt, block * ranks);
                rs[k] = c.irecvColl(wrapped[k], 0, block * ranks, dt, first, Collectives.TAG_GATHER);
            }
        }
        Transfer.awaitAll(c, rs, k, expect, from);
        for (int i = 0, mask = 1; i < k; i++, mask <<= 1) {
            int first = (mask + root) % n;
            int ranks = Math.min(mask, n - mask);
            if (wrapped[i] != null) {
                int tail = n - first;
                DataMover.copy(wrapped[i], 0, dt, rbuf, roff + first * stride, rt, tail * block);
                DataMover.copy(wrapped[i], tail * block, dt, rbuf, roff, rt, (ranks - tail) * block);
            }
        }
    }

    static void scatter(Communicator c, Object sbuf, int soff, int scount, TypeMap st, Object rbuf, int roff,
            int rcount, TypeMap rt, int root) {
        int n = c.size();
        int me = c.rank();
        Args.root(c, root);
        Args.count(rcount, "recvcount");
        Args.data(rbuf, roff, rcount, rt, "receive buffer");
        if (me == root) {
            Args.count(scount, "sendcount");
            Args.data(sbuf, soff, Args.times(scount, n, "sendcount"), st, "send buffer");
            Transfer.local(c, sbuf, soff + me * scount * st.extent(), scount, st, rbuf, roff, rcount, rt,
                    Collectives.TAG_SCATTER);
            scatterFromRoot(c, sbuf, soff, scount, st, root);
            return;
        }
        int v = (me - root + n) % n;
        int parent = (v - Integer.lowestOneBit(v) + root) % n;
        int sub = subtree(v, n);
        if (sub == 1) {
            Transfer.recv(c, rbuf, roff, rcount, rt, parent, Collectives.TAG_SCATTER);
            return;
        }
        int block = rcount * rt.size();
        TypeMap dt = Transfer.denseType(rt);
        Object tmp = Transfer.dense(rt, Args.times(block, sub, "the subtree's data"));
        Transfer.recv(c, tmp, 0, sub * block, dt, parent, Collectives.TAG_SCATTER);
        Request[] rs = new Request[32];
        int k = 0;
        for (int mask = Integer.lowestOneBit(v) >> 1; mask > 0; mask >>= 1) {
            if (v + mask < n) {
                int items = Math.min(mask, n - v - mask) * block;
                rs[k++] = c.isendColl(tmp, mask * block, items, dt, (v + mask + root) % n, Collectives.TAG_SCATTER);
            }
        }
        DataMover.copy(tmp, 0, dt, rbuf, roff, rt, block);
        for (int i = 0; i < k; i++) {
            c.endpoint().await(rs[i]);
        }
    }

    private static void scatterFromRoot(Communicator c, Object sbuf, int soff, int scount, TypeMap st, int root) {
        int n = c.size();
        int stride = scount * st.extent();
        int block = scount * st.size();
        TypeMap dt = Transfer.denseType(st);
        Request[] rs = new Request[32];
        int k = 0;
        for (int mask = n > 1 ? Integer.highestOneBit(n - 1) : 0; mask > 0; mask >>= 1) {
            int first = (mask + root) % n;
            int ranks = Math.min(mask, n - mask);
            if (first + ranks <= n) {
                rs[k++] = c.isendColl(sbuf, soff + first * stride, scount * ranks, st, first, Collectives.TAG_SCATTER);
            } else {
                int tail = n - first;
                Object tmp = Transfer.dense(st, block * ranks);
                DataMover.copy(sbuf, soff + first * stride, st, tmp, 0, dt, tail * block);
                DataMover.copy(sbuf, soff, st, tmp, tail * block, dt, (ranks - tail) * block);
                rs[k++] = c.isendColl(tmp, 0, block * ranks, dt, first, Collectives.TAG_SCATTER);
            }
        }
        for (int i = 0; i < k; i++) {
            c.endpoint().await(rs[i]);
        }
    }
}
