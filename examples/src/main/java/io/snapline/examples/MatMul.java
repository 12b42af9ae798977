package io.snapline.examples;

import java.util.Arrays;
import mpi.MPI;

/**
 * Dense {@code C = A x B} for {@code n x n} matrices stored row-major in {@code double[]}: rank 0 deals out blocks of
 * rows of A with {@code Scatterv} (the first {@code n % size} ranks get one row more), broadcasts all of B with
 * {@code Bcast}, every rank multiplies its rows, and {@code Gatherv} puts the rows of C back together at rank 0.
 * With {@code --verify} rank 0 compares C with a sequential product and throws if any entry differs. The inputs
 * are small integers, so every partial sum is an integer far below 2^53 and the doubles are exact in any order:
 * the comparison is for equality.
 *
 * <pre>bin/snaprun -np 4 -cp examples/target/classes io.snapline.examples.MatMul [n, default 256] [--verify]</pre>
 */
public final class MatMul {
    private static final int ROOT = 0;

    private MatMul() {
    }

    public static void main(String[] args) {
        String[] rest = MPI.Init(args);
        boolean verify = Arrays.asList(rest).contains("--verify");
        int n = rest.length > 0 && !rest[0].startsWith("--") ? Integer.parseInt(rest[0]) : 256;
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
        double[] myC = multiply(myA, b, myRows, n);
        MPI.COMM_WORLD.Gatherv(myC, 0, myRows * n, MPI.DOUBLE, c, 0, counts, displs, MPI.DOUBLE, ROOT);
        double seconds = MPI.Wtime() - start;

        if (rank == ROOT) {
            double sum = 0;
            for (double x : c) {
                sum += x;
            }
            System.out.printf("MatMul: %d x %d on %d ranks in %.3f s, sum of C = %.1f%n", n, n, size, seconds, sum);
            if (verify) {
                verify(c, multiply(a, b, n, n), n);
                System.out.println("MatMul: verified, C equals the sequential product exactly");
            }
        }
        MPI.Finalize();
    }

    /** Rows of C for {@code rows} rows of A ({@code rows x n}) times B ({@code n x n}), in i-k-j order. */
    static double[] multiply(double[] a, double[] b, int rows, int n) {
        double[] c = new double[rows * n];
        for (int i = 0; i < rows; i++) {
            for (int k = 0; k < n; k++) {
                double aik = a[i * n + k];
                for (int j = 0; j < n; j++) {
                    c[i * n + j] += aik * b[k * n + j];
                }
            }
        }
        return c;
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
