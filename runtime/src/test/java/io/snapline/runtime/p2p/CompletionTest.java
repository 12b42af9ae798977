package io.snapline.runtime.p2p;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.testing.MpiRun;
import java.util.concurrent.TimeUnit;
import mpi.MPI;
import mpi.Request;
import mpi.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Waitall/Waitany/Waitsome/Testall/Testany/Testsome: which requests they report, index fields, null requests. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CompletionTest {

    /**
     * Rank 0 posts one receive per peer and completes them in a controlled order: each peer sends only when rank 0
     * tells it to, so the test knows exactly which requests can be complete at each point.
     */
    public static class Controlled {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int n = MPI.COMM_WORLD.Size();
            if (me == 0) {
                int peers = n - 1;
                int[][] bufs = new int[peers][1];
                Request[] rs = new Request[peers + 1];
                for (int i = 0; i < peers; i++) {
                    rs[i] = MPI.COMM_WORLD.Irecv(bufs[i], 0, 1, MPI.INT, i + 1, 0);
                }
                rs[peers] = null; // a null entry is skipped everywhere
                assertNull(Request.Testany(rs));
                assertNull(Request.Testall(rs));
                assertEquals(0, Request.Testsome(rs).length);

                release(peers); // the last peer sends
                Status any = Request.Waitany(rs);
                assertEquals(peers - 1, any.index);
                assertEquals(peers, any.source);
                assertEquals(peers * 10, bufs[peers - 1][0]);
                assertTrue(rs[peers - 1].Is_null(), "a completed request becomes null");
                if (peers >= 2) {
                    assertNull(Request.Testany(rs), "nothing else can be complete yet");
                } else {
                    assertEquals(MPI.UNDEFINED, Request.Testany(rs).index, "every request is null now");
                }

                if (peers >= 2) {
                    release(1);
                    Status[] some = Request.Waitsome(rs);
                    assertEquals(1, some.length);
                    assertEquals(0, some[0].index);
                    assertEquals(1, some[0].source);
                    for (int p = 2; p < peers; p++) {
                        release(p);
                    }
                    // every remaining one will complete; poll with Testsome and collect the indices
                    boolean[] seen = new boolean[peers + 1];
                    seen[0] = true;
                    seen[peers - 1] = true;
                    int left = peers - 2;
                    while (left > 0) {
                        Status[] done = Request.Testsome(rs);
                        for (Status s : done) {
                            assertFalse(seen[s.index], "index " + s.index + " reported twice");
                            seen[s.index] = true;
                            assertEquals(s.index + 1, s.source);
                            assertEquals((s.index + 1) * 10, bufs[s.index][0]);
                            left--;
                        }
                        Thread.yield();
                    }
                }
                // all requests are null now
                assertEquals(MPI.UNDEFINED, Request.Waitany(rs).index);
                assertEquals(0, Request.Waitsome(rs).length);
                assertEquals(0, Request.Testsome(rs).length);
                Status[] all = Request.Testall(rs);
                assertNotNull(all, "Testall of null requests is complete");
                assertEquals(rs.length, all.length);
            }
            if (me != 0) {
                MPI.COMM_WORLD.Recv(new int[1], 0, 1, MPI.INT, 0, 99);
                MPI.COMM_WORLD.Send(new int[] {me * 10}, 0, 1, MPI.INT, 0, 0);
            }
            MPI.Finalize();
        }

        private static void release(int peer) {
            MPI.COMM_WORLD.Send(new int[1], 0, 1, MPI.INT, peer, 99);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 8})
    void shouldReportIndicesWhenRequestsCompleteInKnownOrder(int np) {
        MpiRun.ok(np, Controlled.class);
    }

    /** Waitall and Testall give statuses in request order, with sends and receives mixed. */
    public static class AllMixed {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int n = MPI.COMM_WORLD.Size();
            int[][] in = new int[n][2];
            Request[] rs = new Request[2 * n];
            for (int p = 0; p < n; p++) {
                rs[2 * p] = MPI.COMM_WORLD.Irecv(in[p], 0, 2, MPI.INT, p, 3);
                rs[2 * p + 1] = MPI.COMM_WORLD.Isend(new int[] {me, p}, 0, 2, MPI.INT, p, 3);
            }
            Status[] st = null;
            if (me % 2 == 0) {
                st = Request.Waitall(rs);
            } else {
                while (st == null) {
                    st = Request.Testall(rs);
                    Thread.yield();
                }
            }
            assertEquals(2 * n, st.length);
            for (int p = 0; p < n; p++) {
                assertEquals(p, st[2 * p].source);
                assertEquals(2, st[2 * p].Get_count(MPI.INT));
                assertArrayEquals(new int[] {p, me}, in[p]);
            }
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @MethodSource("io.snapline.runtime.testing.MpiRun#rankCounts")
    void shouldReturnStatusesInRequestOrderWhenWaitall(int np) {
        MpiRun.ok(np, AllMixed.class);
    }

    /** Empty arrays and MPI.REQUEST_NULL are harmless. */
    public static class Empty {
        public static void main(String[] args) {
            MPI.Init(args);
            assertEquals(0, Request.Waitall(new Request[0]).length);
            assertEquals(MPI.UNDEFINED, Request.Waitany(new Request[0]).index);
            assertTrue(MPI.REQUEST_NULL.Is_null());
            Status s = MPI.REQUEST_NULL.Wait();
            assertEquals(0, s.Get_count(MPI.INT));
            assertNotNull(MPI.REQUEST_NULL.Test());
            Status[] st = Request.Waitall(new Request[] {MPI.REQUEST_NULL, null});
            assertEquals(2, st.length);
            MPI.Finalize();
        }
    }

    @Test
    void shouldTreatNullRequestsAsCompleteWhenWaiting() {
        MpiRun.ok(1, Empty.class);
    }
    /**
     * Testsome and Waitsome return an array of length zero, never null, when no active request is left: all null
     * (MPI.REQUEST_NULL, null entries, or requests a completion made null), as the mpiJava Javadoc says of Testsome.
     */
    public static class NoActive {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            assertEquals(0, Request.Testsome(new Request[] {MPI.REQUEST_NULL, null}).length);
            assertEquals(0, Request.Waitsome(new Request[] {MPI.REQUEST_NULL, null}).length);
            assertEquals(0, Request.Testsome(new Request[0]).length);
            assertEquals(0, Request.Waitsome(new Request[0]).length);
            if (me == 0) {
                int[] got = new int[1];
                Request[] rs = {MPI.REQUEST_NULL, MPI.COMM_WORLD.Irecv(got, 0, 1, MPI.INT, 1, 4)};
                Status[] first = Request.Waitsome(rs);
                assertEquals(1, first.length);
                assertEquals(1, first[0].index);
                assertEquals(41, got[0]);
                assertTrue(rs[1].Is_null());
                assertEquals(0, Request.Testsome(rs).length);
                assertEquals(0, Request.Waitsome(rs).length);
            } else if (me == 1) {
                MPI.COMM_WORLD.Send(new int[] {41}, 0, 1, MPI.INT, 0, 4);
            }
            MPI.Finalize();
        }
    }

    @Test
    void shouldReturnEmptyArrayWhenTestsomeOrWaitsomeFindNoActiveRequest() {
        MpiRun.ok(2, NoActive.class);
    }
}
