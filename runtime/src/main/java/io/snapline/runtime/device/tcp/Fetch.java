package io.snapline.runtime.device.tcp;

import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.EngineException;
import io.snapline.runtime.engine.Message;
import io.snapline.runtime.engine.RemotePayload;
import io.snapline.runtime.engine.Request;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The receiving side of one rendezvous message, created when its RTS arrives and fed by DATA frames, which decode
 * straight into the matched receive buffer.
 *
 * <p>A plain rendezvous is started when a receive matches (reply CTS) and gets DATA only after that. A pushed one
 * ({@link TcpDescriptor#FLAG_PUSH}) gets its DATA right behind the RTS, matched or not: bytes that arrive before a
 * receive matches are kept in a private array (within the sender's credit, see {@link Connection}) and copied into
 * the receive when it matches. Reader and matching thread may then meet here, so the methods are synchronized.
 */
final class Fetch implements RemotePayload, Runnable {
    private final Connection connection;
    private final long sendId;
    private final long bytes;
    private final boolean objects;
    private final boolean pushed;
    /** Payload bytes are taken in multiples of this: whole elements (1 for encoded objects). */
    private final int unit;
    private Message message;
    private Request receive;
    private byte[] encoded;
    /** A pushed message's bytes that arrived before a receive matched it. */
    private byte[] early;
    /** A pushed message whose receive failed: its DATA is read and dropped. */
    private boolean discard;
    /** A pushed message whose sender was lost before all of it arrived; a receive that matches it later fails. */
    private EngineException lost;
    private long received;

    Fetch(Connection connection, long sendId, BaseType base, long bytes, boolean pushed) {
        this.connection = connection;
        this.sendId = sendId;
        this.bytes = bytes;
        this.objects = base == BaseType.OBJECT;
        this.pushed = pushed;
        this.unit = objects ? 1 : base.byteSize();
    }

    /**
     * How many of {@code available} payload bytes {@link #accept} takes now: all of them for a receive into a direct
     * buffer (bytes land in place), else whole elements only.
     */
    synchronized int acceptable(int available) {
        return direct() ? available : available - available % unit;
    }

    /** Checks that a DATA frame of {@code n} payload bytes from {@code offset} continues this payload and fits it. */
    synchronized void checkFrame(long offset, int n) throws java.io.IOException {
        if (offset != received || offset + n > bytes) {
            throw new java.io.IOException("protocol error: DATA for bytes " + offset + ".." + (offset + n) + " after "
                    + received + " of " + bytes);
        }
    }

    @Override
    public long bytes() {
        return bytes;
    }

    /** Whether a matched receive takes the payload straight into its direct buffer. */
    synchronized boolean acceptsDirect() {
        return direct();
    }

    private boolean direct() {
        return receive != null && !discard && !objects && receive.hasDirectBuffer();
    }

    /**
     * Where the next {@code length} payload bytes may be read straight from the socket: a view of a matched
     * receive's direct buffer from the next byte on, or null when they must go through {@link #accept}.
     */
    synchronized ByteBuffer directTarget(int length) {
        return direct() ? receive.directPayloadBuffer(received, length) : null;
    }

    @Override
    public synchronized void fetch(Message m, Request r) {
        message = m;
        receive = r;
        if (pushed) {
            matchPushed(r);
            return;
        }
        if (objects) {
            encoded = new byte[Math.toIntExact(bytes)];
        }
        if (bytes == 0) {
            untrack();
            connection.out.enqueue(TcpDescriptor.cts(sendId, 0, false));
            r.completeFetch(m, encoded);
            return;
        }
        long id = connection.register(this);
        untrack(); // after registering: a loss in between sees it in one table or the other
        connection.out.enqueue(TcpDescriptor.cts(sendId, id, false));
        if (connection.out.isClosed() && connection.fetches.remove(id) != null) {
            connection.cutOff("a receive matched a large message from it whose data had not come");
            fail(connection.failure(), r);
        }
    }

    private void untrack() {
        if (connection.tracksAnnounced) {
            connection.announced.remove(this);
        }
    }

    private void matchPushed(Request r) {
        if (lost == null && received < bytes && connection.out.isClosed()) {
            lost = connection.failure(); // announced after the loss was handled
        }
        if (lost != null) {
            connection.cutOff("a receive matched a large message from it that had not arrived whole");
            fail(lost, r);
            return;
        }
        if (!objects && received > 0) {
            r.acceptPayload(ByteBuffer.wrap(early, 0, (int) received).order(ByteOrder.LITTLE_ENDIAN), 0);
        }
        early = null;
        if (received == bytes) {
            connection.pushConsumed(sendId, this, bytes);
            r.completeFetch(message, encoded);
        }
    }

    /** A receive matched the message but takes no data (it failed): release the sender, or drop pushed data. */
    @Override
    public synchronized void run() {
        if (pushed) {
            discard = true;
            early = null;
            encoded = null;
            if (received == bytes) {
                connection.pushConsumed(sendId, this, bytes);
            }
            return;
        }
        untrack();
        connection.out.enqueue(TcpDescriptor.cts(sendId, 0, true));
    }

    /** Whether this pushed message is still arriving and is not being dropped. */
    synchronized boolean cutOff() {
        return !discard && received < bytes;
    }

    /**
     * Takes the remaining bytes of {@code data}, payload bytes from {@code offset}. For a plain rendezvous, returns
     * true when all bytes arrived; the caller then removes it and calls {@link #complete()}. A pushed message
     * completes its receive itself (if one has matched) and returns false.
     */
    synchronized boolean accept(ByteBuffer data, long offset) {
        int n = data.remaining();
        if (offset != received || received + n > bytes) {
            throw new IllegalStateException("DATA out of order: bytes " + offset + ".." + (offset + n) + " after "
                    + received + " of " + bytes);
        }
        if (discard) {
            data.position(data.limit());
        } else if (objects) {
            if (encoded == null) {
                encoded = new byte[Math.toIntExact(bytes)];
            }
            data.get(encoded, (int) offset, n);
        } else if (receive == null) {
            if (early == null) {
                early = new byte[Math.toIntExact(bytes)];
            }
            data.get(early, (int) offset, n);
        } else if (receive.hasDirectBuffer()) {
            receive.directPayloadBuffer(offset, n).put(data);
        } else {
            receive.acceptPayload(data, offset);
        }
        return arrived(n);
    }

    /**
     * {@code n} more payload bytes are in place (copied by {@link #accept}, or read straight into the receive's
     * buffer from {@link #directTarget}); same result as {@link #accept}.
     */
    synchronized boolean arrived(int n) {
        received += n;
        if (received != bytes) {
            return false;
        }
        if (!pushed) {
            return true;
        }
        if (receive != null || discard) {
            connection.pushConsumed(sendId, this, bytes);
            if (!discard) {
                receive.completeFetch(message, encoded);
            }
        }
        return false;
    }

    synchronized void complete() {
        receive.completeFetch(message, encoded);
    }

    /** The sender is lost: a matched receive fails; an unmatched pushed message that arrived whole stays good. */
    synchronized void fail(EngineException e) {
        if (receive != null) {
            fail(e, receive);
        } else if (received < bytes) {
            lost = e;
            early = null;
        }
    }

    private static void fail(EngineException e, Request r) {
        r.failFetch(e);
    }
}
