package io.snapline.runtime.device.tcp;

import static io.snapline.runtime.device.tcp.TcpDescriptor.*;

import io.snapline.runtime.engine.Message;
import java.nio.ByteBuffer;

/** The DATA frames of one rendezvous message, produced a chunk at a time as the socket drains. */
final class Stream {
    private final Connection connection;
    private final Message message;
    private final long sendId;
    private final long fetchId;
    private final long total;
    private long next;

    Stream(Connection connection, Message message, long sendId, long fetchId, long total) {
        this.connection = connection;
        this.message = message;
        this.sendId = sendId;
        this.fetchId = fetchId;
        this.total = total;
    }

    /** Encodes the next DATA frame into {@code chunk} and returns it flipped for writing. */
    ByteBuffer nextChunk(ByteBuffer chunk) {
        int n = (int) Math.min(DATA_CHUNK, total - next);
        chunk.clear();
        header(chunk, DATA_HEADER_LENGTH + n, TYPE_DATA, (byte) 0, fetchId);
        chunk.putLong(DATA_OFFSET_OFFSET, next);
        chunk.position(DATA_HEADER_LENGTH);
        message.writePayload(chunk, next, n);
        next += n;
        return chunk.flip();
    }

    boolean isDone() {
        return next == total;
    }

    /** The last chunk is written: the send completes. */
    void finished() {
        if (connection.pendingSends.remove(sendId) != null) {
            message.sent();
        }
    }
}
