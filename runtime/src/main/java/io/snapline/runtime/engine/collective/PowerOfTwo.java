package io.snapline.runtime.engine.collective;

import io.snapline.runtime.engine.Communicator;
import io.snapline.runtime.engine.ReduceOp;

/**
 * All-reduce among the largest power of two {@code p <= n} ranks, with the {@code rem = n - p} extra ranks folded in
 * and out. Ranks {@code 0 .. 2*rem - 1} pair up: the even rank hands its operand to the odd one above it and waits;
 * the odd rank combines {@code even op odd} and takes part as "new rank" {@code r / 2}; ranks from {@code 2*rem} on
 * take part as {@code r - rem}. New ranks map onto real ranks monotonically, and every exchange group of new ranks
 * covers a run of consecutive real ranks, so combining {@code lower op higher} keeps rank order.
 *
 * <p>Two algorithms run among the {@code p} ranks: recursive doubling ({@code log p} rounds, whole buffer each
 * round; any operator) and, for large commutative reductions, Rabenseifner's reduce-scatter by recursive halving
 * followed by an all-gather by recursive doubling (each rank moves about 2x the buffer instead of {@code log p} x).
 */
final class PowerOfTwo {
    private final Communicator c;
    private final Scratch s;
    private final ReduceOp op;
    private final int tag;
    private final int pof2;
    private final int rem;
    private final int me;

    PowerOfTwo(Communicator c, Scratch s, ReduceOp op, int tag) {
        this.c = c;
        this.s = s;
        this.op = op;
        this.tag = tag;
        this.pof2 = Integer.highestOneBit(c.size());
        this.rem = c.size() - pof2;
        this.me = c.rank();
    }

    /** Real rank of new rank {@code v}. */
    private int real(int v) {
        return v < rem ? 2 * v + 1 : v + rem;
    }

    /** Reduces {@code acc} across all ranks; returns the buffer holding the result (the same on every rank). */
    Object allreduce(Object acc, boolean rabenseifner) {
        Object tmp = s.newBuffer();
        int newRank;
        if (me < 2 * rem) {
            if (me % 2 == 0) {
                Transfer.send(c, acc, s.origin, s.count, s.type, me + 1, tag);
                newRank = -1;
            } else {
                Transfer.recv(c, tmp, s.origin, s.count, s.type, me - 1, tag);
                op.apply(tmp, s.origin, acc, s.origin, s.count, s.type);
                newRank = me / 2;
            }
        } else {
            newRank = me - rem;
        }
        if (newRank >= 0) {
            if (rabenseifner) {
                rabenseifner(newRank, acc, tmp);
            } else {
                Object[] bufs = {acc, tmp};
                doubling(newRank, bufs);
                acc = bufs[0];
            }
        }
        if (me < 2 * rem) {
            if (me % 2 == 1) {
                Transfer.send(c, acc, s.origin, s.count, s.type, me - 1, tag);
            } else {
                Transfer.recv(c, acc, s.origin, s.count, s.type, me + 1, tag);
            }
        }
        return acc;
    }

    /** Recursive doubling; {@code bufs[0]} is the accumulator, {@code bufs[1]} scratch (they may swap). */
    private void doubling(int newRank, Object[] bufs) {
        Object acc = bufs[0];
        Object tmp = bufs[1];
        for (int mask = 1; mask < pof2; mask <<= 1) {
            int peer = real(newRank ^ mask);
            Transfer.sendrecv(c, acc, s.origin, s.count, s.type, peer, tmp, s.origin, s.count, s.type, peer, tag);
            if (peer < me) {
                op.apply(tmp, s.origin, acc, s.origin, s.count, s.type);
            } else {
                op.apply(acc, s.origin, tmp, s.origin, s.count, s.type);
                Object x = acc;
                acc = tmp;
                tmp = x;
            }
        }
        bufs[0] = acc;
        bufs[1] = tmp;
    }

    /** First item of piece {@code i} when the buffer is cut into {@code pof2} near-equal pieces. */
    private int start(int i) {
        int q = s.count / pof2;
        int r = s.count % pof2;
        return i * q + Math.min(i, r);
    }

    /**
     * Rabenseifner: recursive halving leaves new rank {@code v} with piece {@code v} fully reduced, recursive
     * doubling then spreads the pieces. Halving combines partial results in the order the exchanges happen, not in
     * rank order, so the operator must be commutative; each piece is reduced on one rank only, so every rank still
     * ends with the same bits.
     */
    private void rabenseifner(int newRank, Object acc, Object tmp) {
        int lo = 0;
        int hi = pof2;
        for (int half = pof2 / 2; half >= 1; half /= 2) {
            int peerNew = newRank ^ half;
            int peer = real(peerNew);
            int mid = lo + half;
            int keepLo = newRank < peerNew ? lo : mid;
            int keepHi = newRank < peerNew ? mid : hi;
            int giveLo = newRank < peerNew ? mid : lo;
            int giveHi = newRank < peerNew ? hi : mid;
            int keepItems = start(keepHi) - start(keepLo);
            int giveItems = start(giveHi) - start(giveLo);
            Transfer.sendrecv(c, acc, s.offset(start(giveLo)), giveItems, s.type, peer, tmp, s.offset(start(keepLo)),
                    keepItems, s.type, peer, tag);
            op.apply(tmp, s.offset(start(keepLo)), acc, s.offset(start(keepLo)), keepItems, s.type);
            lo = keepLo;
            hi = keepHi;
        }
        for (int half = 1; half < pof2; half *= 2) {
            int peerNew = newRank ^ half;
            int peer = real(peerNew);
            int theirLo = newRank < peerNew ? hi : lo - half;
            int theirHi = theirLo + half;
            Transfer.sendrecv(c, acc, s.offset(start(lo)), start(hi) - start(lo), s.type, peer, acc,
                    s.offset(start(theirLo)), start(theirHi) - start(theirLo), s.type, peer, tag);
            lo = Math.min(lo, theirLo);
            hi = Math.max(hi, theirHi);
        }
    }
}
