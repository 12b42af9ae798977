package io.snapline.runtime.datatype;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.testing.MpiRun;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mpi.Datatype;
import mpi.MPI;
import mpi.MPIException;
import mpi.Status;
import mpjbuf.BufferFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Pack/Unpack/Pack_size in the mpiJava 1.2 byte[] form and the MPJ Express mpjbuf.Buffer form. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PackTest {

    /** Mixed data packed into one byte[], sent as MPI.PACKED, sized by Probe, unpacked in order. */
    public static class Mixed {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            Datatype column = Datatype.Vector(3, 1, 4, MPI.DOUBLE);
            if (me == 0) {
                double[] matrix = new double[12];
                for (int i = 0; i < matrix.length; i++) {
                    matrix[i] = i + 0.5;
                }
                int size = MPI.COMM_WORLD.Pack_size(1, MPI.INT) + MPI.COMM_WORLD.Pack_size(1, column)
                        + MPI.COMM_WORLD.Pack_size(2, MPI.BOOLEAN) + 200;
                byte[] out = new byte[size];
                int pos = MPI.COMM_WORLD.Pack(new int[] {42}, 0, 1, MPI.INT, out, 0);
                assertEquals(4, pos);
                pos = MPI.COMM_WORLD.Pack(matrix, 1, 1, column, out, pos);
                assertEquals(4 + 24, pos);
                pos = MPI.COMM_WORLD.Pack(new boolean[] {true, false}, 0, 2, MPI.BOOLEAN, out, pos);
                assertEquals(30, pos);
                Object[] objects = {Map.of("k", List.of(1, 2)), "text"};
                pos = MPI.COMM_WORLD.Pack(objects, 0, 2, MPI.OBJECT, out, pos);
                pos = MPI.COMM_WORLD.Pack(new char[] {'o', 'k'}, 0, 2, MPI.CHAR, out, pos);
                MPI.COMM_WORLD.Send(out, 0, pos, MPI.PACKED, 1, 5);
            } else if (me == 1) {
                Status probe = MPI.COMM_WORLD.Probe(0, 5);
                byte[] in = new byte[probe.Get_count(MPI.PACKED)];
                Status s = MPI.COMM_WORLD.Recv(in, 0, in.length, MPI.PACKED, 0, 5);
                assertEquals(in.length, s.Get_count(MPI.BYTE));
                int[] n = new int[1];
                double[] dense = new double[3];
                boolean[] flags = new boolean[2];
                Object[] objects = new Object[2];
                char[] chars = new char[2];
                int pos = MPI.COMM_WORLD.Unpack(in, 0, n, 0, 1, MPI.INT);
                pos = MPI.COMM_WORLD.Unpack(in, pos, dense, 0, 3, MPI.DOUBLE);
                pos = MPI.COMM_WORLD.Unpack(in, pos, flags, 0, 2, MPI.BOOLEAN);
                pos = MPI.COMM_WORLD.Unpack(in, pos, objects, 0, 2, MPI.OBJECT);
                pos = MPI.COMM_WORLD.Unpack(in, pos, chars, 0, 2, MPI.CHAR);
                assertEquals(in.length, pos);
                assertEquals(42, n[0]);
                assertArrayEquals(new double[] {1.5, 5.5, 9.5}, dense);
                assertArrayEquals(new boolean[] {true, false}, flags);
                assertEquals(Map.of("k", List.of(1, 2)), objects[0]);
                assertEquals("text", objects[1]);
                assertArrayEquals(new char[] {'o', 'k'}, chars);
            }
            MPI.Finalize();
        }
    }

    @Test
    void shouldUnpackWhatWasPackedWhenSentAsPacked() {
        MpiRun.ok(2, Mixed.class);
    }

    /** The MPJ Express form: mpjbuf.Buffer from BufferFactory, sent and received as MPI.PACKED. */
    public static class MpjBuffer {
        static final class Payload {
            int a;
        }

        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            if (me == 0) {
                mpjbuf.Buffer buffer = new mpjbuf.Buffer(BufferFactory.create(500 + MPI.SEND_OVERHEAD),
                        MPI.SEND_OVERHEAD, 500 + MPI.SEND_OVERHEAD);
                Payload p = new Payload();
                p.a = 7;
                int pos = MPI.COMM_WORLD.Pack(new int[] {10}, 0, 1, MPI.INT, buffer, 0);
                pos = MPI.COMM_WORLD.Pack(new Payload[] {p}, 0, 1, MPI.OBJECT, buffer, pos);
                pos = MPI.COMM_WORLD.Pack(new double[] {2.2}, 0, 1, MPI.DOUBLE, buffer, pos);
                assertEquals(pos, buffer.getSize());
                MPI.COMM_WORLD.Send(new int[] {pos}, 0, 1, MPI.INT, 1, 999);
                MPI.COMM_WORLD.Send(buffer, 0, pos, MPI.PACKED, 1, 99);
                BufferFactory.destroy(buffer.getStaticBuffer());
                MPIException gone = assertThrows(MPIException.class,
                        () -> MPI.COMM_WORLD.Pack(new int[1], 0, 1, MPI.INT, buffer, 0));
                assertTrue(gone.getMessage().contains("destroyed"), gone.getMessage());
            } else if (me == 1) {
                mpjbuf.Buffer buffer = new mpjbuf.Buffer(BufferFactory.create(500 + MPI.RECV_OVERHEAD),
                        MPI.RECV_OVERHEAD, 500 + MPI.RECV_OVERHEAD);
                int[] size = new int[1];
                MPI.COMM_WORLD.Recv(size, 0, 1, MPI.INT, 0, 999);
                MPI.COMM_WORLD.Recv(buffer, 0, size[0], MPI.PACKED, 0, 99);
                int[] n = new int[1];
                Payload[] c = new Payload[1];
                double[] b = new double[1];
                int pos = MPI.COMM_WORLD.Unpack(buffer, 0, n, 0, 1, MPI.INT);
                pos = MPI.COMM_WORLD.Unpack(buffer, pos, c, 0, 1, MPI.OBJECT);
                pos = MPI.COMM_WORLD.Unpack(buffer, pos, b, 0, 1, MPI.DOUBLE);
                assertEquals(size[0], pos);
                assertEquals(10, n[0]);
                assertEquals(7, c[0].a);
                assertEquals(Payload.class.getClassLoader(), c[0].getClass().getClassLoader(),
                        "decoded in the receiving rank's class loader");
                assertEquals(2.2, b[0]);
            }
            MPI.Finalize();
        }
    }

    @Test
    void shouldPackIntoMpjBufferWhenProgramUsesMpjExpressForm() {
        MpiRun.ok(2, MpjBuffer.class);
    }

    /** Sizes and the errors at the edges of the buffers. */
    public static class Edges {
        public static void main(String[] args) {
            MPI.Init(args);
            assertEquals(12, MPI.COMM_SELF.Pack_size(3, MPI.INT));
            assertEquals(48, MPI.COMM_SELF.Pack_size(2, Datatype.Vector(3, 1, 4, MPI.DOUBLE)));
            assertEquals(3, MPI.COMM_SELF.Pack_size(3, MPI.BOOLEAN));
            assertEquals(0, MPI.COMM_SELF.Pack_size(0, MPI.LONG));
            MPIException obj = assertThrows(MPIException.class, () -> MPI.COMM_SELF.Pack_size(1, MPI.OBJECT));
            assertTrue(obj.getMessage().contains("MPI.OBJECT"), obj.getMessage());

            MPIException small = assertThrows(MPIException.class,
                    () -> MPI.COMM_SELF.Pack(new long[4], 0, 4, MPI.LONG, new byte[40], 16));
            assertEquals("Pack: the output buffer is too small: packing needs 32 bytes at position 16 but only 24 of"
                    + " its 40 bytes are left; size the buffer with Pack_size", small.getMessage());
            MPIException past = assertThrows(MPIException.class,
                    () -> MPI.COMM_SELF.Pack(new int[1], 0, 1, MPI.INT, new byte[8], 9));
            assertTrue(past.getMessage().contains("position 9 is outside the 8-byte buffer"), past.getMessage());
            MPIException negative = assertThrows(MPIException.class,
                    () -> MPI.COMM_SELF.Unpack(new byte[8], -1, new int[1], 0, 1, MPI.INT));
            assertTrue(negative.getMessage().contains("position -1 is outside"), negative.getMessage());

            byte[] packed = new byte[8];
            int end = MPI.COMM_SELF.Pack(new int[] {1, 2}, 0, 2, MPI.INT, packed, 0);
            assertEquals(8, end);
            MPIException truncated = assertThrows(MPIException.class,
                    () -> MPI.COMM_SELF.Unpack(packed, 4, new int[2], 0, 2, MPI.INT));
            assertTrue(truncated.getMessage().startsWith("Unpack: truncated input"), truncated.getMessage());
            assertTrue(truncated.getMessage().contains("8 bytes at position 4 but only 4"), truncated.getMessage());

            byte[] objects = new byte[100];
            int objEnd = MPI.COMM_SELF.Pack(new Object[] {"a string long enough"}, 0, 1, MPI.OBJECT, objects, 0);
            MPIException cut = assertThrows(MPIException.class, () -> MPI.COMM_SELF.Unpack(
                    java.util.Arrays.copyOf(objects, objEnd - 3), 0, new Object[1], 0, 1, MPI.OBJECT));
            assertTrue(cut.getMessage().contains("truncated input"), cut.getMessage());
            MPIException tinyObj = assertThrows(MPIException.class,
                    () -> MPI.COMM_SELF.Pack(new Object[] {"a string long enough"}, 0, 1, MPI.OBJECT, new byte[10], 0));
            assertTrue(tinyObj.getMessage().contains("too small"), tinyObj.getMessage());

            MPIException wrongType = assertThrows(MPIException.class,
                    () -> MPI.COMM_SELF.Pack(new int[2], 0, 2, MPI.DOUBLE, new byte[16], 0));
            assertTrue(wrongType.getMessage().contains("needs a double[] buffer, got int[2]"), wrongType.getMessage());
            MPIException nullOut = assertThrows(MPIException.class,
                    () -> MPI.COMM_SELF.Pack(new int[2], 0, 2, MPI.INT, (byte[]) null, 0));
            assertEquals("Pack: the output buffer is null", nullOut.getMessage());
            MPI.Finalize();
        }
    }

    @Test
    void shouldRaiseClearErrorsWhenBuffersTooSmallOrTruncated() {
        MpiRun.ok(1, Edges.class);
    }
}
