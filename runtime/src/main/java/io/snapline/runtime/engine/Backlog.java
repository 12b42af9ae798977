package io.snapline.runtime.engine;

/**
 * The memory a rank's {@link Mailbox} holds for messages nobody has received yet, counted per sender against the
 * {@link EagerWindow}. A message is charged while it is unexpected and holds a private copy of its payload (a staged
 * eager message, a small message taken from a ring, a message that arrived from another process, a checkpoint's
 * copy); a message whose data is still in its sender's buffer (rendezvous, a buffered send's attached buffer) is not.
 *
 * <p>Flow control rests on two rules. An eager message from a sender in this process that does not fit its sender's
 * window waits at the sender instead of being staged ({@link #admits}); and the ring of a sender at or past its
 * window is held back ({@link SmallRing#holdBack}), so that sender's next small messages take the locked path, where
 * that rule applies. So a sender's charge never exceeds its window by more than one ring of small messages.
 *
 * <p>Guarded by the mailbox lock: every method is called under it.
 */
final class Backlog {
    /**
     * How far a sender's charge may exceed its window: the small message whose record crossed it, and the records of
     * the rest of that sender's ring, which was written before it was held back (one slot each at most).
     */
    static final long SLACK = EagerWindow.cost(SmallRing.MAX_PAYLOAD)
            + (long) SmallRing.SLOTS * EagerWindow.cost(SmallRing.SLOT_BYTES - SmallRing.HEADER_BYTES);

    private final long window;
    /** Charged bytes by sender's world rank; grown on demand, so a rank that is never flooded allocates nothing. */
    private long[] bySource = new long[0];
    private long held;
    private long peak;

    Backlog(long window) {
        if (window < 0) {
            throw new EngineException("the eager window must not be negative, got " + window);
        }
        this.window = window;
    }

    long window() {
        return window;
    }

    /**
     * Whether eager message {@code m} may be staged: always for messages that are no local sender's to wait for
     * (they arrived from another process, whose device bounds them) or that use the attached buffer; otherwise only
     * when it fits its sender's window.
     */
    boolean admits(Message m) {
        return m.sendRequest == null || m.buffered || from(m.source()) + EagerWindow.cost(m.payloadBytes()) <= window;
    }

    /** Charges {@code m}, now unexpected, if it holds a private copy of its payload. */
    void charge(Message m) {
        if (!m.eager || m.buffered || m.isRemote()) {
            return;
        }
        long cost = EagerWindow.cost(m.payloadBytes());
        int source = m.source();
        if (source >= bySource.length) {
            bySource = java.util.Arrays.copyOf(bySource, Math.max(source + 1, 2 * bySource.length));
        }
        bySource[source] += cost;
        m.charged = cost;
        held += cost;
        if (held > peak) {
            peak = held;
        }
    }

    /** Releases what {@code m}, no longer unexpected, was charged; returns whether its sender fell below its window. */
    boolean release(Message m) {
        long cost = m.charged;
        if (cost == 0) {
            return false;
        }
        m.charged = 0;
        int source = m.source();
        long before = bySource[source];
        bySource[source] = before - cost;
        held -= cost;
        return before >= window && before - cost < window;
    }

    /** Whether the sender {@code source} has used its whole window. */
    boolean full(int source) {
        return from(source) >= window;
    }

    /** Bytes charged to {@code source}. */
    long from(int source) {
        return source < bySource.length ? bySource[source] : 0;
    }

    /** Bytes charged to every sender together. */
    long held() {
        return held;
    }

    /** The most {@link #held()} has been. */
    long peak() {
        return peak;
    }
}
