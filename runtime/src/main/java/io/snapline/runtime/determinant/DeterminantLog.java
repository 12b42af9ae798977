package io.snapline.runtime.determinant;

import io.snapline.runtime.determinant.Determinant.Completed;
import io.snapline.runtime.determinant.Determinant.Done;
import io.snapline.runtime.determinant.Determinant.Idle;
import io.snapline.runtime.determinant.Determinant.Matched;
import io.snapline.runtime.determinant.Determinant.Op;
import io.snapline.runtime.determinant.Determinant.Poll;
import io.snapline.runtime.determinant.Determinant.Probed;
import io.snapline.runtime.determinant.Determinant.Received;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The recorded outcomes of a rank's non-deterministic operations, in program order: what a policy persists and
 * replays. Immutable. {@link #encode()} writes, and {@link #decode} reads, this layout:
 *
 * <pre>
 * determinant log, version 1 (big-endian)
 * +--------+------+-----------------------------------------------------------------+
 * | offset | size | field                                                           |
 * +--------+------+-----------------------------------------------------------------+
 * |      0 |    4 | magic "SLDL"                                                    |
 * |      4 |    2 | version = 1                                                     |
 * |      6 |    2 | reserved, 0                                                     |
 * |      8 |    4 | E, events                                                       |
 * |     12 |  ... | E x event: kind u8, then by kind (a message is source i32,      |
 * |        |      |   tag i32, seq i64; ranks are world ranks, -2 is ANY)           |
 * |        |      |   1 received:  source i32, tag i32, context i32, has u8 (0/1),  |
 * |        |      |                [message]                                        |
 * |        |      |   2 probed:    blocking u8, source i32, tag i32, context i32,   |
 * |        |      |                message                                          |
 * |        |      |   3 completed: op u8, requests i32, D i32, D x (index i32,      |
 * |        |      |                has u8, [message])                               |
 * |        |      |   4 idle:      times i64, P u8, P x (op u8, source i32,         |
 * |        |      |                tag i32, context i32, requests i32)              |
 * +--------+------+-----------------------------------------------------------------+
 * </pre>
 * Kind and op codes ({@link Op#code()}) are permanent: a new kind or op gets a new code, never a reused one.
 */
public record DeterminantLog(List<Determinant> events) {
    /** A log with no events. */
    public static final DeterminantLog EMPTY = new DeterminantLog(List.of());

    static final int MAGIC = 0x534C444C; // "SLDL"
    static final short VERSION = 1;
    private static final int RECEIVED = 1;
    private static final int PROBED = 2;
    private static final int COMPLETED = 3;
    private static final int IDLE = 4;
    private static final int MESSAGE = 16;

    public DeterminantLog {
        events = List.copyOf(events);
    }

    /** Whether the log holds no event. */
    public boolean isEmpty() {
        return events.isEmpty();
    }

    /** The program calls the log covers: one per event, and each call of an idle run. */
    public long calls() {
        long n = 0;
        for (Determinant d : events) {
            n += d instanceof Idle i ? i.times() : 1;
        }
        return n;
    }

    /** The log in the layout above. */
    public byte[] encode() {
        int size = 12;
        for (Determinant d : events) {
            size += 1 + size(d);
        }
        ByteBuffer b = ByteBuffer.allocate(size);
        b.putInt(MAGIC).putShort(VERSION).putShort((short) 0).putInt(events.size());
        for (Determinant d : events) {
            if (d instanceof Received r) {
                b.put((byte) RECEIVED).putInt(r.source()).putInt(r.tag()).putInt(r.context());
                optional(b, r.matched());
            } else if (d instanceof Probed p) {
                b.put((byte) PROBED).put((byte) (p.blocking() ? 1 : 0)).putInt(p.source()).putInt(p.tag())
                        .putInt(p.context());
                message(b, p.found());
            } else if (d instanceof Completed c) {
                b.put((byte) COMPLETED).put((byte) c.op().code()).putInt(c.requests()).putInt(c.done().size());
                for (Done x : c.done()) {
                    b.putInt(x.index());
                    optional(b, x.message());
                }
            } else {
                Idle i = (Idle) d;
                b.put((byte) IDLE).putLong(i.times()).put((byte) i.polls().size());
                for (Poll p : i.polls()) {
                    b.put((byte) p.op().code()).putInt(p.source()).putInt(p.tag()).putInt(p.context())
                            .putInt(p.requests());
                }
            }
        }
        return b.array();
    }

    private static int size(Determinant d) {
        if (d instanceof Received r) {
            return 13 + (r.matched() == null ? 0 : MESSAGE);
        }
        if (d instanceof Probed) {
            return 13 + MESSAGE;
        }
        if (d instanceof Completed c) {
            int n = 9;
            for (Done x : c.done()) {
                n += 5 + (x.message() == null ? 0 : MESSAGE);
            }
            return n;
        }
        return 9 + 17 * ((Idle) d).polls().size();
    }

    private static void optional(ByteBuffer b, Matched m) {
        b.put((byte) (m == null ? 0 : 1));
        if (m != null) {
            message(b, m);
        }
    }

    private static void message(ByteBuffer b, Matched m) {
        b.putInt(m.source()).putInt(m.tag()).putLong(m.seq());
    }

    /**
     * Reads a log written by {@link #encode()}.
     *
     * @param where names the bytes in error messages, e.g. "the piece of rank 2 in checkpoint 7"
     * @throws IllegalArgumentException naming {@code where} when the bytes are not such a log
     */
    public static DeterminantLog decode(byte[] bytes, String where) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        try {
            if (b.getInt() != MAGIC) {
                throw new IllegalArgumentException(where + " holds no determinant log");
            }
            short version = b.getShort();
            if (version != VERSION) {
                throw new IllegalArgumentException(where + " has determinant log version " + version
                        + "; this build reads version " + VERSION);
            }
            b.getShort();
            int n = b.getInt();
            List<Determinant> events = new ArrayList<>(Math.min(Math.max(n, 0), 1 << 16));
            for (int k = 0; k < n; k++) {
                events.add(event(b, where));
            }
            if (b.hasRemaining()) {
                throw new IllegalArgumentException(where + " has " + b.remaining() + " bytes after its determinant log");
            }
            return new DeterminantLog(events);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException(where + " ends inside its determinant log", e);
        }
    }

    private static Determinant event(ByteBuffer b, String where) {
        int kind = b.get();
        return switch (kind) {
            case RECEIVED -> new Received(b.getInt(), b.getInt(), b.getInt(), optional(b));
            case PROBED -> new Probed(b.get() != 0, b.getInt(), b.getInt(), b.getInt(), message(b));
            case COMPLETED -> {
                Op op = op(b.get(), where);
                int requests = b.getInt();
                int d = b.getInt();
                List<Done> done = new ArrayList<>(Math.min(Math.max(d, 0), 1 << 16));
                for (int k = 0; k < d; k++) {
                    done.add(new Done(b.getInt(), optional(b)));
                }
                yield new Completed(op, requests, done);
            }
            case IDLE -> {
                long times = b.getLong();
                int p = b.get() & 0xff;
                List<Poll> polls = new ArrayList<>(p);
                for (int k = 0; k < p; k++) {
                    polls.add(new Poll(op(b.get(), where), b.getInt(), b.getInt(), b.getInt(), b.getInt()));
                }
                yield new Idle(times, polls);
            }
            default -> throw new IllegalArgumentException(where + " holds a determinant of unknown kind " + kind);
        };
    }

    private static Op op(int code, String where) {
        Op op = Op.of(code);
        if (op == null) {
            throw new IllegalArgumentException(where + " holds a determinant of unknown operation " + code);
        }
        return op;
    }

    private static Matched optional(ByteBuffer b) {
        return b.get() == 0 ? null : message(b);
    }

    private static Matched message(ByteBuffer b) {
        return new Matched(b.getInt(), b.getInt(), b.getLong());
    }
}
