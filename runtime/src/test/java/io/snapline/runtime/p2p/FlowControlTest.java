package io.snapline.runtime.p2p;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.engine.EagerWindow;
import io.snapline.runtime.engine.Mailbox;
import io.snapline.runtime.launch.JobResult;
import io.snapline.runtime.launch.RankRegistry;
import io.snapline.runtime.testing.MpiRun;
import java.util.concurrent.TimeUnit;
import mpi.MPI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Messages nobody has received yet, on both devices: a flood beyond the receiver's eager window waits at the sender
 * instead of filling the heap, arrives whole and in order once the receiver receives, and ends promptly with a report
 * when nobody ever does; a moderate backlog (what tcp's smallest window holds) still needs no receive.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FlowControlTest {
    static final int BYTES = 1024;

    /** This rank's mailbox (tests only: programs have no business with it). */
    static Mailbox mailbox() {
        return RankRegistry.lookup(MPI.class.getClassLoader()).endpoint().mailbox();
    }

    /** Messages of {@link #BYTES} that fill the window three times over. */
    static int floodSize() {
        return (int) (3 * mailbox().window() / EagerWindow.cost(BYTES)) + 1;
    }

    /** Rank 0 sends message {@code i} with blocking {@code Send}: its number in the first bytes, as bytes or an object. */
    static void send(boolean objects, int i, int tag) {
        byte[] b = new byte[BYTES];
        java.nio.ByteBuffer.wrap(b).putInt(i).putInt(~i);
        if (objects) {
            MPI.COMM_WORLD.Send(new Object[] {b}, 0, 1, MPI.OBJECT, 1, tag);
        } else {
            MPI.COMM_WORLD.Send(b, 0, BYTES, MPI.BYTE, 1, tag);
        }
    }

    static int receive(boolean objects, int tag) {
        byte[] b;
        if (objects) {
            Object[] o = new Object[1];
            MPI.COMM_WORLD.Recv(o, 0, 1, MPI.OBJECT, 0, tag);
            b = (byte[]) o[0];
        } else {
            b = new byte[BYTES];
            MPI.COMM_WORLD.Recv(b, 0, BYTES, MPI.BYTE, 0, tag);
        }
        java.nio.ByteBuffer w = java.nio.ByteBuffer.wrap(b);
        int i = w.getInt();
        assertEquals(~i, w.getInt(), "message " + i + " corrupted");
        return i;
    }

    /** Waits until rank 0's next message no longer fits the window: from then on rank 0 waits for this rank. */
    static void awaitFullWindow(Mailbox box, int payload) {
        while (box.heldBytesFrom(0) + EagerWindow.cost(payload) <= box.window()) {
            Thread.onSpinWait();
        }
    }

    /** Rank 0 floods rank 1, which receives only once rank 0 is out of window, then takes everything in order. */
    public static class LateReceiver {
        public static void main(String[] args) {
            boolean objects = MPI.Init(args)[0].equals("objects");
            int n = floodSize();
            if (MPI.COMM_WORLD.Rank() == 0) {
                for (int i = 0; i < n; i++) {
                    send(objects, i, 5);
                }
            } else {
                Mailbox box = mailbox();
                awaitFullWindow(box, objects ? 2 * BYTES : BYTES);
                for (int i = 0; i < n; i++) {
                    assertEquals(i, receive(objects, 5), "message out of order");
                }
                assertTrue(box.peakHeldBytes() <= box.heldLimit(),
                        "rank 1 held " + box.peakHeldBytes() + " bytes, more than " + box.heldLimit());
                System.out.println("rank 1 received " + n + " messages in order");
            }
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"bytes", "objects"})
    void shouldDeliverAFloodInOrderWithinTheWindowWhenTheReceiverReceivesLate(String kind) {
        MpiRun.Outcome o = MpiRun.ok(2, LateReceiver.class, kind);
        assertTrue(o.out().matches("rank 1 received \\d+ messages in order\n"), o.out());
        assertEquals("", o.err(), "nothing was left unreceived");
    }

    /** Rank 0 floods rank 1, which never receives: it calls Finalize, or Abort once rank 0 is out of window. */
    public static class NeverReceived {
        public static void main(String[] args) {
            boolean abort = MPI.Init(args)[0].equals("abort");
            if (MPI.COMM_WORLD.Rank() == 0) {
                for (int i = 0; ; i++) {
                    send(false, i, 5);
                }
            }
            if (abort) {
                awaitFullWindow(mailbox(), BYTES);
                MPI.COMM_WORLD.Abort(3);
            }
            MPI.Finalize();
        }
    }

    @Test
    void shouldEndWithADeadlockReportNamingTheWaitingSenderWhenNobodyReceivesBeforeFinalize() {
        MpiRun.Outcome o = MpiRun.run(2, NeverReceived.class, "finalize");
        JobResult r = o.result();
        assertEquals(1, r.exitCode(), o.err());
        String why = r.failures().get(0).description();
        assertTrue(why.startsWith("deadlock: no rank can make progress"), why);
        assertTrue(why.contains("rank 0: blocked in Send to world rank 1 (tag 5, context 0, 1024 BYTE element(s)) "
                + "waiting for a matching receive"), why);
        assertFalse(o.err().contains("OutOfMemoryError"), o.err());
    }

    @Test
    void shouldEndWithTheAbortCodeWhenTheReceiverAbortsWhileTheSenderWaits() {
        MpiRun.Outcome o = MpiRun.run(2, NeverReceived.class, "abort");
        assertEquals(3, o.result().exitCode(), o.err());
        assertFalse(o.err().contains("OutOfMemoryError"), o.err());
    }

    /**
     * Both ranks send each other 500 messages of 1 KiB with blocking {@code Send} before receiving any: about half of
     * the smallest window tcp grants, so this needs no receive on either device.
     */
    public static class MutualBacklog {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int peer = 1 - me;
            byte[] b = new byte[BYTES];
            for (int i = 0; i < 500; i++) {
                b[0] = (byte) i;
                MPI.COMM_WORLD.Send(b, 0, BYTES, MPI.BYTE, peer, 1);
            }
            for (int i = 0; i < 500; i++) {
                MPI.COMM_WORLD.Recv(b, 0, BYTES, MPI.BYTE, peer, 1);
                assertEquals((byte) i, b[0], "message out of order");
            }
            System.out.println("rank " + me + " done");
            MPI.Finalize();
        }
    }

    @Test
    void shouldLetTwoRanksSendEachOtherAModerateBacklogBeforeReceiving() {
        assertTrue(500 * EagerWindow.cost(BYTES) < EagerWindow.MIN, "within the smallest window");
        MpiRun.Outcome o = MpiRun.ok(2, MutualBacklog.class);
        assertEquals(java.util.List.of("rank 0 done", "rank 1 done"), o.lines().stream().sorted().toList());
    }
}
