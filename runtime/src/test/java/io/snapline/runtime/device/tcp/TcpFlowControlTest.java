package io.snapline.runtime.device.tcp;

import static org.junit.jupiter.api.Assertions.*;

import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.Endpoint;
import io.snapline.runtime.engine.Request;
import io.snapline.runtime.engine.SendMode;
import io.snapline.runtime.engine.TypeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 180, unit = TimeUnit.SECONDS)
class TcpFlowControlTest {
    private static final TypeMap INT = TypeMap.basic(BaseType.INT);
    private static final long WINDOW = 256 * 1024;
    private static final int INTS = Endpoint.EAGER_LIMIT / 4; // every message is eager-sized
    private static final long TOTAL_BYTES = 256L << 20;
    private static final int MESSAGES = (int) (TOTAL_BYTES / Endpoint.EAGER_LIMIT);

    @Test
    void shouldShareAnEighthOfTheHeapAmongSendersWithinTheWindowBounds() {
        long mib = 1L << 20;
        assertEquals(16 * mib, TcpConfig.windowFor(2, 1024 * mib), "capped at 16 MiB");
        assertEquals(16 * mib, TcpConfig.windowFor(2, 128 * mib), "128 MiB / 8 for the one sender");
        assertEquals(8 * mib, TcpConfig.windowFor(9, 512 * mib), "512 MiB / 8 over 8 senders");
        assertEquals(2 * mib, TcpConfig.windowFor(5, 64 * mib), "64 MiB / 8 over 4 senders");
        assertEquals(mib, TcpConfig.windowFor(65, 256 * mib), "at least 1 MiB");
        assertEquals(16 * mib, TcpConfig.windowFor(1, 512 * mib), "a single rank has no senders");
    }

    @Test
    void shouldBoundUnexpectedBytesAndKeepOrderWhenSenderFloodsSleepingReceiver() throws Exception {
        try (TcpCluster c = TcpCluster.start(2, WINDOW)) {
            TcpDevice receiverDevice = c.devices[1];
            c.run(world -> {
                int[] data = new int[INTS];
                for (int m = 0; m < MESSAGES; m++) {
                    data[0] = m;
                    data[INTS - 1] = ~m;
                    world.endpoint().await(world.isend(SendMode.STANDARD, data, 0, INTS, INT, 1, m % 3));
                }
            }, world -> {
                Thread.sleep(1_000);
                long held = receiverDevice.unconsumedEagerBytes(0);
                assertTrue(held > 0, "the sender sent nothing eagerly while the receiver slept");
                assertTrue(held <= WINDOW, "receiver holds " + held + " unexpected eager bytes, window " + WINDOW);
                int[] got = new int[INTS];
                for (int m = 0; m < MESSAGES; m++) {
                    Request r = world.irecv(got, 0, INTS, INT, 0, m % 3);
                    world.endpoint().await(r);
                    assertEquals(m, got[0], "message out of order");
                    assertEquals(~m, got[INTS - 1], "message " + m + " corrupted");
                }
            });
            long peak = receiverDevice.peakUnconsumedEagerBytes(0);
            assertTrue(peak > 0 && peak <= WINDOW, "peak unexpected eager bytes " + peak + ", window " + WINDOW);
        }
    }

    @Test
    void shouldSendEverythingByRendezvousWhenWindowIsZero() throws Exception {
        try (TcpCluster c = TcpCluster.start(2, 0)) {
            java.util.concurrent.CountDownLatch checked = new java.util.concurrent.CountDownLatch(1);
            c.run(world -> {
                Request[] sends = new Request[50];
                for (int m = 0; m < 50; m++) {
                    sends[m] = world.isend(SendMode.STANDARD, new int[] {m}, 0, 1, INT, 1, 0);
                }
                Thread.sleep(300);
                for (Request s : sends) {
                    assertFalse(s.isComplete(), "a rendezvous send completed before its receive was posted");
                }
                checked.countDown();
                for (Request s : sends) {
                    world.endpoint().await(s);
                }
            }, world -> {
                checked.await();
                assertEquals(50, c.mailboxes[1].unexpectedCount(), "every message should be announced");
                assertEquals(0, c.devices[1].peakUnconsumedEagerBytes(0));
                int[] got = new int[1];
                for (int m = 0; m < 50; m++) {
                    world.endpoint().await(world.irecv(got, 0, 1, INT, 0, 0));
                    assertEquals(m, got[0]);
                }
            });
        }
    }
}
