package io.snapline.runtime.engine;

import io.snapline.runtime.device.Packet;
import io.snapline.runtime.device.PacketHandler;
import java.util.concurrent.locks.LockSupport;

/**
 * One rank's matching state: receives posted but not matched, in posting order, and messages arrived but not
 * matched, in arrival order. Matching follows MPI: the earliest posted receive that matches an arriving message
 * takes it, and a new receive takes the earliest matching unexpected message, so messages between one pair of
 * ranks never overtake each other within a communicator and tag.
 *
 * <p>Messages arrive two ways. {@link #onPacket} accepts a message at once, under the lock (the tcp progress thread;
 * on shm, every message but the small eager ones). A rank in the same process writes a small eager message into
 * its {@link SmallRing} to this rank instead, without any lock, and this rank takes it when it next polls
 * ({@link #poll}, called while it waits or tests; every locked operation, {@link #onPacket} included, first drains
 * the rings). So a small message costs one cache-line transfer between cores, not a shared lock and the several
 * lines of a posted receive. A sender that finds this rank parked ({@link #sleeping}) drains the rings for it, so a
 * parked rank is never left with a message it has not seen. A sender's ring is always drained before a message it
 * sends later is accepted, so per-sender order holds across both ways.
 *
 * <p>Only queue manipulation happens under the lock; copying the payload happens after, on the thread that made
 * the match (a message from a ring, at most {@link SmallRing#MAX_PAYLOAD} bytes, is copied under the lock).
 *
 * <p>What unexpected messages hold is bounded per sender by the eager window ({@link Backlog}): an eager message from
 * a sender in this process that no longer fits is not staged but waits in the sender's buffer until received, and
 * that sender's ring is held back meanwhile.
 */
public final class Mailbox implements PacketHandler {
    private Request postedHead;
    private Request postedTail;
    private Message unexpectedHead;
    private Message unexpectedTail;
    private volatile Thread prober;
    private volatile long arrivals;
    private volatile ChannelHook hook;
    /** World rank -> why it failed; null until a peer fails (never on shm), replaced whole on change. */
    private volatile java.util.Map<Integer, String> failedPeers;
    /** The rings from ranks that have sent this rank small messages, replaced whole when one is added. */
    private volatile SmallRing[] rings = new SmallRing[0];
    private static final byte[] NO_PAYLOAD = new byte[0];
    /** What {@link #accept} returns for a message the hook dropped. */
    private static final Request DROPPED = Request.forSend(null, -1, 0);
    /** The count of this rank's threads parked waiting, on cache lines of its own. */
    private final Sleepers sleepers = new Sleepers();
    /** What the unexpected messages hold, per sender, against the eager window; under the lock. */
    private final Backlog backlog;

    /** A mailbox that keeps up to {@code window} bytes of unreceived messages per sender (see {@link EagerWindow}). */
    public Mailbox(long window) {
        this.backlog = new Backlog(window);
    }

    /** A mailbox with the window of a rank alone in this JVM's heap (tests, programs started without the launcher). */
    public Mailbox() {
        this(EagerWindow.forSharedHeap(1, Runtime.getRuntime().maxMemory()));
    }

    void setHook(ChannelHook hook) {
        this.hook = hook;
    }

    @Override
    public void onPacket(Packet packet) {
        Message m = (Message) packet;
        Request r;
        boolean queued;
        synchronized (this) {
            queued = drainLocked();
            r = accept(m);
            queued |= r == null;
        }
        if (r == DROPPED) {
            m.delivered(); // as if received: its sender's request completes
            return;
        }
        if (r != null) {
            r.deliver(m);
        }
        if (queued) {
            wakeProber();
        }
    }

