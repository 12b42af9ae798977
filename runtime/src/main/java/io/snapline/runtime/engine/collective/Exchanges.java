package io.snapline.runtime.engine.collective;

import io.snapline.runtime.engine.Communicator;
import io.snapline.runtime.engine.TypeMap;

/**
 * All-gather(v) by a ring ({@code n - 1} steps; in step k each rank passes the block it received in step k - 1 to its
 * right neighbour) and all-to-all(v) by pairwise exchange ({@code n - 1} steps; in step k rank r sends to r + k and
 * receives from r - k, so every rank sends and receives exactly once per step). Blocks move straight between the
 * users' buffers, without temporaries.
 */
final class Exchanges {
    private Exchanges() {
    }

    static void allgather(Communicator c, Object sbuf, int soff, int scount, TypeMap st, Object rbuf, int roff,
            int rcount, TypeMap rt) {
        int n = c.size();
        int me = c.rank();
        Args.count(scount, "sendcount");
        Args.count(rcount, "recvcount");
        Args.data(sbuf, soff, scount, st, "send buffer");
        Args.data(rbuf, roff, Args.times(rcount, n, "recvcount"), rt, "receive buffer");
        int stride = rcount * rt.extent();
        Transfer.local(c, sbuf, soff, scount, st, rbuf, roff + me * stride, rcount, rt, Collectives.TAG_ALLGATHER);
        int right = (me + 1) % n;
        int left = (me - 1 + n) % n;
        for (int k = 0; k < n - 1; k++) {
            int send = (me - k + n) % n;
            int recv = (me - k - 1 + n) % n;
            Transfer.sendrecv(c, rbuf, roff + send * stride, rcount, rt, right, rbuf, roff + recv * stride, rcount, rt,
                    left, Collectives.TAG_ALLGATHER);
        }
    }

    static void allgatherv(Communicator c, Object sbuf, int soff, int scount, TypeMap st, Object rbuf, int roff,
            int[] rcounts, int[] displs, TypeMap rt) {
        int n = c.size();
        int me = c.rank();
        Args.count(scount, "sendcount");
        Args.data(sbuf, soff, scount, st, "send buffer");
        Args.vbuffer(c, rbuf, roff, rcounts, displs, rt, "receive");
        Transfer.local(c, sbuf, soff, scount, st, rbuf, Args.block(roff, displs[me], rt), rcounts[me], rt,
                Collectives.TAG_ALLGATHERV);
        int right = (me + 1) % n;
        int left = (me - 1 + n) % n;
        for (int k = 0; k < n - 1; k++) {
            int send = (me - k + n) % n;
            int recv = (me - k - 1 + n) % n;
            Transfer.sendrecv(c, rbuf, Args.block(roff, displs[send], rt), rcounts[send], rt, right, rbuf,
                    Args.block(roff, displs[recv], rt), rcounts[recv], rt, left, Collectives.TAG_ALLGATHERV);
        }
    }

    static void alltoall(Communicator c, Object sbuf, int soff, int scount, TypeMap st, Object rbuf, int roff,
            int rcount, TypeMap rt) {
        int n = c.size();
        int me = c.rank();
        Args.count(scount, "sendcount");
        Args.count(rcount, "recvcount");
        Args.data(sbuf, soff, Args.times(scount, n, "sendcount"), st, "send buffer");
        Args.data(rbuf, roff, Args.times(rcount, n, "recvcount"), rt, "receive buffer");
        int sstride = scount * st.extent();
        int rstride = rcount * rt.extent();
        Transfer.local(c, sbuf, soff + me * sstride, scount, st, rbuf, roff + me * rstride, rcount, rt,
                Collectives.TAG_ALLTOALL);
        for (int k = 1; k < n; k++) {
            int dest = (me + k) % n;
            int src = (me - k + n) % n;
            Transfer.sendrecv(c, sbuf, soff + dest * sstride, scount, st, dest, rbuf, roff + src * rstride, rcount, rt,
                    src, Collectives.TAG_ALLTOALL);
        }
    }

    static void alltoallv(Communicator c, Object sbuf, int soff, int[] scounts, int[] sdispls, TypeMap st,
            Object rbuf, int roff, int[] rcounts, int[] rdispls, TypeMap rt) {
        int n = c.size();
        int me = c.rank();
        Args.vbuffer(c, sbuf, soff, scounts, sdispls, st, "send");
        Args.vbuffer(c, rbuf, roff, rcounts, rdispls, rt, "receive");
        Transfer.local(c, sbuf, Args.block(soff, sdispls[me], st), scounts[me], st, rbuf,
                Args.block(roff, rdispls[me], rt), rcounts[me], rt, Collectives.TAG_ALLTOALLV);
        for (int k = 1; k < n; k++) {
            int dest = (me + k) % n;
            int src = (me - k + n) % n;
            Transfer.sendrecv(c, sbuf, Args.block(soff, sdispls[dest], st), scounts[dest], st, dest, rbuf,
                    Args.block(roff, rdispls[src], rt), rcounts[src], rt, src, Collectives.TAG_ALLTOALLV);
        }
    }
}
