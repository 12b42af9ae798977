package io.snapline.runtime.engine;

import io.snapline.runtime.device.Device;
import java.util.concurrent.locks.LockSupport;

/**
 * One rank's view of the engine: sends, receives, probes and waits addressed by world rank and context. The
 * {@link Communicator} adds group-relative ranks on top. An endpoint is used by its rank's threads only.
 */
public final class Endpoint {
    /** Messages up to this many bytes are sent eagerly (copied when unmatched); larger ones by rendezvous. */
    public static final int EAGER_LIMIT = 16 * 1024;
    /** First context pair free for new communicators (0/1 belong to the world, 2/3 to self). */
    static final int FIRST_FREE_CONTEXT = 4;
    /**
     * A parked wait wakes after this long to check whether the job was aborted (an abort wakes each rank's main thread
     * at once; other threads of the rank notice it here), and after twice as long each time it parks again, up to
     * {@link #MAX_PARK_NANOS}: thousands of ranks waiting at once (a barrier on 4,096 ranks) must not wake hundreds of
     * thousands of times a second for nothing.
     */
    private static final long PARK_NANOS = 20_000_000L;
    private static final long MAX_PARK_NANOS = 640_000_000L;
    /**
     * How long a wait that moves its own traffic sleeps at most before it checks whether the job was aborted: longer
     * than a park, since each return hands the connection back and wakes the device's progress thread.
     */
    private static final long DRIVE_NANOS = 100_000_000L;
    /** Busy-spin budget of a wait, used only when every rank can own a core. */
    private static final long SPIN_NANOS = 10_000L;
    /**
     * End of the yield phase of a wait: a rank whose peer shares its core hands the core over at once instead of
     * burning a time slice, and a rank whose peer runs elsewhere keeps polling at the cost of a system call.
     */
    private static final long YIELD_NANOS = 100_000L;
    /** A spinning wait reads the clock once every this many + 1 turns. */
    private static final int CLOCK_EVERY = 15;
    /** How long a waiter keeps spinning while another thread copies its large payload (see {@link Request#copying}). */
    private static final long COPY_SPIN_NANOS = 20_000_000L;

    private final int rank;
    private final int size;
    private final Device device;
    private final Mailbox mailbox;
    private final JobState job;
    private final BsendBuffer bsend = new BsendBuffer();
    private final long spinNanos;
    private ObjectCodec codec;
    private int nextContext = FIRST_FREE_CONTEXT;
    private volatile ChannelHook hook;
    /** Records or replays the outcomes of this rank's non-deterministic operations; null (the rule) when off. */
    private volatile ChoiceHook choices;
    private volatile boolean closed;
    /** Whether the peers are threads of this process (shm), whose small messages go through {@link SmallRing}s. */
    private final boolean local;
    /**
     * Per destination: the ring small messages to it go through, opened at the second small message to it; null until
     * this rank opens one (a rank of a large job that only takes part in a barrier never does).
     */
    private SmallRing[] rings;
    /** Per destination, one bit: this rank has sent it a small message (the next one opens the ring). */
    private long[] sentSmall;
    /** How a {@link ChannelHook} sees a small message for a ring (made at the first one); program thread. */
    private RingSend ringSend;

    public Endpoint(int rank, Device device, Mailbox mailbox, JobState job) {
        this.rank = rank;
        this.size = device.size();
        this.device = device;
        this.mailbox = mailbox;
        this.job = job;
        int cores = Runtime.getRuntime().availableProcessors();
        this.local = device.localHandler(rank) instanceof Mailbox;
        // Spinning only pays when every thread that moves messages can own a core: each rank's own thread, and where
        // peers live in other processes also its progress thread, which reads what the rank waits for (a spinning
        // rank would take the core it needs). Oversubscribed ranks yield and park at once.
        int movers = local ? size : 2 * size;
        this.spinNanos = movers <= cores ? SPIN_NANOS : 0L;
    }

    public int rank() {
        return rank;
    }

