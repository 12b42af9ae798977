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
    private final byte flags;
    /** The payload as the application's direct buffer (written without a copy), or null. */
    private final ByteBuffer direct;
    private long next;

    /** The DATA a CTS asked for: frames addressed to the receiver's fetch id. */
    Stream(Connection connection, Message message, long sendId, long fetchId, long total) {
        this(connection, message, sendId, fetchId, total, (byte) 0);
    }

    private Stream(Connection connection, Message message, long sendId, long fetchId, long total, byte flags) {
        this.connection = connection;
        this.message = message;
        this.sendId = sendId;
        this.fetchId = fetchId;
        this.total = total;
        this.flags = flags;
        this.direct = message.directPayload();
    }

    /** The DATA of a pushed message, sent right behind its RTS: frames addressed to the send id. */
    static Stream pushed(Connection connection, Message message, long sendId, long total) {
        return new Stream(connection, message, sendId, sendId, total, FLAG_PUSH);
    }

    /** Encodes the next DATA frame into {@code chunk} and returns it flipped for writing. */
    ByteBuffer nextChunk(ByteBuffer chunk) {
        int n = (int) Math.min(DATA_CHUNK, total - next);
        chunk.clear();
        header(chunk, DATA_HEADER_LENGTH + n, TYPE_DATA, flags, fetchId);
        chunk.putLong(DATA_OFFSET_OFFSET, next);
        chunk.position(DATA_HEADER_LENGTH);
        message.writePayload(chunk, next, n);
        next += n;
        return chunk.flip();
    }

    /** Whether the payload is the application's direct buffer, so {@link #nextFrame} can write it without a copy. */
    boolean isDirect() {
        return direct != null;
    }

    /**
     * For a {@link #isDirect() direct} payload: the next DATA frame, up to {@link TcpDescriptor#DIRECT_CHUNK}
     * payload bytes, as its header (encoded into {@code header}) and a view of the application's buffer, in
     * {@code gather[1]} and {@code gather[2]} for one gathering write.
     */
    void nextFrame(ByteBuffer header, ByteBuffer[] gather) {
        int n = (int) Math.min(DIRECT_CHUNK, total - next);
        header.clear();
        header(header, DATA_HEADER_LENGTH + n, TYPE_DATA, flags, fetchId);
        header.putLong(DATA_OFFSET_OFFSET, next);
        header.position(0).limit(DATA_HEADER_LENGTH);
        int from = (int) next;
        gather[1] = header;
        gather[2] = direct.duplicate().limit(from + n).position(from);
        next += n;
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
