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
 * <p>Only queue manipulation happens under the lock; copying the payload happens after, on the thread that made
 * the match.
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

    void setHook(ChannelHook hook) {
        this.hook = hook;
    }

    @Override
    public void onPacket(Packet packet) {
        Message m = (Message) packet;
        ChannelHook h = hook;
        Request r;
        synchronized (this) {
            // Under the lock, so that a checkpoint taken with runAtomically sees exactly the accepted messages.
            if (h != null && m.context() != CommSnapshot.CONTEXT && h.onAccept(m)) {
                if (m.isRemote()) {
                    m.logOnFetch = true;
                } else {
                    h.log(m, CommSnapshot.copyPayload(m));
                }
            }
            r = takePosted(m);
            if (r == null) {
                if (m.isEager()) {
                    m.stage();
                }
                if (unexpectedTail == null) {
                    unexpectedHead = m;
                } else {
                    unexpectedTail.next = m;
                }
                unexpectedTail = m;
                arrivals++;
            }
        }
        if (r != null) {
            r.deliver(m);
        } else {
            Thread p = prober;
            if (p != null) {
                LockSupport.unpark(p);
            }
        }
    }

    /** Posts a receive: matches it at once against the unexpected messages or queues it. */
    void post(Request r) {
        Message m;
        synchronized (this) {
            m = takeUnexpected(r);
            if (m == null && failedPeers != null && r.source != Ranks.ANY_SOURCE && failedPeers.containsKey(r.source)) {
                r.failWith(new PeerFailedException(r.source, failedPeers.get(r.source)));
                return;
            }
            if (m == null) {
                r.posted = true;
                if (postedTail == null) {
                    postedHead = r;
                } else {
                    postedTail.next = r;
                    r.prev = postedTail;
                }
                postedTail = r;
            }
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

    /** Removes a posted, unmatched receive. */
    synchronized boolean cancel(Request r) {
        if (!r.posted) {
            return false;
        }
        unlinkPosted(r);
        return true;
    }

    @Override
    public synchronized boolean retract(Packet packet) {
        Message prev = null;
        for (Message m = unexpectedHead; m != null; prev = m, m = m.next) {
            if (m == packet) {
                unlinkUnexpected(prev, m);
                return true;
            }
        }
        return false;
    }

    /** The earliest unmatched message that a receive with this key would match, without taking it. */
    synchronized Message peek(int context, int source, int tag) {
        for (Message m = unexpectedHead; m != null; m = m.next) {
            if (m.context() == context && (source == Ranks.ANY_SOURCE || source == m.source())
                    && (tag == Ranks.ANY_TAG || tag == m.tag())) {
                return m;
            }
        }
        return null;
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
    synchronized java.util.List<String> describePosted() {
        java.util.List<String> out = new java.util.ArrayList<>();
        for (Request r = postedHead; r != null; r = r.next) {
            out.add("receive from " + (r.source == Ranks.ANY_SOURCE ? "any rank" : "world rank " + r.source)
                    + " with tag " + (r.tag == Ranks.ANY_TAG ? "ANY" : Integer.toString(r.tag)) + " on context "
                    + r.context);
        }
        return out;
    }

    /**
     * Removes and returns, in arrival order, every unmatched message except those on {@code keepContext}; first runs
     * {@code atomically} (if not null) under the same lock, so that no message is accepted in between. When
     * {@code atomically} returns false nothing is taken and null is returned.
     */
    synchronized java.util.List<Message> takeUnexpected(int keepContext, java.util.function.BooleanSupplier atomically) {
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

    /**
     * Runs {@code action} under the mailbox lock with the source and channel number of every unmatched message except
     * those on {@code skipContext}, in arrival order ({@code [i][0]} source, {@code [i][1]} number); nothing is
     * accepted meanwhile.
     */
    synchronized <T> T withUnexpected(int skipContext, java.util.function.Function<long[][], T> action) {
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

    /** Number of messages waiting to be matched (for diagnostics and tests). */
    public synchronized int unexpectedCount() {
        int n = 0;
        for (Message m = unexpectedHead; m != null; m = m.next) {
            n++;
        }
        return n;
    }

    private Request takePosted(Message m) {
        for (Request r = postedHead; r != null; r = r.next) {
            if (r.matches(m)) {
                unlinkPosted(r);
                return r;
            }
        }
        return null;
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
    }
}