    public int size() {
        return size;
    }

    public JobState job() {
        return job;
    }

    /** Why this rank was killed ({@link #kill}), or null. */
    private volatile String killedFor;

    /**
     * Kills this rank while the others run on: its threads' next entry into the runtime, and every wait they are in,
     * ends with {@link RankKilledError}, so that it stops where it touches nothing another rank shares. Any thread.
     */
    public void kill(String reason) {
        killedFor = reason;
        job.wake(rank);
    }

    /** Whether {@link #kill} was called. */
    public boolean isKilled() {
        return killedFor != null;
    }

    /**
     * Throws {@link JobAbortedException} when the job has been aborted, and {@link RankKilledError} when this rank
     * was {@linkplain #kill killed}.
     */
    public void check() {
        job.check();
        String k = killedFor;
        if (k != null) {
            throw new RankKilledError("rank " + rank + " was killed: " + k);
        }
    }

    public Device device() {
        return device;
    }

    public Mailbox mailbox() {
        return mailbox;
    }

    public BsendBuffer bsendBuffer() {
        return bsend;
    }

    /** How many ranks of the job run in this process (all of them on {@code shm}, this one on {@code tcp}). */
    public int ranksInThisProcess() {
        int n = 0;
        for (int r = 0; r < size; r++) {
            if (device.localHandler(r) instanceof Mailbox) {
                n++;
            }
        }
        return Math.max(1, n);
    }

    /** Installs (or, with null, removes) the hook that numbers and classifies this rank's traffic. */
    public void setHook(ChannelHook hook) {
        this.hook = hook;
        mailbox.setHook(hook);
    }

    ChannelHook hook() {
        return hook;
    }

    /**
     * Installs (or, with null, removes) the hook that sees and, on replay, decides the outcomes of this rank's
     * non-deterministic operations (see {@link ChoiceHook}). Any thread; operations already under way finish with
     * the hook they started with.
     */
    public void setChoiceHook(ChoiceHook hook) {
        this.choices = hook;
    }

    public void setCodec(ObjectCodec codec) {
        this.codec = codec;
    }

    /**
     * Copies {@code n} elements of {@link BaseType#OBJECT} layouts as a message would carry them: encoded as one object
     * graph and decoded, so the copy shares no object with the source (collective reductions work on such copies, so
     * a user function never changes the caller's objects).
     */
    public void copyObjects(Object[] src, int srcOffset, TypeMap srcType, Object[] dst, int dstOffset, TypeMap dstType,
            int n) {
        if (n > 0) {
            codec().decode(codec().encode(src, srcOffset, srcType, n), dst, dstOffset, dstType, n);
        }
    }

    ObjectCodec codec() {
        if (codec == null) {
            throw new EngineException("MPI.OBJECT needs an object codec and none is installed");
        }
        return codec;
    }

    /** The next unused context id of this rank (communicator creation agrees on the maximum). */
    public int nextContext() {
        return nextContext;
    }

    /** Marks every context id below {@code next} as used by this rank. */
    public void reserveContextsBelow(int next) {
        if (next > nextContext) {
            nextContext = next;
        }
    }

