package io.snapline.runtime.engine;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;

/**
 * Small eager messages from one rank to another in the same process, in order: a single-producer, single-consumer
 * ring of 128-byte slots in a cache-line-aligned direct buffer. The sender writes the envelope and the payload (packed,
 * little-endian, as {@link PackCodec} packs) into the next slots and then publishes the first slot's sequence number;
 * the receiver reads the envelope and, for payloads up to 24 bytes, the payload from the one cache line the sequence
 * number lives on. So an 8-byte message costs one cache-line transfer between the cores, where handing the receiver a
 * {@link Message} object (and its payload array) costs several dependent ones.
 *
 * <pre>
 * record: SPAN consecutive slots (128 bytes each, the first aligned to 128), never wrapping around the ring's end
 * +--------+--------+---------------------------------------------------------+
 * | offset | size   | field                                                   |
 * +--------+--------+---------------------------------------------------------+
 * |      0 |      8 | sequence: position + 1 once the record written at that  |
 * |        |        |   slot position is complete (native order)              |
 * |      8 |      4 | context                                                 |
 * |     12 |      4 | tag                                                     |
 * |     16 |      4 | base elements                                           |
 * |     20 |      1 | base type (ordinal), or 255: padding up to the ring's   |
 * |        |        |   end (no message; the next record starts at slot 0)    |
 * |     21 |      1 | SPAN, slots the record occupies                         |
 * |     22 |      2 | reserved, 0                                             |
 * |     24 |      4 | the sender's checkpoint epoch ({@link Message#stamp})   |
 * |     28 |      4 | reserved, 0                                             |
 * |     32 |      8 | the message's number on its channel (idem; 0 and 0     |
 * |        |        |   when no checkpoint policy numbers the traffic)        |
 * |     40 |    ... | payload, packed little-endian, at most MAX_PAYLOAD      |
 * +--------+--------+---------------------------------------------------------+
 * </pre>
 *
 * <p>The producer is the sending rank's thread (ranks call MPI from one thread at a time); the consumer is whichever
 * thread holds the receiving rank's {@link Mailbox} lock. When the ring has no room the sender takes the mailbox's
 * locked path instead, which drains the ring first, so order holds across both. A receiver that holds as much of the
 * sender's unreceived data as it may stops freeing slots ({@link #holdBack}), so the sender's next small messages
 * take the locked path too, where they wait at the sender (see {@link Backlog}).
 */
final class SmallRing {
    static final int SLOT_BYTES = 128;
    static final int HEADER_BYTES = 40;
    /** Slots in a ring (16 KiB). */
    static final int SLOTS = 128;
    /** Largest payload a record holds (17 slots). */
    static final int MAX_PAYLOAD = 2048;
    private static final int PADDING = 255;
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
    // Views for bulk copies with absolute indices (no position ever changes, so both sides may share them).
    private final CharBuffer chars;
    private final ShortBuffer shorts;
    private final IntBuffer ints;
    private final LongBuffer longs;
    private final FloatBuffer floats;
    private final DoubleBuffer doubles;
    private final Mailbox owner;
    private final Mailbox.Sleepers receiverSleepers;
    private final Producer producer = new Producer();
    private final Consumer consumer = new Consumer();

    SmallRing(int source, int dest, Mailbox owner, Mailbox.Sleepers receiverSleepers) {
        this.source = source;
        this.dest = dest;
        this.owner = owner;
        this.receiverSleepers = receiverSleepers;
        this.slots = ByteBuffer.allocateDirect(SLOTS * SLOT_BYTES + SLOT_BYTES).alignedSlice(SLOT_BYTES)
                .order(ByteOrder.LITTLE_ENDIAN);
        this.chars = slots.asCharBuffer();
        this.shorts = slots.asShortBuffer();
        this.ints = slots.asIntBuffer();
        this.longs = slots.asLongBuffer();
        this.floats = slots.asFloatBuffer();
        this.doubles = slots.asDoubleBuffer();
    }

    int source() {
        return source;
    }

    int dest() {
        return dest;
    }

    /** The receiving rank's mailbox, which takes the messages. */
    Mailbox owner() {
        return owner;
    }

    /** The receiving rank's count of parked threads (read by the sender after each write). */
    Mailbox.Sleepers receiverSleepers() {
        return receiverSleepers;
    }

    /** Whether {@code bytes} of payload of this base type fit a record. */
    static boolean fits(BaseType base, long bytes) {
        return bytes <= MAX_PAYLOAD && base != BaseType.OBJECT;
    }

    // ------------------------------------------------------------------------------------------------ producer

    /**
     * Writes a message whose {@code elements} base elements lie contiguously in {@code src} from {@code offset}, with
     * its checkpoint stamp; returns false, writing nothing, when the ring has no room for it.
     */
    boolean offer(int context, int tag, BaseType base, Object src, int offset, int elements, int epoch, long seq) {
        Producer p = producer;
        long position = p.position;
        int span = (HEADER_BYTES + elements * base.byteSize() + SLOT_BYTES - 1) / SLOT_BYTES;
        int index = (int) (position & (SLOTS - 1));
        int padding = index + span > SLOTS ? SLOTS - index : 0; // a record does not wrap: pad to the ring's end
        if (position + padding + span > p.limit) {
            p.limit = consumer.published + SLOTS;
            if (position + padding + span > p.limit) {
                return false;
            }
        }
        ByteBuffer b = slots;
        if (padding > 0) {
            int at = index * SLOT_BYTES;
            b.put(at + 20, (byte) PADDING);
            b.put(at + 21, (byte) padding);
            SEQ.setRelease(b, at, position + 1);
            position += padding;
            index = 0;
        }
        int at = index * SLOT_BYTES;
        b.putInt(at + 8, context);
        b.putInt(at + 12, tag);
        b.putInt(at + 16, elements);
        b.put(at + 20, (byte) base.ordinal());
        b.put(at + 21, (byte) span);
        b.putInt(at + 24, epoch);
        b.putLong(at + 32, seq);
        writePayload(at + HEADER_BYTES, base, src, offset, elements);
        SEQ.setRelease(b, at, position + 1);
        p.position = position + span;
        return true;
    }

