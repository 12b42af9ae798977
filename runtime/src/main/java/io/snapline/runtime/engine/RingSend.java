package io.snapline.runtime.engine;

/**
 * A small message on its way into the ring of small messages ({@link SmallRing}), as a {@link ChannelHook} sees it
 * before it leaves: a view of the send's arguments that its {@link Endpoint} fills in for each such send and reuses
 * for the next (ranks call MPI from one thread at a time), so that a policy watching the traffic costs no
 * {@link Message} per small message. The stamp the hook sets is what goes into the ring.
 */
final class RingSend implements ChannelHook.Send {
    private final int source;
    private int dest;
    private int context;
    private int tag;
    private BaseType base;
    private Object buf;
    private int offset;
    private TypeMap type;
    private int elements;
    private int epoch;
    private long seq;

    RingSend(int source) {
        this.source = source;
    }

    /** Points this view at a send of {@code elements} elements of {@code type} (contiguous, not objects). */
    RingSend of(int dest, int context, int tag, BaseType base, Object buf, int offset, TypeMap type, int elements) {
        this.dest = dest;
        this.context = context;
        this.tag = tag;
        this.base = base;
        this.buf = buf;
        this.offset = offset;
        this.type = type;
        this.elements = elements;
        this.epoch = 0;
        this.seq = 0;
        return this;
    }

    @Override
    public boolean followedByAfterSend() {
        return true;
    }

    /** Forgets the send's buffer once the send is over. */
    void clear() {
        buf = null;
    }

    @Override
    public int source() {
        return source;
    }

    @Override
    public int dest() {
        return dest;
    }

    @Override
    public int context() {
        return context;
    }

    @Override
    public int tag() {
        return tag;
    }

    @Override
    public BaseType base() {
        return base;
    }

    @Override
    public int elements() {
        return elements;
    }

    @Override
    public long payloadBytes() {
        return (long) elements * base.byteSize();
    }

    @Override
    public void writePayload(byte[] dst, int at) {
        int length = Math.toIntExact(payloadBytes());
        if (length > 0) {
            Message.writePacked(buf, offset, type, base, elements, dst, at, length);
        }
    }

    @Override
    public byte[] packedCopy() {
        byte[] bytes = new byte[Math.toIntExact(payloadBytes())];
        writePayload(bytes, 0);
        return bytes;
    }

    @Override
    public void stamp(int epoch, long seq) {
        this.epoch = epoch;
        this.seq = seq;
    }

    @Override
    public int epoch() {
        return epoch;
    }

    @Override
    public long seq() {
        return seq;
    }
}