    /**
     * The ring that world rank {@code source} (of this process) writes its small messages to this rank into,
     * created on first use. Called by the sender, which keeps it.
     */
    synchronized SmallRing ringFrom(int source, int dest) {
        for (SmallRing ring : rings) {
            if (ring.source() == source) {
                return ring;
            }
        }
        SmallRing ring = new SmallRing(source, dest, this, sleepers);
        SmallRing[] grown = java.util.Arrays.copyOf(rings, rings.length + 1);
        grown[rings.length] = ring;
        rings = grown;
        return ring;
    }

    /**
     * The sender has written a message into one of this rank's rings: if a thread of this rank is parked, takes the
     * message for it (so the parked thread's receive completes, or its probe wakes).
     */
    void afterRingWrite(SmallRing ring) {
        java.lang.invoke.VarHandle.fullFence(); // the write before the read of the sleepers; see sleeping()
        // Through the ring, not this object: the fields on this object's first cache line change with every receive.
        if (ring.receiverSleepers().count != 0) {
            drain();
        }
    }

    /** Whether a ring holds a message (a hint: cheap, for polling loops). */
    boolean hasIncoming() {
        for (SmallRing ring : rings) {
            if (ring.hasMessage()) {
                return true;
            }
        }
        return false;
    }

    /** Takes every message waiting in a ring now (on the rank's thread, while it waits or tests). */
    void poll() {
        if (hasIncoming()) {
            drain();
        }
    }

    /**
     * A thread of this rank is about to park ({@code +1}) or has stopped parking ({@code -1}): senders then drain
     * the rings themselves. After {@code +1} the caller must check {@link #hasIncoming()} before parking.
     */
    void sleeping(int delta) {
        sleepers.add(delta);
    }

    /** Threads of this rank parked or about to park (for tests). */
    int sleepers() {
        return sleepers.count;
    }

    /** Takes every message waiting in a ring (see {@link #poll}). */
    void drain() {
        boolean queued;
        synchronized (this) {
            queued = drainLocked();
        }
        if (queued) {
            wakeProber();
        }
    }

    /**
     * Takes every message waiting in the rings, each ring in order; under the lock. A message that matches a posted
     * receive is copied into it at once; the others become unexpected. Returns whether any did.
     */
    private boolean drainLocked() {
        boolean queued = false;
        for (SmallRing ring : rings) {
            while (ring.hasMessage()) {
                int at = ring.next();
                if (at >= 0) {
                    queued |= take(ring, at);
                }
            }
        }
        return queued;
    }

    /**
     * Takes the record at {@code at}: copied straight into the receive it matches, or kept as an unexpected message;
     * a policy watching the traffic sees its envelope and its sender's stamp ({@link ChannelHook#onAccept}), and a
     * {@code Message} only when it asks to log it. Returns whether it became unexpected.
     */
    private boolean take(SmallRing ring, int at) {
        int context = ring.context(at);
        int tag = ring.tag(at);
        BaseType base = ring.base(at);
        int elements = ring.elements(at);
        int bytes = elements * base.byteSize();
        int source = ring.source();
        ChannelHook h = context == CommSnapshot.CONTEXT ? null : hook;
        int verdict = h == null ? ChannelHook.KEEP : h.onAccept(source, context, tag, ring.epoch(at), ring.seq(at));
        if (verdict == ChannelHook.DROP) {
            ring.advance(at);
            return false;
        }
        Request r = findPosted(context, source, tag);
        // No object at all for a matched message, watched or not.
        Message m = r != null ? null : Message.arrived(source, ring.dest(), context, tag, base, elements,
                ring.copyPayload(at, bytes), null);
        if (h != null) {
            Message stamped = m != null ? m : verdict == ChannelHook.LOG ? Message.arrived(source, ring.dest(), context,
                    tag, base, elements, NO_PAYLOAD, null) : null;
            if (stamped != null) {
                stamped.stamp(ring.epoch(at), ring.seq(at));
            }
            if (verdict == ChannelHook.LOG) {
                h.log(stamped, ring.copyPayload(at, bytes));
            }
        }
        if (r != null) {
            unlinkPosted(r);
        }
        if (r != null) {
            r.deliverFromRing(ring, at, source, tag, base, elements);
        } else {
            append(m);
            if (backlog.full(source)) {
                ring.holdBack();
            }
        }
        ring.advance(at);
        return r == null;
    }

