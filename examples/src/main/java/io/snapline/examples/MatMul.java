package io.snapline.examples;

import io.snapline.checkpoint.Checkpoint;
import java.util.ArrayList;
import java.util.List;
import mpi.MPI;

/**
 * Dense {@code C = A x B} for {@code n x n} matrices stored row-major in {@code double[]}: rank 0 deals out blocks of
 * rows of A with {@code Scatterv} (the first {@code n % size} ranks get one row more), broadcasts all of B with
 * {@code Bcast}, every rank multiplies its rows, and {@code Gatherv} puts the rows of C back together at rank 0.
 * With {@code --verify} rank 0 compares C with a sequential product and throws if any entry differs. The inputs
 * are small integers, so every partial sum is an integer far below 2^53 and the doubles are exact in any order:
 * the comparison is for equality.
 *
 * <p>Checkpointable: each rank computes its rows of C {@code rowsPerStep} rows at a time, with a safe point after
 * each block; its rows of C and the step count are the saved {@link Rows}. Every row is computed by the same loop
 * as in one go, so the result does not depend on the block size.
 *
 * <pre>bin/snaprun -np 4 -cp examples/target/classes io.snapline.examples.MatMul [n, default 256] [rowsPerStep, default 8] [--verify]</pre>
 */
public final class MatMul {
    private static final int ROOT = 0;

    private MatMul() {
    }

    public static void main(String[] args) {
        List<String> rest = new ArrayList<>(List.of(MPI.Init(args)));
        boolean verify = rest.remove("--verify");
        int n = rest.size() > 0 ? Integer.parseInt(rest.get(0)) : 256;
        int rowsPerStep = rest.size() > 1 ? Integer.parseInt(rest.get(1)) : 8;
        if (n < 1 || rowsPerStep < 1) {
            throw new IllegalArgumentException("MatMul: n and the rows per step must be at least 1, were " + n + " and "
                    + rowsPerStep);
        }
        int rank = MPI.COMM_WORLD.Rank();
        int size = MPI.COMM_WORLD.Size();

        int[] counts = new int[size];
        int[] displs = new int[size];
        for (int r = 0; r < size; r++) {
            counts[r] = rowsOf(r, size, n) * n;
            displs[r] = firstRowOf(r, size, n) * n;
        }
        int myRows = rowsOf(rank, size, n);

        // A and C are significant at the root only; B is needed everywhere.
        double[] a = rank == ROOT ? matrixA(n) : new double[0];
        double[] b = rank == ROOT ? matrixB(n) : new double[n * n];
        double[] c = rank == ROOT ? new double[n * n] : new double[0];

        double start = MPI.Wtime();
        double[] myA = new double[myRows * n];
        MPI.COMM_WORLD.Scatterv(a, 0, counts, displs, MPI.DOUBLE, myA, 0, myRows * n, MPI.DOUBLE, ROOT);
        MPI.COMM_WORLD.Bcast(b, 0, n * n, MPI.DOUBLE, ROOT);

        // The inputs above are dealt out again after a restart; the rows of C done so far come from the checkpoint.
        // Rank 0 has the most rows, so every rank takes as many steps as it needs (some with no rows left).
        Rows s = Checkpoint.restoreOr(() -> new Rows(myRows, n));
        int steps = (rowsOf(ROOT, size, n) + rowsPerStep - 1) / rowsPerStep;
        while (s.step < steps) {
            int from = Math.min(myRows, s.step * rowsPerStep);
            int to = Math.min(myRows, from + rowsPerStep);
            multiply(myA, b, s.c, from, to, n);
            s.step++;
            Checkpoint.point(s);
        }
        MPI.COMM_WORLD.Gatherv(s.c, 0, myRows * n, MPI.DOUBLE, c, 0, counts, displs, MPI.DOUBLE, ROOT);
        double seconds = MPI.Wtime() - start;

        if (rank == ROOT) {
            double sum = 0;
            for (double x : c) {
                sum += x;
            }
            System.out.printf("MatMul: %d x %d on %d ranks, sum of C = %.1f%n", n, n, size, sum);
            System.err.printf("MatMul: %.3f s%s%n", seconds, Checkpoint.isRestart() ? " since the restart" : "");
            if (verify) {
                double[] sequential = new double[n * n];
                multiply(a, b, sequential, 0, n, n);
                verify(c, sequential, n);
                System.out.println("MatMul: verified, C equals the sequential product exactly");
            }
        }
        MPI.Finalize();
    }

    /** The saved state: a rank's rows of C ({@code rows x n}) and how many steps have filled them in. */
    static final class Rows {
        int step;
        final double[] c;

        Rows(int rows, int n) {
            c = new double[rows * n];
        }
    }

    /**
     * Rows {@code from} (inclusive) to {@code to} (exclusive) of C = A x B, where {@code a} holds rows of A
     * ({@code n} wide) and {@code c} the matching rows of C, which must be zero there; i-k-j order.
     */
    static void multiply(double[] a, double[] b, double[] c, int from, int to, int n) {
        for (int i = from; i < to; i++) {
            for (int k = 0; k < n; k++) {
                double aik = a[i * n + k];
                for (int j = 0; j < n; j++) {
                    c[i * n + j] += aik * b[k * n + j];
                }
            }
        }
    }

    static double[] matrixA(int n) {
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) {
                a[i * n + k] = (i + 2 * k) % 7 - 2;
            }
        }
        return a;
    }

    static double[] matrixB(int n) {
        double[] b = new double[n * n];
        for (int k = 0; k < n; k++) {
            for (int j = 0; j < n; j++) {
                b[k * n + j] = (3 * k + j) % 5 - 1;
            }
        }
        return b;
    }

    static int rowsOf(int rank, int size, int n) {
        return n / size + (rank < n % size ? 1 : 0);
    }

    static int firstRowOf(int rank, int size, int n) {
        return rank * (n / size) + Math.min(rank, n % size);
    }

    private static void verify(double[] parallel, double[] sequential, int n) {
        for (int i = 0; i < parallel.length; i++) {
            if (parallel[i] != sequential[i]) {
                throw new IllegalStateException("MatMul: C[" + i / n + "][" + i % n + "] is " + parallel[i]
                        + " but the sequential product has " + sequential[i]);
            }
        }
    }
}
