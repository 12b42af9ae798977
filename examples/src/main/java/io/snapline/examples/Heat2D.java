package io.snapline.examples;

import io.snapline.checkpoint.Checkpoint;
import io.snapline.checkpoint.Restorable;
import java.util.ArrayList;
import java.util.List;
import mpi.Cartcomm;
import mpi.Datatype;
import mpi.MPI;
import mpi.ShiftParms;

/**
 * Jacobi iteration for steady heat flow on an {@code n x n} plate whose top edge is held at 100 degrees and whose
 * other edges are held at 0. The plate is cut into a 2-D grid of blocks, one per rank, laid out by
 * {@code Cartcomm.Dims_create} and {@code Create_cart}. Every iteration, each rank swaps its edge rows with its
 * north and south neighbours and its edge columns (a {@code Datatype.Vector} with the row length as stride) with
 * its west and east neighbours, using {@code Sendrecv} with the ranks {@code Shift} names ({@code MPI.PROC_NULL}
 * at the plate's edges, where the fixed boundary values stay in the halo); then it updates its cells, and
 * {@code Allreduce} with {@link MPI#MAX} finds the largest change anywhere.
 *
 * <p>With {@code --verify}, rank 0 gathers the blocks with {@code Gatherv} and compares the plate, bit for bit, with
 * a sequential solve of the same problem: every cell is computed by the same expression from the same neighbours,
 * so the doubles must be identical, and so must the residual, since a maximum does not depend on order.
 *
 * <p>Checkpointable: the topology and datatypes are built before {@code Checkpoint.restoreOr} (again after a
 * restart), the {@link Plate} is the saved state, and every iteration ends at a safe point. Stdout carries results
 * only (the time goes to stderr), so a run that survived failures prints exactly what a failure-free run prints.
 *
 * <pre>bin/snaprun -np 4 -cp examples/target/classes io.snapline.examples.Heat2D [n, default 128] [iterations, default 500] [--verify]</pre>
 */
public final class Heat2D {
    private static final double HOT = 100.0;

    private Heat2D() {
    }

    public static void main(String[] args) {
        List<String> rest = new ArrayList<>(List.of(MPI.Init(args)));
        boolean verify = rest.remove("--verify");
        int n = rest.size() > 0 ? Integer.parseInt(rest.get(0)) : 128;
        int iterations = rest.size() > 1 ? Integer.parseInt(rest.get(1)) : 500;

        int[] dims = {0, 0};
        Cartcomm.Dims_create(MPI.COMM_WORLD.Size(), dims);
        if (n < dims[0] || n < dims[1]) {
            throw new IllegalArgumentException("Heat2D: a " + n + " x " + n + " plate cannot be cut into " + dims[0]
                    + " x " + dims[1] + " blocks; use a larger n or fewer ranks");
        }
        Cartcomm grid = MPI.COMM_WORLD.Create_cart(dims, new boolean[] {false, false}, false);
        int[] coords = grid.Coords(grid.Rank());
        int rows = blockSize(coords[0], dims[0], n);
        int cols = blockSize(coords[1], dims[1], n);
        int row0 = blockStart(coords[0], dims[0], n);
        int col0 = blockStart(coords[1], dims[1], n);

        ShiftParms northSouth = grid.Shift(0, 1);
        ShiftParms westEast = grid.Shift(1, 1);
        Datatype column = Datatype.Vector(rows, 1, ld(cols), MPI.DOUBLE);
        column.Commit();
        int north = northSouth.rank_source;
        int south = northSouth.rank_dest;
        int west = westEast.rank_source;
        int east = westEast.rank_dest;

        // Everything above runs again after a restart; the plate and the iteration count come from the checkpoint.
        Plate s = Checkpoint.restoreOr(() -> new Plate(rows, cols, row0, col0));
        double[] change = new double[1];
        double[] residual = new double[1];
        double start = MPI.Wtime();
        int ld = ld(cols);
        while (s.iteration < iterations) {
            double[] u = s.u;
            grid.Sendrecv(u, rows * ld + 1, cols, MPI.DOUBLE, south, 0, u, 1, cols, MPI.DOUBLE, north, 0);
            grid.Sendrecv(u, ld + 1, cols, MPI.DOUBLE, north, 1, u, (rows + 1) * ld + 1, cols, MPI.DOUBLE, south, 1);
            grid.Sendrecv(u, ld + cols, 1, column, east, 2, u, ld, 1, column, west, 2);
            grid.Sendrecv(u, ld + 1, 1, column, west, 3, u, ld + cols + 1, 1, column, east, 3);

            change[0] = relax(u, s.next, rows, cols);
            s.u = s.next;
            s.next = u;
            grid.Allreduce(change, 0, residual, 0, 1, MPI.DOUBLE, MPI.MAX);
            s.residual = residual[0];
            s.iteration++;
            Checkpoint.point(s);
        }
        double seconds = MPI.Wtime() - start;
        column.free();

        if (grid.Rank() == 0) {
            System.out.printf("Heat2D: %d x %d plate, %d iterations on %d x %d ranks%n", n, n, iterations, dims[0],
                    dims[1]);
            System.out.println("Heat2D: residual " + s.residual);
            System.err.printf("Heat2D: %.3f s%s%n", seconds, Checkpoint.isRestart() ? " since the restart" : "");
        }
        if (verify) {
            double[] plate = gather(grid, dims, n, s.u, rows, cols);
            if (grid.Rank() == 0) {
                verify(plate, s.residual, n, iterations);
                System.out.println("Heat2D: verified, plate and residual are bit-identical to a sequential solve");
            }
        }
        MPI.Finalize();
    }

