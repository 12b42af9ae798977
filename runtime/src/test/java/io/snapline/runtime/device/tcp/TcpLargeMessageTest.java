package io.snapline.runtime.device.tcp;

import static org.junit.jupiter.api.Assertions.*;

import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.Communicator;
import io.snapline.runtime.engine.EngineException;
import io.snapline.runtime.engine.PeerFailedException;
import io.snapline.runtime.engine.Request;
import io.snapline.runtime.engine.SendMode;
import io.snapline.runtime.engine.TypeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Large messages over tcp: pushed messages (DATA right behind the RTS, within the receiver's window) and waits that
 * move their own message's traffic (see {@code Device.drive}).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TcpLargeMessageTest {
    private static final TypeMap INT = TypeMap.basic(BaseType.INT);
    private static final TypeMap OBJECT = TypeMap.basic(BaseType.OBJECT);
    /** 1 MiB of ints: above the eager limit, within the default window, so pushed onto an idle connection. */
    private static final int MIB_INTS = 1 << 18;

    private static int[] pattern(int n, int seed) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = seed * 7_919 + i * 13;
        }
        return a;
    }

    @Test
    void shouldCompletePushedSendBeforeAnyReceiveAndDeliverItWhole() throws Exception {
        try (TcpCluster c = TcpCluster.start(2)) {
            Communicator w0 = c.world(0);
            Communicator w1 = c.world(1);
            Request send = w0.isend(SendMode.STANDARD, pattern(MIB_INTS, 1), 0, MIB_INTS, INT, 1, 4);
            w0.endpoint().await(send); // standard mode: pushed data leaves without a matching receive
            long bytes = 4L * MIB_INTS;
            TcpCluster.awaitTrue(() -> c.devices[1].unconsumedEagerBytes(0) >= bytes, "the pushed data to arrive unexpected");
            assertTrue(c.devices[1].unconsumedEagerBytes(0) <= TcpConfig.DEFAULT_EAGER_WINDOW);

            int[] got = new int[MIB_INTS];
            Request r = w1.irecv(got, 0, MIB_INTS, INT, 0, 4);
            w1.endpoint().await(r);
            assertEquals(MIB_INTS, r.statusElements());
            assertArrayEquals(pattern(MIB_INTS, 1), got);
            TcpCluster.awaitTrue(() -> c.devices[1].unconsumedEagerBytes(0) == 0, "the pushed message's credit to be released");
        }
    }

    /**
     * Large messages from direct ByteBuffers at an element offset, pushed (within the window) and announced (beyond
     * it), to a receiver that sleeps first, so the socket fills and the gathering writes resume part-way: every byte
     * arrives, into a direct buffer and into an array, and the payload went to the socket without a copy. The same
     * data from an array is copied, as before.
     */
    @Test
    void shouldWriteLargeMessagesFromDirectBuffersWithoutCopyingThem() throws Exception {
        int ints = 3 * MIB_INTS + 3; // three megabytes and twelve bytes: a short last frame
        int offset = 5;
        int[] values = pattern(ints, 7);
        java.nio.ByteBuffer src = java.nio.ByteBuffer.allocateDirect(4 * (offset + ints))
                .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        src.asIntBuffer().position(offset).put(values);
        long bytes = 4L * ints;
        for (long window : new long[] {TcpConfig.DEFAULT_EAGER_WINDOW, 1L << 20}) {
            try (TcpCluster c = TcpCluster.start(2, window)) {
                c.run(world -> {
                    world.endpoint().await(world.isend(SendMode.STANDARD, src, offset, ints, INT, 1, 1));
                    world.endpoint().await(world.isend(SendMode.STANDARD, src, offset, ints, INT, 1, 2));
                    world.endpoint().await(world.isend(SendMode.STANDARD, values, 0, ints, INT, 1, 3));
                }, world -> {
                    Thread.sleep(300);
                    java.nio.ByteBuffer got = java.nio.ByteBuffer.allocateDirect(4 * ints)
                            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    world.endpoint().await(world.irecv(got, 0, ints, INT, 0, 1));
                    int[] back = new int[ints];
                    got.asIntBuffer().get(back);
                    assertArrayEquals(values, back, "into a direct buffer, window " + window);
                    int[] arr = new int[ints];
                    world.endpoint().await(world.irecv(arr, 0, ints, INT, 0, 2));
                    assertArrayEquals(values, arr, "into an array, window " + window);
                    world.endpoint().await(world.irecv(arr, 0, ints, INT, 0, 3));
                    assertArrayEquals(values, arr, "from an array, window " + window);
                });
                assertEquals(2 * bytes, c.devices[0].bytesSentWithoutCopy(), "window " + window);
            }
        }
    }

    @Test
    void shouldReceivePushedMessageAfterALaterSmallOneWithAnotherTag() throws Exception {
        try (TcpCluster c = TcpCluster.start(2)) {
            c.run(world -> {
                Request big = world.isend(SendMode.STANDARD, pattern(MIB_INTS, 2), 0, MIB_INTS, INT, 1, 1);
                world.endpoint().await(world.isend(SendMode.STANDARD, new int[] {99}, 0, 1, INT, 1, 2));
                world.endpoint().await(big);
            }, world -> {
                Thread.sleep(200); // both arrive unexpected: the small one behind the pushed megabyte
                int[] small = new int[1];
                world.endpoint().await(world.irecv(small, 0, 1, INT, 0, 2));
                assertEquals(99, small[0]);
                int[] got = new int[MIB_INTS];
                world.endpoint().await(world.irecv(got, 0, MIB_INTS, INT, 0, 1));
                assertArrayEquals(pattern(MIB_INTS, 2), got);
            });
        }
    }

    @Test
    void shouldKeepPushedDataWithinTheWindowAndInOrderWhenTheReceiverSleeps() throws Exception {
        long window = 3L << 20;
        int messages = 12;
        try (TcpCluster c = TcpCluster.start(2, window)) {
            c.run(world -> {
                Request[] sends = new Request[messages];
                for (int m = 0; m < messages; m++) {
                    sends[m] = world.isend(SendMode.STANDARD, pattern(MIB_INTS, 10 + m), 0, MIB_INTS, INT, 1, 6);
                }
                for (Request s : sends) {
                    world.endpoint().await(s);
                }
            }, world -> {
                Thread.sleep(500);
                long held = c.devices[1].unconsumedEagerBytes(0);
                assertTrue(held > 0, "nothing was pushed while the receiver slept");
                assertTrue(held <= window, "the receiver holds " + held + " unexpected bytes, window " + window);
                int[] got = new int[MIB_INTS];
                for (int m = 0; m < messages; m++) {
                    world.endpoint().await(world.irecv(got, 0, MIB_INTS, INT, 0, 6));
                    assertArrayEquals(pattern(MIB_INTS, 10 + m), got, "message " + m);
                }
            });
            long peak = c.devices[1].peakUnconsumedEagerBytes(0);
            assertTrue(peak > 0 && peak <= window, "peak unexpected bytes " + peak + ", window " + window);
        }
    }

    @Test
    void shouldKeepPushedObjectsThatArriveBeforeTheirReceive() throws Exception {
        try (TcpCluster c = TcpCluster.start(2)) {
            c.run(world -> {
                Object[] large = {pattern(200_000, 8), "tail"};
                world.endpoint().await(world.isend(SendMode.STANDARD, large, 0, 2, OBJECT, 1, 5));
            }, world -> {
                TcpCluster.awaitTrue(() -> c.devices[1].unconsumedEagerBytes(0) > 100_000, "the pushed objects to arrive");
                Object[] got = new Object[2];
                world.endpoint().await(world.irecv(got, 0, 2, OBJECT, 0, 5));
                assertArrayEquals(pattern(200_000, 8), (int[]) got[0]);
                assertEquals("tail", got[1]);
            });
        }
    }

    @Test
    void shouldCompleteTwoThreadsWaitingForLargeMessagesFromOnePeer() throws Exception {
        int ints = (int) (TcpConfig.DEFAULT_EAGER_WINDOW / 2); // announced: both waits need the connection driven
        try (TcpCluster c = TcpCluster.start(2)) {
            Communicator w0 = c.world(0);
            Communicator w1 = c.world(1);
            int[][] got = new int[2][ints];
            Request[] rs = {w1.irecv(got[0], 0, ints, INT, 0, 1), w1.irecv(got[1], 0, ints, INT, 0, 2)};
            Thread[] waiters = new Thread[2];
            Throwable[] failed = new Throwable[2];
            for (int t = 0; t < 2; t++) {
                int k = t;
                waiters[t] = new Thread(() -> {
                    try {
                        w1.endpoint().await(rs[k]); // one drives the connection, the other waits as usual
                    } catch (Throwable e) {
                        failed[k] = e;
                    }
                });
                waiters[t].start();
            }
            Thread.sleep(100);
            Request s2 = w0.isend(SendMode.STANDARD, pattern(ints, 2), 0, ints, INT, 1, 2);
            Request s1 = w0.isend(SendMode.STANDARD, pattern(ints, 1), 0, ints, INT, 1, 1);
            w0.endpoint().await(s2);
            w0.endpoint().await(s1);
            for (int t = 0; t < 2; t++) {
                waiters[t].join(30_000);
                assertFalse(waiters[t].isAlive(), "waiter " + t + " is still waiting");
                assertNull(failed[t], "waiter " + t + " failed: " + failed[t]);
                assertArrayEquals(pattern(ints, t + 1), got[t], "message " + (t + 1));
            }
        }
    }

    @Test
    void shouldDropPushedDataOfATruncatedReceiveAndGoOn() throws Exception {
        try (TcpCluster c = TcpCluster.start(2)) {
            c.run(world -> {
                world.endpoint().await(world.isend(SendMode.STANDARD, pattern(MIB_INTS, 3), 0, MIB_INTS, INT, 1, 1));
                world.endpoint().await(world.isend(SendMode.STANDARD, pattern(MIB_INTS, 4), 0, MIB_INTS, INT, 1, 1));
            }, world -> {
                Request tooSmall = world.irecv(new int[10], 0, 10, INT, 0, 1);
                EngineException e = assertThrows(EngineException.class, () -> world.endpoint().await(tooSmall));
                assertTrue(e.getMessage().contains("trunc"), e.getMessage());
                int[] got = new int[MIB_INTS];
                world.endpoint().await(world.irecv(got, 0, MIB_INTS, INT, 0, 1));
                assertArrayEquals(pattern(MIB_INTS, 4), got, "the message after the truncated one");
            });
            TcpCluster.awaitTrue(() -> c.devices[1].unconsumedEagerBytes(0) == 0, "the dropped message's credit to be released");
        }
    }

    @Test
    void shouldReadALargeMessageOnTheWaitingThread() throws Exception {
        int ints = (int) (TcpConfig.DEFAULT_EAGER_WINDOW / 2); // 8 MiB: announced, DATA after the receiver's CTS
        try (TcpCluster c = TcpCluster.start(2)) {
            CountDownLatch posted = new CountDownLatch(1);
            c.run(world -> {
                posted.await();
                Thread.sleep(100); // the receiver is waiting by now
                world.endpoint().await(world.isend(SendMode.STANDARD, pattern(ints, 5), 0, ints, INT, 1, 3));
            }, world -> {
                int[] got = new int[ints];
                Request r = world.irecv(got, 0, ints, INT, 0, 3);
                posted.countDown();
                world.endpoint().await(r);
                assertArrayEquals(pattern(ints, 5), got);
            });
            long driven = c.devices[1].bytesReadByWaiters();
            assertTrue(driven >= 4L * ints, "the waiting thread read " + driven + " of " + 4L * ints + " bytes");
        }
    }

    @Test
    void shouldProgressMessagesAgainWithoutMpiCallsOnceTheWaitingThreadIsDone() throws Exception {
        int ints = (int) (TcpConfig.DEFAULT_EAGER_WINDOW / 2);
        try (TcpCluster c = TcpCluster.start(2)) {
            Communicator w0 = c.world(0);
            Communicator w1 = c.world(1);
            Request r = w1.irecv(new int[ints], 0, ints, INT, 0, 1);
            Request s = w0.isend(SendMode.STANDARD, new int[ints], 0, ints, INT, 1, 1);
            w1.endpoint().await(r); // drives the connection from rank 0
            w0.endpoint().await(s);
            long before = c.devices[1].bytesRead();
            for (int m = 0; m < 100; m++) {
                w0.endpoint().await(w0.isend(SendMode.STANDARD, new int[] {m}, 0, 1, INT, 1, 2));
            }
            // rank 1 makes no call: only its progress thread, once it has the connection back, can read these
            TcpCluster.awaitTrue(() -> c.mailboxes[1].unexpectedCount() == 100, "100 small messages to arrive at rank 1");
            assertTrue(c.devices[1].bytesRead() > before);
        }
    }

    @Test
    void shouldFailAWaitThatReadsItsOwnMessageWhenThePeerDies() throws Exception {
        int ints = (int) (TcpConfig.DEFAULT_EAGER_WINDOW / 2);
        try (TcpCluster c = TcpCluster.start(2)) {
            Communicator w0 = c.world(0);
            Communicator w1 = c.world(1);
            Request r = w1.irecv(new int[ints], 0, ints, INT, 0, 1);
            Thread killer = c.terminateLater(0, 300);
            PeerFailedException e = assertThrows(PeerFailedException.class, () -> w1.endpoint().await(r));
            killer.join();
            assertEquals(0, e.rank());
            assertTrue(e.getMessage().startsWith("rank 0 has failed"), e.getMessage());
            assertTrue(c.failures[1].get(0).startsWith("0: "), c.failures[1].toString());
        }
    }

}
