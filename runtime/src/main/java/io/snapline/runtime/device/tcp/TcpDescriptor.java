package io.snapline.runtime.device.tcp;

import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.Endpoint;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The wire format of the TCP device. A connection carries a sequence of frames; every integer is little-endian.
 * Every frame starts with the same 16-byte header:
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |               Frame length (bytes, header included)           |  0
 *  +---------------+---------------+-------------------------------+
 *  |     Type      |     Flags     |           Reserved            |  4
 *  +---------------+---------------+-------------------------------+
 *  |                                                               |  8
 *  +             Id (int64; meaning depends on the type)           +
 *  |                                                               | 12
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * EAGER and RTS frames continue with the message envelope; an EAGER frame's payload follows it:
 *
 * <pre>
 *  +---------------------------------------------------------------+
 *  |                     Source (world rank)                       | 16
 *  +---------------------------------------------------------------+
 *  |                      Dest (world rank)                        | 20
 *  +---------------------------------------------------------------+
 *  |                      Context id                               | 24
 *  +---------------------------------------------------------------+
 *  |                          Tag                                  | 28
 *  +---------------+-----------------------------------------------+
 *  |  Base type    |                 Reserved                      | 32
 *  +---------------+-----------------------------------------------+
 *  |                 Element count (base elements)                 | 36
 *  +---------------------------------------------------------------+
 *  |                                                               | 40
 *  +                 Payload bytes (int64)                         +
 *  |                                                               | 44
 *  +---------------------------------------------------------------+
 *  |            Checkpoint epoch of the sender (0: none)           | 48
 *  +---------------------------------------------------------------+
 *  |                          Reserved                             | 52
 *  +---------------------------------------------------------------+
 *  |                                                               | 56
 *  +        Sequence number on this channel (int64; 0: none)       +
 *  |                                                               | 60
 *  +---------------------------------------------------------------+
 *  |  EAGER only: payload (PackCodec form, or the encoded objects) | 64
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <table>
 *   <caption>Frame types</caption>
 *   <tr><th>type</th><th>id</th><th>body</th></tr>
 *   <tr><td>HELLO</td><td>0</td><td>magic, version (int16), reserved (int16), rank, size, token length, token</td></tr>
 *   <tr><td>EAGER</td><td>send id when flag SYNC is set, else 0</td><td>envelope + payload</td></tr>
 *   <tr><td>RTS</td><td>send id</td><td>envelope (no payload); flag PUSH: the DATA follows unasked</td></tr>
 *   <tr><td>CTS</td><td>send id</td><td>fetch id (int64); flag DISCARD: the receive took no data</td></tr>
 *   <tr><td>DATA</td><td>fetch id, or with flag PUSH the send id</td><td>payload byte offset (int64) + payload
 *       bytes: up to {@link #DATA_CHUNK} when the sender copies them into the frame, up to {@link #DIRECT_CHUNK}
 *       when it writes them from the application's direct buffer</td></tr>
 *   <tr><td>ACK</td><td>send id</td><td>none: a SYNC eager message was matched</td></tr>
 *   <tr><td>CREDIT</td><td>bytes of eager window returned</td><td>none</td></tr>
 *   <tr><td>BYE</td><td>0</td><td>none: the sender closes; end of stream after it is not a failure</td></tr>
 * </table>
 *
 * <h2>Protocols</h2>
 * <b>Eager</b> (payload of at most {@link Endpoint#EAGER_LIMIT} bytes and enough credit): one EAGER frame. The
 * receiver's progress thread matches it at once (decoding straight into a posted receive) or keeps the payload as
 * an unexpected message. A synchronous send sets SYNC and completes when the receiver's ACK says it was matched.
 *
 * <p><b>Rendezvous</b> (larger payloads, or no credit): the sender sends RTS and keeps the message; the receiver
 * matches the RTS like any message, then replies CTS naming a fetch id; the sender streams DATA frames, which the
 * receiver decodes straight into the matched receive buffer (one copy out of the socket buffer). Whoever reads the
 * connection does this: the progress thread, or the application thread that waits for the message (see
 * {@link Connection}).
 * The sender's request completes once the last DATA frame is written, which is after the match, so a synchronous
 * send is satisfied too. A receive that fails (truncation) replies CTS with DISCARD and the sender completes.
 *
 * <p><b>Pushed</b> (larger payloads when the connection has nothing queued, the credit covers the whole payload and
 * the send is not synchronous): RTS with flag PUSH, then at once the DATA frames, with flag PUSH and the send id; no
 * CTS. This saves the round trip that would leave the connection idle between the messages of a blocking stream.
 * The receiver decodes DATA straight into the receive if one has matched, and otherwise keeps it in an array of its
 * own until one does; a receive that takes no data drops it. The send completes once its last DATA frame is written,
 * as an eager one does once handed over. The payload plus {@link #EAGER_OVERHEAD} is spent from the same credit as
 * eager messages and returned once the message has reached its receive (or was dropped).
 *
 * <p><b>DATA as a stream.</b> A sender copies a payload into DATA frames of {@link #DATA_CHUNK} bytes, except when
 * the payload is the application's direct buffer in packed form: then each frame carries up to
 * {@link #DIRECT_CHUNK} bytes written by one gathering write straight from that buffer (a pushed RTS goes out in the
 * same write). The receiver does not need a DATA frame whole: it takes the payload bytes as they come (whole
 * elements when it decodes them), and reads the rest of a frame straight into a matched receive's direct buffer.
 *
 * <p><b>Flow control</b>: each receiver grants each sender an eager window of
 * {@link TcpConfig#eagerWindow()} bytes. An EAGER frame or pushed message costs its payload plus
 * {@link #EAGER_OVERHEAD} (so even empty messages count); the sender spends credit when it sends one and falls back to
 * rendezvous while credit is short. The receiver returns credit in CREDIT frames once the messages are consumed
 * (matched and copied), in batches of at least a quarter window. Unexpected eager data held for one sender therefore never exceeds the
 * window, however fast it sends; a flood of blocking sends degrades to rendezvous, which waits for the receiver.
 * Per-pair order is kept because EAGER and RTS frames share the connection and are matched in arrival order.
 *
 * <p>Base type codes on the wire are permanent: never reassign a number, leave a gap.
 */
public final class TcpDescriptor {
    public static final int FRAME_LENGTH_OFFSET = 0;
    public static final int TYPE_OFFSET = 4;
    public static final int FLAGS_OFFSET = 5;
    public static final int ID_OFFSET = 8;
    public static final int HEADER_LENGTH = 16;

    public static final int SOURCE_OFFSET = 16;
    public static final int DEST_OFFSET = 20;
    public static final int CONTEXT_OFFSET = 24;
    public static final int TAG_OFFSET = 28;
    public static final int BASE_TYPE_OFFSET = 32;
    public static final int ELEMENTS_OFFSET = 36;
    public static final int PAYLOAD_BYTES_OFFSET = 40;
    public static final int EPOCH_OFFSET = 48;
    public static final int SEQ_OFFSET = 56;
    public static final int ENVELOPE_LENGTH = 64;

    public static final int FETCH_ID_OFFSET = 16;
    public static final int CTS_LENGTH = 24;
    public static final int DATA_OFFSET_OFFSET = 16;
    public static final int DATA_HEADER_LENGTH = 24;

    public static final int HELLO_MAGIC_OFFSET = 16;
    public static final int HELLO_VERSION_OFFSET = 20;
    public static final int HELLO_RANK_OFFSET = 24;
    public static final int HELLO_SIZE_OFFSET = 28;
    public static final int HELLO_TOKEN_LENGTH_OFFSET = 32;
    public static final int HELLO_TOKEN_OFFSET = 36;

    public static final byte TYPE_HELLO = 1;
    public static final byte TYPE_EAGER = 2;
    public static final byte TYPE_RTS = 3;
    public static final byte TYPE_CTS = 4;
    public static final byte TYPE_DATA = 5;
    public static final byte TYPE_ACK = 6;
    public static final byte TYPE_CREDIT = 7;
    public static final byte TYPE_BYE = 8;

    /** EAGER: the sender's request completes on ACK. */
    public static final byte FLAG_SYNC = 1;
    /** CTS: the receive failed and takes no data; the sender completes without sending DATA. */
    public static final byte FLAG_DISCARD = 1;
    /** RTS: the DATA follows at once, without a CTS; DATA: a pushed message's, its id is the send id. */
    public static final byte FLAG_PUSH = 2;

    /** "SNAP" as a little-endian int. */
    public static final int MAGIC = 0x50414E53;
    public static final short VERSION = 4;
    public static final int MAX_TOKEN_LENGTH = 1024;
    /** Payload bytes of one DATA frame (a multiple of every element size). */
    public static final int DATA_CHUNK = 64 * 1024;
    /** Credit an EAGER frame costs beyond its payload (envelope and bookkeeping on the receiver). */
    public static final int EAGER_OVERHEAD = 128;
    /** The longest legal frame; a longer length field is a protocol error. */
    /**
     * Payload bytes of a DATA frame written straight from an application's direct buffer (one gathering write of
     * header and payload, no copy). The receiver reads DATA payloads as a stream, straight into a direct receive
     * buffer when it has one, so such frames need not fit its read buffer.
     */
    public static final int DIRECT_CHUNK = 16 << 20;
    /** The longest frame other than DATA (a DATA frame may carry up to {@link #DIRECT_CHUNK} payload bytes). */
    public static final int MAX_FRAME = Math.max(DATA_HEADER_LENGTH + DATA_CHUNK, ENVELOPE_LENGTH + Endpoint.EAGER_LIMIT);

    private static final BaseType[] BY_CODE = {null, BaseType.BYTE, BaseType.CHAR, BaseType.SHORT, BaseType.BOOLEAN,
        BaseType.INT, BaseType.LONG, BaseType.FLOAT, BaseType.DOUBLE, BaseType.OBJECT, BaseType.PACKED};

    private TcpDescriptor() {
    }

    /** The permanent wire code of a base type. */
    public static byte code(BaseType base) {
        switch (base) {
            case BYTE: return 1;
            case CHAR: return 2;
            case SHORT: return 3;
            case BOOLEAN: return 4;
            case INT: return 5;
            case LONG: return 6;
            case FLOAT: return 7;
            case DOUBLE: return 8;
            case OBJECT: return 9;
            case PACKED: return 10;
            default: throw new AssertionError(base);
        }
    }

    /** The base type of a wire code, or null for an unknown code. */
    public static BaseType baseType(int code) {
        return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }

    /** Credit an EAGER frame with this many payload bytes costs. */
    public static long eagerCost(long payloadBytes) {
        return payloadBytes + EAGER_OVERHEAD;
    }

    /** A little-endian buffer of {@code length} bytes with the common header written and the position at 16. */
    public static ByteBuffer frame(int length, byte type, byte flags, long id) {
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        header(b, length, type, flags, id);
        return b;
    }

    /** Writes the common header at {@code b}'s start and sets its position to {@link #HEADER_LENGTH}. */
    public static void header(ByteBuffer b, int length, byte type, byte flags, long id) {
        b.putInt(FRAME_LENGTH_OFFSET, length);
        b.put(TYPE_OFFSET, type);
        b.put(FLAGS_OFFSET, flags);
        b.putShort(TYPE_OFFSET + 2, (short) 0);
        b.putLong(ID_OFFSET, id);
        b.position(HEADER_LENGTH);
    }

    /** Writes an envelope at offset 16 of {@code b} and sets its position to {@link #ENVELOPE_LENGTH}. */
    public static void envelope(ByteBuffer b, int source, int dest, int context, int tag, BaseType base, int elements,
            long payloadBytes, int epoch, long seq) {
        b.putInt(SOURCE_OFFSET, source);
        b.putInt(DEST_OFFSET, dest);
        b.putInt(CONTEXT_OFFSET, context);
        b.putInt(TAG_OFFSET, tag);
        b.putInt(BASE_TYPE_OFFSET, code(base) & 0xFF);
        b.putInt(ELEMENTS_OFFSET, elements);
        b.putLong(PAYLOAD_BYTES_OFFSET, payloadBytes);
        b.putInt(EPOCH_OFFSET, epoch);
        b.putInt(EPOCH_OFFSET + 4, 0);
        b.putLong(SEQ_OFFSET, seq);
        b.position(ENVELOPE_LENGTH);
    }

    /** A complete HELLO frame, flipped for writing. */
    public static ByteBuffer hello(int rank, int size, byte[] token) {
        int length = HELLO_TOKEN_OFFSET + token.length;
        ByteBuffer b = frame(length, TYPE_HELLO, (byte) 0, 0);
        b.putInt(HELLO_MAGIC_OFFSET, MAGIC);
        b.putShort(HELLO_VERSION_OFFSET, VERSION);
        b.putShort(HELLO_VERSION_OFFSET + 2, (short) 0);
        b.putInt(HELLO_RANK_OFFSET, rank);
        b.putInt(HELLO_SIZE_OFFSET, size);
        b.putInt(HELLO_TOKEN_LENGTH_OFFSET, token.length);
        b.position(HELLO_TOKEN_OFFSET);
        b.put(token);
        return b.flip();
    }

    /** A complete frame with the header only (ACK, CREDIT, BYE), flipped for writing. */
    public static ByteBuffer control(byte type, long id) {
        ByteBuffer b = frame(HEADER_LENGTH, type, (byte) 0, id);
        return b.flip();
    }

    /** A complete CTS frame, flipped for writing. */
    public static ByteBuffer cts(long sendId, long fetchId, boolean discard) {
        ByteBuffer b = frame(CTS_LENGTH, TYPE_CTS, discard ? FLAG_DISCARD : 0, sendId);
        b.putLong(FETCH_ID_OFFSET, fetchId);
        b.position(CTS_LENGTH);
        return b.flip();
    }
}
