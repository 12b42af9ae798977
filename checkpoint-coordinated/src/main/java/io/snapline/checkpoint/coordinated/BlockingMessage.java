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
 * followed by the fields in order, big-endian ({@link DataOutputStream} encoding). They live only as long as an
 * attempt (nothing here is stored), but the codes are never reused for another meaning: 2 and 4 were the placement
 * messages of an earlier protocol.
 *
 * <pre>
 * coordinator -> rank   REQUEST   (1)  id i64                  freeze at your next safe point for checkpoint id
 *                       ABANDON   (3)  id i64, final u8        checkpoint id will not happen (final: no more
 *                                                              checkpoints in this attempt)
 *                       COMMITTED (7)  id i64                  checkpoint id is committed: resume
 *                       OPEN      (8)  id i64                  checkpoint id is open: report your waits, freeze at
 *                                                              your next due safe point (--every)
 *                       GO        (9)  id i64                  every rank is frozen: take checkpoint id
 *                       RELEASE   (10) id i64, points i32      run on past points - 1 safe points and freeze at the
 *                                                              next one
 * rank -> coordinator   PREPARED  (5)  id i64, point i64, blocked-nanos i64, piece: rank i32, file UTF, size i64,
 *                                      crc32c i32              my piece of id is durable
 *                       FROZEN    (6)  id i64, point i64       I stopped at safe point 'point' for id (0: my
 *                                                              --every schedule is due and I know of no open id)
 *                       WAITING   (11) id i64, waiting u8, n i32, n x peer i32
 *                                                              while id is open and I run: I now wait inside the
 *                                                              runtime (1) for a message from (or a receive by)
 *                                                              one of the n peers (n = -1: any rank), or run the
 *                                                              program again (0, n = -1)
 * </pre>
 */
sealed interface BlockingMessage {
    byte REQUEST = 1;
    byte ABANDON = 3;
    byte PREPARED = 5;
    byte FROZEN = 6;
    byte COMMITTED = 7;
    byte OPEN = 8;
    byte GO = 9;
    byte RELEASE = 10;
    byte WAITING = 11;

    long id();

    record Request(long id) implements BlockingMessage {
    }

    record Abandon(long id, boolean last) implements BlockingMessage {
    }

    record Committed(long id) implements BlockingMessage {
    }

    record Open(long id) implements BlockingMessage {
    }

    record Go(long id) implements BlockingMessage {
    }

    /** {@code points}: the rank freezes at its {@code points}-th safe point from here (at least 1). */
    record Release(long id, int points) implements BlockingMessage {
    }

    record Prepared(long id, long point, long blockedNanos, PieceRef piece) implements BlockingMessage {
    }

    record Frozen(long id, long point) implements BlockingMessage {
    }

    /** {@code peers}: the ranks the wait depends on, or null for any rank. */
    record Waiting(long id, boolean waiting, int[] peers) implements BlockingMessage {
        @Override
        public String toString() {
            return "Waiting[id=" + id + ", waiting=" + waiting + ", peers="
                    + (peers == null ? "any" : java.util.Arrays.toString(peers)) + "]";
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Waiting w && w.id == id && w.waiting == waiting
                    && java.util.Arrays.equals(w.peers, peers);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(id, waiting, java.util.Arrays.hashCode(peers));
        }
    }

    private static byte type(BlockingMessage m) {
        if (m instanceof Request) {
            return REQUEST;
        } else if (m instanceof Abandon) {
            return ABANDON;
        } else if (m instanceof Committed) {
            return COMMITTED;
        } else if (m instanceof Open) {
            return OPEN;
        } else if (m instanceof Go) {
            return GO;
        } else if (m instanceof Release) {
            return RELEASE;
        } else if (m instanceof Prepared) {
            return PREPARED;
        } else if (m instanceof Frozen) {
            return FROZEN;
        }
        return WAITING;
    }

    static byte[] encode(BlockingMessage m) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(type(m));
            out.writeLong(m.id());
            if (m instanceof Abandon a) {
                out.writeBoolean(a.last());
            } else if (m instanceof Frozen f) {
                out.writeLong(f.point());
            } else if (m instanceof Release r) {
                out.writeInt(r.points());
            } else if (m instanceof Waiting w) {
                out.writeBoolean(w.waiting());
                int[] peers = w.peers();
                out.writeInt(peers == null ? -1 : peers.length);
                if (peers != null) {
                    for (int p : peers) {
                        out.writeInt(p);
                    }
                }
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
                case ABANDON -> new Abandon(id, in.readBoolean());
                case COMMITTED -> new Committed(id);
                case OPEN -> new Open(id);
                case GO -> new Go(id);
                case RELEASE -> new Release(id, in.readInt());
                case FROZEN -> new Frozen(id, in.readLong());
                case WAITING -> {
                    boolean waiting = in.readBoolean();
                    int count = in.readInt();
                    int[] peers = count < 0 ? null : new int[count];
                    for (int i = 0; i < count; i++) {
                        peers[i] = in.readInt();
                    }
                    yield new Waiting(id, waiting, peers);
                }
                case PREPARED -> new Prepared(id, in.readLong(), in.readLong(),
                        new PieceRef(in.readInt(), in.readUTF(), in.readLong(), in.readInt()));
                default -> throw new IllegalArgumentException("unknown blocking-protocol message type " + type);
            };
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated blocking-protocol message of " + message.length + " bytes", e);
        }
    }
}
