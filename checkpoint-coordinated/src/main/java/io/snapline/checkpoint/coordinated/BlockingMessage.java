package io.snapline.checkpoint.coordinated;

import io.snapline.runtime.checkpoint.store.PieceRef;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The messages between the ranks and the coordinator of the blocking protocol, and their wire form: a type byte
 * followed by the fields in order, big-endian ({@link DataOutputStream} encoding).
 *
 * <pre>
 * coordinator -> rank   REQUEST  (1) id i64                    take checkpoint id; tell me where you are
 *                       AT       (2) id i64, point i64         checkpoint id is taken at safe point 'point'
 *                       ABANDON  (3) id i64                    checkpoint id will not happen
 *                       COMMITTED (7) id i64                   checkpoint id is committed: resume
 * rank -> coordinator   POSITION (4) id i64, point i64         I learnt of id at safe point 'point'
 *                       PREPARED (5) id i64, point i64, blocked-nanos i64, piece: rank i32, file UTF, size i64,
 *                                    crc32c i32                my piece of id is durable
 *                       FROZEN   (6) id i64, point i64         I stopped at safe point 'point' to take id
 * </pre>
 */
sealed interface BlockingMessage {
    byte REQUEST = 1;
    byte AT = 2;
    byte ABANDON = 3;
    byte POSITION = 4;
    byte PREPARED = 5;
    byte FROZEN = 6;
    byte COMMITTED = 7;

    long id();

    record Request(long id) implements BlockingMessage {
    }

    record At(long id, long point) implements BlockingMessage {
    }

    record Abandon(long id) implements BlockingMessage {
    }

    record Position(long id, long point) implements BlockingMessage {
    }

    record Prepared(long id, long point, long blockedNanos, PieceRef piece) implements BlockingMessage {
    }

    record Frozen(long id, long point) implements BlockingMessage {
    }

    record Committed(long id) implements BlockingMessage {
    }

    static byte[] encode(BlockingMessage m) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(m instanceof Request ? REQUEST : m instanceof At ? AT : m instanceof Abandon ? ABANDON
                    : m instanceof Position ? POSITION : m instanceof Frozen ? FROZEN
                    : m instanceof Committed ? COMMITTED : PREPARED);
            out.writeLong(m.id());
            if (m instanceof At a) {
                out.writeLong(a.point());
            } else if (m instanceof Position p) {
                out.writeLong(p.point());
            } else if (m instanceof Frozen f) {
                out.writeLong(f.point());
            } else if (m instanceof Prepared p) {
                out.writeLong(p.point());
                out.writeLong(p.blockedNanos());
                out.writeInt(p.piece().rank());
                out.writeUTF(p.piece().fileName());
                out.writeLong(p.piece().size());
                out.writeInt(p.piece().crc32c());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static BlockingMessage decode(byte[] message) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(message))) {
            byte type = in.readByte();
            long id = in.readLong();
            return switch (type) {
                case REQUEST -> new Request(id);
                case AT -> new At(id, in.readLong());
                case ABANDON -> new Abandon(id);
                case POSITION -> new Position(id, in.readLong());
                case FROZEN -> new Frozen(id, in.readLong());
                case COMMITTED -> new Committed(id);
                case PREPARED -> new Prepared(id, in.readLong(), in.readLong(),
                        new PieceRef(in.readInt(), in.readUTF(), in.readLong(), in.readInt()));
                default -> throw new IllegalArgumentException("unknown blocking-protocol message type " + type);
            };
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated blocking-protocol message of " + message.length + " bytes", e);
        }
    }
}
