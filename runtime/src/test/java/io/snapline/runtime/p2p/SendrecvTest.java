package io.snapline.runtime.p2p;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.snapline.runtime.testing.MpiRun;
import java.util.concurrent.TimeUnit;
import mpi.Datatype;
import mpi.MPI;
import mpi.Request;
import mpi.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Sendrecv, Sendrecv_replace and MPI.PROC_NULL as a no-op peer. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SendrecvTest {

    /** A ring shift with Sendrecv (small and rendezvous-sized), then with Sendrecv_replace on a strided layout. */
    public static class Shift {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int n = MPI.COMM_WORLD.Size();
            int right = (me + 1) % n;
            int left = (me - 1 + n) % n;
            for (int len : new int[] {1, 5000}) {
                int[] out = new int[len];
                java.util.Arrays.fill(out, me);
                int[] in = new int[len];
                Status s = MPI.COMM_WORLD.Sendrecv(out, 0, len, MPI.INT, right, 1, in, 0, len, MPI.INT, left, 1);
                assertEquals(left, s.source);
                assertEquals(1, s.tag);
                assertEquals(len, s.Get_count(MPI.INT));
                assertEquals(left, in[0]);
                assertEquals(left, in[len - 1]);
            }
            double[] grid = new double[12];
            for (int i = 0; i < grid.length; i++) {
                grid[i] = me * 100 + i;
            }
            Datatype column = Datatype.Vector(4, 1, 3, MPI.DOUBLE);
            Status s = MPI.COMM_WORLD.Sendrecv_replace(grid, 1, 1, column, right, 2, left, 2);
            assertEquals(left, s.source);
            for (int i = 0; i < grid.length; i++) {
                double expected = (i % 3 == 1 ? left : me) * 100 + i;
                assertEquals(expected, grid[i], "index " + i);
            }
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @MethodSource("io.snapline.runtime.testing.MpiRun#rankCounts")
    void shouldShiftAroundRingWhenSendrecv(int np) {
        MpiRun.ok(np, Shift.class);
    }

    /** Every operation with PROC_NULL completes at once: source PROC_NULL, count 0, buffer untouched. */
    public static class ProcNull {
        public static void main(String[] args) {
            MPI.Init(args);
            int[] buf = {9, 9};
            MPI.COMM_WORLD.Send(buf, 0, 2, MPI.INT, MPI.PROC_NULL, 0);
            MPI.COMM_WORLD.Ssend(buf, 0, 2, MPI.INT, MPI.PROC_NULL, 0);
            Status r = MPI.COMM_WORLD.Recv(buf, 0, 2, MPI.INT, MPI.PROC_NULL, 0);
            assertEquals(MPI.PROC_NULL, r.source);
            assertEquals(0, r.Get_count(MPI.INT));
            assertArrayEquals(new int[] {9, 9}, buf);
            Request ir = MPI.COMM_WORLD.Irecv(buf, 0, 2, MPI.INT, MPI.PROC_NULL, MPI.ANY_TAG);
            Status t = ir.Test();
            assertEquals(MPI.PROC_NULL, t.source);
            Status sr = MPI.COMM_WORLD.Sendrecv(new int[] {1}, 0, 1, MPI.INT, MPI.PROC_NULL, 0,
                    buf, 0, 2, MPI.INT, MPI.PROC_NULL, 0);
            assertEquals(MPI.PROC_NULL, sr.source);
            assertEquals(0, sr.Get_count(MPI.INT));
            Status rep = MPI.COMM_WORLD.Sendrecv_replace(buf, 0, 2, MPI.INT, MPI.PROC_NULL, 0, MPI.PROC_NULL, 0);
            assertEquals(MPI.PROC_NULL, rep.source);
            assertArrayEquals(new int[] {9, 9}, buf);
            Status p = MPI.COMM_WORLD.Probe(MPI.PROC_NULL, 0);
            assertEquals(MPI.PROC_NULL, p.source);
            assertEquals(0, p.Get_count(MPI.INT));
            assertEquals(MPI.PROC_NULL, MPI.COMM_WORLD.Iprobe(MPI.PROC_NULL, 0).source);
            MPI.Finalize();
        }
    }

    @Test
    void shouldCompleteAtOnceWhenPeerIsProcNull() {
        MpiRun.ok(2, ProcNull.class);
    }
}
