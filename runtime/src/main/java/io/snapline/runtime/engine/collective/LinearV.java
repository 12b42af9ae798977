package io.snapline.runtime.engine.collective;

import io.snapline.runtime.engine.Communicator;
import io.snapline.runtime.engine.Request;
import io.snapline.runtime.engine.TypeMap;

/**
 * Gatherv and scatterv: the root exchanges one message with every other rank, all in flight at once. Block {@code r}
 * of the root's buffer is {@code counts[r]} items at {@code displs[r]} extents of the datatype past the offset.
 */
final class LinearV {
    private LinearV() {
    }

    static void gatherv(Communicator c, Object sbuf, int soff, int scount, TypeMap st, Object rbuf, int roff,
            int[] rcounts, int[] displs, TypeMap rt, int root) {
        int n = c.size();
        int me = c.rank();
        Args.root(c, root);
        Args.count(scount, "sendcount");
        Args.data(sbuf, soff, scount, st, "send buffer");
        if (me != root) {
            Transfer.send(c, sbuf, soff, scount, st, root, Collectives.TAG_GATHERV);
            return;
        }
        Args.vbuffer(c, rbuf, roff, rcounts, displs, rt, "receive");
        Transfer.local(c, sbuf, soff, scount, st, rbuf, Args.block(roff, displs[me], rt), rcounts[me], rt,
                Collectives.TAG_GATHERV);
        Request[] rs = new Request[n];
        int[] expect = new int[n];
        int[] from = new int[n];
        for (int r = 0; r < n; r++) {
            if (r != me) {
                from[r] = r;
                expect[r] = rcounts[r] * rt.size();
                rs[r] = c.irecvColl(rbuf, Args.block(roff, displs[r], rt), rcounts[r], rt, r, Collectives.TAG_GATHERV);
            }
        }
        Transfer.awaitAll(c, rs, n, expect, from);
    }

    static void scatterv(Communicator c, Object sbuf, int soff, int[] scounts, int[] displs, TypeMap st, Object rbuf,
            int roff, int rcount, TypeMap rt, int root) {
        int n = c.size();
        int me = c.rank();
        Args.root(c, root);
        Args.count(rcount, "recvcount");
        Args.data(rbuf, roff, rcount, rt, "receive buffer");
        if (me != root) {
            Transfer.recv(c, rbuf, roff, rcount, rt, root, Collectives.TAG_SCATTERV);
            return;
        }
        Args.vbuffer(c, sbuf, soff, scounts, displs, st, "send");
        Transfer.local(c, sbuf, Args.block(soff, displs[me], st), scounts[me], st, rbuf, roff, rcount, rt,
                Collectives.TAG_SCATTERV);
        Request[] rs = new Request[n];
        for (int r = 0; r < n; r++) {
            if (r != me) {
                rs[r] = c.isendColl(sbuf, Args.block(soff, displs[r], st), scounts[r], st, r, Collectives.TAG_SCATTERV);
            }
        }
        for (int r = 0; r < n; r++) {
            if (r != me) {
                c.endpoint().await(rs[r]);
            }
        }
    }
}