    /** Starts a send of {@code count} items of {@code type} to world rank {@code dest}; arguments are checked. */
    public Request isend(SendMode mode, Object buf, int offset, int count, TypeMap type, int dest, int tag,
            int context, int destRankForStatus) {
        check();
        checkPeer(dest);
        int n = count * type.size();
        BaseType base = type.base();
        ChannelHook h = context == CommSnapshot.CONTEXT ? null : hook;
        boolean ring = local && (mode == SendMode.STANDARD || mode == SendMode.READY) && base != null
                && type.isContiguous() && SmallRing.fits(base, (long) n * base.byteSize());
        if (ring && h == null && sendThroughRing(dest, context, tag, base, buf, offset, n, 0, 0L)) {
            // The request only after the message is out: the receiver may be spinning for it.
            Request req = Request.forSend(this, destRankForStatus, tag);
            req.completeUnshared(n);
            return req;
        }
        Request req = Request.forSend(this, destRankForStatus, tag);
        if (ring && h != null) {
            // The hook sees a small message through the reusable view; a Message is made only if the ring is full.
            RingSend s = ringSend == null ? ringSend = new RingSend(rank) : ringSend;
            s.of(dest, context, tag, base, buf, offset, type, n);
            boolean send;
            try {
                send = h.beforeSend(s);
            } catch (RuntimeException | Error e) {
                s.clear();
                throw e;
            }
            if (!send) {
                s.clear();
                req.completeSend(n);
                return req;
            }
            try {
                if (sendThroughRing(dest, context, tag, base, buf, offset, n, s.epoch(), s.seq())) {
                    req.completeUnshared(n);
                    return req;
                }
                // The ring is full: the message takes the locked path, stamped as the hook stamped it.
                return sendMessage(mode, buf, offset, type, n, base, dest, context, tag, req, null, s);
            } finally {
                h.afterSend(s); // while the receiver takes the message
                s.clear();
            }
        }
        return sendMessage(mode, buf, offset, type, n, base, dest, context, tag, req, h, null);
    }

    /**
     * The rest of {@link #isend} for a message that does not go through the ring: a {@link Message} to the device,
     * shown to {@code h} (if not null) or stamped as {@code stamped} says (a small message the hook saw already).
     */
    private Request sendMessage(SendMode mode, Object buf, int offset, TypeMap type, int n, BaseType base, int dest,
            int context, int tag, Request req, ChannelHook h, RingSend stamped) {
        Object data = buf;
        int off = offset;
        TypeMap layout = type;
        long bytes;
        if (base == BaseType.OBJECT && n > 0) {
            byte[] encoded = codec().encode((Object[]) buf, offset, type, n);
            data = encoded;
            off = 0;
            layout = null;
            bytes = encoded.length;
        } else {
            bytes = (long) n * (base == null ? 0 : base.byteSize());
        }
        BsendBuffer.Region region = null;
        if (mode == SendMode.BUFFERED) {
            region = bsend.allocate(bytes);
            if (layout != null && n > 0) {
                PackCodec.write(region.data(), buf, offset, type, n);
                data = region.data();
                off = 0;
                layout = TypeMap.basic(base);
            }
        }
        boolean eager = mode != SendMode.SYNCHRONOUS && (layout == null || bytes <= EAGER_LIMIT || mode == SendMode.BUFFERED);
        Message m = new Message(rank, dest, context, tag, base == null ? BaseType.BYTE : base, data, off, layout, n,
                req, eager);
        m.synchronous = mode == SendMode.SYNCHRONOUS;
        m.buffered = mode == SendMode.BUFFERED;
        m.packed = data instanceof java.nio.ByteBuffer && data != buf;
        if (region != null) {
            BsendBuffer.Region held = region;
            m.onDelivered = () -> bsend.free(held);
        }
        if (!eager) {
            req.message = m;
        }
        if (stamped != null) {
            m.stamp(stamped.epoch(), stamped.seq());
        } else if (h != null && !h.beforeSend(m)) {
            if (m.onDelivered != null) {
                m.onDelivered.run();
            }
            req.completeSend(n);
            return req;
        }
        try {
            device.send(m);
        } catch (io.snapline.runtime.device.DeviceException e) {
            if (m.onDelivered != null) {
                m.onDelivered.run();
            }
            throw new EngineException(e.getMessage(), e);
        }
        if (m.eager) {
            req.completeSend(n);
        }
        return req;
    }

