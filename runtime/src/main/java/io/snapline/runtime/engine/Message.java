package io.snapline.runtime.engine;

import io.snapline.runtime.device.Packet;

/**
 * A point-to-point message in flight: the envelope plus its payload. While unmatched, an eager message holds a
 * private copy of the data ("staged"); a rendezvous message points at the sender's live buffer, and the sender's
 * request completes only when the receiver has copied it.
 */
public final class Message extends Packet {
    final BaseType base;
    final int elements;
    Object data;
    int offset;
    TypeMap type;
    /** Completed when the message is delivered; null for an eager send, which completed when it was staged. */
    final Request sendRequest;
    /** Run once the data has been copied out (releases attached-buffer space of a buffered send). */
    Runnable onDelivered;
    Message next;

    Message(int source, int dest, int context, int tag, BaseType base, Object data, int offset, TypeMap type,
            int elements, Request sendRequest) {
        super(source, dest, context, tag);
        this.base = base;
        this.data = data;
        this.offset = offset;
        this.type = type;
        this.elements = elements;
        this.sendRequest = sendRequest;
    }

    /** Number of base elements the message carries. */
    public int elements() {
        return elements;
    }

    public BaseType base() {
        return base;
    }

    boolean isEager() {
        return sendRequest == null;
    }

    /**
     * Replaces the reference to the sender's buffer by a dense private copy. Serialized objects and data already
     * packed into an attached buffer (a {@link java.nio.ByteBuffer}) are private copies already.
     */
    void stage() {
        if (base != BaseType.OBJECT && type != null && !(data instanceof java.nio.ByteBuffer)) {
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
        if (sendRequest != null) {
            sendRequest.completeSend(elements);
        }
    }
}
