package io.snapline.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.device.shm.ShmDevice;
import io.snapline.runtime.serial.KryoObjectCodec;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Flow control on {@code shm}: what a rank holds for messages nobody has received yet stays within each sender's
 * eager window (plus one ring of small messages), whichever way the messages come (the ring, the locked path, strided
 * layouts, objects), and a sender past the window waits until the receiver takes its message, with MPI's order and
 * completion rules intact.
 */
@Timeout(60)
class ShmFlowControlTest {
    private static final long WINDOW = 64 * 1024;
    private static final TypeMap INTS = TypeMap.basic(BaseType.INT);
    private static final TypeMap OBJECTS = TypeMap.basic(BaseType.OBJECT);
    private static final int ELEMENTS = 100;

    private final JobState job = new JobState(3);
    private final Endpoint[] ranks = new Endpoint[3];

    ShmFlowControlTest() {
        ShmDevice device = new ShmDevice(3);
        for (int r = 0; r < 3; r++) {
            Mailbox box = new Mailbox(WINDOW);
            device.register(r, box);
            ranks[r] = new Endpoint(r, device, box, job);
            ranks[r].setCodec(new KryoObjectCodec(getClass().getClassLoader()));
        }
    }

    /** How a message travels while unmatched: each kind is staged, or held, on another path. */
    enum Kind {
        /** 100 contiguous ints: the sender's ring. */
        RING,
        /** 1,000 contiguous ints: too large for a ring record, staged on the locked path. */
        LOCKED,
        /** 100 ints with stride 2: gathered into a private array on the locked path. */
        STRIDED,
        /** An object holding 100 ints: encoded by the sender, kept encoded. */
        OBJECT;

        Request send(Endpoint ep, SendMode mode, int value, int dest, int tag) {
            return switch (this) {
                case RING -> ep.isend(mode, filled(ELEMENTS, value), 0, ELEMENTS, INTS, dest, tag, 0, dest);
                case LOCKED -> ep.isend(mode, filled(1000, value), 0, 1000, INTS, dest, tag, 0, dest);
                case STRIDED -> ep.isend(mode, filled(2 * ELEMENTS, value), 0, 1, strided(), dest, tag, 0, dest);
                case OBJECT -> ep.isend(mode, new Object[] {filled(ELEMENTS, value)}, 0, 1, OBJECTS, dest, tag, 0,
                        dest);
            };
        }

        /** Receives the next message from {@code source} with {@code tag} and returns the value it was filled with. */
        int receive(Endpoint ep, int source, int tag) {
            switch (this) {
                case OBJECT -> {
                    Object[] got = new Object[1];
                    ep.await(ep.irecv(got, 0, 1, OBJECTS, source, tag, 0, null));
                    return check((int[]) got[0]);
                }
                case STRIDED -> {
                    int[] got = new int[2 * ELEMENTS];
                    ep.await(ep.irecv(got, 0, 1, strided(), source, tag, 0, null));
                    for (int i = 0; i < 2 * ELEMENTS; i += 2) {
                        assertEquals(got[0], got[i], "element " + i);
                    }
                    return got[0];
                }
                default -> {
                    int n = this == RING ? ELEMENTS : 1000;
                    int[] got = new int[n];
                    ep.await(ep.irecv(got, 0, n, INTS, source, tag, 0, null));
                    return check(got);
                }
            }
        }

        private static TypeMap strided() {
            return TypeMap.vector(ELEMENTS, 1, 2, INTS);
        }

        private static int[] filled(int n, int value) {
            int[] a = new int[n];
            java.util.Arrays.fill(a, value);
            return a;
        }

        private static int check(int[] got) {
            for (int v : got) {
                assertEquals(got[0], v, "a message arrived with mixed contents");
            }
            return got[0];
        }
    }

