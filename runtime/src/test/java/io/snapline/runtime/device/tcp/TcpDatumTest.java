package io.snapline.runtime.device.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.ChannelHook;
import io.snapline.runtime.engine.Endpoint;
import io.snapline.runtime.engine.Message;
import io.snapline.runtime.engine.SendMode;
import io.snapline.runtime.engine.TypeMap;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A policy's datum ({@link Endpoint#sendDatum}) over tcp: it reaches the receiver's hook as it arrives, in channel
 * order with the messages around it, also when the receiver's eager window is used up (it is sent eagerly all the
 * same: the receiver consumes it at once, and the credit it took comes back).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TcpDatumTest {
    private static final TypeMap BYTES = TypeMap.basic(BaseType.BYTE);
    private static final long WINDOW = 64 * 1024;

    /** Records, in order, the tag of each message accepted and the first byte of each datum. */
    private static final class Recorder implements ChannelHook {
        final List<String> seen = java.util.Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch all;

        Recorder(int expected) {
            all = new CountDownLatch(expected);
        }

        @Override
        public boolean beforeSend(Message m) {
            return true;
        }

        @Override
        public int onAccept(Message m) {
            seen.add("m" + m.tag());
            all.countDown();
            return KEEP;
        }

        @Override
        public void log(Message m, byte[] payload) {
        }

        @Override
        public void onDatum(int source, byte[] datum) {
            seen.add("d" + datum[0] + ":" + datum.length + " from " + source);
            all.countDown();
        }
    }

    @Test
    void shouldDeliverDatumsInChannelOrderEvenBeyondTheEagerWindow() throws Exception {
        try (TcpCluster c = TcpCluster.start(2, WINDOW)) {
            Recorder hook = new Recorder(12);
            c.endpoints[1].setHook(hook);
            byte[] datum = new byte[Endpoint.EAGER_LIMIT];
            c.run(world -> {
                Endpoint ep = world.endpoint();
                byte[] block = new byte[Endpoint.EAGER_LIMIT];
                for (int k = 0; k < 8; k++) { // twice the window: the later ones wait at the sender as announcements
                    world.isend(SendMode.STANDARD, block, 0, block.length, BYTES, 1, k);
                }
                datum[0] = 1;
                ep.sendDatum(1, datum.clone());
                world.isend(SendMode.STANDARD, new byte[8], 0, 8, BYTES, 1, 8);
                ep.sendDatum(1, new byte[] {2});
                world.isend(SendMode.STANDARD, new byte[8], 0, 8, BYTES, 1, 9);
            }, world -> {
                // Nothing is received until every message and datum has been accepted.
                assertTrue(hook.all.await(30, TimeUnit.SECONDS), "accepted only " + hook.seen);
                byte[] got = new byte[Endpoint.EAGER_LIMIT];
                for (int k = 0; k < 10; k++) {
                    world.endpoint().await(world.irecv(got, 0, got.length, BYTES, 0, k));
                }
            });
            assertEquals(List.of("m0", "m1", "m2", "m3", "m4", "m5", "m6", "m7", "d1:16384 from 0", "m8",
                    "d2:1 from 0", "m9"), hook.seen);
            assertTrue(c.failures[1].isEmpty(), c.failures[1].toString());
            assertTrue(c.devices[1].unconsumedEagerBytes(0) == 0, "the datums' credit came back");
        }
    }
}
