package io.snapline.runtime.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Small eager messages from one rank to another in the same process, in order: a single-producer, single-consumer
 * ring of fixed slots in a cache-line-aligned direct buffer. The sender writes the envelope and the payload (packed,
 * little-endian, as {@link PackCodec} packs) into the next slot and then publishes the slot's sequence number; the
 * receiver reads all of it from the one cache line the sequence number lives on. So a message costs one cache-line
 * transfer between the cores, where handing the receiver a {@link Message} object (and its payload array) costs
 * several dependent ones.
 *
 * <pre>
 * slot (128 bytes, aligned to 128)
 * +--------+------+-----------------------------------------------------------+
 * | offset | size | field                                                     |
 * +--------+------+-----------------------------------------------------------+
 * |      0 |    8 | sequence: position + 1 once the slot holds the message    |
 * |        |      |   written at that position (native order)                 |
 * |      8 |    4 | context                                                   |
 * |     12 |    4 | tag                                                       |
 * |     16 |    4 | base elements                                             |
 * |     20 |    1 | base type (ordinal)                                       |
 * |     24 |  104 | payload, packed little-endian                             |
 * +--------+------+-----------------------------------------------------------+
 * </pre>
 *
 * <p>The producer is the sending rank's thread (ranks call MPI from one thread at a time); the consumer is whichever
 * thread holds the receiving rank's {@link Mailbox} lock. When the ring is full the sender takes the mailbox's
 * locked path instead, which drains the ring first, so order holds across both.
 */
final class SmallRing {
    static final int SLOT_BYTES = 128;
    static final int HEADER_BYTES = 24;
    /** Largest payload a slot holds. */
    static final int MAX_PAYLOAD = SLOT_BYTES - HEADER_BYTES;
    static final int SLOTS = 64;
    private static final VarHandle SEQ = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final BaseType[] BASES = BaseType.values();
    private static final VarHandle PUBLISHED;

