package io.snapline.runtime.p2p;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.testing.MpiRun;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import mpi.Datatype;
import mpi.MPI;
import mpi.MPIException;
import mpi.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Bsend/Ibsend through the attached buffer: exhaustion, reuse after delivery, detach waiting, layouts. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BufferedSendTest {

    /** Two messages fill the buffer; a third fails with numbers; after delivery the space is reused. */
    public static class Exhaustion {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int each = MPI.COMM_WORLD.Pack_size(100, MPI.INT) + MPI.BSEND_OVERHEAD;
            if (me == 0) {
                MPI.Buffer_attach(ByteBuffer.allocate(2 * each));
                int[] data = new int[100];
                for (int round = 0; round < 3; round++) {
                    for (int k = 0; k < 2; k++) {
                        java.util.Arrays.fill(data, 10 * round + k);
                        MPI.COMM_WORLD.Bsend(data, 0, 100, MPI.INT, 1, round);
                    }
                    MPIException full = assertThrows(MPIException.class,
                            () -> MPI.COMM_WORLD.Bsend(new int[100], 0, 100, MPI.INT, 1, 99));
                    assertTrue(full.getMessage().startsWith("Bsend: the message needs " + each + " bytes (400 data + "
                            + MPI.BSEND_OVERHEAD + " overhead) but only 0 of the " + 2 * each + " attached bytes are free"),
                            full.getMessage());
                    MPI.COMM_WORLD.Send(new int[] {round}, 0, 1, MPI.INT, 1, 50); // go ahead and receive
                    MPI.COMM_WORLD.Recv(new int[1], 0, 1, MPI.INT, 1, 51); // both received: space is free again
                }
                MPI.Buffer_detach();
            } else if (me == 1) {
                for (int round = 0; round < 3; round++) {
                    MPI.COMM_WORLD.Recv(new int[1], 0, 1, MPI.INT, 0, 50);
                    for (int k = 0; k < 2; k++) {
                        int[] got = new int[100];
                        MPI.COMM_WORLD.Recv(got, 0, 100, MPI.INT, 0, round);
                        assertEquals(10 * round + k, got[0]);
                        assertEquals(10 * round + k, got[99]);
                    }
                    MPI.COMM_WORLD.Send(new int[1], 0, 1, MPI.INT, 0, 51);
                }
            }
            MPI.Finalize();
        }
    }

    @Test
    void shouldFailWithSizesWhenBufferExhaustedAndReuseAfterDelivery() {
        // On shm a buffered message stays in the attached buffer until the receiver copies it out; on tcp it leaves
        // once written to the socket (MPI frees the space when the message is transmitted), so this holds on shm.
        assumeTrue(MpiRun.device().equals("shm"), "attached-buffer space is held until receipt only on shm");
        MpiRun.ok(2, Exhaustion.class);
    }

    /** Without an attached buffer Bsend says so; detach without attach too. */
    public static class NoBuffer {
        public static void main(String[] args) {
            MPI.Init(args);
            MPIException none = assertThrows(MPIException.class,
                    () -> MPI.COMM_SELF.Bsend(new double[3], 0, 3, MPI.DOUBLE, 0, 0));
            assertTrue(none.getMessage().contains("needs " + (24 + MPI.BSEND_OVERHEAD) + " bytes"), none.getMessage());
            assertTrue(none.getMessage().contains("no buffer is attached"), none.getMessage());
            MPIException detach = assertThrows(MPIException.class, MPI::Buffer_detach);
            assertTrue(detach.getMessage().contains("no buffer is attached"), detach.getMessage());
            MPI.Buffer_attach(ByteBuffer.allocate(10));
            MPIException twice = assertThrows(MPIException.class, () -> MPI.Buffer_attach(ByteBuffer.allocate(10)));
            assertTrue(twice.getMessage().contains("already attached"), twice.getMessage());
            MPIException small = assertThrows(MPIException.class,
                    () -> MPI.COMM_SELF.Ibsend(new byte[1], 0, 1, MPI.BYTE, 0, 0));
            assertTrue(small.getMessage().contains("only 10 of the 10 attached bytes are free"), small.getMessage());
            MPI.Buffer_detach();
            MPI.Finalize();
        }
    }

    @Test
    void shouldExplainWhenNoBufferAttached() {
        MpiRun.ok(1, NoBuffer.class);
    }

    /** Buffer_detach returns only once the receiver has taken every buffered message. */
    public static class DetachWaits {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            if (me == 0) {
                MPI.Buffer_attach(ByteBuffer.allocateDirect(4096));
                for (int i = 0; i < 3; i++) {
                    MPI.COMM_WORLD.Bsend(new long[] {i, i * i}, 0, 2, MPI.LONG, 1, i);
                }
                MPI.Buffer_detach();
                double detached = MPI.Wtime();
                double[] posted = new double[1];
                MPI.COMM_WORLD.Recv(posted, 0, 1, MPI.DOUBLE, 1, 9);
                assertTrue(detached >= posted[0], "detach returned before the receiver posted its receives");
            } else if (me == 1) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                double posting = MPI.Wtime();
                for (int i = 2; i >= 0; i--) {
                    long[] got = new long[2];
                    MPI.COMM_WORLD.Recv(got, 0, 2, MPI.LONG, 0, i);
                    assertArrayEquals(new long[] {i, (long) i * i}, got);
                }
                MPI.COMM_WORLD.Send(new double[] {posting}, 0, 1, MPI.DOUBLE, 0, 9);
            }
            MPI.Finalize();
        }
    }

    @Test
    void shouldWaitForDeliveryWhenDetaching() {
        // On shm a buffered message stays in the attached buffer until the receiver copies it out; on tcp it leaves
        // once written to the socket (MPI frees the space when the message is transmitted), so this holds on shm.
        assumeTrue(MpiRun.device().equals("shm"), "attached-buffer space is held until receipt only on shm");
        MpiRun.ok(2, DetachWaits.class);
    }

    /**
     * The send buffer may be reused as soon as Ibsend returns; strided layouts, objects, pre-posted and late
     * receives all see the data as it was at the send.
     */
    public static class Layouts {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int n = MPI.COMM_WORLD.Size();
            Datatype column = Datatype.Vector(3, 1, 3, MPI.FLOAT);
            if (me == 0) {
                MPI.Buffer_attach(ByteBuffer.allocate(40 * 1024 * n));
                for (int dest = 1; dest < n; dest++) {
                    float[] m = {1, 2, 3, 4, 5, 6, 7, 8, 9};
                    Request r = MPI.COMM_WORLD.Ibsend(m, 1, 1, column, dest, 1);
                    java.util.Arrays.fill(m, -1);
                    r.Wait();
                    Object[] objs = {new StringBuilder("sb"), new int[] {dest}};
                    MPI.COMM_WORLD.Bsend(objs, 0, 2, MPI.OBJECT, dest, 2);
                    objs[0] = null;
                    double[] big = new double[4000]; // 32000 bytes: above the eager limit, still buffered
                    java.util.Arrays.fill(big, dest);
                    MPI.COMM_WORLD.Bsend(big, 0, big.length, MPI.DOUBLE, dest, 3);
                    java.util.Arrays.fill(big, 0);
                }
                MPI.COMM_WORLD.Barrier();
                MPI.Buffer_detach();
            } else {
                float[] pre = new float[3];
                Request early = MPI.COMM_WORLD.Irecv(pre, 0, 3, MPI.FLOAT, 0, 1);
                MPI.COMM_WORLD.Barrier();
                early.Wait();
                assertArrayEquals(new float[] {2, 5, 8}, pre);
                Object[] objs = new Object[2];
                MPI.COMM_WORLD.Recv(objs, 0, 2, MPI.OBJECT, 0, 2);
                assertEquals("sb", objs[0].toString());
                assertArrayEquals(new int[] {me}, (int[]) objs[1]);
                double[] big = new double[4000];
                MPI.COMM_WORLD.Recv(big, 0, big.length, MPI.DOUBLE, 0, 3);
                assertEquals(me, big[0]);
                assertEquals(me, big[3999]);
            }
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4})
    void shouldDeliverDataAsAtSendWhenBuffered(int np) {
        MpiRun.ok(np, Layouts.class);
    }
}