    private Mailbox box(int rank) {
        return ranks[rank].mailbox();
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void shouldHoldSendsBeyondTheWindowAtTheSenderUntilTheyAreReceived(Kind kind) {
        int n = 2_000; // at least 400 bytes each: a dozen windows
        Request[] sends = new Request[n];
        int completedAtOnce = 0;
        for (int i = 0; i < n; i++) {
            sends[i] = kind.send(ranks[0], SendMode.STANDARD, i, 1, 5);
            completedAtOnce += sends[i].isComplete() ? 1 : 0;
            assertTrue(box(1).heldBytesFrom(0) <= box(1).heldLimit(),
                    "rank 1 holds " + box(1).heldBytesFrom(0) + " bytes after message " + i);
        }
        assertTrue(completedAtOnce > 0, "no send was eager");
        assertTrue(completedAtOnce < n / 4, completedAtOnce + " of " + n + " sends completed without a receive");
        assertTrue(box(1).heldBytesFrom(0) > WINDOW / 2, "the window was not used: " + box(1).heldBytesFrom(0));
        assertEquals(n, box(1).unexpectedCount(), "every message, staged or held at its sender, is receivable");

        for (int i = 0; i < n; i++) {
            assertEquals(i, kind.receive(ranks[1], 0, 5), "message out of order");
            assertTrue(box(1).heldBytesFrom(0) <= box(1).heldLimit());
        }
        for (Request s : sends) {
            assertTrue(s.isComplete(), "a send stayed pending after its message was received");
            ranks[0].await(s);
        }
        assertEquals(0, box(1).heldBytes(), "bytes still charged after every message was received");
        assertTrue(box(1).peakHeldBytes() <= box(1).heldLimit(), "peak " + box(1).peakHeldBytes());
    }

    @Test
    void shouldBoundWhatASenderLeavesWithAParkedReceiverAndDeliverItAllInOrderLater() throws Exception {
        int n = 20 * (int) (WINDOW / EagerWindow.cost(4 * ELEMENTS));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger received = new AtomicInteger();
        Thread receiver = new Thread(() -> {
            try {
                int[] go = new int[1];
                ranks[1].await(ranks[1].irecv(go, 0, 1, INTS, 2, 9, 0, null)); // parks: senders drain its rings
                for (int i = 0; i < n; i++) {
                    assertEquals(i, Kind.RING.receive(ranks[1], 0, 5), "message out of order");
                    received.incrementAndGet();
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "rank-1");
        Thread sender = new Thread(() -> {
            try {
                for (int i = 0; i < n; i++) {
                    ranks[0].await(Kind.RING.send(ranks[0], SendMode.STANDARD, i, 1, 5));
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "rank-0");
        job.bindThread(0, sender);
        job.bindThread(1, receiver);
        receiver.start();
        awaitTrue(() -> isBlockedInReceive(1));
        sender.start();
        awaitTrue(() -> isBlockedInSend(0));

        assertTrue(box(1).heldBytesFrom(0) >= WINDOW - EagerWindow.cost(4 * ELEMENTS),
                "rank 0 waits although rank 1 holds only " + box(1).heldBytesFrom(0));
        assertTrue(box(1).heldBytesFrom(0) <= box(1).heldLimit(), "rank 1 holds " + box(1).heldBytesFrom(0));
        assertEquals(0, received.get());

        ranks[2].await(ranks[2].isend(SendMode.STANDARD, new int[] {1}, 0, 1, INTS, 1, 9, 0, 1));
        sender.join();
        receiver.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals(n, received.get());
        assertTrue(box(1).peakHeldBytes() <= box(1).heldLimit(), "peak " + box(1).peakHeldBytes());
        assertEquals(0, box(1).heldBytes());
    }

    @Test
    void shouldWakeASenderHeldBackByTheWindowWhenTheJobIsAborted() throws Exception {
        AtomicReference<Throwable> ended = new AtomicReference<>();
        AtomicInteger sent = new AtomicInteger();
        Thread sender = new Thread(() -> {
            try {
                for (int i = 0; ; i++) { // nobody ever receives
                    ranks[0].await(Kind.LOCKED.send(ranks[0], SendMode.STANDARD, i, 1, 5));
                    sent.incrementAndGet();
                }
            } catch (Throwable t) {
                ended.set(t);
            }
        }, "rank-0");
        job.bindThread(0, sender);
        sender.start();
        awaitTrue(() -> isBlockedInSend(0));
        String wait = job.snapshotBlocked()[0].what().toString();
        assertEquals("Send to world rank 1 (tag 5, context 0, 1000 INT element(s)) waiting for a matching receive: "
                + "world rank 1 already holds as much unreceived data from this rank as it buffers", wait);

        job.abort(1, 3, "rank 1 called Abort(3)");
        sender.join();
        assertInstanceOf(JobAbortedException.class, ended.get());
        assertEquals(WINDOW / EagerWindow.cost(4000), sent.get(), "the sends that fit the window completed");
        assertTrue(box(1).peakHeldBytes() <= WINDOW);
    }

    @Test
    void shouldCompleteBufferedSendsAtOnceWithoutChargingTheWindow() {
        ranks[0].bsendBuffer().attach(ByteBuffer.allocate((int) (4 * WINDOW)), (int) (4 * WINDOW));
        int n = (int) (3 * WINDOW / (4000 + BsendBuffer.OVERHEAD));
        for (int i = 0; i < n; i++) {
            assertTrue(Kind.LOCKED.send(ranks[0], SendMode.BUFFERED, i, 1, 5).isComplete(), "Bsend " + i + " waits");
        }
        assertEquals(0, box(1).heldBytesFrom(0), "a buffered send's data is in the attached buffer");
        assertTrue(Kind.LOCKED.send(ranks[0], SendMode.STANDARD, n, 1, 5).isComplete(),
                "buffered sends used up the window of standard ones");
        for (int i = 0; i <= n; i++) {
            assertEquals(i, Kind.LOCKED.receive(ranks[1], 0, 5));
        }
        assertEquals(0, ranks[0].bsendBuffer().pending());
    }

    @Test
    void shouldCancelAnIsendHeldAtTheSender() {
        int fit = (int) (WINDOW / EagerWindow.cost(4000));
        for (int i = 0; i < fit; i++) {
            assertTrue(Kind.LOCKED.send(ranks[0], SendMode.STANDARD, i, 1, 5).isComplete());
        }
        Request held = Kind.LOCKED.send(ranks[0], SendMode.STANDARD, fit, 1, 5);
        assertFalse(held.isComplete());
        assertTrue(ranks[0].cancel(held), "a message still at its sender can be cancelled");
        assertTrue(held.isCancelled());
        Request after = Kind.LOCKED.send(ranks[0], SendMode.STANDARD, fit + 1, 1, 5);
        for (int i = 0; i < fit; i++) {
            assertEquals(i, Kind.LOCKED.receive(ranks[1], 0, 5));
        }
        assertEquals(fit + 1, Kind.LOCKED.receive(ranks[1], 0, 5));
        assertTrue(after.isComplete());
        assertEquals(0, box(1).heldBytes());
        assertEquals(0, box(1).unexpectedCount());
    }

    @Test
    void shouldKeepSynchronousSendsWaitingForTheirReceiveWithinTheWindow() {
        Request ssend = Kind.RING.send(ranks[0], SendMode.SYNCHRONOUS, 7, 1, 5);
        assertFalse(ssend.isComplete());
        assertEquals(0, box(1).heldBytesFrom(0), "a synchronous send's data stays at the sender");
        assertEquals(7, Kind.RING.receive(ranks[1], 0, 5));
        assertTrue(ssend.isComplete());
    }

    @Test
    void shouldCountUnreceivedMessagesBySenderContextAndTag() {
        Kind.RING.send(ranks[0], SendMode.STANDARD, 1, 1, 7);
        Kind.RING.send(ranks[0], SendMode.STANDARD, 2, 1, 7);
        Kind.OBJECT.send(ranks[2], SendMode.STANDARD, 3, 1, 4);
        Request large = ranks[2].isend(SendMode.STANDARD, new byte[100_000], 0, 100_000, TypeMap.basic(BaseType.BYTE),
                1, 4, 6, 1); // rendezvous: still at its sender, counted all the same
        ranks[0].isend(SendMode.STANDARD, new int[3], 0, 3, INTS, 1, 8, CommSnapshot.CONTEXT, 1); // checkpoint traffic
        Kind.RING.send(ranks[0], SendMode.STANDARD, 4, 2, 7);
        assertEquals(4, Kind.RING.receive(ranks[2], 0, 7), "a received message is not counted");

        Unreceived left = ranks[1].unreceived();
        List<Unreceived.Group> groups = left.groups();
        assertEquals(3, groups.size(), groups.toString());
        assertEquals(new Unreceived.Group(0, 0, 7, 2, 800), groups.get(0));
        assertEquals(2, groups.get(1).source());
        assertEquals(4, groups.get(1).tag());
        assertEquals(0, groups.get(1).context());
        assertEquals(1, groups.get(1).messages());
        assertTrue(groups.get(1).bytes() > 100, "the encoded object: " + groups.get(1).bytes());
        assertEquals(new Unreceived.Group(2, 6, 4, 1, 100_000), groups.get(2));
        assertEquals(4, left.messages());
        assertFalse(large.isComplete());
        assertTrue(ranks[0].unreceived().isEmpty());
        assertArrayEquals(new long[] {0, 0}, new long[] {ranks[2].unreceived().messages(), ranks[2].unreceived().bytes()});
    }

    @Test
    void shouldDeriveTheWindowFromEachRanksShareOfTheHeap() {
        long mib = 1L << 20;
        assertEquals(16 * mib, EagerWindow.forSharedHeap(2, 256 * mib), "128 MiB per rank / 8 for one sender");
        assertEquals(2 * mib, EagerWindow.forSharedHeap(4, 192 * mib), "48 MiB per rank / 8 over 3 senders");
        assertEquals(mib, EagerWindow.forSharedHeap(64, 1024 * mib), "at least what tcp guarantees");
        assertEquals(16 * mib, EagerWindow.forSharedHeap(1, 8192 * mib), "at most 16 MiB");
        assertEquals(EagerWindow.perSender(5, 64 * mib), EagerWindow.forSharedHeap(5, 320 * mib));
    }

    private boolean isBlockedInSend(int rank) {
        JobState.Blocked b = job.snapshotBlocked()[rank];
        return b != null && b.what() instanceof Request r && r.isSend();
    }

    private boolean isBlockedInReceive(int rank) {
        JobState.Blocked b = job.snapshotBlocked()[rank];
        return b != null && b.what() instanceof Request r && !r.isSend();
    }

    /** Waits until {@code condition} holds (the class's timeout bounds the wait). */
    private static void awaitTrue(BooleanSupplier condition) throws InterruptedException {
        while (!condition.getAsBoolean()) {
            Thread.sleep(1);
        }
    }
}
