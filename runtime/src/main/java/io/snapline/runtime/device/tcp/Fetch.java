package io.snapline.runtime.device.tcp;

import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.EngineException;
import io.snapline.runtime.engine.Message;
import io.snapline.runtime.engine.RemotePayload;
import io.snapline.runtime.engine.Request;
import java.nio.ByteBuffer;

/**
 * The receiving side of one rendezvous: created when the RTS arrives, started when a receive matches it (reply
 * CTS), fed by DATA frames on the progress thread, which decode straight into the receive buffer.
 */
final class Fetch implements RemotePayload, Runnable {
    private final Connection connection;
    private final long sendId;
    private final long bytes;
    private final boolean objects;
    private Message message;
    private Request receive;
    private byte[] encoded;
    private long received;

    Fetch(Connection connection, long sendId, BaseType base, long bytes) {
        this.connection = connection;
        this.sendId = sendId;
        this.bytes = bytes;
        this.objects = base == BaseType.OBJECT;
    }

    @Override
    public void fetch(Message m, Request r) {
        message = m;
        receive = r;
        if (objects) {
            encoded = new byte[Math.toIntExact(bytes)];
        }
        if (bytes == 0) {
            connection.out.enqueue(TcpDescriptor.cts(sendId, 0, false));
            r.completeFetch(m, encoded);
            return;
        }
        long id = connection.register(this);
        connection.out.enqueue(TcpDescriptor.cts(sendId, id, false));
        if (connection.out.isClosed() && connection.fetches.remove(id) != null) {
            fail(connection.failure(), r);
        }
    }

    /** A receive matched the message but takes no data (it failed): release the sender. */
    @Override
    public void run() {
        connection.out.enqueue(TcpDescriptor.cts(sendId, 0, true));
    }

    /** Takes the remaining bytes of {@code data}, payload bytes from {@code offset}; returns true when all arrived. */
    boolean accept(ByteBuffer data, long offset) {
        int n = data.remaining();
        if (offset != received || received + n > bytes) {
            throw new IllegalStateException("DATA out of order: bytes " + offset + ".." + (offset + n) + " after "
                    + received + " of " + bytes);
        }
        if (objects) {
            data.get(encoded, (int) offset, n);
        } else {
            receive.acceptPayload(data, offset);
        }
        received += n;
        return received == bytes;
    }

    void complete() {
        receive.completeFetch(message, encoded);
    }

    void fail(EngineException e) {
        fail(e, receive);
    }

    private static void fail(EngineException e, Request r) {
        r.failFetch(e);
    }
}
