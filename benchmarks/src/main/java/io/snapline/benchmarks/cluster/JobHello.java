package io.snapline.benchmarks.cluster;

import mpi.MPI;

/** The smallest real job: every rank joins, an {@code Allreduce} sums the ranks, rank 0 prints the sum. */
public final class JobHello {
    private JobHello() {
    }

    public static void main(String[] args) {
        MPI.Init(args);
        int[] sum = new int[1];
        MPI.COMM_WORLD.Allreduce(new int[] {MPI.COMM_WORLD.Rank()}, 0, sum, 0, 1, MPI.INT, MPI.SUM);
        if (MPI.COMM_WORLD.Rank() == 0) {
            System.out.println("JobHello: " + MPI.COMM_WORLD.Size() + " ranks, sum of ranks " + sum[0]);
        }
        MPI.Finalize();
    }
}