    /**
     * A rank's part of the plate between iterations: its block with a one-cell halo all round, row-major with row
     * length {@code cols + 2}. Only {@code u} is saved: {@code next} is scratch whose interior every sweep
     * overwrites, and whose halo must hold the fixed boundary values, which {@code u} holds too.
     */
    static final class Plate implements Restorable {
        int iteration;
        double residual;
        double[] u;
        transient double[] next;

        Plate(int rows, int cols, int row0, int col0) {
            int ld = ld(cols);
            u = new double[(rows + 2) * ld];
            for (int i = 0; i < rows + 2; i++) {
                for (int j = 0; j < ld; j++) {
                    u[i * ld + j] = initial(row0 + i, col0 + j);
                }
            }
            next = u.clone();
        }

        @Override
        public void afterRestore() {
            next = u.clone();
        }
    }

    private static int ld(int cols) {
        return cols + 2;
    }

    /**
     * One Jacobi sweep over the {@code rows x cols} interior of {@code src} (halo included, row length
     * {@code cols + 2}) into {@code dst}; returns the largest change of any cell. The sequential solve uses it too.
     */
    static double relax(double[] src, double[] dst, int rows, int cols) {
        int ld = cols + 2;
        double change = 0;
        for (int i = 1; i <= rows; i++) {
            for (int j = 1; j <= cols; j++) {
                int c = i * ld + j;
                double v = 0.25 * (src[c - ld] + src[c + ld] + src[c - 1] + src[c + 1]);
                change = Math.max(change, Math.abs(v - src[c]));
                dst[c] = v;
            }
        }
        return change;
    }

    /** The starting temperature of cell (i, j) of the whole plate, boundary included (0..n+1 each way). */
    static double initial(int i, int j) {
        return i == 0 ? HOT : 0.0;
    }

    /** How many of {@code n} rows (or columns) block {@code c} of {@code parts} gets: the first {@code n % parts} get one more. */
    static int blockSize(int c, int parts, int n) {
        return n / parts + (c < n % parts ? 1 : 0);
    }

    static int blockStart(int c, int parts, int n) {
        return c * (n / parts) + Math.min(c, n % parts);
    }

    /** Collects every rank's interior at rank 0 into the whole plate (halo included); null on other ranks. */
    private static double[] gather(Cartcomm grid, int[] dims, int n, double[] u, int rows, int cols) {
        int size = grid.Size();
        double[] mine = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(u, (i + 1) * (cols + 2) + 1, mine, i * cols, cols);
        }
        int[] counts = new int[size];
        int[] displs = new int[size];
        for (int r = 0; r < size; r++) {
            int[] c = grid.Coords(r);
            counts[r] = blockSize(c[0], dims[0], n) * blockSize(c[1], dims[1], n);
            displs[r] = r == 0 ? 0 : displs[r - 1] + counts[r - 1];
        }
        boolean root = grid.Rank() == 0;
        double[] blocks = new double[root ? n * n : 0];
        grid.Gatherv(mine, 0, mine.length, MPI.DOUBLE, blocks, 0, counts, displs, MPI.DOUBLE, 0);
        if (!root) {
            return null;
        }
        double[] plate = sequentialStart(n);
        for (int r = 0; r < size; r++) {
            int[] c = grid.Coords(r);
            int bRows = blockSize(c[0], dims[0], n);
            int bCols = blockSize(c[1], dims[1], n);
            int first = (blockStart(c[0], dims[0], n) + 1) * (n + 2) + blockStart(c[1], dims[1], n) + 1;
            for (int i = 0; i < bRows; i++) {
                System.arraycopy(blocks, displs[r] + i * bCols, plate, first + i * (n + 2), bCols);
            }
        }
        return plate;
    }

    private static double[] sequentialStart(int n) {
        double[] plate = new double[(n + 2) * (n + 2)];
        for (int i = 0; i < n + 2; i++) {
            for (int j = 0; j < n + 2; j++) {
                plate[i * (n + 2) + j] = initial(i, j);
            }
        }
        return plate;
    }

    /** Solves the same problem on one plate and throws at the first cell (or residual) that differs in any bit. */
    private static void verify(double[] plate, double residual, int n, int iterations) {
        double[] u = sequentialStart(n);
        double[] next = sequentialStart(n);
        double change = 0;
        for (int it = 0; it < iterations; it++) {
            change = relax(u, next, n, n);
            double[] t = u;
            u = next;
            next = t;
        }
        for (int c = 0; c < u.length; c++) {
            if (Double.doubleToRawLongBits(plate[c]) != Double.doubleToRawLongBits(u[c])) {
                throw new IllegalStateException("Heat2D: cell (" + c / (n + 2) + ", " + c % (n + 2) + ") is " + plate[c]
                        + " but the sequential solve has " + u[c]);
            }
        }
        if (Double.doubleToRawLongBits(residual) != Double.doubleToRawLongBits(change)) {
            throw new IllegalStateException("Heat2D: residual " + residual + " but the sequential solve has " + change);
        }
    }
}
