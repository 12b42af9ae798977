package io.snapline.checkpoint.coordinated;

import io.snapline.runtime.checkpoint.store.PieceRef;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The messages between the ranks and the coordinator of the non-blocking protocol: a type byte, then the fields in
 * order, big-endian ({@link DataOutputStream} encoding).
 *
 * <pre>
 * coordinator -> rank   REQUEST   (1) epoch i32                        checkpoint 'epoch' is open
 *                       PROMISE   (2) from i32, epoch i32, sent i64    'from' sent you 'sent' messages before it
 *                       COMMITTED (3) epoch i32
 *                       ABANDONED (4) epoch i32, reason UTF
 * rank -> coordinator   TAKEN     (5) epoch i32                        I captured my state
 *                       PROMISE   (2) to i32, epoch i32, sent i64      forward to rank 'to'
 *                       PREPARED  (6) epoch i32, point i64, blocked-nanos i64, cost-nanos i64 (blocked and
 *                                     the write), piece: rank i32, file UTF, size i64, crc32c i32
 *                       DEFERRED  (7) epoch i32, resends i64           restarted, I capture once I have re-sent
 *                                                                      'resends' messages my peers already hold
 * </pre>
 */
final class NbMessage {
    static final byte REQUEST = 1;
    static final byte PROMISE = 2;
    static final byte COMMITTED = 3;
    static final byte ABANDONED = 4;
    static final byte TAKEN = 5;
    static final byte PREPARED = 6;
    static final byte DEFERRED = 7;

    private NbMessage() {
    }

    /** A decoded message: {@code type} plus the fields that type uses. */
    record Decoded(byte type, int peer, int epoch, long count, long blocked, long cost, String reason,
            PieceRef piece) {
    }

    static byte[] epochOnly(byte type, int epoch) {
        return write(out -> {
            out.writeByte(type);
            out.writeInt(epoch);
        });
    }

    static byte[] promise(int peer, int epoch, long sent) {
        return write(out -> {
            out.writeByte(PROMISE);
            out.writeInt(peer);
            out.writeInt(epoch);
            out.writeLong(sent);
        });
    }

    static byte[] deferred(int epoch, long resends) {
        return write(out -> {
            out.writeByte(DEFERRED);
            out.writeInt(epoch);
            out.writeLong(resends);
        });
    }

    static byte[] abandoned(int epoch, String reason) {
        return write(out -> {
            out.writeByte(ABANDONED);
            out.writeInt(epoch);
            out.writeUTF(reason.length() > 10_000 ? reason.substring(0, 10_000) : reason);
        });
    }

    static byte[] prepared(int epoch, long point, long blocked, long cost, PieceRef piece) {
        return write(out -> {
            out.writeByte(PREPARED);
            out.writeInt(epoch);
            out.writeLong(point);
            out.writeLong(blocked);
            out.writeLong(cost);
            out.writeInt(piece.rank());
            out.writeUTF(piece.fileName());
            out.writeLong(piece.size());
            out.writeInt(piece.crc32c());
        });
    }

    static Decoded decode(byte[] message) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(message))) {
            byte type = in.readByte();
            return switch (type) {
                case REQUEST, COMMITTED, TAKEN -> new Decoded(type, -1, in.readInt(), 0, 0, 0, null, null);
                case PROMISE -> new Decoded(type, in.readInt(), in.readInt(), in.readLong(), 0, 0, null, null);
                case ABANDONED -> new Decoded(type, -1, in.readInt(), 0, 0, 0, in.readUTF(), null);
                case DEFERRED -> new Decoded(type, -1, in.readInt(), in.readLong(), 0, 0, null, null);
                case PREPARED -> new Decoded(type, -1, in.readInt(), in.readLong(), in.readLong(), in.readLong(),
                        null, new PieceRef(in.readInt(), in.readUTF(), in.readLong(), in.readInt()));
                default -> throw new IllegalArgumentException("unknown non-blocking-protocol message type " + type);
            };
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated non-blocking-protocol message of " + message.length
                    + " bytes", e);
        }
    }

    private interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    private static byte[] write(Body body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            body.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