    /** Accepts one message under the lock: the receive it matches (unlinked), or null when it is now unexpected. */
    private Request accept(Message m) {
        ChannelHook h = hook;
        if (m.context() == CommSnapshot.CONTEXT) {
            if (m.tag() == CommSnapshot.DATUM_TAG) {
                if (m.isRemote()) {
                    throw new IllegalStateException("a policy's datum from rank " + m.source() + " came by rendezvous");
                }
                if (h != null) {
                    h.onDatum(m.source(), CommSnapshot.copyPayload(m));
                }
                return DROPPED;
            }
        } else if (h != null) {
            // Under the lock, so that a checkpoint taken with runAtomically sees exactly the accepted messages.
            int verdict = h.onAccept(m.source(), m.context(), m.tag(), m.epoch(), m.seq());
            if (verdict == ChannelHook.DROP) {
                return DROPPED;
            }
            if (verdict == ChannelHook.LOG) {
                if (m.isRemote()) {
                    m.logOnFetch = true;
                } else {
                    h.log(m, CommSnapshot.copyPayload(m));
                }
            }
        }
        Request r = takePosted(m);
        if (r == null) {
            if (m.isEager() && !backlog.admits(m)) {
                m.waitAtSender();
            } else if (m.isEager()) {
                m.stage();
            }
            append(m);
        }
        return r;
    }

    private void append(Message m) {
        if (unexpectedTail == null) {
            unexpectedHead = m;
        } else {
            unexpectedTail.next = m;
        }
        unexpectedTail = m;
        arrivals++;
        backlog.charge(m);
    }

    private void wakeProber() {
        Thread p = prober;
        if (p != null) {
            LockSupport.unpark(p);
        }
    }

    /**
     * Posts a receive: matches it at once against the unexpected messages or queues it. Messages still in the rings
     * arrived after every unexpected one, so they are taken only after the receive has been queued, and go to the
     * earliest posted receive they match, this one included, straight from the ring into its buffer.
     */
    void post(Request r) {
        Message m;
        boolean queued = false;
        synchronized (this) {
            m = takeUnexpected(r);
            if (m == null && failedPeers != null && r.source != Ranks.ANY_SOURCE && failedPeers.containsKey(r.source)) {
                r.failWith(new PeerFailedException(r.source, failedPeers.get(r.source)));
            } else if (m == null) {
                r.posted = true;
                if (postedTail == null) {
                    postedHead = r;
                } else {
                    postedTail.next = r;
                    r.prev = postedTail;
                }
                postedTail = r;
                queued = drainLocked();
            }
        }
        if (queued) {
            wakeProber();
        }
        if (m != null) {
            r.deliver(m);
        }
    }

    /**
     * Records that world rank {@code rank} has failed: receives posted for it specifically complete with a
     * {@link PeerFailedException}, messages it announced but whose payload never came are dropped, and from now on
     * a receive from it that finds no message it sent earlier fails at once. Receives from {@code ANY_SOURCE} stay
     * posted, since another rank may still satisfy them; messages that arrived whole stay receivable.
     */
    public void peerFailed(int rank, String reason) {
        java.util.List<Request> doomed = new java.util.ArrayList<>();
        synchronized (this) {
            java.util.Map<Integer, String> failed = failedPeers == null ? new java.util.HashMap<>()
                    : new java.util.HashMap<>(failedPeers);
            failed.putIfAbsent(rank, reason);
            failedPeers = failed;
            for (Request r = postedHead; r != null; ) {
                Request next = r.next;
                if (r.source == rank) {
                    unlinkPosted(r);
                    doomed.add(r);
                }
                r = next;
            }
            Message prev = null;
            for (Message m = unexpectedHead; m != null; ) {
                Message next = m.next;
                if (m.source() == rank && m.isRemote()) {
                    unlinkUnexpected(prev, m);
                } else {
                    prev = m;
                }
                m = next;
            }
        }
        for (Request r : doomed) {
            r.failWith(new PeerFailedException(rank, reason));
        }
        Thread p = prober;
        if (p != null) {
            LockSupport.unpark(p);
        }
    }

