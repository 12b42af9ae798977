package io.snapline.runtime.p2p;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.testing.MpiRun;
import java.util.concurrent.TimeUnit;
import mpi.MPI;
import mpi.Request;
import mpi.Status;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Synchronous sends complete only once the matching receive has been posted. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SynchronousSendTest {

    /**
     * Rank 0 issues Issend (small and large), tests it repeatedly: null every time, since rank 1 posts its receive only
     * after a second message tells it to. Then Wait completes.
     */
    public static class NotBeforeReceive {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int length = Integer.parseInt(args[args.length - 1]);
            if (me == 0) {
                int[] data = new int[length];
                java.util.Arrays.fill(data, 7);
                Request r = MPI.COMM_WORLD.Issend(data, 0, length, MPI.INT, 1, 1);
                for (int i = 0; i < 20; i++) {
                    assertNull(r.Test(), "Issend completed before the receive was posted");
                    Thread.yield();
                }
                MPI.COMM_WORLD.Send(new int[] {1}, 0, 1, MPI.INT, 1, 2); // now post it
                Status s = r.Wait();
                assertNotNull(s);
                assertTrue(r.Is_null());
            } else if (me == 1) {
                MPI.COMM_WORLD.Recv(new int[1], 0, 1, MPI.INT, 0, 2);
                int[] got = new int[length];
                Status s = MPI.COMM_WORLD.Recv(got, 0, length, MPI.INT, 0, 1);
                assertEquals(length, s.Get_count(MPI.INT));
                assertEquals(7, got[length - 1]);
            }
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 10_000})
    void shouldNotCompleteIssendWhenReceiveNotPosted(int length) {
        MpiRun.ok(2, NotBeforeReceive.class, Integer.toString(length));
    }

    /** A blocking Ssend returns only after the receiver started its receive (checked with timestamps). */
    public static class BlockingSsend {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int n = MPI.COMM_WORLD.Size();
            if (me == 0) {
                for (int peer = 1; peer < n; peer++) {
                    MPI.COMM_WORLD.Ssend(new int[] {peer}, 0, 1, MPI.INT, peer, 1);
                    double returned = MPI.Wtime();
                    double[] posted = new double[1];
                    MPI.COMM_WORLD.Recv(posted, 0, 1, MPI.DOUBLE, peer, 2);
                    assertTrue(returned >= posted[0], "Ssend returned before rank " + peer + " posted the receive");
                }
            } else {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                double posting = MPI.Wtime();
                int[] got = new int[1];
                MPI.COMM_WORLD.Recv(got, 0, 1, MPI.INT, 0, 1);
                assertArrayEquals(new int[] {me}, got);
                MPI.COMM_WORLD.Send(new double[] {posting}, 0, 1, MPI.DOUBLE, 0, 2);
            }
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4})
    void shouldReturnFromSsendOnlyAfterReceivePosted(int np) {
        MpiRun.ok(np, BlockingSsend.class);
    }
}
