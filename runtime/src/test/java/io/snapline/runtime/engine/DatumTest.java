package io.snapline.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.device.shm.ShmDevice;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A policy's datum ({@link Endpoint#sendDatum}) on shm: the receiver's hook gets it in channel order with the
 * messages around it, whether they take the ring of small messages or the locked path (a datum takes the locked path,
 * from any thread); without a hook it is dropped; it never becomes a message a receive could match.
 */
@Timeout(30)
class DatumTest {
    private static final TypeMap INTS = TypeMap.basic(BaseType.INT);

    private final ShmDevice device = new ShmDevice(2);
    private final JobState job = new JobState(2);
    private final Mailbox[] boxes = {new Mailbox(), new Mailbox()};
    private final Endpoint[] ranks = new Endpoint[2];

    DatumTest() {
        for (int r = 0; r < 2; r++) {
            device.register(r, boxes[r]);
            ranks[r] = new Endpoint(r, device, boxes[r], job);
        }
    }

    private void send(int tag, int ints) {
        ranks[0].isend(SendMode.STANDARD, new int[ints], 0, ints, INTS, 1, tag, 0, 1);
    }

    @Test
    void shouldHandDatumsToTheHookInChannelOrderOnTheRingAndTheLockedPath() {
        RecordingHook hook = new RecordingHook(0);
        ranks[1].setHook(hook);
        send(0, 1); // the first small message takes the locked path; the ring opens with the second
        ranks[0].sendDatum(1, new byte[] {1});
        send(1, 1);
        ranks[0].sendDatum(1, new byte[] {2, 0, 0});
        send(2, 64 * 1024); // a rendezvous: the locked path, which takes what the ring holds first
        ranks[0].sendDatum(1, new byte[Endpoint.EAGER_LIMIT]);
        send(3, 1);
        for (int tag = 0; tag < 4; tag++) {
            int[] buf = new int[64 * 1024];
            ranks[1].await(ranks[1].irecv(buf, 0, buf.length, INTS, 0, tag, 0, null));
        }
        assertEquals(List.of("m0", "d1:1 from 0", "m1", "d2:3 from 0", "m2", "d0:" + Endpoint.EAGER_LIMIT + " from 0",
                "m3"), hook.seen);
        assertEquals(0, (int) CommSnapshot.<Integer>withUnreceived(ranks[1], u -> u.length), "no datum is left in the mailbox");
    }

    @Test
    void shouldTakeDatumsFromAnotherThreadWhileTheRankWritesItsRing() throws Exception {
        RecordingHook hook = new RecordingHook(0);
        ranks[1].setHook(hook);
        int n = 5_000;
        Thread aside = new Thread(() -> {
            for (int k = 0; k < n; k++) {
                ranks[0].sendDatum(1, new byte[] {(byte) k, (byte) (k >> 8), 7});
            }
        });
        aside.start();
        int[] one = new int[1];
        for (int k = 0; k < n; k++) {
            one[0] = k;
            ranks[0].isend(SendMode.STANDARD, one, 0, 1, INTS, 1, k % 100, 0, 1);
            int[] got = new int[1];
            ranks[1].await(ranks[1].irecv(got, 0, 1, INTS, 0, k % 100, 0, null));
            assertEquals(k, got[0]);
        }
        aside.join();
        ranks[0].sendDatum(1, new byte[] {-1}); // the locked path takes whatever the ring still holds first
        List<String> datums = hook.seen.stream().filter(x -> x.startsWith("d")).toList();
        assertEquals(n + 1, datums.size());
        for (int k = 0; k < n; k++) {
            assertEquals("d" + (byte) k + ":3 from 0", datums.get(k), "datum " + k);
        }
    }

    @Test
    void shouldDropDatumsWhenNoHookIsInstalledAndRefuseOversizedOnes() {
        ranks[0].sendDatum(1, new byte[] {1});
        send(7, 1);
        int[] buf = new int[1];
        ranks[1].await(ranks[1].irecv(buf, 0, 1, INTS, 0, Ranks.ANY_TAG, 0, null));
        assertEquals(0, (int) CommSnapshot.<Integer>withUnreceived(ranks[1], u -> u.length));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ranks[0].sendDatum(1, new byte[Endpoint.EAGER_LIMIT + 1]));
        assertTrue(e.getMessage().contains("at most " + Endpoint.EAGER_LIMIT), e.getMessage());
    }
}
