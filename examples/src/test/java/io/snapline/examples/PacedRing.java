package io.snapline.examples;

import io.snapline.checkpoint.Checkpoint;
import mpi.MPI;
import mpi.Request;

/**
 * {@link Ring} with a pause on rank 0 before each lap, so that the job runs for at least laps × pause whatever the
 * machine's speed: long enough for checkpoints on a timer to happen. A safe point ends every lap.
 *
 * <p>Arguments: laps (default 80), pause in milliseconds (default 10).
 */
public final class PacedRing {
    private static final int TAG = 1;

    private PacedRing() {
    }

    /** The saved state: laps completed, and the token as this rank last held it. */
    static final class Lap {
        int lap;
        long token;
    }

    public static void main(String[] args) throws InterruptedException {
        String[] rest = MPI.Init(args);
        int laps = rest.length > 0 ? Integer.parseInt(rest[0]) : 80;
        long pause = rest.length > 1 ? Long.parseLong(rest[1]) : 10;
        int rank = MPI.COMM_WORLD.Rank();
        int size = MPI.COMM_WORLD.Size();
        int next = (rank + 1) % size;
        int prev = (rank + size - 1) % size;

        Lap s = Checkpoint.restoreOr(Lap::new);
        long[] token = new long[1];
        long[] back = new long[1];
        while (s.lap < laps) {
            if (rank == 0) {
                Thread.sleep(pause);
                token[0] = s.token + s.lap;
                Request sent = MPI.COMM_WORLD.Isend(token, 0, 1, MPI.LONG, next, TAG);
                MPI.COMM_WORLD.Recv(back, 0, 1, MPI.LONG, prev, TAG);
                sent.Wait();
                s.token = back[0];
            } else {
                MPI.COMM_WORLD.Recv(token, 0, 1, MPI.LONG, prev, TAG);
                token[0] += rank * (s.lap + 1L);
                MPI.COMM_WORLD.Send(token, 0, 1, MPI.LONG, next, TAG);
                s.token = token[0];
            }
            s.lap++;
            Checkpoint.point(s);
        }
        if (rank == 0) {
            System.out.println("PacedRing: token = " + s.token + " after " + laps + " laps over " + size + " ranks");
        }
        MPI.Finalize();
    }
}