    /**
     * Sends {@code datum}, a policy's data of at most {@link #EAGER_LIMIT} bytes, to world rank {@code dest} on the
     * checkpoint context, in channel order with everything this rank sends there: the receiver's
     * {@link ChannelHook#onDatum} gets it as it arrives, before any message sent after it is accepted. It never waits
     * for the receiver. Any thread: it never takes the ring of small messages, which only the rank's own thread
     * writes (on shm the locked path takes what the ring holds first, and has accepted the datum when this returns).
     */
    public void sendDatum(int dest, byte[] datum) {
        check();
        checkPeer(dest);
        if (datum.length > EAGER_LIMIT) {
            throw new IllegalArgumentException("a datum holds at most " + EAGER_LIMIT + " bytes, got " + datum.length);
        }
        try {
            device.send(Message.datum(rank, dest, datum));
        } catch (io.snapline.runtime.device.DeviceException e) {
            throw new EngineException(e.getMessage(), e);
        }
    }

    /**
     * Sends again, from a message log, a message this rank sent before a restart: numbered {@code seq} on its channel,
     * past the hook (it was numbered and logged when first sent), stamped {@code epoch}. It must go before any message
     * the program sends to {@code dest} from now on, which channel order then keeps behind it. Any thread.
     */
    public void resend(int dest, int context, int tag, BaseType base, int elements, byte[] payload, int epoch,
            long seq) {
        check();
        checkPeer(dest);
        try {
            device.send(Message.resent(rank, dest, context, tag, base, elements, payload, epoch, seq));
        } catch (io.snapline.runtime.device.DeviceException e) {
            throw new EngineException(e.getMessage(), e);
        }
    }

    /**
     * Writes a small message into the ring to {@code dest} (see {@link SmallRing}); false when there is no ring to
     * {@code dest} yet or it is full, and the message takes the mailbox's locked path, which drains the ring first.
     */
    private boolean sendThroughRing(int dest, int context, int tag, BaseType base, Object buf, int offset, int n,
            int epoch, long seq) {
        SmallRing[] rs = rings;
        SmallRing ring = rs == null ? null : rs[dest];
        if (ring == null) {
            ring = openRing(dest);
            if (ring == null) {
                return false;
            }
        }
        if (!ring.offer(context, tag, base, buf, offset, n, epoch, seq)) {
            return false;
        }
        ring.owner().afterRingWrite(ring);
        return true;
    }

    /**
     * The ring to {@code dest}, opened at the second small message to it; null at the first, which takes the locked
     * path. A ring (16 KiB) pays off for a pair that exchanges many messages, not for the single one a pair of a large
     * job exchanges in a barrier: thousands of ranks would hold rings of up to log2(size) partners each.
     */
    private SmallRing openRing(int dest) {
        if (sentSmall == null) {
            sentSmall = new long[(size + 63) >>> 6];
        }
        long bit = 1L << dest;
        if ((sentSmall[dest >>> 6] & bit) == 0) {
            sentSmall[dest >>> 6] |= bit;
            return null;
        }
        SmallRing ring = ((Mailbox) device.localHandler(dest)).ringFrom(rank, dest);
        if (rings == null) {
            rings = new SmallRing[size];
        }
        rings[dest] = ring;
        return ring;
    }

    /** Posts a receive from world rank {@code source} (or {@link Ranks#ANY_SOURCE}); arguments are checked. */
    public Request irecv(Object buf, int offset, int count, TypeMap type, int source, int tag, int context, Group peers) {
        return irecv(buf, offset, count, type, source, tag, context, peers, true);
    }

    /**
     * Posts a receive, as {@link #irecv(Object, int, int, TypeMap, int, int, int, Group)}; {@code visible}: whether the
     * program gets the request and may test it, or only the runtime waits for it (see {@link ChoiceHook#receive}).
     */
    public Request irecv(Object buf, int offset, int count, TypeMap type, int source, int tag, int context, Group peers,
            boolean visible) {
        check();
        ChoiceHook c = choices;
        ChoiceHook.Receive watch = c == null || context == CommSnapshot.CONTEXT ? null
                : c.receive(source, tag, context, visible);
        Request r = Request.forReceive(this, buf, offset, count, type, context, watch == null ? source : watch.source(),
                tag, peers);
        r.choice = watch;
        mailbox.post(r);
        return r;
    }

