package io.snapline.examples;

import mpi.MPI;
import mpi.Request;

/**
 * A token travels around the ring of ranks {@code laps} times; every rank adds its rank to it on each visit, so
 * rank 0 ends with {@code laps * n * (n - 1) / 2}. Rank 0 starts each lap with a non-blocking send, so the
 * program also runs on a single rank (which sends to itself).
 *
 * <pre>bin/snaprun -np 4 -cp examples/target/classes io.snapline.examples.Ring [laps, default 3]</pre>
 */
public final class Ring {
    private static final int TAG = 1;

    private Ring() {
    }

    public static void main(String[] args) {
        String[] rest = MPI.Init(args);
        int laps = rest.length > 0 ? Integer.parseInt(rest[0]) : 3;
        int rank = MPI.COMM_WORLD.Rank();
        int size = MPI.COMM_WORLD.Size();
        int next = (rank + 1) % size;
        int prev = (rank + size - 1) % size;

        long[] token = {0};
        for (int lap = 0; lap < laps; lap++) {
            if (rank == 0) {
                token[0] += rank;
                Request sent = MPI.COMM_WORLD.Isend(token, 0, 1, MPI.LONG, next, TAG);
                long[] back = new long[1];
                MPI.COMM_WORLD.Recv(back, 0, 1, MPI.LONG, prev, TAG);
                sent.Wait();
                token[0] = back[0];
            } else {
                MPI.COMM_WORLD.Recv(token, 0, 1, MPI.LONG, prev, TAG);
                token[0] += rank;
                MPI.COMM_WORLD.Send(token, 0, 1, MPI.LONG, next, TAG);
            }
        }
        if (rank == 0) {
            System.out.println("Ring: token = " + token[0] + " after " + laps + " laps over " + size + " ranks");
        }
        MPI.Finalize();
    }
}
