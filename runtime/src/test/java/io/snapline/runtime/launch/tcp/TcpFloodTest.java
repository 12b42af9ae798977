package io.snapline.runtime.launch.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.engine.Endpoint;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import mpi.MPI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A flood at the process level: one rank sends far more eager-sized messages than a small rank heap could hold to a
 * rank that sleeps before receiving. Flow control must keep the sender (and the receiver's unexpected queue) bounded,
 * and every byte must arrive, in order.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TcpFloodTest {
    /** Total payload: four times the rank heap. */
    static final long TOTAL_BYTES = 512L << 20;
    static final int MESSAGE_BYTES = Endpoint.EAGER_LIMIT;
    static final int MESSAGES = (int) (TOTAL_BYTES / MESSAGE_BYTES);

    /** Fills {@code b} with message {@code i}'s bytes: its sequence number, then a pattern that depends on it. */
    static void fill(byte[] b, int i) {
        long x = 0x9E3779B97F4A7C15L * (i + 1);
        for (int k = 0; k < b.length; k += 8) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            for (int j = 0; j < 8; j++) {
                b[k + j] = (byte) (x >>> (8 * j));
            }
        }
        for (int j = 0; j < 4; j++) {
            b[j] = (byte) (i >>> (8 * j));
        }
    }

    static int sequenceOf(byte[] b) {
        return (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
    }

    /** Rank 0 floods rank 1, then sends the CRC of everything it sent; rank 1 sleeps, then receives and checks. */
    public static class Flood {
        public static void main(String[] args) throws InterruptedException {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            byte[] b = new byte[MESSAGE_BYTES];
            CRC32 crc = new CRC32();
            if (me == 0) {
                for (int i = 0; i < MESSAGES; i++) {
                    fill(b, i);
                    crc.update(b);
                    MPI.COMM_WORLD.Send(b, 0, b.length, MPI.BYTE, 1, 5);
                }
                MPI.COMM_WORLD.Send(new long[] {crc.getValue()}, 0, 1, MPI.LONG, 1, 6);
                System.out.println("rank 0 sent " + MESSAGES + " messages, crc " + Long.toHexString(crc.getValue()));
            } else {
                Thread.sleep(2_000);
                byte[] expected = new byte[MESSAGE_BYTES];
                for (int i = 0; i < MESSAGES; i++) {
                    MPI.COMM_WORLD.Recv(b, 0, b.length, MPI.BYTE, 0, 5);
                    if (sequenceOf(b) != i) {
                        throw new IllegalStateException("message " + i + " arrived as number " + sequenceOf(b));
                    }
                    crc.update(b);
                    if (i % 1024 == 0) {
                        fill(expected, i);
                        if (!java.util.Arrays.equals(b, expected)) {
                            throw new IllegalStateException("message " + i + " has the wrong contents");
                        }
                    }
                }
                long[] sent = new long[1];
                MPI.COMM_WORLD.Recv(sent, 0, 1, MPI.LONG, 0, 6);
                System.out.println("rank 1 received " + MESSAGES + " messages in order, crc "
                        + Long.toHexString(crc.getValue()) + (sent[0] == crc.getValue() ? " matches" : " DIFFERS")
                        + ", heap limit " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB");
            }
            MPI.Finalize();
        }
    }

    /**
     * Objects beyond the window wait at their sender as other messages do: without that, their encoded copies pile up
     * in the sending rank's heap (four heaps of 1 KiB objects here).
     */
    @Test
    void shouldHoldObjectSendsBeyondTheWindowAtTheSenderWhenTheReceiverReceivesLate() {
        TcpRun.Result r = TcpRun.run(2, List.of("--jvm-opts", "-Xmx128m"), io.snapline.runtime.testing.Flood.class,
                "objects", "late");
        assertFalse(r.err().contains("OutOfMemoryError"), r.err());
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.outLines().stream().sorted().toList();
        assertEquals(2, lines.size(), r.out());
        String n = lines.get(0).split(" ")[3];
        assertEquals("rank 0 sent " + n + " messages", lines.get(0));
        assertEquals("rank 1 received " + n + " messages in order, crc matches, held within the window", lines.get(1));
    }

    @Test
    void shouldDeliverEveryByteInOrderWithoutRunningOutOfMemoryWhenReceiverIsSlow() {
        TcpRun.Result r = TcpRun.run(2, List.of("--jvm-opts", "-Xmx128m"), Flood.class);
        System.out.println("flood of " + (TOTAL_BYTES >> 20) + " MiB took " + r.millis() + " ms");
        assertFalse(r.err().contains("OutOfMemoryError"), r.err());
        assertEquals(0, r.status(), r.err());
        List<String> lines = r.outLines().stream().sorted().toList();
        assertEquals(2, lines.size(), r.out());
        String crc = lines.get(0).substring(lines.get(0).lastIndexOf(' ') + 1);
        assertEquals("rank 0 sent " + MESSAGES + " messages, crc " + crc, lines.get(0));
        assertTrue(lines.get(1).matches("rank 1 received " + MESSAGES + " messages in order, crc " + crc
                + " matches, heap limit 1[0-2]\\d MiB"), lines.get(1));
    }
}
