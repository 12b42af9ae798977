package io.snapline.runtime.comm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.testing.MpiRun;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import mpi.CartParms;
import mpi.Cartcomm;
import mpi.GraphParms;
import mpi.Graphcomm;
import mpi.MPI;
import mpi.MPIException;
import mpi.ShiftParms;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Cartesian and graph communicators in running jobs. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TopologyTest {

    /** Sends {@code value} to {@code dest} and returns what arrives from {@code source} (-1 when PROC_NULL). */
    static int shiftValue(Cartcomm c, ShiftParms p, int value, int tag) {
        int[] in = {-1};
        c.Sendrecv(new int[] {value}, 0, 1, MPI.INT, p.rank_dest, tag, in, 0, 1, MPI.INT, p.rank_source, tag);
        return in[0];
    }

    /** A 1-D line: non-periodic ends get PROC_NULL, the periodic ring wraps. */
    public static class Line {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int n = MPI.COMM_WORLD.Size();
            Cartcomm line = MPI.COMM_WORLD.Create_cart(new int[] {n}, new boolean[] {false}, false);
            assertEquals(me, line.Rank());
            assertEquals(MPI.CART, line.Topo_test());
            assertEquals(MPI.UNDEFINED, MPI.COMM_WORLD.Topo_test());
            ShiftParms up = line.Shift(0, 1);
            assertEquals(me == 0 ? MPI.PROC_NULL : me - 1, up.rank_source);
            assertEquals(me == n - 1 ? MPI.PROC_NULL : me + 1, up.rank_dest);
            assertEquals(me == 0 ? -1 : 100 + me - 1, shiftValue(line, up, 100 + me, 1));
            ShiftParms down2 = line.Shift(0, -2);
            assertEquals(me + 2 < n ? me + 2 : MPI.PROC_NULL, down2.rank_source);
            assertEquals(me >= 2 ? me - 2 : MPI.PROC_NULL, down2.rank_dest);
            assertEquals(me + 2 < n ? 100 + me + 2 : -1, shiftValue(line, down2, 100 + me, 2));

            Cartcomm ring = MPI.COMM_WORLD.Create_cart(new int[] {n}, new boolean[] {true}, true);
            ShiftParms r = ring.Shift(0, 1);
            assertEquals((me - 1 + n) % n, r.rank_source);
            assertEquals((me + 1) % n, r.rank_dest);
            assertEquals(100 + (me - 1 + n) % n, shiftValue(ring, r, 100 + me, 3));
            assertEquals((me + 3) % n, ring.Rank(new int[] {me + 3}));
            assertEquals((me - 1 + n) % n, ring.Rank(new int[] {me - 1 - n}));
            MPIException e = assertThrows(MPIException.class, () -> line.Rank(new int[] {n}));
            assertTrue(e.getMessage().startsWith("Rank: coords[0] = " + n + " is outside the non-periodic dimension 0"),
                    e.getMessage());
            MPIException dir = assertThrows(MPIException.class, () -> line.Shift(1, 1));
            assertTrue(dir.getMessage().startsWith("Shift: direction 1 is out of range for a grid of 1 dimension(s)"),
                    dir.getMessage());
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @MethodSource("io.snapline.runtime.testing.MpiRun#rankCounts")
    void shouldShiftAlongLineWhenOneDimensional(int np) {
        MpiRun.ok(np, Line.class);
    }

    /** A 2-D grid chosen by Dims_create, periodic in dimension 0 only: halo exchange in both directions. */
    public static class Grid {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int n = MPI.COMM_WORLD.Size();
            int[] dims = new int[2];
            Cartcomm.Dims_create(n, dims);
            assertTrue(dims[0] >= dims[1] && dims[0] * dims[1] == n);
            Cartcomm grid = MPI.COMM_WORLD.Create_cart(dims, new boolean[] {true, false}, false);
            int[] c = grid.Coords(me);
            assertArrayEquals(new int[] {me / dims[1], me % dims[1]}, c);
            assertEquals(me, grid.Rank(c));
            CartParms parms = grid.Get();
            assertArrayEquals(dims, parms.dims);
            assertArrayEquals(new boolean[] {true, false}, parms.periods);
            assertArrayEquals(c, parms.coords);

            ShiftParms rows = grid.Shift(0, 1);
            int above = grid.Rank(new int[] {c[0] - 1, c[1]});
            assertEquals(above, rows.rank_source);
            assertEquals(grid.Rank(new int[] {c[0] + 1, c[1]}), rows.rank_dest);
            assertEquals(above, shiftValue(grid, rows, me, 1));

            ShiftParms cols = grid.Shift(1, 1);
            int left = c[1] == 0 ? MPI.PROC_NULL : me - 1;
            assertEquals(left, cols.rank_source);
            assertEquals(c[1] == dims[1] - 1 ? MPI.PROC_NULL : me + 1, cols.rank_dest);
            assertEquals(left == MPI.PROC_NULL ? -1 : left, shiftValue(grid, cols, me, 2));

            // a duplicate keeps the topology
            Cartcomm copy = (Cartcomm) grid.clone();
            assertEquals(MPI.CART, copy.Topo_test());
            assertArrayEquals(dims, copy.Get().dims);
            assertEquals(MPI.CONGRUENT, mpi.Comm.Compare(grid, copy));
            assertEquals(me, copy.Map(dims, new boolean[] {false, false}));
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 6, 8})
    void shouldExchangeHalosWhenTwoDimensional(int np) {
        MpiRun.ok(np, Grid.class);
    }

    /** Rows and columns of a 2x4 grid by Sub. */
    public static class SubGrids {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            Cartcomm grid = MPI.COMM_WORLD.Create_cart(new int[] {2, 4}, new boolean[] {false, true}, false);
            int[] c = grid.Coords(me);
            Cartcomm row = grid.Sub(new boolean[] {false, true});
            assertEquals(4, row.Size());
            assertEquals(c[1], row.Rank());
            assertArrayEquals(new int[] {4}, row.Get().dims);
            assertArrayEquals(new boolean[] {true}, row.Get().periods);
            assertArrayEquals(IntStream.range(0, 4).map(k -> c[0] * 4 + k).toArray(), CommCreationTest.membersSeenByAll(row));
            assertEquals(c[0] * 4 + (c[1] + 3) % 4, shiftValue(row, row.Shift(0, 1), me, 1));

            Cartcomm col = grid.Sub(new boolean[] {true, false});
            assertEquals(2, col.Size());
            assertEquals(c[0], col.Rank());
            assertArrayEquals(new int[] {c[1], 4 + c[1]}, CommCreationTest.membersSeenByAll(col));

            Cartcomm alone = grid.Sub(new boolean[] {false, false});
            assertEquals(1, alone.Size());
            assertEquals(0, alone.Get().dims.length);
            MPIException e = assertThrows(MPIException.class, () -> grid.Sub(new boolean[] {true}));
            assertTrue(e.getMessage().startsWith("Sub: remain_dims must have one flag per dimension (2)"), e.getMessage());
            MPI.Finalize();
        }
    }

    @Test
    void shouldCutGridIntoRowsAndColumnsWhenSub() {
        MpiRun.ok(8, SubGrids.class);
    }

    /** A grid smaller than the communicator leaves the extra ranks out; a larger one is refused. */
    public static class Partial {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            Cartcomm grid = MPI.COMM_WORLD.Create_cart(new int[] {2}, new boolean[] {false}, false);
            if (me < 2) {
                assertNotNull(grid);
                assertEquals(2, grid.Size());
                grid.Barrier();
            } else {
                assertNull(grid);
            }
            Cartcomm single = MPI.COMM_WORLD.Create_cart(new int[] {1}, new boolean[] {true}, true);
            assertEquals(me == 0, single != null);
            MPIException big = assertThrows(MPIException.class,
                    () -> MPI.COMM_WORLD.Create_cart(new int[] {2, 2}, new boolean[] {false, false}, false));
            assertTrue(big.getMessage().startsWith("Create_cart: the grid needs 4 processes but the communicator has only 3"),
                    big.getMessage());
            MPIException zero = assertThrows(MPIException.class,
                    () -> MPI.COMM_WORLD.Create_cart(new int[] {0}, new boolean[] {false}, false));
            assertTrue(zero.getMessage().contains("dims[0] = 0"), zero.getMessage());
            MPI.Finalize();
        }
    }

    @Test
    void shouldLeaveExtraRanksOutWhenGridSmaller() {
        MpiRun.ok(3, Partial.class);
    }

    /** A ring as a graph, plus a node with no neighbours; a fifth rank is left out. */
    public static class Graph {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int[] index = {2, 4, 6, 8};
            int[] edges = {1, 3, 0, 2, 1, 3, 2, 0};
            Graphcomm g = MPI.COMM_WORLD.Create_graph(index, edges, false);
            if (me == 4) {
                assertNull(g);
                assertNull(MPI.COMM_WORLD.Create_graph(new int[] {0}, new int[0], false));
                MPI.Finalize();
                return;
            }
            assertEquals(MPI.GRAPH, g.Topo_test());
            GraphParms p = g.Get();
            assertArrayEquals(index, p.index);
            assertArrayEquals(edges, p.edges);
            int[] nb = g.Neighbours(me);
            assertArrayEquals(new int[][] {{1, 3}, {0, 2}, {1, 3}, {2, 0}}[me], nb);
            int sum = 0;
            for (int other : nb) {
                int[] in = new int[1];
                g.Sendrecv(new int[] {me * 10}, 0, 1, MPI.INT, other, 1, in, 0, 1, MPI.INT, other, 1);
                assertEquals(other * 10, in[0]);
                sum += in[0];
            }
            assertEquals(10 * ((me + 1) % 4 + (me + 3) % 4), sum);
            assertEquals(MPI.GRAPH, ((Graphcomm) g.clone()).Topo_test());
            assertEquals(me, g.Map(index, edges));
            assertEquals(me == 0 ? 0 : MPI.UNDEFINED, g.Map(new int[] {0}, new int[0]));
            MPIException e = assertThrows(MPIException.class, () -> g.Neighbours(4));
            assertTrue(e.getMessage().startsWith("Neighbours: rank 4 is out of range for a graph of 4 node(s)"), e.getMessage());
            Graphcomm lonely = MPI.COMM_WORLD.Create_graph(new int[] {0}, new int[0], false);
            if (me == 0) {
                assertEquals(0, lonely.Neighbours(0).length);
            }
            MPI.Finalize();
        }
    }

    @Test
    void shouldReachNeighboursWhenGraph() {
        MpiRun.ok(5, Graph.class);
    }
}
