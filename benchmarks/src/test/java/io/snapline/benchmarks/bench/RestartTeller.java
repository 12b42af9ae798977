package io.snapline.benchmarks.bench;

import io.snapline.checkpoint.Checkpoint;
import mpi.MPI;

/**
 * A program whose output tells a restart from a checkpoint: {@code steps} lockstep steps with a safe point after each,
 * then rank 0 prints {@code steps N}, followed by {@code , restored from a checkpoint} when its state came from one.
 * So a failure it recovers from by starting over prints what a failure-free run prints, and one it recovers from
 * through a checkpoint does not: a program whose output {@code snapline bench} must flag.
 */
public final class RestartTeller {
    private RestartTeller() {
    }

    /** The saved state: steps done. */
    static final class Steps {
        int done;
    }

    public static void main(String[] args) {
        String[] rest = MPI.Init(args);
        int steps = Integer.parseInt(rest[0]);
        boolean[] fresh = {false};
        Steps s = Checkpoint.restoreOr(() -> {
            fresh[0] = true;
            return new Steps();
        });
        while (s.done < steps) {
            s.done++;
            MPI.COMM_WORLD.Barrier();
            Checkpoint.point(s);
        }
        if (MPI.COMM_WORLD.Rank() == 0) {
            System.out.println("steps " + s.done + (fresh[0] ? "" : ", restored from a checkpoint"));
        }
        MPI.Finalize();
    }
}
