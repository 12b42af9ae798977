package io.snapline.runtime.device.tcp;

import static org.junit.jupiter.api.Assertions.*;

import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.Communicator;
import io.snapline.runtime.engine.PeerFailedException;
import io.snapline.runtime.engine.Request;
import io.snapline.runtime.engine.SendMode;
import io.snapline.runtime.engine.TypeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Waits for small messages over tcp: the waiting thread reads its peer's connection itself (see {@code Device.drive}),
 * polling it before it sleeps, and hands it back to the progress thread when it is done.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TcpSmallWaitTest {
    private static final TypeMap INT = TypeMap.basic(BaseType.INT);
    private static final int ROUND_TRIPS = 2_000;

    @Test
    void shouldReadSmallRepliesOnTheWaitingThreadInOrder() throws Exception {
        try (TcpCluster c = TcpCluster.start(2)) {
            c.run(world -> {
                int[] got = new int[2];
                for (int i = 0; i < ROUND_TRIPS; i++) {
                    world.endpoint().await(world.isend(SendMode.STANDARD, new int[] {i, -i}, 0, 2, INT, 1, 4));
                    world.endpoint().await(world.irecv(got, 0, 2, INT, 1, 5));
                    assertArrayEquals(new int[] {i + 1, -i - 1}, got, "reply " + i);
                }
            }, world -> {
                int[] got = new int[2];
                for (int i = 0; i < ROUND_TRIPS; i++) {
                    world.endpoint().await(world.irecv(got, 0, 2, INT, 0, 4));
                    assertArrayEquals(new int[] {i, -i}, got, "message " + i);
                    world.endpoint().await(world.isend(SendMode.STANDARD, new int[] {i + 1, -i - 1}, 0, 2, INT, 0, 5));
                }
            });
            for (int rank = 0; rank < 2; rank++) {
                long read = c.devices[rank].bytesRead();
                long driven = c.devices[rank].bytesReadByWaiters();
                // The progress thread reads what arrives while no wait holds the connection (a preempted rank thread
                // may leave it long enough for the hand-back), so not every byte, but most.
                assertTrue(driven * 2 > read, "rank " + rank + "'s waiting thread read " + driven + " of " + read + " bytes");
            }
        }
    }

    @Test
    void shouldProgressMessagesAgainWithoutMpiCallsAfterASmallWait() throws Exception {
        try (TcpCluster c = TcpCluster.start(2)) {
            Communicator w0 = c.world(0);
            Communicator w1 = c.world(1);
            Request r = w1.irecv(new int[1], 0, 1, INT, 0, 1);
            w0.endpoint().await(w0.isend(SendMode.STANDARD, new int[] {7}, 0, 1, INT, 1, 1));
            w1.endpoint().await(r); // reads the connection from rank 0 on this thread
            long before = c.devices[1].bytesRead();
            for (int m = 0; m < 100; m++) {
                w0.endpoint().await(w0.isend(SendMode.STANDARD, new int[] {m}, 0, 1, INT, 1, 2));
            }
            // rank 1 makes no call: only its progress thread, once it has the connection back, can read these
            TcpCluster.awaitTrue(() -> c.mailboxes[1].unexpectedCount() == 100, "100 small messages to arrive at rank 1");
            assertTrue(c.devices[1].bytesRead() > before);
            int[] got = new int[1];
            for (int m = 0; m < 100; m++) {
                w1.endpoint().await(w1.irecv(got, 0, 1, INT, 0, 2));
                assertEquals(m, got[0]);
            }
        }
    }

    @Test
    void shouldCompleteTwoThreadsWaitingForSmallMessagesFromOnePeer() throws Exception {
        try (TcpCluster c = TcpCluster.start(2)) {
            Communicator w0 = c.world(0);
            Communicator w1 = c.world(1);
            int[] first = new int[1];
            int[] second = new int[1];
            Request a = w1.irecv(first, 0, 1, INT, 0, 10);
            Request b = w1.irecv(second, 0, 1, INT, 0, 11);
            CountDownLatch waiting = new CountDownLatch(2);
            Throwable[] errors = new Throwable[2];
            Thread[] waiters = {waiter(w1, a, waiting, errors, 0), waiter(w1, b, waiting, errors, 1)};
            waiting.await();
            Thread.sleep(50); // both threads wait by now: one reads the connection, the other waits as usual
            w0.endpoint().await(w0.isend(SendMode.STANDARD, new int[] {11}, 0, 1, INT, 1, 11));
            Thread.sleep(20);
            w0.endpoint().await(w0.isend(SendMode.STANDARD, new int[] {10}, 0, 1, INT, 1, 10));
            for (Thread t : waiters) {
                t.join(TimeUnit.SECONDS.toMillis(30));
                assertFalse(t.isAlive(), "a waiting thread is still waiting");
            }
            assertNull(errors[0]);
            assertNull(errors[1]);
            assertEquals(10, first[0]);
            assertEquals(11, second[0]);
        }
    }

    @Test
    void shouldFailASmallWaitWhenThePeerDies() throws Exception {
        try (TcpCluster c = TcpCluster.start(2)) {
            Communicator w1 = c.world(1);
            Request r = w1.irecv(new int[1], 0, 1, INT, 0, 1);
            Thread killer = c.terminateLater(0, 300);
            PeerFailedException e = assertThrows(PeerFailedException.class, () -> w1.endpoint().await(r));
            killer.join();
            assertEquals(0, e.rank());
            assertTrue(e.getMessage().startsWith("rank 0 has failed"), e.getMessage());
        }
    }

    private static Thread waiter(Communicator world, Request r, CountDownLatch waiting, Throwable[] errors, int i) {
        Thread t = new Thread(() -> {
            waiting.countDown();
            try {
                world.endpoint().await(r);
            } catch (Throwable e) {
                errors[i] = e;
            }
        });
        t.start();
        return t;
    }
}
