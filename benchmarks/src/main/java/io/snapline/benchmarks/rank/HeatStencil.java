package io.snapline.benchmarks.rank;

import io.snapline.checkpoint.Checkpoint;
import java.util.Locale;
import mpi.MPI;

/**
 * A 2-D heat (Jacobi) stencil with a large state, the program {@code CheckpointBenchmark} runs under each checkpoint
 * policy. The plate is cut into blocks of whole rows, one per rank; each step a rank swaps its edge rows with its
 * north and south neighbours ({@code Sendrecv}, {@code MPI.PROC_NULL} at the plate's edges), relaxes its rows and
 * reaches a safe point with {@code Checkpoint.point(state)}. The top edge of the plate is held at 100 degrees, the
 * other edges at 0.
 *
 * <p>The state is the rank's block, halo rows included, as one {@code double[]} of {@code (rows + 2) x COLUMNS}
 * cells. {@code --state-mib M} sets the total over all ranks, so each rank holds about {@code M / np} MiB (256 MiB on
 * 2 ranks is a block of 4094 + 2 rows of 4096 doubles). The scratch block the sweep writes into is not state: it is
 * rebuilt from the state after a restart.
 *
 * <p>Rank 0 prints, for the harness:
 * <pre>
 * &#64;checksum HEX        sum over all ranks of a hash of every interior cell's bits: equal runs, equal checksums
 * &#64;loop-nanos N        time of the step loop at rank 0 (after MPI.Init and the state's creation)
 * &#64;tail-nanos N S      time of the last S steps at rank 0 (the second half, after the JIT has warmed up)
 * &#64;state-bytes N       bytes of one rank's state array
 * </pre>
 * With {@code --mark-step P} every rank also prints, on standard error (which is never held back): {@code @start R S T}
 * when it has its state (rank R, at step S: 0, or the step of the checkpoint it restored), and {@code @mark R P T} each
 * time it finishes step P, T being the wall-clock time in microseconds. A rank killed at safe point P and restarted
 * prints the mark twice: the time between is how long the failure held the job back at that step.
 *
 * <pre>snaprun -np 2 [--checkpoint ...] -cp benchmarks.jar io.snapline.benchmarks.rank.HeatStencil --state-mib M --steps S</pre>
 */
public final class HeatStencil {
    /** Row length of every block: wide rows keep the halo exchange small next to the sweep. */
    static final int COLUMNS = 4096;
    private static final double HOT = 100.0;
    private static final int TO_SOUTH = 1;
    private static final int TO_NORTH = 2;

    /** What a rank saves: its block with halo rows and how many steps it has done. */
    public static final class State {
        long step;
        double[] grid;
        int rows;

        State() {
            // for Kryo
        }

        State(int rows, boolean top) {
            this.rows = rows;
            this.grid = new double[(rows + 2) * COLUMNS];
            if (top) {
                for (int j = 0; j < COLUMNS; j++) {
                    grid[j] = HOT;
                }
            }
        }
    }

    private HeatStencil() {
    }