    /**
     * Records that world rank {@code rank}'s process has failed (a device saw its connection break): pending
     * receives from it fail with a {@link PeerFailedException} naming it, and so do later sends to it and later
     * receives from it that find no message it sent before failing. Pending sends to it are the device's to fail
     * (it holds them). Callable from any thread.
     */
    public void peerFailed(int rank, String reason) {
        mailbox.peerFailed(rank, reason);
    }

    private volatile boolean peerFailureRaised;

    private void checkPeer(int rank) {
        try {
            mailbox.checkPeer(rank);
        } catch (PeerFailedException e) {
            peerFailureRaised = true;
            throw e;
        }
    }

    /** Notes that an operation of this rank failed because a peer failed (see {@link #peerFailureRaised()}). */
    void notePeerFailure() {
        peerFailureRaised = true;
    }

    /**
     * Whether an operation of this rank has failed because a peer had failed: from then on the program's state may
     * depend on the failure (it may have caught the exception and gone on).
     */
    public boolean peerFailureRaised() {
        return peerFailureRaised;
    }

    /**
     * The messages sent to this rank that it has not received (checkpoint traffic excepted); after {@link #close()}
     * that is every message it will ever have been sent, to report at {@code MPI.Finalize}.
     */
    public Unreceived unreceived() {
        return mailbox.unreceived(rank, CommSnapshot.CONTEXT);
    }

    /** Leaves the job in an orderly way after {@code MPI.Finalize} (see {@link Device#close()}). */
    public void close() {
        device.close();
        closed = true;
    }

    /** Whether {@link #close} has run: the rank has left the job, and nothing may use this endpoint any more. */
    public boolean isClosed() {
        return closed;
    }

    /** Cancels a pending operation if it has not been matched yet; returns whether it was cancelled. */
    public boolean cancel(Request r) {
        if (r.isComplete()) {
            return false;
        }
        if (r.isSend()) {
            Message m = r.message;
            if (m != null && device.retract(m)) {
                if (m.onDelivered != null) {
                    m.onDelivered.run();
                }
                r.completeCancelled();
                return true;
            }
            return false;
        }
        if (mailbox.cancel(r)) {
            r.completeCancelled();
            return true;
        }
        return false;
    }

    /** The earliest unmatched message for this key, or null ({@code Iprobe}: a choice, see {@link ChoiceHook}). */
    public Message iprobe(int source, int tag, int context) {
        check();
        ChoiceHook c = choices;
        Message m;
        if (c == null || context == CommSnapshot.CONTEXT) {
            m = mailbox.peek(context, source, tag);
        } else {
            int forced = c.probe(false, source, tag, context);
            m = forced == ChoiceHook.FREE ? mailbox.peek(context, source, tag)
                    : forced == ChoiceHook.NOTHING ? null : awaitMessage(forced, tag, context);
            c.probed(false, source, tag, context, m);
        }
        job.polled(rank, m != null, source);
        return m;
    }

    /**
     * Waits for a message that matches the key and returns it, still unmatched ({@code Probe}; with a wildcard source
     * or tag the hook decides whether it is a choice, see {@link ChoiceHook}).
     */
    public Message probe(int source, int tag, int context) {
        ChoiceHook c = choices;
        if (c == null || source != Ranks.ANY_SOURCE && tag != Ranks.ANY_TAG || context == CommSnapshot.CONTEXT) {
            Message m = awaitMessage(source, tag, context);
            job.polled(rank, true, source); // a rank that polled in vain before this probe runs again
            return m;
        }
        int forced = c.probe(true, source, tag, context);
        Message m = awaitMessage(forced >= 0 ? forced : source, tag, context);
        c.probed(true, source, tag, context, m);
        job.polled(rank, true, source);
        return m;
    }

