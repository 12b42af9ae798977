package io.snapline.runtime.engine;

/**
 * How many bytes of messages that nobody has received yet a rank keeps for each sender: its eager window. Within the
 * window a small send completes at once and its data waits at the receiver; past it, the next message waits at the
 * sender until a receive matches it (rendezvous), so a flood of sends to a rank that does not receive waits instead
 * of filling the heap. Both devices use the same window: on {@code tcp} the receiver grants it to each peer as credit,
 * on {@code shm} the receiving rank's {@link Mailbox} counts what it holds (see {@link Backlog}).
 */
public final class EagerWindow {
    /** The smallest window {@link #perSender} grants: what every program may count on. */
    public static final long MIN = 1L << 20;
    /** The largest window {@link #perSender} grants. */
    public static final long MAX = 16L << 20;
    /** Bytes a held message costs beyond its payload (envelope and bookkeeping), so that empty messages count too. */
    public static final int MESSAGE_OVERHEAD = 128;

    private EagerWindow() {
    }

    /**
     * The window a rank of a job of {@code size} ranks grants each sender when it may use {@code heapBytes} of heap:
     * an eighth of it shared among the senders, between {@link #MIN} and {@link #MAX}.
     */
    public static long perSender(int size, long heapBytes) {
        long share = heapBytes / 8 / Math.max(1, size - 1);
        return Math.max(MIN, Math.min(MAX, share));
    }

    /**
     * The window on {@code shm}, where the {@code size} ranks share one heap of {@code maxHeap} bytes: each rank's
     * {@link #perSender} is computed from its share of the heap.
     */
    public static long forSharedHeap(int size, long maxHeap) {
        return perSender(size, maxHeap / Math.max(1, size));
    }

    /** What a held message of {@code payloadBytes} costs against a window. */
    public static long cost(long payloadBytes) {
        return payloadBytes + MESSAGE_OVERHEAD;
    }
}
