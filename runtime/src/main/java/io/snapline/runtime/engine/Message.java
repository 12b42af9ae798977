package io.snapline.runtime.engine;

import io.snapline.runtime.device.Packet;

/**
 * A point-to-point message in flight: the envelope plus its payload. While unmatched, an eager message holds a
 * private copy of the data ("staged"); a rendezvous message points at the sender's live buffer, and the sender's
 * request completes only when the receiver has copied it.
 */
public final class Message extends Packet implements ChannelHook.Send {
    final BaseType base;
    final int elements;
    Object data;
    int offset;
    TypeMap type;
    /** {@link #offset} of a message announced by another process; its {@link #data} is the {@link RemotePayload}. */
    static final int REMOTE = -1;
    /** The send's request (null for messages that arrived from another process). */
    final Request sendRequest;
    /** Eager: the send completed when handed over (the data is staged if unmatched); otherwise it completes on delivery. */
    boolean eager;
    /** Run once the data has been copied out (releases attached-buffer space of a buffered send). */
    Runnable onDelivered;
    /** A policy asked to log this remote message's payload once it has been fetched (see {@link ChannelHook}). */
    boolean logOnFetch;
    /** Sent by {@code Ssend}: the send must not complete before a receive has matched the message. */
    boolean synchronous;
    /**
     * {@link #data} is a private copy in packed form (a little-endian {@link java.nio.ByteBuffer}: a buffered send's
     * region, or a payload from another process), not the application's buffer, which may be a ByteBuffer too.
     */
    boolean packed;
    /** Sent by {@code Bsend}: its data lies in the attached buffer, which bounds it, so it never waits at the sender. */
    boolean buffered;
    /** What the receiving mailbox charged this message against its sender's window (see {@link Backlog}), or 0. */
    long charged;
    /** The receiver's window for its sender was full, so this eager-sized message waits at the sender. */
    boolean heldBack;
    Message next;

    Message(int source, int dest, int context, int tag, BaseType base, Object data, int offset, TypeMap type,
            int elements, Request sendRequest, boolean eager) {
        super(source, dest, context, tag);
        this.base = base;
        this.data = data;
        this.offset = offset;
        this.type = type;
        this.elements = elements;
        this.sendRequest = sendRequest;
        this.eager = eager;
    }

    private Message(int source, int dest, int context, int tag, BaseType base, Object data, TypeMap type, int elements,
            Runnable onDelivered) {
        super(source, dest, context, tag);
        this.base = base;
        this.data = data;
        this.type = type;
        this.elements = elements;
        this.sendRequest = null;
        this.eager = true;
        this.onDelivered = onDelivered;
        this.packed = data instanceof java.nio.ByteBuffer;
    }

    /**
     * A message this rank sent before a restart, sent again from a message log: its payload is {@code payload}
     * (packed, or the encoded objects), stamped {@code epoch} and numbered {@code seq} on its channel. It completes
     * nobody's request and never waits at the sender (like a buffered send, the log bounds it).
     */
    static Message resent(int source, int dest, int context, int tag, BaseType base, int elements, byte[] payload,
            int epoch, long seq) {
        Message m = arrived(source, dest, context, tag, base, elements, payload, null);
        m.buffered = true;
        m.stamp(epoch, seq);
        return m;
    }

