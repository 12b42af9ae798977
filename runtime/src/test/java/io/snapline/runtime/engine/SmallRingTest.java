package io.snapline.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.device.shm.ShmDevice;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shm path of small messages: senders write them into a ring per pair of ranks and the receiving rank takes them
 * when it polls ({@link SmallRing}, {@link Mailbox}); everything MPI promises about order, completion and errors
 * must hold across the rings and the locked path that full rings and other messages take.
 */
@Timeout(30)
class SmallRingTest {
    private static final TypeMap INTS = TypeMap.basic(BaseType.INT);

    private final Endpoint[] ranks;

    SmallRingTest() {
        int n = 4;
        ShmDevice device = new ShmDevice(n);
        JobState job = new JobState(n);
        ranks = new Endpoint[n];
        for (int r = 0; r < n; r++) {
            Mailbox box = new Mailbox();
            device.register(r, box);
            ranks[r] = new Endpoint(r, device, box, job);
        }
    }

    private void send(int from, int to, int tag, int... values) {
        send(SendMode.STANDARD, from, to, tag, values);
    }

    private void send(SendMode mode, int from, int to, int tag, int... values) {
        Endpoint ep = ranks[from];
        ep.await(ep.isend(mode, values, 0, values.length, INTS, to, tag, 0, to));
    }

    private int[] recv(int at, int from, int tag, int count) {
        int[] buf = new int[count];
        Endpoint ep = ranks[at];
        ep.await(ep.irecv(buf, 0, count, INTS, from, tag, 0, null));
        return buf;
    }

    @Test
    void shouldKeepEachSendersOrderWhenThreeSendersFloodOneReceiver() throws Exception {
        int perSender = 20_000;
        List<Thread> senders = new ArrayList<>();
        for (int s = 1; s <= 3; s++) {
            int from = s;
            Thread t = new Thread(() -> {
                for (int i = 0; i < perSender; i++) {
                    send(from, 0, 7, from, i);
                    if (i % 4096 == 0) {
                        Thread.onSpinWait();
                    }
                }
            });
            senders.add(t);
            t.start();
        }
        int[] next = new int[4];
        for (int i = 0; i < 3 * perSender; i++) {
            if (i % 5000 == 0) {
                Thread.sleep(2); // let the queue fill while this rank is not polling
            }
            int[] got = recv(0, Ranks.ANY_SOURCE, 7, 2);
            assertEquals(next[got[0]], got[1], "message " + got[1] + " from rank " + got[0] + " out of order");
            next[got[0]]++;
        }
        for (Thread t : senders) {
            t.join();
        }
        assertArrayEquals(new int[] {0, perSender, perSender, perSender}, next);
        assertEquals(0, ranks[0].mailbox().unexpectedCount());
    }

