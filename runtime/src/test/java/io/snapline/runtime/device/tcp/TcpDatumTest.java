package io.snapline.runtime.device.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.Endpoint;
import io.snapline.runtime.engine.RecordingHook;
import io.snapline.runtime.engine.SendMode;
import io.snapline.runtime.engine.TypeMap;
import java.util.List;
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

    @Test
    void shouldDeliverDatumsInChannelOrderEvenBeyondTheEagerWindow() throws Exception {
        try (TcpCluster c = TcpCluster.start(2, WINDOW)) {
            RecordingHook hook = new RecordingHook(12);
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
                assertTrue(hook.awaitArrivals(30), "accepted only " + hook.seen);
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
