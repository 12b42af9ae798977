package io.snapline.runtime.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.snapline.runtime.engine.Endpoint;
import io.snapline.runtime.testing.MpiRun;
import java.util.concurrent.TimeUnit;
import mpi.MPI;
import mpi.Request;
import mpi.Status;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Tag selection, wildcards, and non-overtaking order across eager and rendezvous sizes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TagOrderingTest {

    /** Messages with different tags can be received out of send order; ANY_TAG takes the earliest. */
    public static class Tags {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int n = MPI.COMM_WORLD.Size();
            if (me != 0) {
                for (int tag = 1; tag <= 3; tag++) {
                    MPI.COMM_WORLD.Send(new int[] {me * 10 + tag}, 0, 1, MPI.INT, 0, tag);
                }
            } else {
                for (int peer = 1; peer < n; peer++) {
                    int[] v = new int[1];
                    MPI.COMM_WORLD.Recv(v, 0, 1, MPI.INT, peer, 3);
                    assertEquals(peer * 10 + 3, v[0]);
                    Status any = MPI.COMM_WORLD.Recv(v, 0, 1, MPI.INT, peer, MPI.ANY_TAG);
                    assertEquals(1, any.tag, "ANY_TAG takes the earliest remaining message");
                    assertEquals(peer * 10 + 1, v[0]);
                    Status last = MPI.COMM_WORLD.Recv(v, 0, 1, MPI.INT, MPI.ANY_SOURCE, 2);
                    assertEquals(2, last.tag);
                    assertEquals(last.source * 10 + 2, v[0]);
                }
            }
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @MethodSource("io.snapline.runtime.testing.MpiRun#rankCounts")
    void shouldSelectByTagWhenTagsDiffer(int np) {
        MpiRun.ok(np, Tags.class);
    }

    /**
     * Each peer fires a burst of Isends alternating around the eager limit; rank 0 receives with ANY_TAG and
     * checks per-source sequence numbers never go backwards.
     */
    public static class MixedSizes {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int n = MPI.COMM_WORLD.Size();
            int count = 60;
            int big = Endpoint.EAGER_LIMIT / 4 + 1; // ints just above the eager limit
            if (me != 0) {
                Request[] rs = new Request[count];
                int[][] bufs = new int[count][];
                for (int i = 0; i < count; i++) {
                    int len = i % 3 == 0 ? big : (i % 3 == 1 ? Endpoint.EAGER_LIMIT / 4 : 2);
                    bufs[i] = new int[len];
                    java.util.Arrays.fill(bufs[i], i);
                    rs[i] = MPI.COMM_WORLD.Isend(bufs[i], 0, len, MPI.INT, 0, i % 2);
                }
                Request.Waitall(rs);
            } else {
                int[] next = new int[n];
                int[] buf = new int[big];
                for (int k = 0; k < count * (n - 1); k++) {
                    Status s = MPI.COMM_WORLD.Recv(buf, 0, big, MPI.INT, MPI.ANY_SOURCE, MPI.ANY_TAG);
                    int seq = buf[0];
                    assertEquals(next[s.source], seq, "message from rank " + s.source + " overtaken");
                    assertEquals(seq % 2, s.tag);
                    assertEquals(seq, buf[s.Get_count(MPI.INT) - 1]);
                    next[s.source]++;
                }
            }
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 8})
    void shouldKeepSendOrderWhenEagerAndRendezvousMix(int np) {
        MpiRun.ok(np, MixedSizes.class);
    }
}