    /** A private copy of the payload in packed form (the encoded objects for {@link BaseType#OBJECT}). */
    public byte[] packedCopy() {
        byte[] bytes = new byte[Math.toIntExact(payloadBytes())];
        writePayload(java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN), 0, bytes.length);
        return bytes;
    }

    // ---------------------------------------------------------------- for devices that cross address spaces

    /**
     * A message that arrived from another process with its payload: {@code payload} holds the packed elements
     * ({@link PackCodec} form, little-endian) or, for {@link BaseType#OBJECT}, the encoded objects. It is private to
     * the message. {@code onConsumed} (may be null) runs once a receive has taken or dropped it.
     */
    public static Message arrived(int source, int dest, int context, int tag, BaseType base, int elements,
            byte[] payload, Runnable onConsumed) {
        Object data = base == BaseType.OBJECT ? payload
                : java.nio.ByteBuffer.wrap(payload).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        TypeMap type = base == BaseType.OBJECT ? null : TypeMap.basic(base);
        return new Message(source, dest, context, tag, base, data, type, elements, onConsumed);
    }

    /**
     * A message announced by another process whose payload is still at the sender; a matching receive calls
     * {@code remote} (held as the message's data, so shm messages carry no extra field). {@code onDropped} (may be null) runs instead when a receive matches it but takes no data
     * (truncation or type mismatch), so the device can release the sender.
     */
    public static Message announced(int source, int dest, int context, int tag, BaseType base, int elements,
            RemotePayload remote, Runnable onDropped) {
        Message m = new Message(source, dest, context, tag, base, remote, null, elements, onDropped);
        m.offset = REMOTE;
        return m;
    }

    /**
     * A policy's datum ({@link Endpoint#sendDatum}) from {@code source} to {@code dest}: eager whatever the
     * receiver's window, since the receiving mailbox consumes it as it arrives ({@link #isDatum}).
     */
    static Message datum(int source, int dest, byte[] payload) {
        Message m = arrived(source, dest, CommSnapshot.CONTEXT, CommSnapshot.DATUM_TAG, BaseType.BYTE, payload.length,
                payload, null);
        m.datum = true;
        return m;
    }

    /** Set on a policy's datum: a device sends it eagerly even beyond the receiver's eager window. */
    private boolean datum;

    /** Whether this is a policy's datum ({@link #datum}), which a device must send eagerly. */
    public boolean isDatum() {
        return datum;
    }

    /** Whether the payload is still at the sending process (see {@link #announced}). */
    boolean isRemote() {
        return offset == REMOTE;
    }

    /** Bytes the payload occupies on the wire: packed elements, or the encoded objects. */
    public long payloadBytes() {
        if (elements == 0) {
            return 0;
        }
        if (base == BaseType.OBJECT) {
            return data == null ? 0 : ((byte[]) data).length;
        }
        return (long) elements * base.byteSize();
    }

    /** Whether the sender's request may complete only once a receive has matched the message ({@code Ssend}). */
    public boolean isSynchronous() {
        return synchronous;
    }

    /**
     * Whether the sender's request completes only once the device calls {@link #sent()} (a synchronous send, or a
     * large standard send that borrows the sender's buffer); otherwise the engine completed it already.
     */
    public boolean awaitsDelivery() {
        return !eager && sendRequest != null;
    }

    /**
     * The device will send this message by rendezvous although the engine chose eager. Unless its data lies in the
     * attached buffer (a buffered send), the send now completes only at {@link #sent()}: the application cannot
     * overwrite data still to be sent, and a flood of sends beyond the receiver's window waits instead of piling up
     * at the sender (encoded objects included). Call before {@code Device.send} returns.
     */
    public void deferCompletion() {
        if (eager && sendRequest != null && !buffered) {
            eager = false;
            sendRequest.message = this;
        }
    }

    /**
     * Writes payload bytes {@code [fromByte, fromByte + length)} to {@code out} and advances its position. For typed
     * data both bounds must be multiples of the base type's byte size.
     */
    public void writePayload(java.nio.ByteBuffer out, long fromByte, int length) {
        if (length == 0) {
            return;
        }
        if (base == BaseType.OBJECT) {
            out.put((byte[]) data, Math.toIntExact(fromByte), length);
        } else {
            int size = base.byteSize();
            PackCodec.writeRange(out, data, offset, type, fromByte / size, length / size);
            out.position(out.position() + length);
        }
    }

    /**
     * Writes the whole payload in packed form ({@link #payloadBytes()} bytes) into {@code dst} from {@code at} on: a
     * plain copy for bytes and encoded objects, element by element (little-endian) for a few contiguous elements of a
     * wider primitive type, and {@link #writePayload(java.nio.ByteBuffer, long, int)} for the rest.
     */
    @Override
    public void writePayload(byte[] dst, int at) {
        int length = Math.toIntExact(payloadBytes());
        if (length == 0) {
            return;
        }
        if (base == BaseType.OBJECT) {
            System.arraycopy((byte[]) data, 0, dst, at, length);
            return;
        }
        writePacked(data, offset, type, base, elements, dst, at, length);
    }

    /**
     * Writes {@code elements} elements of {@code base} laid out by {@code type} from {@code offset} of {@code data} in
     * packed form, {@code length} bytes, into {@code dst} from {@code at} on (see {@link #writePayload(byte[], int)}).
     */
    static void writePacked(Object data, int offset, TypeMap type, BaseType base, int elements, byte[] dst, int at,
            int length) {
        if (type != null && type.isContiguous() && offset != REMOTE && elements <= FEW) {
            if (data instanceof byte[] b) {
                System.arraycopy(b, offset, dst, at, length);
                return;
            }
            if (data instanceof long[] a) {
                for (int i = 0; i < elements; i++) {
                    LONGS.set(dst, at + 8 * i, a[offset + i]);
                }
                return;
            }
            if (data instanceof int[] a) {
                for (int i = 0; i < elements; i++) {
                    INTS.set(dst, at + 4 * i, a[offset + i]);
                }
                return;
            }
            if (data instanceof double[] a) {
                for (int i = 0; i < elements; i++) {
                    DOUBLES.set(dst, at + 8 * i, a[offset + i]);
                }
                return;
            }
        }
        PackCodec.writeRange(java.nio.ByteBuffer.wrap(dst, at, length).order(java.nio.ByteOrder.LITTLE_ENDIAN), data,
                offset, type, 0, elements);
    }

    /** Up to this many elements {@link #writePayload(byte[], int)} copies one by one rather than through views. */
    private static final int FEW = 64;
    private static final java.lang.invoke.VarHandle LONGS = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
            long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final java.lang.invoke.VarHandle INTS = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
            int[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final java.lang.invoke.VarHandle DOUBLES = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
            double[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    /**
     * The payload as the application's own direct {@link java.nio.ByteBuffer}, in packed form, when it is one: an
     * independent view of its bytes from which a device can write without copying. Null otherwise (arrays, private
     * copies, heap or big-endian buffers of wider elements).
     */
    public java.nio.ByteBuffer directPayload() {
        if (packed || base == BaseType.OBJECT || !(data instanceof java.nio.ByteBuffer)) {
            return null;
        }
        java.nio.ByteBuffer b = (java.nio.ByteBuffer) data;
        if (!b.isDirect() || !PackCodec.isPacked(b, base)) {
            return null;
        }
        return PackCodec.elements(b, base, offset, elements);
    }

    /** The device has sent the whole payload (or the receiver has taken it): the sender's request completes. */
    public void sent() {
        delivered();
    }

    /** The device cannot deliver the message: the sender's request completes with {@code error}. */
    public void failed(EngineException error) {
        Runnable r = onDelivered;
        if (r != null) {
            r.run();
        }
        if (awaitsDelivery()) {
            sendRequest.failWith(error);
        }
    }

    /** Number of base elements the message carries. */
    public int elements() {
        return elements;
    }

    public BaseType base() {
        return base;
    }

    boolean isEager() {
        return eager;
    }

    /**
     * The receiver holds as much of this sender's unreceived data as its window allows (see {@link Backlog}): the
     * message is not staged but waits in the sender's buffer, and the send completes once a receive has taken it, as
     * a rendezvous does. Called by the receiving mailbox, under its lock, before the message is queued.
     */
    void waitAtSender() {
        eager = false;
        heldBack = true;
        sendRequest.message = this;
    }

    /**
     * Replaces the reference to the sender's buffer by a dense private copy. Serialized objects and {@link #packed}
     * data are private copies already. A message of no elements (a count of 0, or a datatype of size zero, whose
     * layout has no base type) keeps no data at all.
     */
    void stage() {
        if (elements == 0) {
            data = null;
            offset = 0;
            type = TypeMap.basic(base);
        } else if (base != BaseType.OBJECT && type != null && !packed) {
            data = DataMover.gather(data, offset, type, elements);
            offset = 0;
            type = TypeMap.basic(base);
        }
    }

    void delivered() {
        Runnable r = onDelivered;
        if (r != null) {
            r.run();
        }
        if (!eager && sendRequest != null) {
            sendRequest.completeSend(elements);
        }
    }
}