    @Test
    void shouldNotLetASynchronousSendOvertakeAQueuedMessageOfTheSameSender() throws Exception {
        send(1, 0, 3, 10); // in the ring: rank 0 has not called into the runtime since
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread sender = new Thread(() -> {
            try {
                send(SendMode.SYNCHRONOUS, 1, 0, 3, 20); // accepted at once, under the receiver's lock
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        sender.start();
        while (sender.getState() != Thread.State.TIMED_WAITING && sender.getState() != Thread.State.WAITING
                && sender.isAlive()) {
            Thread.onSpinWait();
        }
        assertArrayEquals(new int[] {10}, recv(0, 1, 3, 1), "the first message sent is received first");
        assertArrayEquals(new int[] {20}, recv(0, 1, 3, 1));
        sender.join();
        assertEquals(null, failure.get());
    }

    @Test
    void shouldDeliverIntoAParkedReceiverBeforeTheSendReturns() throws Exception {
        int[] buf = new int[1];
        Request r = ranks[0].irecv(buf, 0, 1, INTS, 2, 5, 0, null);
        CountDownLatch done = new CountDownLatch(1);
        Thread receiver = new Thread(() -> {
            ranks[0].await(r);
            done.countDown();
        });
        receiver.start();
        // Parked: past its spin and yield phases (100 µs), counted as sleeping, in parkNanos.
        while (receiver.getState() != Thread.State.TIMED_WAITING) {
            Thread.onSpinWait();
        }
        while (ranks[0].mailbox().sleepers() == 0) {
            Thread.onSpinWait();
        }

        send(2, 0, 5, 42);

        assertTrue(r.isComplete(), "the sender accepted the message for the parked rank");
        done.await();
        assertArrayEquals(new int[] {42}, buf);
    }

    /** A pair that exchanges one small message (as in a barrier of a large job) gets no ring; the second opens it. */
    @Test
    void shouldOpenARingOnlyAtAPairsSecondSmallMessage() {
        send(1, 2, 5, 7);
        assertEquals(0, ranks[2].mailbox().ringCount(), "the first message takes the locked path");
        send(1, 2, 5, 8);
        send(3, 2, 5, 9);
        assertEquals(1, ranks[2].mailbox().ringCount(), "rank 1's second message opened a ring; rank 3 has none");
        send(1, 2, 5, 10);
        assertEquals(1, ranks[2].mailbox().ringCount());
        assertArrayEquals(new int[] {7}, recv(2, 1, 5, 1));
        assertArrayEquals(new int[] {8}, recv(2, 1, 5, 1));
        assertArrayEquals(new int[] {10}, recv(2, 1, 5, 1));
        assertArrayEquals(new int[] {9}, recv(2, 3, 5, 1));
    }

    @Test
    void shouldShowQueuedMessagesToProbesAndCountsWithoutAReceive() {
        send(3, 1, 9, 1, 2, 3);
        send(2, 1, 9, 4);

        assertEquals(2, ranks[1].mailbox().unexpectedCount());
        Message first = ranks[1].iprobe(Ranks.ANY_SOURCE, 9, 0);
        assertNotNull(first);
        assertEquals(3, first.source());
        assertEquals(3, first.elements());
        assertArrayEquals(new int[] {4}, recv(1, 2, 9, 1));
        assertArrayEquals(new int[] {1, 2, 3}, recv(1, 3, 9, 3));
    }

    @Test
    void shouldKeepOrderWhenTheRingFillsAndSendsTakeTheLockedPath() {
        int n = 5 * SmallRing.SLOTS;
        for (int i = 0; i < n; i++) {
            send(2, 3, 4, i, -i);
        }
        for (int i = 0; i < n; i++) {
            assertArrayEquals(new int[] {i, -i}, recv(3, 2, 4, 2));
        }
    }

    @Test
    void shouldCarryRecordsOfEverySizeAcrossTheRingsEndInOrder() {
        // Sizes up to the largest record, unreceived for a while: records pad to the ring's end, wrap, and fill it.
        List<int[]> sent = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int[] values = new int[(i * 37) % (SmallRing.MAX_PAYLOAD / 4 + 1)];
            java.util.Arrays.fill(values, i);
            sent.add(values);
            send(1, 3, 2, values);
            if (i % 50 == 49) {
                for (int[] v : sent) {
                    assertArrayEquals(v, recv(3, 1, 2, v.length));
                }
                sent.clear();
            }
        }
    }

    /**
     * A sending rank's policy: stamps its messages {@code epoch} and numbers them from 1, suppresses number
     * {@code suppressed}, and notes what it saw of each (destination, tag, elements, bytes, payload).
     */
    private static final class Stamping implements ChannelHook {
        final List<String> sent = new ArrayList<>();
        private final int epoch;
        private final long suppressed;
        private long next;

        Stamping(int epoch, long suppressed) {
            this.epoch = epoch;
            this.suppressed = suppressed;
        }

        @Override
        public boolean beforeSend(Send m) {
            m.stamp(epoch, ++next);
            sent.add(m.dest() + ":" + m.tag() + ":" + m.elements() + ":" + m.payloadBytes() + ":"
                    + java.util.Arrays.toString(m.packedCopy()));
            return next != suppressed;
        }

        @Override
        public int onAccept(int source, int context, int tag, int epoch, long seq) {
            return KEEP;
        }

        @Override
        public void log(Message m, byte[] payload) {
        }
    }

    /**
     * A receiving rank's policy: notes each message it accepts, and logs those numbered a multiple of
     * {@code logEvery}.
     */
    private static final class Watching implements ChannelHook {
        final List<String> accepted = new ArrayList<>();
        final List<String> logged = new ArrayList<>();
        private final long logEvery;

        Watching(long logEvery) {
            this.logEvery = logEvery;
        }

        @Override
        public boolean beforeSend(Send m) {
            return true;
        }

        @Override
        public int onAccept(int source, int context, int tag, int epoch, long seq) {
            accepted.add("from " + source + " epoch " + epoch + " seq " + seq + " tag " + tag);
            return logEvery > 0 && seq % logEvery == 0 ? LOG : KEEP;
        }

        @Override
        public void log(Message m, byte[] payload) {
            int first = java.nio.ByteBuffer.wrap(payload).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
            logged.add(m.seq() + "=" + first);
        }
    }

    @Test
    void shouldCarryTheCheckpointStampOfAPolicyThatWatchesTheTraffic() {
        ranks[1].setHook(new Stamping(3, 2)); // the second message was delivered before a restart: suppressed
        Watching watching = new Watching(0);
        ranks[0].setHook(watching);
        send(1, 0, 4, 1);
        send(1, 0, 4, 2);
        send(1, 0, 4, 3);

        assertArrayEquals(new int[] {1}, recv(0, 1, 4, 1));
        assertArrayEquals(new int[] {3}, recv(0, 1, 4, 1));
        int[] posted = new int[1];
        Request r = ranks[0].irecv(posted, 0, 1, INTS, 1, 4, 0, null); // posted first: copied from the ring into it
        send(1, 0, 4, 4);
        ranks[0].await(r);
        assertArrayEquals(new int[] {4}, posted);
        assertEquals(List.of("from 1 epoch 3 seq 1 tag 4", "from 1 epoch 3 seq 3 tag 4", "from 1 epoch 3 seq 4 tag 4"),
                watching.accepted);
    }

    @Test
    void shouldStampSmallMessagesOnceAsTheHookDidWhenTheRingIsFullAndTheyTakeTheLockedPath() {
        Stamping stamping = new Stamping(5, 0);
        ranks[1].setHook(stamping);
        Watching watching = new Watching(100);
        ranks[0].setHook(watching);
        int messages = 1000; // far more than the ring's 128 slots hold: the rest take the locked path
        for (int i = 1; i <= messages; i++) {
            send(1, 0, 9, i);
        }
        for (int i = 1; i <= messages; i++) {
            assertArrayEquals(new int[] {i}, recv(0, 1, 9, 1), "message " + i);
        }
        assertEquals("0:9:1:4:[1, 0, 0, 0]", stamping.sent.get(0), "the hook sees the small message's envelope and "
                + "payload");
        assertEquals(messages, stamping.sent.size(), "each message shown to the hook once");
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= messages; i++) {
            expected.add("from 1 epoch 5 seq " + i + " tag 9");
        }
        assertEquals(expected, watching.accepted, "every message accepted once, in order, with the stamp it was sent "
                + "with");
        assertEquals(List.of("100=100", "200=200", "300=300", "400=400", "500=500", "600=600", "700=700", "800=800",
                "900=900", "1000=1000"), watching.logged);
    }

    @Test
    void shouldUnpackARingMessageIntoAStridedReceive() {
        send(1, 2, 6, 1, 2, 3);
        int[] column = new int[9];
        Endpoint ep = ranks[2];
        ep.await(ep.irecv(column, 0, 1, TypeMap.vector(3, 1, 3, INTS), 1, 6, 0, null));
        assertArrayEquals(new int[] {1, 0, 0, 2, 0, 0, 3, 0, 0}, column);
    }

    @Test
    void shouldRefuseARingMessageLongerThanTheReceiveOrOfAnotherType() {
        send(1, 2, 8, 1, 2, 3);
        Endpoint ep = ranks[2];
        Request small = ep.irecv(new int[2], 0, 2, INTS, 1, 8, 0, null);
        EngineException e = assertThrows(EngineException.class, () -> ep.await(small));
        assertTrue(e.getMessage().contains("message truncated: rank 1 sent 3 INT element(s) with tag 8"), e.getMessage());

        send(1, 2, 8, 4);
        Request doubles = ep.irecv(new double[1], 0, 1, TypeMap.basic(BaseType.DOUBLE), 1, 8, 0, null);
        e = assertThrows(EngineException.class, () -> ep.await(doubles));
        assertTrue(e.getMessage().contains("type mismatch: rank 1 sent 1 INT element(s)"), e.getMessage());
    }

    @Test
    void shouldCarryEveryBaseTypeThroughTheRing() {
        Endpoint from = ranks[3];
        Endpoint to = ranks[1];
        Object[][] cases = {
            {new byte[] {1, -2, 3}, new byte[3], BaseType.BYTE},
            {new boolean[] {true, false, true}, new boolean[3], BaseType.BOOLEAN},
            {new char[] {'a', 'ß', '\uffff'}, new char[3], BaseType.CHAR},
            {new short[] {-1, 2, Short.MIN_VALUE}, new short[3], BaseType.SHORT},
            {new long[] {Long.MIN_VALUE, 5, -7}, new long[3], BaseType.LONG},
            {new float[] {1.5f, Float.NaN, -0f}, new float[3], BaseType.FLOAT},
            {new double[] {Math.PI, Double.MIN_VALUE, -1e300}, new double[3], BaseType.DOUBLE},
        };
        for (Object[] c : cases) {
            TypeMap t = TypeMap.basic((BaseType) c[2]);
            from.await(from.isend(SendMode.STANDARD, c[0], 0, 3, t, 1, 2, 0, 1));
            to.await(to.irecv(c[1], 0, 3, t, 3, 2, 0, null));
            assertEquals(java.util.Arrays.deepToString(new Object[] {c[0]}),
                    java.util.Arrays.deepToString(new Object[] {c[1]}), c[2].toString());
        }
    }

    /**
     * Four ranks on their own threads (more than this machine has cores, so waits yield and park and senders drain for
     * parked receivers) each send 1,500 messages to every other rank, of 0 to 2,600 bytes (so ring and locked path
     * alternate, records pad to the rings' ends, and rings fill), some synchronous, with two tags, while receiving with wildcards, by probe or
     * by polling: every message arrives whole, and each sender's messages in the order it sent them.
     */
    @Test
    void shouldDeliverEveryMessageWholeAndInSenderOrderWhenPathsMixUnderLoad() throws Exception {
        int n = ranks.length;
        int perPeer = 1_500;
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int me = 0; me < n; me++) {
            int rank = me;
            Thread t = new Thread(() -> {
                try {
                    exchange(rank, perPeer, failure);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }, "rank-" + me);
            threads.add(t);
            t.start();
        }
        long deadline = System.nanoTime() + 20_000_000_000L;
        for (Thread t : threads) {
            t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
        StringBuilder stuck = new StringBuilder();
        for (Thread t : threads) {
            if (t.isAlive()) {
                stuck.append('\n').append(t.getName()).append(" is stuck at:");
                for (StackTraceElement e : t.getStackTrace()) {
                    stuck.append("\n    ").append(e);
                }
            }
        }
        if (stuck.length() > 0) {
            failure.compareAndSet(null, new AssertionError("no progress in 20 s" + stuck));
            for (Thread t : threads) {
                t.interrupt();
            }
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
    }

    private void exchange(int me, int perPeer, AtomicReference<Throwable> failure) {
        Endpoint ep = ranks[me];
        int n = ranks.length;
        java.util.Random random = new java.util.Random(me * 7919L);
        int[] sent = new int[n];
        int[] expected = new int[n];
        int toSend = perPeer * (n - 1);
        int toReceive = toSend;
        List<Request> sends = new ArrayList<>();
        byte[] in = new byte[2600];
        Request pending = null;
        while (toSend > 0 || toReceive > 0 || !sends.isEmpty()) {
            if (failure.get() != null) {
                return; // another rank failed: its messages will not come
            }
            if (toSend > 0 && random.nextInt(3) > 0) {
                int dest = random.nextInt(n - 1);
                dest = dest >= me ? dest + 1 : dest;
                if (sent[dest] < perPeer) {
                    int seq = sent[dest]++;
                    byte[] out = payload(me, seq, random.nextInt(8) == 0 ? random.nextInt(2601) : random.nextInt(301));
                    SendMode mode = random.nextInt(10) == 0 ? SendMode.SYNCHRONOUS : SendMode.STANDARD;
                    sends.add(ep.isend(mode, out, 0, out.length, TypeMap.basic(BaseType.BYTE), dest, 1 + seq % 2, 0,
                            dest));
                    toSend--;
                }
            }
            sends.removeIf(r -> {
                ep.poll();
                if (!r.isComplete()) {
                    return false;
                }
                r.finish();
                return true;
            });
            if (toReceive > 0) {
                if (pending == null) {
                    if (random.nextBoolean()) {
                        Message m = ep.iprobe(Ranks.ANY_SOURCE, Ranks.ANY_TAG, 0);
                        if (m == null) {
                            continue;
                        }
                        byte[] exact = new byte[m.elements()];
                        Request r = ep.irecv(exact, 0, exact.length, TypeMap.basic(BaseType.BYTE), m.source(),
                                m.tag(), 0, null);
                        ep.await(r);
                        check(me, r.statusSource(), exact, exact.length, expected);
                        toReceive--;
                        continue;
                    }
                    pending = ep.irecv(in, 0, in.length, TypeMap.basic(BaseType.BYTE), Ranks.ANY_SOURCE,
                            Ranks.ANY_TAG, 0, null);
                }
                ep.poll();
                // Block (and so park) only once this rank has sent everything: two ranks blocked on each other's
                // unsent messages would be the program's deadlock, not the runtime's.
                if (pending.isComplete() || toSend == 0 && random.nextInt(50) == 0) {
                    ep.await(pending);
                    check(me, pending.statusSource(), in, pending.statusElements(), expected);
                    pending = null;
                    toReceive--;
                }
            }
        }
        for (int r = 0; r < n; r++) {
            assertEquals(r == me ? 0 : perPeer, expected[r], "rank " + me + " received all from rank " + r);
        }
    }

    /** {@code length} bytes: the sender, the sequence number, then a pattern both determine. */
    private static byte[] payload(int source, int seq, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i == 0 ? source : i == 1 ? seq >> 8 : i == 2 ? seq : source * 31 + seq * 7 + i);
        }
        return b;
    }

    private static void check(int me, int source, byte[] got, int length, int[] expected) {
        int seq = expected[source]++;
        byte[] want = payload(source, seq, length);
        byte[] have = java.util.Arrays.copyOf(got, length);
        if (length >= 3) {
            int gotSeq = (have[1] & 0xff) << 8 | have[2] & 0xff;
            assertEquals(seq, gotSeq, "rank " + me + ": message " + gotSeq + " from rank " + source + " out of order");
        }
        assertArrayEquals(want, have, "rank " + me + ": message " + seq + " from rank " + source);
    }

    @Test
    void shouldCopyAQueuedMessageSoTheSenderMayReuseItsBuffer() {
        int[] data = {7, 8};
        Endpoint ep = ranks[1];
        ep.await(ep.isend(SendMode.STANDARD, data, 0, 2, INTS, 0, 1, 0, 0));
        data[0] = -1;
        data[1] = -1;

        assertArrayEquals(new int[] {7, 8}, recv(0, 1, 1, 2));
    }
}