    private void writePayload(int at, BaseType base, Object src, int offset, int n) {
        if (src instanceof ByteBuffer) {
            PackCodec.copyElements(PackCodec.elements((ByteBuffer) src, base, offset, n),
                    slots.slice(at, n * base.byteSize()).order(ByteOrder.LITTLE_ENDIAN), base);
            return;
        }
        switch (base) {
            case BYTE, PACKED -> slots.put(at, (byte[]) src, offset, n);
            case BOOLEAN -> {
                boolean[] a = (boolean[]) src;
                for (int i = 0; i < n; i++) {
                    slots.put(at + i, a[offset + i] ? (byte) 1 : (byte) 0);
                }
            }
            case CHAR -> chars.put(at / 2, (char[]) src, offset, n);
            case SHORT -> shorts.put(at / 2, (short[]) src, offset, n);
            case INT -> ints.put(at / 4, (int[]) src, offset, n);
            case LONG -> longs.put(at / 8, (long[]) src, offset, n);
            case FLOAT -> floats.put(at / 4, (float[]) src, offset, n);
            case DOUBLE -> doubles.put(at / 8, (double[]) src, offset, n);
            default -> throw new EngineException("cannot pack elements of type " + base + " into a ring record");
        }
    }

    // ------------------------------------------------------------------------------------------------ consumer

    /** Whether the next record is complete (a hint when read without the receiver's lock). */
    boolean hasMessage() {
        long position = consumer.position;
        return (long) SEQ.getAcquire(slots, slot(position)) == position + 1;
    }

    /**
     * Offset of the next record, after {@link #hasMessage()} returned true; -1 when it was padding, which this
     * skips (call {@link #hasMessage()} again).
     */
    int next() {
        int at = slot(consumer.position);
        if ((slots.get(at + 20) & 0xff) == PADDING) {
            advance(at);
            return -1;
        }
        return at;
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

    int epoch(int at) {
        return slots.getInt(at + 24);
    }

    long seq(int at) {
        return slots.getLong(at + 32);
    }

    BaseType base(int at) {
        return BASES[slots.get(at + 20)];
    }

    /** The payload of the record at {@code at}, {@code bytes} long, packed: a view to read once, not to keep. */
    ByteBuffer payload(int at, int bytes) {
        return slots.slice(at + HEADER_BYTES, bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** A private copy of the payload of the record at {@code at}, packed. */
    byte[] copyPayload(int at, int bytes) {
        byte[] out = new byte[bytes];
        slots.get(at + HEADER_BYTES, out, 0, bytes);
        return out;
    }

    /**
     * Copies the {@code n} elements of the record at {@code at} into {@code dst} from {@code offset} on, contiguous
     * (the caller has checked the base type and the room).
     */
    void readInto(int at, BaseType base, int n, Object dst, int offset) {
        int from = at + HEADER_BYTES;
        if (dst instanceof ByteBuffer) {
            PackCodec.copyElements(payload(at, n * base.byteSize()), PackCodec.elements((ByteBuffer) dst, base, offset, n),
                    base);
            return;
        }
        switch (base) {
            case BYTE, PACKED -> slots.get(from, (byte[]) dst, offset, n);
            case BOOLEAN -> {
                boolean[] a = (boolean[]) dst;
                for (int i = 0; i < n; i++) {
                    a[offset + i] = slots.get(from + i) != 0;
                }
            }
            case CHAR -> chars.get(from / 2, (char[]) dst, offset, n);
            case SHORT -> shorts.get(from / 2, (short[]) dst, offset, n);
            case INT -> ints.get(from / 4, (int[]) dst, offset, n);
            case LONG -> longs.get(from / 8, (long[]) dst, offset, n);
            case FLOAT -> floats.get(from / 4, (float[]) dst, offset, n);
            case DOUBLE -> doubles.get(from / 8, (double[]) dst, offset, n);
            default -> throw new EngineException("cannot unpack elements of type " + base + " from a ring record");
        }
    }

    /** The record at {@code at} (the next one) has been taken: frees its slots for the producer. */
    void advance(int at) {
        Consumer c = consumer;
        c.position += slots.get(at + 21) & 0xff;
        if (!c.heldBack) {
            PUBLISHED.setRelease(c, c.position); // no fence: the producer reads it only when the ring looks full
        }
    }

    /**
     * Stops freeing slots for the producer (the receiver holds as much of its sender's data as it may, see
     * {@link Backlog}): records are still taken, but once the producer has filled the slots it last saw free, it
     * finds the ring full and sends on the locked path. Under the receiver's lock.
     */
    void holdBack() {
        consumer.heldBack = true;
    }

    /** Frees the slots taken since {@link #holdBack()} and every later one again. Under the receiver's lock. */
    void resume() {
        Consumer c = consumer;
        if (c.heldBack) {
            c.heldBack = false;
            PUBLISHED.setRelease(c, c.position);
        }
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
        /** Whether taking a record leaves {@link #published} alone (see {@link #holdBack()}); under the lock. */
        boolean heldBack;
        long q0, q1, q2, q3, q4, q5, q6, q7;
    }
}