    public static void main(String[] args) {
        String[] rest = MPI.Init(args);
        long stateMib = 256;
        long steps = 100;
        long markStep = -1;
        for (int i = 0; i < rest.length; i++) {
            switch (rest[i]) {
                case "--state-mib" -> stateMib = Long.parseLong(value(rest, i++));
                case "--steps" -> steps = Long.parseLong(value(rest, i++));
                case "--mark-step" -> markStep = Long.parseLong(value(rest, i++));
                default -> throw new IllegalArgumentException("HeatStencil: unknown argument '" + rest[i]
                        + "'; it takes --state-mib M, --steps S and --mark-step P");
            }
        }
        int rank = MPI.COMM_WORLD.Rank();
        int size = MPI.COMM_WORLD.Size();
        long totalRows = stateMib * (1L << 20) / (8L * COLUMNS) - 2L * size;
        if (totalRows < size || totalRows / size > Integer.MAX_VALUE / COLUMNS - 2) {
            throw new IllegalArgumentException("HeatStencil: --state-mib " + stateMib + " gives " + totalRows
                    + " rows for " + size + " ranks; give at least " + (size * 3L * 8 * COLUMNS >> 20) + " MiB"
                    + " and at most about " + (16L * 1024 * size) + " MiB");
        }
        int rows = (int) (totalRows / size + (rank < totalRows % size ? 1 : 0));
        State state = Checkpoint.restoreOr(() -> new State(rows, rank == 0));
        if (markStep >= 0) {
            System.err.println("@start " + rank + " " + state.step + " " + micros());
        }
        double[] scratch = state.grid.clone(); // the fixed edges are in both blocks

        int north = rank == 0 ? MPI.PROC_NULL : rank - 1;
        int south = rank == size - 1 ? MPI.PROC_NULL : rank + 1;
        long start = System.nanoTime();
        long half = steps / 2;
        long tailStart = start;
        long tailFrom = state.step;
        while (state.step < steps) {
            if (state.step == half) {
                tailStart = System.nanoTime();
                tailFrom = half;
            }
            double[] u = state.grid;
            MPI.COMM_WORLD.Sendrecv(u, rows * COLUMNS, COLUMNS, MPI.DOUBLE, south, TO_SOUTH,
                    u, 0, COLUMNS, MPI.DOUBLE, north, TO_SOUTH);
            MPI.COMM_WORLD.Sendrecv(u, COLUMNS, COLUMNS, MPI.DOUBLE, north, TO_NORTH,
                    u, (rows + 1) * COLUMNS, COLUMNS, MPI.DOUBLE, south, TO_NORTH);
            relax(u, scratch, rows);
            state.grid = scratch;
            scratch = u;
            state.step++;
            if (state.step == markStep) {
                System.err.println("@mark " + rank + " " + markStep + " " + micros());
            }
            Checkpoint.point(state);
        }
        long end = System.nanoTime();
        long loopNanos = end - start;

        long[] hash = {hash(state.grid, rows)};
        long[] total = new long[1];
        MPI.COMM_WORLD.Allreduce(hash, 0, total, 0, 1, MPI.LONG, MPI.SUM);
        if (rank == 0) {
            System.out.println("@checksum " + Long.toHexString(total[0]));
            System.out.println("@loop-nanos " + loopNanos);
            System.out.println("@tail-nanos " + (end - tailStart) + " " + (steps - tailFrom));
            System.out.println("@state-bytes " + 8L * state.grid.length);
            System.out.printf(Locale.ROOT, "HeatStencil: %d steps of %d x %d cells per rank in %.2f s%n", steps, rows,
                    COLUMNS, loopNanos / 1e9);
        }
        MPI.Finalize();
    }

    /** Wall-clock time in microseconds. */
    private static long micros() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    }

    /** One Jacobi sweep over the interior of {@code src} (rows 1..rows, columns 1..COLUMNS-2) into {@code dst}. */
    static void relax(double[] src, double[] dst, int rows) {
        int ld = COLUMNS;
        for (int i = 1; i <= rows; i++) {
            int row = i * ld;
            for (int c = row + 1; c < row + ld - 1; c++) {
                dst[c] = 0.25 * (src[c - ld] + src[c + ld] + src[c - 1] + src[c + 1]);
            }
        }
    }

    /** A position-dependent hash of the interior cells' bits; wrapping sums of it are independent of rank order. */
    static long hash(double[] grid, int rows) {
        long h = 0;
        for (int c = COLUMNS; c < (rows + 1) * COLUMNS; c++) {
            long bits = Double.doubleToRawLongBits(grid[c]);
            h = h * 0x9E3779B97F4A7C15L + (bits ^ (bits >>> 29));
        }
        return h;
    }

    private static String value(String[] args, int i) {
        if (i + 1 >= args.length) {
            throw new IllegalArgumentException("HeatStencil: " + args[i] + " needs a value");
        }
        return args[i + 1];
    }
}
