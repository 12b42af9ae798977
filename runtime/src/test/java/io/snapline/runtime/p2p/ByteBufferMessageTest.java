package io.snapline.runtime.p2p;

import static io.snapline.runtime.p2p.MisuseTest.fails;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.snapline.runtime.testing.MpiRun;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.TimeUnit;
import mpi.Datatype;
import mpi.MPI;
import mpi.Request;
import mpi.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Send and receive buffers that are {@link ByteBuffer}s (direct or heap, as Open MPI's Java bindings allow): offsets
 * and counts in elements, element {@code i} at byte {@code i * size} from index 0 in the buffer's byte order, the
 * buffer's position untouched; mixed with arrays on the other side; in collectives; and misuse.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ByteBufferMessageTest {

    /** The byte at index {@code i} of message {@code m}. */
    static byte pattern(int m, int i) {
        return (byte) (i * 31 + m * 7 + (i >>> 11));
    }

    /**
     * Rank 0 sends messages of every protocol size (ring, eager, rendezvous or pushed) from direct and heap
     * ByteBuffers at an element offset; rank 1 receives them into ByteBuffers at another offset, and checks every byte,
     * that nothing outside the received range was written, and that both buffers' positions stayed where they were.
     */
    public static class BytesBothSides {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int[] sizes = {0, 1, 8, 1000, 16 * 1024, 16 * 1024 + 1, 300_000, 1 << 20, 5 << 20};
            for (int m = 0; m < sizes.length; m++) {
                int n = sizes[m];
                boolean direct = m % 2 == 0;
                ByteBuffer b = direct ? MPI.newByteBuffer(n + 10) : ByteBuffer.allocate(n + 10);
                b.position(3);
                if (me == 0) {
                    for (int i = 0; i < n; i++) {
                        b.put(5 + i, pattern(m, i));
                    }
                    MPI.COMM_WORLD.Send(b, 5, n, MPI.BYTE, 1, m);
                    // a standard send that returned has let go of the buffer: overwriting it changes nothing received
                    for (int i = 0; i < n; i++) {
                        b.put(5 + i, (byte) 0x55);
                    }
                } else if (me == 1) {
                    for (int i = 0; i < b.limit(); i++) {
                        b.put(i, (byte) -1);
                    }
                    Status s = MPI.COMM_WORLD.Recv(b, 7, n, MPI.BYTE, 0, m);
                    assertEquals(n, s.Get_count(MPI.BYTE));
                    for (int i = 0; i < n; i++) {
                        if (b.get(7 + i) != pattern(m, i)) {
                            throw new AssertionError("message " + m + " (" + n + " bytes): byte " + i + " is "
                                    + b.get(7 + i) + ", expected " + pattern(m, i));
                        }
                    }
                    for (int i = 0; i < 7; i++) {
                        assertEquals((byte) -1, b.get(i), "byte before the received range");
                    }
                    if (n + 7 < b.limit()) {
                        assertEquals((byte) -1, b.get(n + 7), "byte after the received range");
                    }
                }
                assertEquals(3, b.position());
                assertEquals(n + 10, b.limit());
            }
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void shouldMoveBytesBetweenByteBuffersOfEverySizeWithOffsets(int np) {
        MpiRun.ok(np, BytesBothSides.class);
    }

    /**
     * Typed elements between arrays and ByteBuffers of either byte order: the receiver sees the values the sender
     * wrote, whichever order each side's buffer has.
     */
    public static class TypedMixed {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            for (int n : new int[] {3, 5000, 300_000}) {
                if (me == 0) {
                    double[] d = new double[n];
                    for (int i = 0; i < n; i++) {
                        d[i] = i * 0.5 - 7;
                    }
                    MPI.COMM_WORLD.Send(d, 0, n, MPI.DOUBLE, 1, 1); // array -> little-endian direct buffer
                    MPI.COMM_WORLD.Send(d, 0, n, MPI.DOUBLE, 1, 2); // array -> big-endian heap buffer
                    ByteBuffer ints = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.BIG_ENDIAN);
                    for (int i = 0; i < n; i++) {
                        ints.putInt(4 * i, i * 3 + 1);
                    }
                    MPI.COMM_WORLD.Send(ints, 0, n, MPI.INT, 1, 3); // big-endian buffer -> array
                    ByteBuffer longs = MPI.newByteBuffer(8 * n);
                    for (int i = 0; i < n; i++) {
                        longs.putLong(8 * i, -i * 1_000_000_007L);
                    }
                    MPI.COMM_WORLD.Send(longs, 0, n, MPI.LONG, 1, 4); // native buffer -> big-endian buffer
                } else if (me == 1) {
                    ByteBuffer le = MPI.newByteBuffer(8 * n).order(ByteOrder.LITTLE_ENDIAN);
                    MPI.COMM_WORLD.Recv(le, 0, n, MPI.DOUBLE, 0, 1);
                    ByteBuffer be = ByteBuffer.allocate(8 * n);
                    MPI.COMM_WORLD.Recv(be, 0, n, MPI.DOUBLE, 0, 2);
                    for (int i = 0; i < n; i++) {
                        assertEquals(i * 0.5 - 7, le.getDouble(8 * i));
                        assertEquals(i * 0.5 - 7, be.getDouble(8 * i));
                    }
                    int[] ints = new int[n];
                    MPI.COMM_WORLD.Recv(ints, 0, n, MPI.INT, 0, 3);
                    for (int i = 0; i < n; i++) {
                        assertEquals(i * 3 + 1, ints[i]);
                    }
                    ByteBuffer longs = ByteBuffer.allocateDirect(8 * n).order(ByteOrder.BIG_ENDIAN);
                    MPI.COMM_WORLD.Recv(longs, 0, n, MPI.LONG, 0, 4);
                    for (int i = 0; i < n; i++) {
                        assertEquals(-i * 1_000_000_007L, longs.getLong(8 * i));
                    }
                }
            }
            MPI.Finalize();
        }
    }

    @Test
    void shouldKeepElementValuesBetweenArraysAndByteBuffersOfEitherOrder() {
        MpiRun.ok(2, TypedMixed.class);
    }

    /**
     * Non-blocking, unexpected (sent before the receive is posted), buffered, synchronous and Sendrecv_replace
     * transfers with ByteBuffers, and a message that is probed first.
     */
    public static class Modes {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int big = 400_000;
            if (me == 0) {
                ByteBuffer small = MPI.newByteBuffer(64);
                small.putInt(0, 1234);
                ByteBuffer large = MPI.newByteBuffer(big);
                for (int i = 0; i < big; i++) {
                    large.put(i, pattern(1, i));
                }
                MPI.COMM_WORLD.Isend(small, 0, 4, MPI.BYTE, 1, 10).Wait();
                small.putInt(0, -1); // the send completed, so its data went before: the receiver still gets 1234
                Request pending = MPI.COMM_WORLD.Isend(large, 0, big, MPI.BYTE, 1, 11);
                ByteBuffer copy = ByteBuffer.allocate(big);
                copy.put(0, large, 0, big);
                MPI.Buffer_attach(ByteBuffer.allocate(big + 4 * MPI.BSEND_OVERHEAD));
                MPI.COMM_WORLD.Bsend(copy, 0, big, MPI.BYTE, 1, 12);
                for (int i = 0; i < big; i++) {
                    copy.put(i, (byte) 9); // buffered: the attached copy is what goes
                }
                MPI.COMM_WORLD.Barrier(); // the sends above are unexpected when their receives are posted
                pending.Wait();
                MPI.COMM_WORLD.Ssend(copy, 0, 1000, MPI.BYTE, 1, 13);
                ByteBuffer swap = MPI.newByteBuffer(8 * 100);
                for (int i = 0; i < 100; i++) {
                    swap.putDouble(8 * i, i);
                }
                MPI.COMM_WORLD.Sendrecv_replace(swap, 0, 100, MPI.DOUBLE, 1, 14, 1, 14);
                for (int i = 0; i < 100; i++) {
                    assertEquals(-i, swap.getDouble(8 * i));
                }
                MPI.Buffer_detach();
            } else if (me == 1) {
                MPI.COMM_WORLD.Barrier();
                ByteBuffer got = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
                Status p = MPI.COMM_WORLD.Probe(0, 10);
                assertEquals(4, p.Get_count(MPI.BYTE));
                MPI.COMM_WORLD.Recv(got, 0, 4, MPI.BYTE, 0, 10);
                assertEquals(1234, got.getInt(0));
                ByteBuffer large = MPI.newByteBuffer(big);
                Request r = MPI.COMM_WORLD.Irecv(large, 0, big, MPI.BYTE, 0, 11);
                r.Wait();
                checkPattern(large, big);
                ByteBuffer buffered = ByteBuffer.allocate(big);
                MPI.COMM_WORLD.Recv(buffered, 0, big, MPI.BYTE, 0, 12);
                checkPattern(buffered, big);
                ByteBuffer sync = MPI.newByteBuffer(1000);
                MPI.COMM_WORLD.Recv(sync, 0, 1000, MPI.BYTE, 0, 13);
                for (int i = 0; i < 1000; i++) {
                    assertEquals((byte) 9, sync.get(i));
                }
                ByteBuffer swap = ByteBuffer.allocate(8 * 100);
                for (int i = 0; i < 100; i++) {
                    swap.putDouble(8 * i, -i);
                }
                MPI.COMM_WORLD.Sendrecv_replace(swap, 0, 100, MPI.DOUBLE, 0, 14, 0, 14);
                for (int i = 0; i < 100; i++) {
                    assertEquals(i, swap.getDouble(8 * i));
                }
            }
            if (me > 1) {
                MPI.COMM_WORLD.Barrier();
            }
            MPI.Finalize();
        }

        static void checkPattern(ByteBuffer b, int n) {
            for (int i = 0; i < n; i++) {
                if (b.get(i) != pattern(1, i)) {
                    throw new AssertionError("byte " + i + " is " + b.get(i) + ", expected " + pattern(1, i));
                }
            }
        }
    }

    @Test
    void shouldSupportEveryModeWithByteBuffers() {
        MpiRun.ok(2, Modes.class);
    }

    /** Collectives take ByteBuffers too: Bcast, Allreduce, Gather, with arrays and ByteBuffers mixed. */
    public static class Collectives {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int n = MPI.COMM_WORLD.Size();
            int count = 50_000;
            ByteBuffer data = MPI.newByteBuffer(8 * count);
            if (me == 0) {
                for (int i = 0; i < count; i++) {
                    data.putDouble(8 * i, i + 0.25);
                }
            }
            MPI.COMM_WORLD.Bcast(data, 0, count, MPI.DOUBLE, 0);
            for (int i = 0; i < count; i += 997) {
                assertEquals(i + 0.25, data.getDouble(8 * i));
            }
            ByteBuffer sum = ByteBuffer.allocate(8 * count).order(ByteOrder.BIG_ENDIAN);
            MPI.COMM_WORLD.Allreduce(data, 0, sum, 0, count, MPI.DOUBLE, MPI.SUM);
            for (int i = 0; i < count; i += 997) {
                assertEquals(n * (i + 0.25), sum.getDouble(8 * i));
            }
            ByteBuffer mine = MPI.newByteBuffer(4 * 2);
            mine.putInt(0, me).putInt(4, me * me);
            int[] all = new int[2 * n];
            MPI.COMM_WORLD.Gather(mine, 0, 2, MPI.INT, all, 0, 2, MPI.INT, 0);
            if (me == 0) {
                int[] expected = new int[2 * n];
                for (int r = 0; r < n; r++) {
                    expected[2 * r] = r;
                    expected[2 * r + 1] = r * r;
                }
                assertArrayEquals(expected, all);
            }
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4})
    void shouldRunCollectivesOnByteBuffers(int np) {
        MpiRun.ok(np, Collectives.class);
    }

    /** Misuse with ByteBuffers fails at once, naming the call and the problem. */
    public static class Misuse {
        public static void main(String[] args) {
            MPI.Init(args);
            ByteBuffer b = MPI.newByteBuffer(16);
            b.limit(12);
            fails(() -> MPI.COMM_WORLD.Send(b, 0, 4, MPI.INT, 0, 0), "Send: buffer too short",
                    "need bytes 0..15", "direct ByteBuffer[limit 12");
            fails(() -> MPI.COMM_WORLD.Irecv(b, 2, 2, MPI.INT, 0, 0), "Irecv: buffer too short", "need bytes 8..15");
            fails(() -> MPI.COMM_WORLD.Send(b, 0, 1, MPI.OBJECT, 0, 0), "Send: datatype OBJECT needs an Object[] buffer");
            Datatype strided = Datatype.Vector(2, 1, 2, MPI.INT);
            strided.Commit();
            fails(() -> MPI.COMM_WORLD.Send(b, 0, 1, strided, 0, 0), "Send: a ByteBuffer holds contiguous elements only");
            ByteBuffer ro = b.asReadOnlyBuffer();
            fails(() -> MPI.COMM_WORLD.Recv(ro, 0, 1, MPI.INT, 0, 0), "Recv: the receive buffer is a read-only ByteBuffer");
            fails(() -> MPI.COMM_WORLD.Bcast(ro, 0, 1, MPI.INT, 0), "the receive buffer is a read-only ByteBuffer");
            fails(() -> MPI.newByteBuffer(-1), "newByteBuffer: capacity must not be negative, was -1");
            // sending from a read-only buffer is fine
            int me = MPI.COMM_WORLD.Rank();
            ByteBuffer ok = MPI.newByteBuffer(4);
            ok.putInt(0, 77 + me);
            ByteBuffer got = MPI.newByteBuffer(4);
            MPI.COMM_WORLD.Sendrecv(ok.asReadOnlyBuffer().order(ok.order()), 0, 1, MPI.INT, me, 5, got, 0, 1, MPI.INT, me, 5);
            assertEquals(77 + me, got.getInt(0));
            MPI.COMM_WORLD.Barrier();
            assertEquals(null, MPI.COMM_WORLD.Iprobe(MPI.ANY_SOURCE, MPI.ANY_TAG));
            MPI.Finalize();
        }
    }

    @Test
    void shouldRejectByteBufferMisuseWithClearErrors() {
        MpiRun.ok(2, Misuse.class);
    }
}