    /** Throws {@link PeerFailedException} when world rank {@code rank} has failed. Cheap while no peer has. */
    void checkPeer(int rank) {
        java.util.Map<Integer, String> failed = failedPeers;
        if (failed != null) {
            String reason = failed.get(rank);
            if (reason != null) {
                throw new PeerFailedException(rank, reason);
            }
        }
    }

    /**
     * Runs {@code action} under the lock that guards accepting messages, after taking what the rings hold: no message
     * is accepted meanwhile, so what a hook has counted is exact for as long as it runs.
     */
    public <T> T atomically(java.util.function.Supplier<T> action) {
        boolean queued;
        T result;
        synchronized (this) {
            queued = drainLocked();
            result = action.get();
        }
        if (queued) {
            wakeProber();
        }
        return result;
    }

    /**
     * Empties this mailbox for a new incarnation of its rank, whose previous one died: from now on {@code hook}
     * decides what is accepted (one that drops everything until the new incarnation installs its own). What the rings
     * hold is taken through it; receives the dead incarnation had posted are forgotten; messages it had accepted but
     * not received are dropped, and their senders' requests complete, as if they had been received (a policy that
     * restarts one rank alone has them in its senders' logs, and they are sent again).
     */
    public void restartReceiver(ChannelHook hook) {
        java.util.List<Message> dropped = new java.util.ArrayList<>();
        synchronized (this) {
            this.hook = hook;
            drainLocked();
            for (Request r = postedHead; r != null; ) {
                Request next = r.next;
                r.prev = null;
                r.next = null;
                r.posted = false;
                r = next;
            }
            postedHead = null;
            postedTail = null;
            Message prev = null;
            for (Message m = unexpectedHead; m != null; ) {
                Message next = m.next;
                unlinkUnexpected(prev, m);
                dropped.add(m);
                m = next;
            }
            prober = null;
        }
        for (Message m : dropped) {
            m.delivered();
        }
    }

    /** Removes a posted, unmatched receive. */
    boolean cancel(Request r) {
        poll();
        synchronized (this) {
            if (!r.posted) {
                return false;
            }
            unlinkPosted(r);
            return true;
        }
    }

    @Override
    public boolean retract(Packet packet) {
        poll();
        synchronized (this) {
            Message prev = null;
            for (Message m = unexpectedHead; m != null; prev = m, m = m.next) {
                if (m == packet) {
                    unlinkUnexpected(prev, m);
                    return true;
                }
            }
            return false;
        }
    }

    /** The earliest unmatched message that a receive with this key would match, without taking it. */
    Message peek(int context, int source, int tag) {
        poll();
        synchronized (this) {
            for (Message m = unexpectedHead; m != null; m = m.next) {
                if (m.context() == context && (source == Ranks.ANY_SOURCE || source == m.source())
                        && (tag == Ranks.ANY_TAG || tag == m.tag())) {
                    return m;
                }
            }
            return null;
        }
    }

    long arrivals() {
        return arrivals;
    }

    void setProber(Thread t) {
        prober = t;
    }