    /**
     * Waits for a message that matches the key and returns it, still unmatched. The rank counts as blocked (for the
     * deadlock check) from its first park until a message matches, however often it wakes meanwhile.
     */
    private Message awaitMessage(int source, int tag, int context) {
        long start = 0;
        int parks = 0;
        boolean blocked = false;
        try {
            while (true) {
                long seen = mailbox.arrivals();
                check();
                Message m = mailbox.peek(context, source, tag);
                if (m != null) {
                    return m;
                }
                if (start == 0) {
                    start = System.nanoTime();
                }
                if (!blocked && backOff(start, false)) {
                    continue;
                }
                if (!blocked) {
                    mailbox.setProber(Thread.currentThread());
                    job.blocking(rank, new ProbeWait(source, tag, context));
                    mailbox.sleeping(1);
                    blocked = true;
                    continue; // look once more: a message may have come before the senders could see this rank park
                }
                if (mailbox.arrivals() == seen && !mailbox.hasIncoming()) {
                    check();
                    if (source != Ranks.ANY_SOURCE) {
                        checkPeer(source);
                    }
                    LockSupport.parkNanos(this, parkNanos(parks++));
                }
            }
        } finally {
            if (blocked) {
                mailbox.sleeping(-1);
                job.unblocked(rank);
                mailbox.setProber(null);
            }
        }
    }

    /** What a rank blocked in {@code Probe} waits for (for deadlock reports). */
    record ProbeWait(int source, int tag, int context) {
        @Override
        public String toString() {
            return "Probe(source " + (source == Ranks.ANY_SOURCE ? "ANY" : "world rank " + source) + ", tag "
                    + (tag == Ranks.ANY_TAG ? "ANY" : Integer.toString(tag)) + ", context " + context + ")";
        }
    }

    /** Blocks until {@code r} completes, then finishes it (raising its error, if any). */
    public void await(Request r) {
        complete(r);
        r.finish();
    }

    /** Blocks until {@code r} completes; does not finish it. */
    private void complete(Request r) {
        if (!r.isComplete()) {
            mailbox.poll();
            if (!r.isComplete()) {
                awaitSlow(r);
            }
        }
    }

    private void awaitSlow(Request r) {
        if (!local) { // peers in other processes: the wait may move its own traffic (Device.drive)
            int peer = r.drivePeer();
            if (peer >= 0 && peer != rank && drive(r, peer, r.isLarge())) {
                return;
            }
        }
        long start = 0;
        int spins = 0;
        while (!r.isComplete()) {
            if (mailbox.hasIncoming()) {
                mailbox.drain();
                continue;
            }
            if (spinNanos > 0 && (++spins & CLOCK_EVERY) != 0) {
                Thread.onSpinWait(); // the clock costs more than a turn of this loop (some 30 ns here)
                continue;
            }
            if (start == 0) {
                start = System.nanoTime();
            }
            if (!backOff(start, r.copying)) {
                break;
            }
        }
        if (r.isComplete()) {
            return; // completed while spinning: no parking, so nothing to register with the job or the senders
        }
        r.waiter = Thread.currentThread();
        job.blocking(rank, r);
        mailbox.sleeping(1);
        try {
            int parks = 0;
            while (!r.isComplete()) {
                if (mailbox.hasIncoming()) {
                    mailbox.drain();
                    continue;
                }
                check();
                LockSupport.parkNanos(r, parkNanos(parks++));
            }
        } finally {
            mailbox.sleeping(-1);
            r.waiter = null;
            job.unblocked(rank);
        }
    }

    /**
     * Waits for a message to or from {@code peer} by moving its traffic on this thread (see {@link Device#drive});
     * returns false, having done nothing, when the device cannot, and also when it stops being able to before
     * {@code r} completes (the caller then waits as usual).
     */
    private boolean drive(Request r, int peer, boolean large) {
        if (!device.drive(peer, r, DRIVE_NANOS, large)) {
            return false;
        }
        r.waiter = Thread.currentThread();
        job.blocking(rank, r);
        try {
            while (!r.isComplete()) {
                check();
                if (!device.drive(peer, r, DRIVE_NANOS, large)) {
                    return r.isComplete();
                }
            }
            return true;
        } finally {
            r.waiter = null;
            job.unblocked(rank);
        }
    }

