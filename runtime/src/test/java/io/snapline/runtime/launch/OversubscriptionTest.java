package io.snapline.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.snapline.runtime.testing.MpiRun;
import java.util.concurrent.TimeUnit;
import mpi.MPI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** More ranks than cores: waiting ranks must park rather than spin, or the job crawls. */
class OversubscriptionTest {
    static final int ROUNDS = 200;

    /** A token goes round the ring {@link #ROUNDS} times, each lap followed by a barrier; rank 0 checks every lap. */
    public static class RingAndBarrier {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int n = MPI.COMM_WORLD.Size();
            int[] token = new int[1];
            for (int round = 0; round < ROUNDS; round++) {
                if (me == 0) {
                    token[0] = round;
                    MPI.COMM_WORLD.Send(token, 0, 1, MPI.INT, 1, round);
                    MPI.COMM_WORLD.Recv(token, 0, 1, MPI.INT, n - 1, round);
                    assertEquals(round + n - 1, token[0], "lap " + round);
                } else {
                    MPI.COMM_WORLD.Recv(token, 0, 1, MPI.INT, me - 1, round);
                    token[0]++;
                    MPI.COMM_WORLD.Send(token, 0, 1, MPI.INT, (me + 1) % n, round);
                }
                MPI.COMM_WORLD.Barrier();
            }
            if (me == 0) {
                System.out.println("laps " + ROUNDS);
            }
            MPI.Finalize();
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldFinishRingAndBarrierLoopWhenRanksOutnumberCores() {
        int np = Math.max(16, 4 * Runtime.getRuntime().availableProcessors());
        MpiRun.Outcome o = MpiRun.ok(np, RingAndBarrier.class);
        assertEquals("laps " + ROUNDS + "\n", o.out());
    }
}