    static {
        try {
            PUBLISHED = MethodHandles.lookup().findVarHandle(Consumer.class, "published", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final int source;
    private final int dest;
    private final ByteBuffer slots;
    private final Mailbox.Sleepers receiverSleepers;
    private final Producer producer = new Producer();
    private final Consumer consumer = new Consumer();

    SmallRing(int source, int dest, Mailbox.Sleepers receiverSleepers) {
        this.source = source;
        this.dest = dest;
        this.receiverSleepers = receiverSleepers;
        this.slots = ByteBuffer.allocateDirect(SLOTS * SLOT_BYTES + SLOT_BYTES).alignedSlice(SLOT_BYTES)
                .order(ByteOrder.LITTLE_ENDIAN);
    }

    int source() {
        return source;
    }

    int dest() {
        return dest;
    }

    /** The receiving rank's count of parked threads (read by the sender after each write). */
    Mailbox.Sleepers receiverSleepers() {
        return receiverSleepers;
    }

    /** Whether {@code bytes} of payload of this base type fit a slot. */
    static boolean fits(BaseType base, long bytes) {
        return bytes <= MAX_PAYLOAD && base != BaseType.OBJECT;
    }

    // ------------------------------------------------------------------------------------------------ producer

    /**
     * Writes a message whose {@code elements} base elements lie contiguously in {@code src} from {@code offset};
     * returns false, writing nothing, when the ring is full.
     */
    boolean offer(int context, int tag, BaseType base, Object src, int offset, int elements) {
        Producer p = producer;
        long position = p.position;
        if (position >= p.limit) {
            p.limit = consumer.published + SLOTS;
            if (position >= p.limit) {
                return false;
            }
        }
        int at = (int) (position & (SLOTS - 1)) * SLOT_BYTES;
        ByteBuffer b = slots;
        b.putInt(at + 8, context);
        b.putInt(at + 12, tag);
        b.putInt(at + 16, elements);
        b.put(at + 20, (byte) base.ordinal());
        writePayload(b, at + HEADER_BYTES, base, src, offset, elements);
        SEQ.setRelease(b, at, position + 1);
        p.position = position + 1;
        return true;
    }

    private static void writePayload(ByteBuffer b, int at, BaseType base, Object src, int offset, int n) {
        switch (base) {
            case BYTE, PACKED -> b.put(at, (byte[]) src, offset, n);
            case BOOLEAN -> {
                boolean[] a = (boolean[]) src;
                for (int i = 0; i < n; i++) {
                    b.put(at + i, a[offset + i] ? (byte) 1 : (byte) 0);
                }
            }
            case CHAR -> {
                char[] a = (char[]) src;
                for (int i = 0; i < n; i++) {
                    b.putChar(at + 2 * i, a[offset + i]);
                }
            }
            case SHORT -> {
                short[] a = (short[]) src;
                for (int i = 0; i < n; i++) {
                    b.putShort(at + 2 * i, a[offset + i]);
                }
            }
            case INT -> {
                int[] a = (int[]) src;
                for (int i = 0; i < n; i++) {
                    b.putInt(at + 4 * i, a[offset + i]);
                }
            }
            case LONG -> {
                long[] a = (long[]) src;
                for (int i = 0; i < n; i++) {
                    b.putLong(at + 8 * i, a[offset + i]);
                }
            }
            case FLOAT -> {
                float[] a = (float[]) src;
                for (int i = 0; i < n; i++) {
                    b.putFloat(at + 4 * i, a[offset + i]);
                }
            }
            case DOUBLE -> {
                double[] a = (double[]) src;
                for (int i = 0; i < n; i++) {
                    b.putDouble(at + 8 * i, a[offset + i]);
                }
            }
            default -> throw new EngineException("cannot pack elements of type " + base + " into a ring slot");
        }
    }

    // ------------------------------------------------------------------------------------------------ consumer

    /** Whether the next slot holds a message (a hint when read without the receiver's lock). */
    boolean hasMessage() {
        long position = consumer.position;
        return (long) SEQ.getAcquire(slots, slot(position)) == position + 1;
    }

    /** Offset of the slot holding the next message; valid after {@link #hasMessage()} returned true. */
    int next() {
        return slot(consumer.position);
    }

    int context(int at) {
        return slots.getInt(at + 8);
    }

    int tag(int at) {
        return slots.getInt(at + 12);
    }

    int elements(int at) {
        return slots.getInt(at + 16);
    }

    BaseType base(int at) {
        return BASES[slots.get(at + 20)];
    }

    /** The payload of the message at {@code at}, {@code bytes} long, packed: a view to read once, not to keep. */
    ByteBuffer payload(int at, int bytes) {
        return slots.slice(at + HEADER_BYTES, bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A private copy of the payload of the message at {@code at}, packed. */
    byte[] copyPayload(int at, int bytes) {
        byte[] out = new byte[bytes];
        slots.get(at + HEADER_BYTES, out, 0, bytes);
        return out;
    }

    /**
     * Copies the {@code n} elements of the message at {@code at} into {@code dst} from {@code offset} on, contiguous
     * (the caller has checked the base type and the room).
     */
    void readInto(int at, BaseType base, int n, Object dst, int offset) {
        ByteBuffer b = slots;
        int from = at + HEADER_BYTES;
        switch (base) {
            case BYTE, PACKED -> b.get(from, (byte[]) dst, offset, n);
            case BOOLEAN -> {
                boolean[] a = (boolean[]) dst;
                for (int i = 0; i < n; i++) {
                    a[offset + i] = b.get(from + i) != 0;
                }
            }
            case CHAR -> {
                char[] a = (char[]) dst;
                for (int i = 0; i < n; i++) {
                    a[offset + i] = b.getChar(from + 2 * i);
                }
            }
            case SHORT -> {
                short[] a = (short[]) dst;
                for (int i = 0; i < n; i++) {
                    a[offset + i] = b.getShort(from + 2 * i);
                }
            }
            case INT -> {
                int[] a = (int[]) dst;
                for (int i = 0; i < n; i++) {
                    a[offset + i] = b.getInt(from + 4 * i);
                }
            }
            case LONG -> {
                long[] a = (long[]) dst;
                for (int i = 0; i < n; i++) {
                    a[offset + i] = b.getLong(from + 8 * i);
                }
            }
            case FLOAT -> {
                float[] a = (float[]) dst;
                for (int i = 0; i < n; i++) {
                    a[offset + i] = b.getFloat(from + 4 * i);
                }
            }
            case DOUBLE -> {
                double[] a = (double[]) dst;
                for (int i = 0; i < n; i++) {
                    a[offset + i] = b.getDouble(from + 8 * i);
                }
            }
            default -> throw new EngineException("cannot unpack elements of type " + base + " from a ring slot");
        }
    }

    /** The message at the head has been taken: frees its slot for the producer. */
    void advance() {
        Consumer c = consumer;
        c.position++;
        PUBLISHED.setRelease(c, c.position); // no fence: the producer reads it only when the ring looks full
    }

    private static int slot(long position) {
        return (int) (position & (SLOTS - 1)) * SLOT_BYTES;
    }

    @SuppressWarnings("unused")
    private static class Pad {
        long p0, p1, p2, p3, p4, p5, p6, p7;
    }

    /** The sender's side, on cache lines of its own. */
    @SuppressWarnings("unused")
    private static final class Producer extends Pad {
        /** Position of the next message to write. */
        long position;
        /** Positions below this are known free (the consumer's published position + {@link #SLOTS}). */
        long limit = SLOTS;
        long q0, q1, q2, q3, q4, q5, q6, q7;
    }

    /** The receiver's side, on cache lines of its own. */
    @SuppressWarnings("unused")
    private static final class Consumer extends Pad {
        /** Position of the next message to read; guarded by the receiver's mailbox lock. */
        long position;
        /** {@link #position}, published for the producer. */
        volatile long published;
        long q0, q1, q2, q3, q4, q5, q6, q7;
    }
}