    /** How long the {@code parks}-th park of one wait lasts at most (see {@link #PARK_NANOS}). */
    static long parkNanos(int parks) {
        return Math.min(MAX_PARK_NANOS, PARK_NANOS << Math.min(parks, 5));
    }

    /** Takes the small messages waiting in this rank's rings (see {@link Mailbox#poll}). */
    public void poll() {
        mailbox.poll();
    }

    /**
     * Tells the job whether a {@code Test} of {@code r} (or a {@code Testany}, ... of several: null) after
     * taking the waiting ring messages found what it polled for, so that a rank polling in vain counts as waiting
     * (see {@link JobState#polled}).
     */
    private void polled(boolean found, Request r) {
        job.polled(rank, found, r == null ? -1 : r.drivePeer());
    }

    /**
     * One step of waiting that does not park: spin (briefly, and only with a core per rank, or while another thread
     * copies a large payload for us), then yield. Returns false once it is time to park.
     */
    private boolean backOff(long start, boolean copying) {
        long elapsed = System.nanoTime() - start;
        if (elapsed < spinNanos || spinNanos > 0 && copying && elapsed < COPY_SPIN_NANOS) {
            Thread.onSpinWait();
            return true;
        }
        if (elapsed < YIELD_NANOS) {
            Thread.yield();
            return true;
        }
        return false;
    }

    // ---------------------------------------------------------------- tests and waits for several requests

    private static final int[] NONE = new int[0];
    private static final int[] FIRST = {0};

    /** Whether {@code r} has completed, taking waiting ring messages first ({@code Test}: a choice). Not finished. */
    public boolean test(Request r) {
        ChoiceHook c = choices;
        if (c == null) {
            mailbox.poll();
            boolean done = r.isComplete();
            polled(done, r);
            return done;
        }
        Request[] one = {r};
        int[] forced = c.complete(ChoiceHook.Completion.TEST, one);
        boolean done;
        if (forced == null) {
            mailbox.poll();
            done = r.isComplete();
        } else {
            done = forced.length > 0;
            if (done) {
                complete(r);
            }
        }
        c.completed(ChoiceHook.Completion.TEST, one, done ? FIRST : NONE);
        polled(done, r);
        return done;
    }

    /** Whether every non-null request in {@code rs} has completed ({@code Testall}: a choice). None is finished. */
    public boolean testAll(Request[] rs) {
        ChoiceHook c = choices;
        int[] forced = c == null ? null : c.complete(ChoiceHook.Completion.TESTALL, rs);
        boolean all = true;
        if (forced == null) {
            mailbox.poll();
            for (Request r : rs) {
                if (r != null && !r.isComplete()) {
                    all = false;
                    break;
                }
            }
        } else {
            all = forced.length > 0;
            for (int i : forced) {
                complete(rs[i]);
            }
        }
        if (c != null) {
            c.completed(ChoiceHook.Completion.TESTALL, rs, all ? completed(rs) : NONE);
        }
        polled(all, null);
        return all;
    }

    /** The index of the first completed non-null request in {@code rs}, or -1 ({@code Testany}: a choice). */
    public int testAny(Request[] rs) {
        ChoiceHook c = choices;
        int[] forced = c == null ? null : c.complete(ChoiceHook.Completion.TESTANY, rs);
        int i;
        if (forced == null) {
            mailbox.poll();
            i = firstComplete(rs);
        } else {
            i = forced.length == 0 ? -1 : forced[0];
            if (i >= 0) {
                complete(rs[i]);
            }
        }
        if (c != null) {
            c.completed(ChoiceHook.Completion.TESTANY, rs, i < 0 ? NONE : new int[] {i});
        }
        polled(i >= 0, null);
        return i;
    }

