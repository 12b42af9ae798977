package io.snapline.runtime.p2p;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.testing.MpiRun;
import java.util.concurrent.TimeUnit;
import mpi.MPI;
import mpi.MPIException;
import mpi.Request;
import mpi.Status;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PointToPointTest {

    /** Every rank passes a token around the ring; rank 0 checks it went all the way. */
    public static class Ring {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int n = MPI.COMM_WORLD.Size();
            int[] token = new int[1];
            if (me == 0) {
                token[0] = 1;
                MPI.COMM_WORLD.Send(token, 0, 1, MPI.INT, 1 % n, 7);
                MPI.COMM_WORLD.Recv(token, 0, 1, MPI.INT, n - 1, 7);
                assertEquals(n, token[0]);
            } else {
                Status s = MPI.COMM_WORLD.Recv(token, 0, 1, MPI.INT, me - 1, 7);
                assertEquals(me - 1, s.source);
                assertEquals(7, s.tag);
                token[0]++;
                MPI.COMM_WORLD.Send(token, 0, 1, MPI.INT, (me + 1) % n, 7);
            }
            if (n == 1) {
                assertEquals(1, token[0]);
            }
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 8})
    void shouldPassTokenAroundRingWhenEveryRankForwardsIt(int np) {
        MpiRun.ok(np, Ring.class);
    }

    /** Messages between one pair with one tag arrive in send order, small and large alike. */
    public static class Ordering {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int count = 200;
            if (me == 0) {
                for (int i = 0; i < count; i++) {
                    int len = i % 10 == 0 ? 20_000 : 3;
                    double[] d = new double[len];
                    java.util.Arrays.fill(d, i);
                    MPI.COMM_WORLD.Send(d, 0, len, MPI.DOUBLE, 1, 3);
                }
            } else if (me == 1) {
                Thread.yield();
                for (int i = 0; i < count; i++) {
                    double[] d = new double[20_000];
                    Status s = MPI.COMM_WORLD.Recv(d, 0, d.length, MPI.DOUBLE, 0, 3);
                    assertEquals(i % 10 == 0 ? 20_000 : 3, s.Get_count(MPI.DOUBLE));
                    assertEquals(i, d[0]);
                    assertEquals(i, d[s.Get_count(MPI.DOUBLE) - 1]);
                }
            }
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void shouldDeliverInSendOrderWhenSameSourceAndTag(int np) {
        MpiRun.ok(np, Ordering.class);
    }

    /** A receive that is too small fails with a truncation error, never silently. */
    public static class Truncation {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            if (me == 0) {
                MPI.COMM_WORLD.Send(new int[10], 0, 10, MPI.INT, 1, 0);
            } else if (me == 1) {
                MPIException e = assertThrows(MPIException.class,
                        () -> MPI.COMM_WORLD.Recv(new int[8], 0, 8, MPI.INT, 0, 0));
                assertTrue(e.getMessage().contains("truncated"), e.getMessage());
                assertTrue(e.getMessage().contains("10"), e.getMessage());
            }
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2})
    void shouldRaiseTruncationWhenReceiveBufferTooSmall(int np) {
        MpiRun.ok(np, Truncation.class);
    }

    /** Wildcards match any source and tag; Waitany reports which request completed. */
    public static class Wildcards {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int n = MPI.COMM_WORLD.Size();
            if (me == 0) {
                if (n == 1) {
                    MPI.COMM_WORLD.Barrier();
                }
                boolean[] seen = new boolean[n];
                for (int i = 1; i < n; i++) {
                    int[] v = new int[1];
                    Status s = MPI.COMM_WORLD.Recv(v, 0, 1, MPI.INT, MPI.ANY_SOURCE, MPI.ANY_TAG);
                    assertEquals(s.source * 100, v[0]);
                    assertEquals(s.source + 10, s.tag);
                    seen[s.source] = true;
                }
                for (int i = 1; i < n; i++) {
                    assertTrue(seen[i]);
                }
                MPI.COMM_WORLD.Barrier();
                Request[] rs = new Request[n - 1];
                int[][] bufs = new int[n - 1][1];
                for (int i = 1; i < n; i++) {
                    rs[i - 1] = MPI.COMM_WORLD.Irecv(bufs[i - 1], 0, 1, MPI.INT, i, 1);
                }
                for (int k = 1; k < n; k++) {
                    Status s = Request.Waitany(rs);
                    assertEquals(s.index + 1, s.source);
                    assertEquals(-s.source, bufs[s.index][0]);
                    assertTrue(rs[s.index].Is_null());
                }
                assertEquals(MPI.UNDEFINED, Request.Waitany(rs).index);
                assertNull(MPI.COMM_WORLD.Iprobe(MPI.ANY_SOURCE, MPI.ANY_TAG));
            } else if (n > 1) {
                MPI.COMM_WORLD.Send(new int[] {me * 100}, 0, 1, MPI.INT, 0, me + 10);
                MPI.COMM_WORLD.Barrier();
                MPI.COMM_WORLD.Send(new int[] {-me}, 0, 1, MPI.INT, 0, 1);
            }
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @MethodSource("io.snapline.runtime.testing.MpiRun#rankCounts")
    void shouldMatchWildcardsAndReportWaitanyIndex(int np) {
        MpiRun.ok(np, Wildcards.class);
    }

    /** Objects travel as deep copies with shared references intact. */
    public static class Objects {
        record Point(int x, String label) {
        }

        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            if (me == 0) {
                java.util.List<Point> shared = new java.util.ArrayList<>(java.util.List.of(new Point(1, "a")));
                Object[] out = {shared, shared, new Point(2, "b"), null};
                MPI.COMM_WORLD.Send(out, 0, 4, MPI.OBJECT, 1, 0);
            } else if (me == 1) {
                Object[] in = new Object[4];
                Status s = MPI.COMM_WORLD.Recv(in, 0, 4, MPI.OBJECT, 0, 0);
                assertEquals(4, s.Get_count(MPI.OBJECT));
                assertNotNull(in[0]);
                assertTrue(in[0] == in[1], "shared reference kept");
                assertEquals(new Point(2, "b"), in[2]);
                assertNull(in[3]);
            }
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2})
    void shouldCopyObjectGraphsWhenSendingObjects(int np) {
        MpiRun.ok(np, Objects.class);
    }

    /** Static fields belong to one rank: each rank sees only its own writes. */
    public static class Statics {
        static int counter;

        public static void main(String[] args) {
            MPI.Init(args);
            counter += MPI.COMM_WORLD.Rank() + 1;
            MPI.COMM_WORLD.Barrier();
            assertEquals(MPI.COMM_WORLD.Rank() + 1, counter);
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {4})
    void shouldKeepStaticFieldsPerRankWhenRanksAreThreads(int np) {
        MpiRun.ok(np, Statics.class);
    }

    /** Init strips the launcher's three arguments and returns the program's own. */
    public static class Args {
        public static void main(String[] args) {
            String[] mine = MPI.Init(args);
            assertArrayEquals(new String[] {"alpha", "42"}, mine);
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2})
    void shouldReturnProgramArgumentsFromInit(int np) {
        MpiRun.ok(np, Args.class, "alpha", "42");
    }
}
