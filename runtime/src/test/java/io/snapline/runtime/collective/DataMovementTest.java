package io.snapline.runtime.collective;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.snapline.runtime.testing.MpiRun;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import mpi.Datatype;
import mpi.Intracomm;
import mpi.MPI;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Broadcast, gather(v), scatter(v), all-gather(v) and all-to-all(v) at several sizes and every root. Each rank
 * computes the expected contents itself from the same formula the senders used, and checks that slots outside the
 * received blocks were left alone.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DataMovementTest {
    /** Sentinel for slots no operation may write. */
    static final int HOLE = -7;

    static int val(int rank, int i) {
        return rank * 1000 + i;
    }

    static int[] holes(int n) {
        int[] a = new int[n];
        Arrays.fill(a, HOLE);
        return a;
    }

    /** Bcast of ints, a large double[] (rendezvous), a vector datatype and objects, from every root. */
    public static class Broadcasts {
        public static void main(String[] args) {
            MPI.Init(args);
            Intracomm w = MPI.COMM_WORLD;
            int me = w.Rank();
            int n = w.Size();
            Datatype vec = Datatype.Vector(3, 1, 2, MPI.INT); // elements 0, 2, 4; extent 5
            vec.Commit();
            for (int each = 0; each < n; each++) {
                final int root = each;
                int[] small = holes(9);
                if (me == root) {
                    for (int i = 0; i < 5; i++) {
                        small[2 + i] = val(root, i);
                    }
                }
                w.Bcast(small, 2, 5, MPI.INT, root);
                int[] want = holes(9);
                for (int i = 0; i < 5; i++) {
                    want[2 + i] = val(root, i);
                }
                assertArrayEquals(want, small);

                double[] big = new double[20_000];
                if (me == root) {
                    Arrays.setAll(big, i -> root + i * 0.5);
                }
                w.Bcast(big, 0, big.length, MPI.DOUBLE, root);
                for (int i = 0; i < big.length; i++) {
                    assertEquals(root + i * 0.5, big[i]);
                }

                int[] strided = holes(11);
                if (me == root) {
                    Arrays.setAll(strided, i -> val(root, i));
                }
                w.Bcast(strided, 1, 2, vec, root);
                for (int i = 0; i < 11; i++) {
                    boolean mapped = i >= 1 && (i - 1) % 5 % 2 == 0;
                    assertEquals(mapped || me == root ? val(root, i) : HOLE, strided[i], "slot " + i);
                }

                Object[] objs = new Object[3];
                if (me == root) {
                    objs[0] = "from " + root;
                    objs[1] = new int[] {root, 42};
                    objs[2] = java.util.List.of(root, root + 1);
                }
                w.Bcast(objs, 0, 3, MPI.OBJECT, root);
                assertEquals("from " + root, objs[0]);
                assertArrayEquals(new int[] {root, 42}, (int[]) objs[1]);
                assertEquals(java.util.List.of(root, root + 1), objs[2]);
            }
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @MethodSource("io.snapline.runtime.testing.MpiRun#rankCounts")
    void shouldDeliverRootDataEverywhereWhenBroadcasting(int np) {
        MpiRun.ok(np, Broadcasts.class);
    }

    /** Gather (ints, large blocks, derived send and receive types, objects) and Gatherv, at every root. */
    public static class Gathers {
        public static void main(String[] args) {
            MPI.Init(args);
            Intracomm w = MPI.COMM_WORLD;
            int me = w.Rank();
            int n = w.Size();
            Datatype vec = Datatype.Vector(3, 1, 2, MPI.INT); // 3 elements, extent 5
            vec.Commit();
            for (int each = 0; each < n; each++) {
                final int root = each;
                int[] mine = {val(me, 0), val(me, 1), val(me, 2)};
                int[] all = holes(3 * n + 2);
                w.Gather(mine, 0, 3, MPI.INT, all, 1, 3, MPI.INT, root);
                int[] want = holes(3 * n + 2);
                if (me == root) {
                    for (int r = 0; r < n; r++) {
                        for (int i = 0; i < 3; i++) {
                            want[1 + 3 * r + i] = val(r, i);
                        }
                    }
                }
                assertArrayEquals(want, all, "Gather of ints at root " + root);

                int block = 5000;
                int[] bigMine = new int[block];
                Arrays.setAll(bigMine, i -> val(me, i));
                int[] bigAll = new int[me == root ? block * n : 0];
                w.Gather(bigMine, 0, block, MPI.INT, bigAll, 0, block, MPI.INT, root);
                if (me == root) {
                    for (int r = 0; r < n; r++) {
                        assertEquals(val(r, 0), bigAll[r * block]);
                        assertEquals(val(r, block - 1), bigAll[r * block + block - 1]);
                    }
                }

                // root receives one vector item (elements 0, 2, 4 of a 5-slot extent) per rank
                int[] spread = holes(5 * n);
                w.Gather(mine, 0, 3, MPI.INT, spread, 0, 1, vec, root);
                int[] wantSpread = holes(5 * n);
                if (me == root) {
                    for (int r = 0; r < n; r++) {
                        for (int i = 0; i < 3; i++) {
                            wantSpread[5 * r + 2 * i] = val(r, i);
                        }
                    }
                }
                assertArrayEquals(wantSpread, spread, "Gather into a vector type at root " + root);

                // every rank sends one vector item picked out of a strided buffer
                int[] strided = {val(me, 0), HOLE, val(me, 1), HOLE, val(me, 2)};
                int[] dense = holes(3 * n);
                w.Gather(strided, 0, 1, vec, dense, 0, 3, MPI.INT, root);
                if (me == root) {
                    for (int r = 0; r < n; r++) {
                        for (int i = 0; i < 3; i++) {
                            assertEquals(val(r, i), dense[3 * r + i]);
                        }
                    }
                }

                Object[] objMine = {"r" + me, me * 2};
                Object[] objAll = new Object[2 * n];
                w.Gather(objMine, 0, 2, MPI.OBJECT, objAll, 0, 2, MPI.OBJECT, root);
                if (me == root) {
                    for (int r = 0; r < n; r++) {
                        assertEquals("r" + r, objAll[2 * r]);
                        assertEquals(r * 2, objAll[2 * r + 1]);
                    }
                }

                // Gatherv: rank r sends r + 1 items; the root stores the blocks in reverse rank order
                int[] vMine = new int[me + 1];
                Arrays.setAll(vMine, i -> val(me, i));
                int[] counts = new int[n];
                int[] displs = new int[n];
                int total = 0;
                for (int r = n - 1; r >= 0; r--) {
                    counts[r] = r + 1;
                    displs[r] = total;
                    total += r + 2; // one hole after each block
                }
                int[] vAll = holes(total);
                w.Gatherv(vMine, 0, me + 1, MPI.INT, vAll, 0, counts, displs, MPI.INT, root);
                int[] wantV = holes(total);
                if (me == root) {
                    for (int r = 0; r < n; r++) {
                        for (int i = 0; i <= r; i++) {
                            wantV[displs[r] + i] = val(r, i);
                        }
                    }
                }
                assertArrayEquals(wantV, vAll, "Gatherv at root " + root);
            }
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @MethodSource("io.snapline.runtime.testing.MpiRun#rankCounts")
    void shouldCollectBlocksInRankOrderWhenGathering(int np) {
        MpiRun.ok(np, Gathers.class);
    }

    /** Scatter (ints, large blocks, objects) and Scatterv with gaps, at every root. */
    public static class Scatters {
        public static void main(String[] args) {
            MPI.Init(args);
            Intracomm w = MPI.COMM_WORLD;
            int me = w.Rank();
            int n = w.Size();
            for (int each = 0; each < n; each++) {
                final int root = each;
                int[] all = new int[me == root ? 2 * n + 1 : 0];
                if (me == root) {
                    for (int r = 0; r < n; r++) {
                        all[1 + 2 * r] = val(r, root);
                        all[2 + 2 * r] = val(r, root + 1);
                    }
                }
                int[] mine = holes(4);
                w.Scatter(all, 1, 2, MPI.INT, mine, 1, 2, MPI.INT, root);
                assertArrayEquals(new int[] {HOLE, val(me, root), val(me, root + 1), HOLE}, mine);

                int block = 6000;
                long[] big = new long[me == root ? block * n : 0];
                if (me == root) {
                    Arrays.setAll(big, i -> i * 3L + root);
                }
                long[] bigMine = new long[block];
                w.Scatter(big, 0, block, MPI.LONG, bigMine, 0, block, MPI.LONG, root);
                for (int i = 0; i < block; i++) {
                    assertEquals((me * block + i) * 3L + root, bigMine[i]);
                }

                Object[] objs = new Object[n];
                if (me == root) {
                    for (int r = 0; r < n; r++) {
                        objs[r] = "to " + r + " from " + root;
                    }
                }
                Object[] got = new Object[1];
                w.Scatter(objs, 0, 1, MPI.OBJECT, got, 0, 1, MPI.OBJECT, root);
                assertEquals("to " + me + " from " + root, got[0]);

                // Scatterv: rank r gets r + 1 items from displacement r * (n + 2)
                int[] counts = new int[n];
                int[] displs = new int[n];
                int[] vAll = new int[n * (n + 2)];
                for (int r = 0; r < n; r++) {
                    counts[r] = r + 1;
                    displs[r] = r * (n + 2);
                    for (int i = 0; i <= r; i++) {
                        vAll[displs[r] + i] = val(r, i) + root;
                    }
                }
                int[] vMine = holes(me + 2);
                w.Scatterv(vAll, 0, counts, displs, MPI.INT, vMine, 0, me + 1, MPI.INT, root);
                for (int i = 0; i <= me; i++) {
                    assertEquals(val(me, i) + root, vMine[i]);
                }
                assertEquals(HOLE, vMine[me + 1]);
            }
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @MethodSource("io.snapline.runtime.testing.MpiRun#rankCounts")
    void shouldHandEachRankItsBlockWhenScattering(int np) {
        MpiRun.ok(np, Scatters.class);
    }

    /** Allgather (ints, objects, into a vector type) and Allgatherv with uneven counts and reversed blocks. */
    public static class AllGathers {
        public static void main(String[] args) {
            MPI.Init(args);
            Intracomm w = MPI.COMM_WORLD;
            int me = w.Rank();
            int n = w.Size();
            int[] mine = {val(me, 0), val(me, 1)};
            int[] all = holes(2 * n + 1);
            w.Allgather(mine, 0, 2, MPI.INT, all, 1, 2, MPI.INT);
            int[] want = holes(2 * n + 1);
            for (int r = 0; r < n; r++) {
                want[1 + 2 * r] = val(r, 0);
                want[2 + 2 * r] = val(r, 1);
            }
            assertArrayEquals(want, all);

            Datatype pairWithGap = Datatype.Vector(2, 1, 2, MPI.INT); // elements 0, 2; extent 3
            pairWithGap.Commit();
            int[] spread = holes(3 * n);
            w.Allgather(mine, 0, 2, MPI.INT, spread, 0, 1, pairWithGap);
            for (int r = 0; r < n; r++) {
                assertEquals(val(r, 0), spread[3 * r]);
                assertEquals(HOLE, spread[3 * r + 1]);
                assertEquals(val(r, 1), spread[3 * r + 2]);
            }

            Object[] objs = new Object[n];
            w.Allgather(new Object[] {"rank " + me}, 0, 1, MPI.OBJECT, objs, 0, 1, MPI.OBJECT);
            for (int r = 0; r < n; r++) {
                assertEquals("rank " + r, objs[r]);
            }

            int[] counts = new int[n];
            int[] displs = new int[n];
            int total = 0;
            for (int r = n - 1; r >= 0; r--) {
                counts[r] = r % 3 + 1;
                displs[r] = total;
                total += counts[r] + 1;
            }
            int[] vMine = new int[counts[me]];
            Arrays.setAll(vMine, i -> val(me, i));
            int[] vAll = holes(total);
            w.Allgatherv(vMine, 0, counts[me], MPI.INT, vAll, 0, counts, displs, MPI.INT);
            int[] wantV = holes(total);
            for (int r = 0; r < n; r++) {
                for (int i = 0; i < counts[r]; i++) {
                    wantV[displs[r] + i] = val(r, i);
                }
            }
            assertArrayEquals(wantV, vAll);
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @MethodSource("io.snapline.runtime.testing.MpiRun#rankCounts")
    void shouldGiveEveryRankEveryBlockWhenAllGathering(int np) {
        MpiRun.ok(np, AllGathers.class);
    }

    /** Alltoall (ints, large blocks, objects) and Alltoallv with per-pair counts and gaps. */
    public static class AllToAll {
        static int cell(int from, int to, int i) {
            return from * 10_000 + to * 100 + i;
        }

        public static void main(String[] args) {
            MPI.Init(args);
            Intracomm w = MPI.COMM_WORLD;
            int me = w.Rank();
            int n = w.Size();
            int[] send = new int[3 * n];
            for (int d = 0; d < n; d++) {
                for (int i = 0; i < 3; i++) {
                    send[3 * d + i] = cell(me, d, i);
                }
            }
            int[] recv = holes(3 * n + 2);
            w.Alltoall(send, 0, 3, MPI.INT, recv, 2, 3, MPI.INT);
            int[] want = holes(3 * n + 2);
            for (int s = 0; s < n; s++) {
                for (int i = 0; i < 3; i++) {
                    want[2 + 3 * s + i] = cell(s, me, i);
                }
            }
            assertArrayEquals(want, recv);

            int block = 3000;
            double[] bigSend = new double[block * n];
            Arrays.setAll(bigSend, k -> me * 1e6 + k);
            double[] bigRecv = new double[block * n];
            w.Alltoall(bigSend, 0, block, MPI.DOUBLE, bigRecv, 0, block, MPI.DOUBLE);
            for (int s = 0; s < n; s++) {
                assertEquals(s * 1e6 + me * block, bigRecv[s * block]);
                assertEquals(s * 1e6 + me * block + block - 1, bigRecv[s * block + block - 1]);
            }

            Object[] objSend = new Object[n];
            for (int d = 0; d < n; d++) {
                objSend[d] = me + "->" + d;
            }
            Object[] objRecv = new Object[n];
            w.Alltoall(objSend, 0, 1, MPI.OBJECT, objRecv, 0, 1, MPI.OBJECT);
            for (int s = 0; s < n; s++) {
                assertEquals(s + "->" + me, objRecv[s]);
            }

            // Alltoallv: rank a sends (a + b) % 3 + 1 items to rank b; blocks separated by one hole
            int[] scounts = new int[n];
            int[] sdispls = new int[n];
            int[] rcounts = new int[n];
            int[] rdispls = new int[n];
            int stotal = 0;
            int rtotal = 0;
            for (int r = 0; r < n; r++) {
                scounts[r] = (me + r) % 3 + 1;
                sdispls[r] = stotal;
                stotal += scounts[r] + 1;
                rcounts[r] = (r + me) % 3 + 1;
                rdispls[r] = rtotal;
                rtotal += rcounts[r] + 1;
            }
            int[] vSend = holes(stotal);
            for (int d = 0; d < n; d++) {
                for (int i = 0; i < scounts[d]; i++) {
                    vSend[sdispls[d] + i] = cell(me, d, i);
                }
            }
            int[] vRecv = holes(rtotal);
            w.Alltoallv(vSend, 0, scounts, sdispls, MPI.INT, vRecv, 0, rcounts, rdispls, MPI.INT);
            int[] wantV = holes(rtotal);
            for (int s = 0; s < n; s++) {
                for (int i = 0; i < rcounts[s]; i++) {
                    wantV[rdispls[s] + i] = cell(s, me, i);
                }
            }
            assertArrayEquals(wantV, vRecv);
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @MethodSource("io.snapline.runtime.testing.MpiRun#rankCounts")
    void shouldTransposeBlocksWhenAllToAll(int np) {
        MpiRun.ok(np, AllToAll.class);
    }
}
