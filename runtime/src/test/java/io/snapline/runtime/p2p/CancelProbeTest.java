package io.snapline.runtime.p2p;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Cancel of posted receives, and Probe/Iprobe to size a receive before posting it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CancelProbeTest {

    /** A cancelled receive reports Test_cancelled and does not take the message that arrives later. */
    public static class CancelReceive {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            if (me == 1) {
                int[] lost = {-1};
                Request r = MPI.COMM_WORLD.Irecv(lost, 0, 1, MPI.INT, 0, 5);
                r.Cancel();
                Status s = r.Wait();
                assertTrue(s.Test_cancelled());
                assertEquals(0, s.Get_count(MPI.INT));
                MPI.COMM_WORLD.Barrier(); // rank 0 sends only now
                int[] got = new int[1];
                Status real = MPI.COMM_WORLD.Recv(got, 0, 1, MPI.INT, 0, 5);
                assertFalse(real.Test_cancelled());
                assertEquals(55, got[0]);
                assertEquals(-1, lost[0], "the cancelled receive's buffer is untouched");

                Request matched = MPI.COMM_WORLD.Irecv(got, 0, 1, MPI.INT, 0, 6);
                matched.Wait();
                matched.Cancel(); // too late: no effect
                assertEquals(66, got[0]);
            } else if (me == 0) {
                MPI.COMM_WORLD.Barrier();
                MPI.COMM_WORLD.Send(new int[] {55}, 0, 1, MPI.INT, 1, 5);
                MPI.COMM_WORLD.Send(new int[] {66}, 0, 1, MPI.INT, 1, 6);
            } else {
                MPI.COMM_WORLD.Barrier();
            }
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void shouldReportCancelledWhenPostedReceiveCancelled(int np) {
        MpiRun.ok(np, CancelReceive.class);
    }

    /** Every peer sends a message of a length only it knows; rank 0 probes, sizes the buffer and receives. */
    public static class ProbeThenSize {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int n = MPI.COMM_WORLD.Size();
            if (me == 0) {
                assertNull(MPI.COMM_WORLD.Iprobe(MPI.ANY_SOURCE, MPI.ANY_TAG), "nothing was sent yet");
            }
            MPI.COMM_WORLD.Barrier();
            if (me != 0) {
                long[] data = new long[lengthOf(me)];
                java.util.Arrays.fill(data, me);
                MPI.COMM_WORLD.Send(data, 0, data.length, MPI.LONG, 0, me + 100);
            } else {
                for (int k = 1; k < n; k++) {
                    Status p = MPI.COMM_WORLD.Probe(MPI.ANY_SOURCE, MPI.ANY_TAG);
                    int length = p.Get_count(MPI.LONG);
                    assertEquals(lengthOf(p.source), length);
                    assertEquals(p.source + 100, p.tag);
                    long[] buf = new long[length];
                    Status s = MPI.COMM_WORLD.Recv(buf, 0, length, MPI.LONG, p.source, p.tag);
                    assertEquals(p.source, s.source);
                    assertEquals(length, s.Get_count(MPI.LONG));
                    assertEquals(p.source, buf[length - 1]);
                }
                assertNull(MPI.COMM_WORLD.Iprobe(MPI.ANY_SOURCE, MPI.ANY_TAG), "every message was received");
            }
            MPI.COMM_WORLD.Barrier();
            if (me == 1 % n) {
                MPI.COMM_WORLD.Send(new int[] {1, 2, 3}, 0, 3, MPI.INT, 0, 7);
            }
            if (me == 0) {
                Status i = null;
                while (i == null) {
                    i = MPI.COMM_WORLD.Iprobe(1 % n, 7);
                    Thread.yield();
                }
                assertEquals(3, i.Get_count(MPI.INT));
                int[] three = new int[3];
                MPI.COMM_WORLD.Recv(three, 0, 3, MPI.INT, i.source, 7);
                assertArrayEquals(new int[] {1, 2, 3}, three);
            }
            MPI.Finalize();
        }

        static int lengthOf(int rank) {
            return rank % 2 == 0 ? 5000 * rank : 3 * rank; // some above the eager limit
        }
    }

    @ParameterizedTest
    @MethodSource("io.snapline.runtime.testing.MpiRun#rankCounts")
    void shouldSizeReceiveFromProbe(int np) {
        MpiRun.ok(np, ProbeThenSize.class);
    }

    /** Iprobe does not consume: two probes see the same message; the receive then takes it. */
    public static class ProbeDoesNotConsume {
        public static void main(String[] args) {
            MPI.Init(args);
            MPI.COMM_SELF.Send(new double[] {1.5, 2.5}, 0, 2, MPI.DOUBLE, 0, 3);
            Status a = MPI.COMM_SELF.Iprobe(0, 3);
            Status b = MPI.COMM_SELF.Probe(MPI.ANY_SOURCE, MPI.ANY_TAG);
            assertNotNull(a);
            assertEquals(a.Get_count(MPI.DOUBLE), b.Get_count(MPI.DOUBLE));
            double[] d = new double[2];
            MPI.COMM_SELF.Recv(d, 0, 2, MPI.DOUBLE, 0, 3);
            assertArrayEquals(new double[] {1.5, 2.5}, d);
            assertNull(MPI.COMM_SELF.Iprobe(0, 3));
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1})
    void shouldLeaveMessageWhenProbed(int np) {
        MpiRun.ok(np, ProbeDoesNotConsume.class);
    }
}