    /**
     * Describes the receives posted but not matched yet, one line each, in posting order (empty when there are
     * none); a checkpoint refuses to proceed while the program has any.
     */
    java.util.List<String> describePosted() {
        poll();
        synchronized (this) {
            java.util.List<String> out = new java.util.ArrayList<>();
            for (Request r = postedHead; r != null; r = r.next) {
                out.add("receive from " + (r.source == Ranks.ANY_SOURCE ? "any rank" : "world rank " + r.source)
                        + " with tag " + (r.tag == Ranks.ANY_TAG ? "ANY" : Integer.toString(r.tag)) + " on context "
                        + r.context);
            }
            return out;
        }
    }

    /**
     * Removes and returns, in arrival order, every unmatched message except those on {@code keepContext}; first runs
     * {@code atomically} (if not null) under the same lock, so that no message is accepted in between. When
     * {@code atomically} returns false nothing is taken and null is returned.
     */
    java.util.List<Message> takeUnexpected(int keepContext, java.util.function.BooleanSupplier atomically) {
        poll();
        synchronized (this) {
            if (atomically != null && !atomically.getAsBoolean()) {
                return null;
            }
            java.util.List<Message> taken = new java.util.ArrayList<>();
            Message prev = null;
            for (Message m = unexpectedHead; m != null; ) {
                Message next = m.next;
                if (m.context() != keepContext) {
                    unlinkUnexpected(prev, m);
                    taken.add(m);
                } else {
                    prev = m;
                }
                m = next;
            }
            return taken;
        }
    }

    /**
     * Runs {@code action} under the mailbox lock with the source and channel number of every unmatched message except
     * those on {@code skipContext}, in arrival order ({@code [i][0]} source, {@code [i][1]} number); nothing is
     * accepted meanwhile.
     */
    <T> T withUnexpected(int skipContext, java.util.function.Function<long[][], T> action) {
        poll();
        synchronized (this) {
            int n = 0;
            for (Message m = unexpectedHead; m != null; m = m.next) {
                if (m.context() != skipContext) {
                    n++;
                }
            }
            long[][] ids = new long[n][];
            int i = 0;
            for (Message m = unexpectedHead; m != null; m = m.next) {
                if (m.context() != skipContext) {
                    ids[i++] = new long[] {m.source(), m.seq()};
                }
            }
            return action.apply(ids);
        }
    }

    /**
     * Puts {@code messages} in front of the unmatched ones, keeping their order: they arrived before anything
     * queued now (a restored checkpoint's messages, or messages taken out by {@link #takeUnexpected} and copied).
     * Receives already posted are matched against them first.
     */
    void prependUnexpected(java.util.List<Message> messages) {
        java.util.List<Request> matched = new java.util.ArrayList<>();
        java.util.List<Message> matchedMessages = new java.util.ArrayList<>();
        synchronized (this) {
            Message first = null;
            Message last = null;
            for (Message m : messages) {
                Request r = takePosted(m);
                if (r != null) {
                    matched.add(r);
                    matchedMessages.add(m);
                    continue;
                }
                m.next = null;
                if (last == null) {
                    first = m;
                } else {
                    last.next = m;
                }
                last = m;
                backlog.charge(m);
            }
            if (last != null) {
                last.next = unexpectedHead;
                unexpectedHead = first;
                if (unexpectedTail == null) {
                    unexpectedTail = last;
                }
                arrivals++;
            }
        }
        for (int i = 0; i < matched.size(); i++) {
            matched.get(i).deliver(matchedMessages.get(i));
        }
    }

    /** How many senders write small messages into rings to this rank (for tests). */
    int ringCount() {
        return rings.length;
    }

    /** Number of messages waiting to be matched (for diagnostics and tests). */
    public int unexpectedCount() {
        poll();
        synchronized (this) {
            int n = 0;
            for (Message m = unexpectedHead; m != null; m = m.next) {
                n++;
            }
            return n;
        }
    }

    private Request takePosted(int context, int source, int tag) {
        Request r = findPosted(context, source, tag);
        if (r != null) {
            unlinkPosted(r);
        }
        return r;
    }

