package io.snapline.examples;

import io.snapline.checkpoint.Checkpoint;
import mpi.MPI;

/**
 * A program that prints all along, as many real ones do: rank 0 prints a banner before it takes its state back,
 * every rank prints a progress line every few steps of a ring exchange, rank 0 prints the result and ends, and the
 * other ranks go on alone for {@code tail} more safe points, printing as they go. A restart must not print any of it
 * twice, nor lose any: each rank's lines, in order, must be those of a failure-free run.
 *
 * <p>Arguments: steps (default 300), tail (default 200).
 */
public final class Chatty {
    private Chatty() {
    }

    /** A rank's saved state. */
    static final class State {
        int step;
        int tail;
        long sum;
    }

    public static void main(String[] args) {
        String[] rest = MPI.Init(args);
        int steps = rest.length > 0 ? Integer.parseInt(rest[0]) : 300;
        int tail = rest.length > 1 ? Integer.parseInt(rest[1]) : 200;
        int rank = MPI.COMM_WORLD.Rank();
        int size = MPI.COMM_WORLD.Size();
        if (rank == 0) {
            System.out.println("chatty on " + size + " ranks: " + steps + " steps, then a tail of " + tail);
        }
        State s = Checkpoint.restoreOr(State::new);
        int right = (rank + 1) % size;
        int left = (rank + size - 1) % size;
        long[] out = new long[1];
        long[] in = new long[1];
        while (s.step < steps) {
            out[0] = s.sum + rank;
            MPI.COMM_WORLD.Sendrecv(out, 0, 1, MPI.LONG, right, 0, in, 0, 1, MPI.LONG, left, 0);
            s.sum = Long.rotateLeft(s.sum, 7) * 0x9E3779B97F4A7C15L + in[0];
            s.step++;
            if (s.step % 7 == 0) {
                System.out.println("rank " + rank + " step " + s.step + " sum " + s.sum);
            }
            Checkpoint.point(s);
        }
        if (rank == 0) {
            System.out.println("rank 0 result " + s.sum);
        } else {
            while (s.tail < tail) {
                s.tail++;
                s.sum = Long.rotateLeft(s.sum, 5) * 0xBF58476D1CE4E5B9L + s.tail;
                if (s.tail % 5 == 0) {
                    System.out.print("rank " + rank + " tail " + s.tail);
                    System.out.println(" sum " + s.sum);
                }
                Checkpoint.point(s);
            }
        }
        MPI.Finalize();
    }
}
