package io.snapline.runtime.engine;

import java.util.concurrent.locks.LockSupport;

/**
 * One point-to-point operation in progress. A receive is completed by whichever thread matches it (the sender's
 * thread on {@code shm}); completion publishes the status through the volatile {@code state}. Work that must run
 * on the owning rank's thread (decoding objects with the rank's class loader) is left for {@link #finish()}, which
 * {@code Wait}/{@code Test} call.
 */
public final class Request implements java.util.function.BooleanSupplier {
    static final int PENDING = 0;
    /** Matched; the owner must still call {@link #finish()} (object decoding). */
    static final int MATCHED = 1;
    static final int DONE = 2;

    private static final java.lang.invoke.VarHandle STATE;

    static {
        try {
            STATE = java.lang.invoke.MethodHandles.lookup().findVarHandle(Request.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Endpoint owner;
    private final boolean send;
    private volatile int state;
    volatile Thread waiter;
    /**
     * Set while a large payload is being copied for this operation by another thread: the copy will end soon, so a
     * waiter keeps spinning instead of parking (a park costs more than the rest of the copy).
     */
    volatile boolean copying;

    // receive parameters (matching key and destination)
    final Object buffer;
    final int offset;
    final int count;
    final TypeMap type;
    final int context;
    final int source;
    final int tag;
    /** Translates the sender's world rank into the communicator rank reported in the status. */
    final Group peers;
    Request prev;
    Request next;
    boolean posted;
    /** For a receive posted while a {@link ChoiceHook} was installed, what the hook watches it with; else null. */
    ChoiceHook.Receive choice;

    // outcome
    private int statusSource;
    private int statusTag;
    private int statusElements;
    private boolean cancelled;
    private EngineException error;
    private Message undecoded;
    /** For a send: the message, while it may still be retracted. */
    Message message;

    private Request(Endpoint owner, boolean send, Object buffer, int offset, int count, TypeMap type, int context,
            int source, int tag, Group peers) {
        this.owner = owner;
        this.send = send;
        this.buffer = buffer;
        this.offset = offset;
        this.count = count;
        this.type = type;
        this.context = context;
        this.source = source;
        this.tag = tag;
        this.peers = peers;
    }

    static Request forSend(Endpoint owner, int destRank, int tag) {
        Request r = new Request(owner, true, null, 0, 0, null, 0, Ranks.ANY_SOURCE, tag, null);
        r.statusSource = destRank;
        r.statusTag = tag;
        return r;
    }

    static Request forReceive(Endpoint owner, Object buffer, int offset, int count, TypeMap type, int context,
            int worldSource, int tag, Group peers) {
        return new Request(owner, false, buffer, offset, count, type, context, worldSource, tag, peers);
    }

    /** A request that is complete already: the {@code PROC_NULL} peer. */
    public static Request procNull(Endpoint owner) {
        Request r = new Request(owner, false, null, 0, 0, null, 0, Ranks.PROC_NULL, Ranks.ANY_TAG, null);
        r.statusSource = Ranks.PROC_NULL;
        r.statusTag = Ranks.ANY_TAG;
        r.state = DONE;
        return r;
    }

    boolean matches(Message m) {
        return matches(m.context(), m.source(), m.tag());
    }

    boolean matches(int messageContext, int messageSource, int messageTag) {
        return context == messageContext && (source == Ranks.ANY_SOURCE || source == messageSource)
                && (tag == Ranks.ANY_TAG || tag == messageTag);
    }

    /** Delivers a matched message into this receive; runs on the matching thread, outside any mailbox lock. */
    void deliver(Message m) {
        int n = m.elements;
        int from = peers == null ? m.source() : peers.rankOfWorld(m.source());
        if (refused(from, m.tag(), m.base, n) || choice != null && unchosen(from, m.source(), m.tag(), m.seq(), n)) {
            m.delivered(); // nothing taken; the sender's side completes all the same
            return;
        }
        statusSource = from;
        statusTag = m.tag();
        statusElements = n;
        if (m.isRemote()) {
            ((RemotePayload) m.data).fetch(m, this);
            return;
        }
        if (m.base == BaseType.OBJECT) {
            undecoded = m;
            publish(MATCHED);
        } else {
            if (n * (long) m.base.byteSize() > Endpoint.EAGER_LIMIT) {
                copying = true;
                if (!m.eager && m.sendRequest != null) {
                    m.sendRequest.copying = true;
                }
            }
            DataMover.copy(m.data, m.offset, m.type, buffer, offset, type, n);
            publish(DONE);
        }
        m.delivered();
    }

    /**
     * Delivers the small message at {@code at} in {@code ring} (see {@link SmallRing}) into this receive; runs under
     * the receiving mailbox's lock, before the slot is freed.
     */
    void deliverFromRing(SmallRing ring, int at, int worldSource, int messageTag, BaseType base, int n) {
        int from = peers == null ? worldSource : peers.rankOfWorld(worldSource);
        if (refused(from, messageTag, base, n)
                || choice != null && unchosen(from, worldSource, messageTag, ring.seq(at), n)) {
            return;
        }
        if (n > 0) {
            if (type.isContiguous()) {
                ring.readInto(at, base, n, buffer, offset);
            } else {
                PackCodec.read(ring.payload(at, n * base.byteSize()), buffer, offset, type, n);
            }
        }
        statusSource = from;
        statusTag = messageTag;
        statusElements = n;
        publish(DONE);
    }

    /**
     * Completes this receive with an error when a message of {@code n} {@code base} elements from communicator rank
     * {@code from} cannot go into it (another type, or more than the buffer holds); returns whether it did.
     */
    private boolean refused(int from, int t, BaseType base, int n) {
        BaseType mine = type == null ? null : type.base();
        if (n > 0 && (mine == null || !base.compatibleWith(mine))) {
            fail(from, t, n, new EngineException("type mismatch: rank " + from + " sent " + n + " " + base
                    + " element(s) with tag " + t + " but the receive expects " + (mine == null ? "no data" : mine)));
            return true;
        }
        if ((long) count * type.size() < n) {
            fail(from, t, n, new EngineException("message truncated: rank " + from + " sent " + n + " " + base
                    + " element(s) with tag " + t + " but the receive buffer holds only " + ((long) count * type.size())
                    + " (MPI_ERR_TRUNCATE); receive into a larger buffer, or Probe and size the buffer with"
                    + " Status.Get_count"));
            return true;
        }
        return false;
    }

    /**
     * Tells the {@link #choice} which message matched; completes this receive with its error, when a replay
     * prescribed another message, and returns whether it did.
     */
    private boolean unchosen(int from, int worldSource, int t, long seq, int n) {
        EngineException e = choice.matched(worldSource, t, seq);
        if (e == null) {
            return false;
        }
        fail(from, t, n, e);
        return true;
    }

    private void fail(int from, int t, int n, EngineException e) {
        statusSource = from;
        statusTag = t;
        statusElements = n;
        error = e;
        publish(DONE);
    }

    /**
     * Device side of a fetch (see {@link RemotePayload}): decodes packed bytes {@code [fromByte, fromByte + n)} of
     * the matched message's payload, the remaining bytes of {@code packed}, into this receive's buffer. Typed
     * data only; bounds are multiples of the element size.
     */
    public void acceptPayload(java.nio.ByteBuffer packed, long fromByte) {
        int size = type.base().byteSize();
        PackCodec.readRange(packed, buffer, offset, type, fromByte / size, packed.remaining() / size);
    }

    /**
     * Device side of a fetch: payload bytes {@code [fromByte, fromByte + length)} of this receive's buffer as a view
     * the device may read into directly, when the buffer is a direct {@link java.nio.ByteBuffer} in packed form;
     * null otherwise (the device then decodes with {@link #acceptPayload}).
     */
    public java.nio.ByteBuffer directPayloadBuffer(long fromByte, int length) {
        if (!hasDirectBuffer()) {
            return null;
        }
        return ((java.nio.ByteBuffer) buffer).slice(Math.toIntExact((long) offset * type.base().byteSize() + fromByte),
                length);
    }

    /** Whether this is a pending receive of a large message into a direct buffer in packed form. */
    public boolean awaitsDirectPayload() {
        return !send && state != DONE && hasDirectBuffer() && isLarge();
    }

    /** Whether {@link #directPayloadBuffer} gives views: the buffer is a direct ByteBuffer in packed form. */
    public boolean hasDirectBuffer() {
        return buffer instanceof java.nio.ByteBuffer && ((java.nio.ByteBuffer) buffer).isDirect() && type.base() != null
                && PackCodec.isPacked((java.nio.ByteBuffer) buffer, type.base());
    }

    /**
     * Device side of a fetch: the whole payload has arrived. {@code objects} holds the encoded objects of an
     * {@link BaseType#OBJECT} message (decoded later on the owner's thread) and is null otherwise.
     */
    public void completeFetch(Message m, byte[] objects) {
        if (m.logOnFetch) {
            ChannelHook h = owner.hook();
            if (h != null) {
                h.log(m, m.base == BaseType.OBJECT ? objects : CommSnapshot.pack(buffer, offset, type, m.elements));
            }
        }
        if (m.base == BaseType.OBJECT) {
            m.data = objects;
            undecoded = m;
            publish(MATCHED);
        } else {
            publish(DONE);
        }
    }

    /** Device side of a fetch: the payload will never arrive; the receive completes with {@code e}. */
    public void failFetch(EngineException e) {
        failWith(e);
    }

    void failWith(EngineException e) {
        error = e;
        message = null;
        publish(DONE);
    }

    void completeSend(int elements) {
        statusElements = elements;
        message = null;
        publish(DONE);
    }

    /**
     * {@link #completeSend} for a request no other thread has seen yet (a send completed before it is returned): no
     * waiter to wake, and no fence needed to publish the state.
     */
    void completeUnshared(int elements) {
        statusElements = elements;
        STATE.setRelease(this, DONE);
    }

    void completeCancelled() {
        cancelled = true;
        statusElements = 0;
        message = null;
        publish(DONE);
    }

    private void publish(int s) {
        state = s;
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /**
     * The world rank whose traffic a waiter for this operation may move itself (see {@code Device.drive}), or -1: the
     * destination of a send still in progress (a rendezvous or synchronous one), or a receive's named source.
     */
    int drivePeer() {
        if (send) {
            Message m = message;
            return m != null ? m.dest() : -1;
        }
        return source >= 0 && type != null ? source : -1;
    }

    /**
     * Whether this operation moves a large message: a send of more than an eager message, or a receive with room for
     * more. A waiter for a small one polls the connection it drives before sleeping (see Device.drive).
     */
    boolean isLarge() {
        if (send) {
            Message m = message;
            return m != null && m.payloadBytes() > Endpoint.EAGER_LIMIT;
        }
        BaseType base = type.base();
        return base != null && (long) count * type.size() * base.byteSize() > Endpoint.EAGER_LIMIT;
    }

    /** {@link #isComplete()}, as the condition a thread that moves its own traffic stops at (see Device.drive). */
    @Override
    public boolean getAsBoolean() {
        return isComplete();
    }

    /** Whether the operation has completed (it may still need {@link #finish()}). */
    public boolean isComplete() {
        return state != PENDING;
    }

    /**
     * Finishes a completed operation on the owner's thread: decodes objects and raises the operation's error,
     * if any. Idempotent.
     */
    public void finish() {
        if (state == MATCHED) {
            Message m = undecoded;
            undecoded = null;
            try {
                owner.codec().decode((byte[]) m.data, (Object[]) buffer, offset, type, m.elements);
            } catch (EngineException e) {
                error = e;
            }
            state = DONE;
        }
        if (error != null) {
            EngineException e = error;
            error = null;
            if (e instanceof PeerFailedException) {
                owner.notePeerFailure();
            }
            throw e;
        }
    }

    public boolean isSend() {
        return send;
    }

    /** Communicator rank of the sender (receives) or the destination (sends). */
    public int statusSource() {
        return statusSource;
    }

    public int statusTag() {
        return statusTag;
    }

    /** Base elements transferred. */
    public int statusElements() {
        return statusElements;
    }

    public boolean isCancelled() {
        return cancelled;
    }

    /** What the {@link ChoiceHook} installed when this receive was posted watches it with, or null. */
    public ChoiceHook.Receive choice() {
        return choice;
    }

    Endpoint owner() {
        return owner;
    }

    /** Describes the pending operation for deadlock reports, e.g. {@code Recv(source world rank 1, tag 0, context 0)}. */
    @Override
    public String toString() {
        if (send) {
            Message m = message;
            return m == null ? "Send (completing)" : "Send to world rank " + m.dest() + " (tag " + m.tag() + ", context "
                    + m.context() + ", " + m.elements + " " + m.base + " element(s)) waiting for a matching receive"
                    + (m.heldBack ? ": world rank " + m.dest() + " already holds as much unreceived data from this rank"
                            + " as it buffers" : "");
        }
        return "Recv(source " + (source == Ranks.ANY_SOURCE ? "ANY" : "world rank " + source) + ", tag "
                + (tag == Ranks.ANY_TAG ? "ANY" : Integer.toString(tag)) + ", context " + context
                + (context % 2 == 1 ? " (collective)" : "") + ")";
    }
}