    /** The indices of the completed non-null requests in {@code rs}, ascending, maybe none ({@code Testsome}). */
    public int[] testSome(Request[] rs) {
        ChoiceHook c = choices;
        int[] forced = c == null ? null : c.complete(ChoiceHook.Completion.TESTSOME, rs);
        int[] done;
        if (forced == null) {
            mailbox.poll();
            done = completed(rs);
        } else {
            for (int i : forced) {
                complete(rs[i]);
            }
            done = forced;
        }
        if (c != null) {
            c.completed(ChoiceHook.Completion.TESTSOME, rs, done);
        }
        polled(done.length > 0, null);
        return done;
    }

    /**
     * Blocks until at least one non-null request in {@code rs} completes and returns the indices of all that have,
     * ascending ({@code Waitsome}: a choice); empty when every entry is null.
     */
    public int[] awaitSome(Request[] rs) {
        ChoiceHook c = choices;
        int[] forced = c == null ? null : c.complete(ChoiceHook.Completion.WAITSOME, rs);
        int[] done;
        if (forced == null || forced.length == 0) {
            done = awaitFirst(rs) < 0 ? NONE : completed(rs);
        } else {
            for (int i : forced) {
                complete(rs[i]);
            }
            done = forced;
        }
        if (c != null && done.length > 0) {
            c.completed(ChoiceHook.Completion.WAITSOME, rs, done);
        }
        return done;
    }

    /**
     * Blocks until at least one non-null request in {@code rs} completes and returns the index of the first
     * complete one ({@code Waitany}: a choice), or -1 when every entry is null.
     */
    public int awaitAny(Request[] rs) {
        ChoiceHook c = choices;
        int[] forced = c == null ? null : c.complete(ChoiceHook.Completion.WAITANY, rs);
        int i;
        if (forced == null || forced.length == 0) {
            i = awaitFirst(rs);
        } else {
            i = forced[0];
            complete(rs[i]);
        }
        if (c != null && i >= 0) {
            c.completed(ChoiceHook.Completion.WAITANY, rs, new int[] {i});
        }
        return i;
    }

    private static int firstComplete(Request[] rs) {
        for (int i = 0; i < rs.length; i++) {
            if (rs[i] != null && rs[i].isComplete()) {
                return i;
            }
        }
        return -1;
    }

    /** The indices of the completed non-null requests, in one pass: others may complete meanwhile. */
    private static int[] completed(Request[] rs) {
        int[] done = null;
        int n = 0;
        for (int i = 0; i < rs.length; i++) {
            if (rs[i] != null && rs[i].isComplete()) {
                if (done == null) {
                    done = new int[rs.length - i];
                }
                done[n++] = i;
            }
        }
        return n == 0 ? NONE : n == done.length ? done : java.util.Arrays.copyOf(done, n);
    }

    /** Blocks until a non-null request in {@code rs} completes; the index of the first complete one, or -1. */
    private int awaitFirst(Request[] rs) {
        long start = System.nanoTime();
        boolean parked = false;
        int parks = 0;
        Thread me = Thread.currentThread();
        try {
            while (true) {
                boolean any = false;
                for (int i = 0; i < rs.length; i++) {
                    Request r = rs[i];
                    if (r != null) {
                        any = true;
                        if (r.isComplete()) {
                            return i;
                        }
                    }
                }
                if (!any) {
                    return -1;
                }
                if (mailbox.hasIncoming()) {
                    mailbox.drain();
                    continue;
                }
                if (!parked && backOff(start, false)) {
                    continue;
                }
                if (!parked) {
                    for (Request r : rs) {
                        if (r != null) {
                            r.waiter = me;
                        }
                    }
                    parked = true;
                    job.blocking(rank, rs);
                    mailbox.sleeping(1);
                    continue;
                }
                check();
                LockSupport.parkNanos(this, parkNanos(parks++));
            }
        } finally {
            if (parked) {
                mailbox.sleeping(-1);
                for (Request r : rs) {
                    if (r != null) {
                        r.waiter = null;
                    }
                }
                job.unblocked(rank);
            }
        }
    }
}
