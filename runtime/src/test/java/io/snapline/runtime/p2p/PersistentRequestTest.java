package io.snapline.runtime.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.testing.MpiRun;
import java.util.concurrent.TimeUnit;
import mpi.MPI;
import mpi.MPIException;
import mpi.Prequest;
import mpi.Request;
import mpi.Status;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Persistent requests: created once, started many times, reading the buffer's contents at each start. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PersistentRequestTest {

    /** A ring exchange driven by Send_init/Recv_init with Startall/Waitall, then Start/Wait one by one. */
    public static class Ring {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int n = MPI.COMM_WORLD.Size();
            int right = (me + 1) % n;
            int left = (me - 1 + n) % n;
            int[] out = new int[2];
            int[] in = new int[2];
            Prequest send = MPI.COMM_WORLD.Send_init(out, 0, 2, MPI.INT, right, 4);
            Prequest recv = MPI.COMM_WORLD.Recv_init(in, 0, 2, MPI.INT, left, 4);
            for (int iter = 0; iter < 50; iter++) {
                out[0] = me;
                out[1] = iter;
                Prequest.Startall(new Prequest[] {recv, send});
                Status[] st = Request.Waitall(new Request[] {recv, send});
                assertEquals(left, st[0].source);
                assertEquals(4, st[0].tag);
                assertEquals(left, in[0]);
                assertEquals(iter, in[1]);
                assertTrue(recv.Is_null() && send.Is_null(), "inactive after completion");
            }
            for (int iter = 0; iter < 20; iter++) {
                out[1] = -iter;
                recv.Start();
                send.Start();
                send.Wait();
                recv.Wait();
                assertEquals(-iter, in[1]);
            }
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @MethodSource("io.snapline.runtime.testing.MpiRun#rankCounts")
    void shouldRepeatExchangeWhenPersistentRequestsRestarted(int np) {
        MpiRun.ok(np, Ring.class);
    }

    /** Starting an active request, or creating one with bad arguments, fails with a message. */
    public static class Misuse {
        public static void main(String[] args) {
            MPI.Init(args);
            int[] buf = new int[1];
            Prequest recv = MPI.COMM_SELF.Recv_init(buf, 0, 1, MPI.INT, 0, 0);
            recv.Start();
            MPIException again = assertThrows(MPIException.class, recv::Start);
            assertTrue(again.getMessage().contains("still active"), again.getMessage());
            MPI.COMM_SELF.Send(new int[] {5}, 0, 1, MPI.INT, 0, 0);
            recv.Wait();
            assertEquals(5, buf[0]);
            MPIException bad = assertThrows(MPIException.class, () -> MPI.COMM_SELF.Send_init(buf, 0, 2, MPI.INT, 0, 0));
            assertTrue(bad.getMessage().startsWith("Send_init: buffer too short"), bad.getMessage());
            Prequest toNowhere = MPI.COMM_SELF.Send_init(buf, 0, 1, MPI.INT, 3, 0);
            MPIException rank = assertThrows(MPIException.class, toNowhere::Start);
            assertTrue(rank.getMessage().contains("destination rank 3 is out of range"), rank.getMessage());
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1})
    void shouldRejectStartWhenRequestStillActive(int np) {
        MpiRun.ok(np, Misuse.class);
    }
}
