package io.snapline.examples;

import io.snapline.checkpoint.Checkpoint;
import mpi.MPI;
import mpi.Request;

/**
 * A token travels around the ring of ranks {@code laps} times; every rank adds its rank to it on each visit, so
 * rank 0 ends with {@code laps * n * (n - 1) / 2}. Rank 0 starts each lap with a non-blocking send, so the
 * program also runs on a single rank (which sends to itself).
 *
 * <p>Checkpointable: the lap count and the token are the saved {@link Lap}, and every lap ends at a safe point
 * (the token is back at rank 0 and every other rank has passed it on, so no receive is pending). A pause on rank 0
 * before each lap makes the job run for at least laps × pause whatever the machine's speed: long enough for
 * checkpoints on a timer.
 *
 * <pre>bin/snaprun -np 4 -cp examples/target/classes io.snapline.examples.Ring [laps, default 3] [pause ms, default 0]</pre>
 */
public final class Ring {
    private static final int TAG = 1;

    private Ring() {
    }

    /** The saved state: laps completed, and the token as this rank last held it. */
    static final class Lap {
        int lap;
        long token;
    }

    public static void main(String[] args) throws InterruptedException {
        String[] rest = MPI.Init(args);
        int laps = rest.length > 0 ? Integer.parseInt(rest[0]) : 3;
        long pause = rest.length > 1 ? Long.parseLong(rest[1]) : 0;
        int rank = MPI.COMM_WORLD.Rank();
        int size = MPI.COMM_WORLD.Size();
        int next = (rank + 1) % size;
        int prev = (rank + size - 1) % size;

        Lap s = Checkpoint.restoreOr(Lap::new);
        long[] token = new long[1];
        long[] back = new long[1];
        while (s.lap < laps) {
            if (rank == 0) {
                if (pause > 0) {
                    Thread.sleep(pause);
                }
                token[0] = s.token + rank;
                Request sent = MPI.COMM_WORLD.Isend(token, 0, 1, MPI.LONG, next, TAG);
                MPI.COMM_WORLD.Recv(back, 0, 1, MPI.LONG, prev, TAG);
                sent.Wait();
                s.token = back[0];
            } else {
                MPI.COMM_WORLD.Recv(token, 0, 1, MPI.LONG, prev, TAG);
                token[0] += rank;
                MPI.COMM_WORLD.Send(token, 0, 1, MPI.LONG, next, TAG);
                s.token = token[0];
            }
            s.lap++;
            Checkpoint.point(s);
        }
        if (rank == 0) {
            System.out.println("Ring: token = " + s.token + " after " + laps + " laps over " + size + " ranks");
        }
        MPI.Finalize();
    }
}