    /** The earliest posted receive that matches, left posted; or null. */
    private Request findPosted(int context, int source, int tag) {
        for (Request r = postedHead; r != null; r = r.next) {
            if (r.matches(context, source, tag)) {
                return r;
            }
        }
        return null;
    }

    private Request takePosted(Message m) {
        return takePosted(m.context(), m.source(), m.tag());
    }

    private Message takeUnexpected(Request r) {
        Message prev = null;
        for (Message m = unexpectedHead; m != null; prev = m, m = m.next) {
            if (r.matches(m)) {
                unlinkUnexpected(prev, m);
                return m;
            }
        }
        return null;
    }

    private void unlinkPosted(Request r) {
        if (r.prev == null) {
            postedHead = r.next;
        } else {
            r.prev.next = r.next;
        }
        if (r.next == null) {
            postedTail = r.prev;
        } else {
            r.next.prev = r.prev;
        }
        r.prev = null;
        r.next = null;
        r.posted = false;
    }

    private void unlinkUnexpected(Message prev, Message m) {
        if (prev == null) {
            unexpectedHead = m.next;
        } else {
            prev.next = m.next;
        }
        if (unexpectedTail == m) {
            unexpectedTail = prev;
        }
        m.next = null;
        if (backlog.release(m)) {
            resumeRingFrom(m.source());
        }
    }

    /** The sender {@code source} is within its window again: its ring, if held back, frees slots again. */
    private void resumeRingFrom(int source) {
        for (SmallRing ring : rings) {
            if (ring.source() == source) {
                ring.resume();
            }
        }
    }

    // ---------------------------------------------------------------- what nobody has received

    /** The eager window this mailbox grants each sender, in bytes (see {@link EagerWindow}). */
    public long window() {
        return backlog.window();
    }

    /**
     * The most that unexpected messages from one sender can hold here: its window, and on {@code shm} one ring of
     * small messages beyond it (see {@link Backlog}).
     */
    public long heldLimit() {
        return backlog.window() + Backlog.SLACK;
    }

    /** Bytes that unexpected messages from world rank {@code source} hold here, charged against its window. */
    public long heldBytesFrom(int source) {
        poll();
        synchronized (this) {
            return backlog.from(source);
        }
    }

    /** Bytes that unexpected messages from every sender hold here (see {@link Backlog}). */
    public long heldBytes() {
        poll();
        synchronized (this) {
            return backlog.held();
        }
    }

    /** The most {@link #heldBytes()} has been. */
    public long peakHeldBytes() {
        synchronized (this) {
            return backlog.peak();
        }
    }

    /**
     * Every message accepted for rank {@code rank} and not received, except those on {@code skipContext}, counted
     * by sender, context and tag (at {@code MPI.Finalize}, to report them).
     */
    Unreceived unreceived(int rank, int skipContext) {
        poll();
        synchronized (this) {
            Unreceived.Counter counter = new Unreceived.Counter(rank);
            for (Message m = unexpectedHead; m != null; m = m.next) {
                if (m.context() != skipContext) {
                    counter.add(m.source(), m.context(), m.tag(), m.isRemote() ? ((RemotePayload) m.data).bytes()
                            : m.payloadBytes());
                }
            }
            return counter.result();
        }
    }

    /** A counter on cache lines of its own: senders read it after every ring write, the rank writes it rarely. */
    @SuppressWarnings("unused")
    static final class Sleepers extends SleepersPad {
        volatile int count;
        private long q0, q1, q2, q3, q4, q5, q6, q7;

        void add(int delta) {
            COUNT.getAndAdd(this, delta);
        }

        private static final java.lang.invoke.VarHandle COUNT;

        static {
            try {
                COUNT = java.lang.invoke.MethodHandles.lookup().findVarHandle(Sleepers.class, "count", int.class);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    @SuppressWarnings("unused")
    private static class SleepersPad {
        private long p0, p1, p2, p3, p4, p5, p6, p7;
    }
}
