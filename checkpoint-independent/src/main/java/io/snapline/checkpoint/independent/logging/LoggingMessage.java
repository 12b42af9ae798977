package io.snapline.checkpoint.independent.logging;

import java.nio.ByteBuffer;

/**
 * The messages of {@code --logging pessimistic} and {@code causal} between a rank and the supervisor (the event
 * logger). Each starts with its type byte:
 * <ul>
 *   <li>{@link #EVENTS} rank to supervisor: record number i64, an {@link EventRecord} to append to its stream;</li>
 *   <li>{@link #STABLE} supervisor to rank: every record up to number i64 is stable;</li>
 *   <li>{@link #CHECKPOINTED} rank to supervisor: local checkpoint index i64 committed at safe point i64, bytes i64,
 *       held the rank back nanos i64, its event stream position i64, ranks i32, then per rank the messages
 *       accepted from it (i64 each) and the messages sent to it (i64 each);</li>
 *   <li>{@link #DROP} supervisor to rank: rank i32 has a verified checkpoint holding every message up to number
 *       i64 from this rank; the log may drop them.</li>
 *   <li>{@link #LOG_FULL} rank to supervisor: its log holds more than a quarter of its bound; the ranks it holds messages for
 *       (ranks i32, then that many i32) should checkpoint soon;</li>
 *   <li>{@link #CHECKPOINT_SOON} supervisor to rank: checkpoint at the next safe point;</li>
 *   <li>{@link #FAIL} rank to supervisor: end the job with the reason that follows (UTF-8);</li>
 *   <li>{@link #DIGESTS} rank to supervisor: a {@link SendDigests} record to append to its stream, unanswered;</li>
 *   <li>{@link #LOG_SIZE} rank to supervisor: its log holds bytes i64 and has held at most i64 in memory, and
 *       takes i64 and has taken at most i64 on disk, for the run report;</li>
 *   <li>{@link #WARN} rank to supervisor: a warning for the terminal and the run report (UTF-8).</li>
 * </ul>
 * A rank that died and restarts alone while the others run on ({@link Peer} carries rank i32, incarnation i32 and a
 * number i64):
 * <ul>
 *   <li>{@link #PEER_RESTARTING} supervisor to every other rank: rank is restarting as that incarnation; drop what
 *       its earlier ones still send, and answer with {@link #ACCEPTED};</li>
 *   <li>{@link #ACCEPTED} rank to supervisor: it has accepted that many messages from the restarting rank;</li>
 *   <li>{@link #HOLDS} restarting rank to supervisor, at its start: ranks i32, then per rank the messages its state
 *       will have accepted from it once restored (i64 each): the answer for it when another rank restarts at the same
 *       time; then the position in its event stream it restores (i64: 0 from the beginning);</li>
 *   <li>{@link #REJOINED} supervisor to the restarting rank: ranks i32, then per rank the messages it had accepted
 *       from the restarting one (i64 each; a re-executed send up to that is suppressed), its incarnation (i32 each)
 *       and whether it is restarting itself and has not restored yet (u8 each: such a rank is sent nothing until a
 *       {@link #RESEND} for it comes);</li>
 *   <li>{@link #RESTORED} restarting rank to supervisor: ranks i32, then per rank the messages its restored state has
 *       accepted from it (i64 each);</li>
 *   <li>{@link #RESEND} supervisor to every other rank: send the restarting rank (of that incarnation) what your log
 *       holds for it after message number i64, then everything new.</li>
 *   <li>{@link #RESENT} rank to supervisor, once it has done a {@code RESEND} (or had sent the same when it restored
 *       itself): rank i32, incarnation i32, messages i64, payload bytes i64 sent again.</li>
 * </ul>
 * Under {@code --logging causal} an {@link #ACCEPTED} answer goes on with the restarting rank's records the answering
 * rank holds ({@link HeldEvents#encode}), and:
 * <ul>
 *   <li>{@link #STABLE_ALL} supervisor to every rank: ranks i32, then per rank the number of its last record in its
 *       stream (i64 each); records up to them need not be held;</li>
 *   <li>{@link #CONTRIBUTE} rank to supervisor: number i64, then records of other ranks ({@link HeldEvents#encode})
 *       that a restored checkpoint held, to append to their streams;</li>
 *   <li>{@link #CONTRIBUTED} supervisor to rank: the contribution of that number i64 is in the streams (number 0:
 *       not answered; records that do not fit one message go ahead in such ones);</li>
 *   <li>{@link #LATE} rank to supervisor: records ({@link HeldEvents#encode}) of failed incarnations of other ranks
 *       that reached it after it had answered {@link #PEER_RESTARTING} for them;</li>
 *   <li>{@link #HELD_SIZE} rank to supervisor, as it finishes: the most bytes of records it held at once (i64).</li>
 * </ul>
 */
public final class LoggingMessage {
    public static final byte EVENTS = 10;
    public static final byte STABLE = 11;
    public static final byte CHECKPOINTED = 12;
    public static final byte DROP = 13;
    public static final byte LOG_FULL = 14;
    public static final byte CHECKPOINT_SOON = 15;
    public static final byte FAIL = 16;
    public static final byte DIGESTS = 17;
    public static final byte PEER_RESTARTING = 18;
    public static final byte ACCEPTED = 19;
    public static final byte REJOINED = 20;
    public static final byte RESTORED = 21;
    public static final byte RESEND = 22;
    public static final byte LOG_SIZE = 23;
    public static final byte HOLDS = 24;
    public static final byte WARN = 25;
    /** Rank to supervisor: it sent a rank restarting alone this many messages and bytes again from its log. */
    public static final byte RESENT = 26;
    /** Supervisor to rank ({@code --logging causal}): per rank, the number of its last record the logger has. */
    public static final byte STABLE_ALL = 27;
    /** Rank to supervisor: number i64, then other ranks' records ({@link HeldEvents#encode}) to append to their streams. */
    public static final byte CONTRIBUTE = 28;
    /** Supervisor to rank: the records of {@link #CONTRIBUTE} number i64 are in the streams. */
    public static final byte CONTRIBUTED = 29;
    /**
     * Rank to supervisor: records of failed incarnations of other ranks that reached it after it had said what it held
     * of them ({@link HeldEvents#encode}).
     */
    public static final byte LATE = 30;
    /** Rank to supervisor, as it finishes: the most bytes of event records it held at once (i64). */
    public static final byte HELD_SIZE = 31;

    private LoggingMessage() {
    }

    /** The type of {@code message}, or 0 if it is not one of these. */
    public static byte type(byte[] message) {
        if (message.length == 0) {
            return 0;
        }
        byte t = message[0];
        return t >= EVENTS && t <= HELD_SIZE ? t : 0;
    }

    public static byte[] events(long number, byte[] record) {
        return ByteBuffer.allocate(9 + record.length).put(EVENTS).putLong(number).put(record).array();
    }

    public static byte[] stable(long number) {
        return ByteBuffer.allocate(9).put(STABLE).putLong(number).array();
    }

    /** The number of an {@link #EVENTS}, {@link #STABLE}, {@link #CONTRIBUTE} or {@link #CONTRIBUTED} message. */
    public static long number(byte[] message) {
        return ByteBuffer.wrap(message, 1, 8).getLong();
    }

    /** The record of an {@link #EVENTS} message. */
    public static byte[] record(byte[] message) {
        byte[] r = new byte[message.length - 9];
        System.arraycopy(message, 9, r, 0, r.length);
        return r;
    }

    /** A {@link #STABLE_ALL} message. */
    public static byte[] stableAll(long[] numbers) {
        return counts(STABLE_ALL, numbers);
    }

    /** The numbers of a {@link #STABLE_ALL} message. */
    public static long[] stableAllOf(byte[] message) {
        return restoredCounts(message);
    }

    /** A {@link #CONTRIBUTE} message. */
    public static byte[] contribute(long number, java.util.List<HeldEvents.Held> records) {
        byte[] r = HeldEvents.encode(records);
        return ByteBuffer.allocate(9 + r.length).put(CONTRIBUTE).putLong(number).put(r).array();
    }

    /** The records of a {@link #CONTRIBUTE} message. */
    public static java.util.List<HeldEvents.Held> contributed(byte[] message) {
        return HeldEvents.decode(java.util.Arrays.copyOfRange(message, 9, message.length), "a contribution of records");
    }

    /** The most bytes of records one message carries (a control frame is at most 1 MiB). */
    public static final int RECORDS_PER_MESSAGE = 256 * 1024;

    /**
     * {@code records} cut into lists of at most {@link #RECORDS_PER_MESSAGE} bytes encoded, in order (one empty list
     * for none).
     */
    public static java.util.List<java.util.List<HeldEvents.Held>> pieces(java.util.List<HeldEvents.Held> records) {
        java.util.List<java.util.List<HeldEvents.Held>> pieces = new java.util.ArrayList<>();
        java.util.List<HeldEvents.Held> piece = new java.util.ArrayList<>();
        long bytes = 0;
        for (HeldEvents.Held h : records) {
            if (!piece.isEmpty() && bytes + 16 + h.record().length > RECORDS_PER_MESSAGE) {
                pieces.add(piece);
                piece = new java.util.ArrayList<>();
                bytes = 0;
            }
            piece.add(h);
            bytes += 16 + h.record().length;
        }
        pieces.add(piece);
        return pieces;
    }

    /** A {@link #HELD_SIZE} message. */
    public static byte[] heldSize(long peakBytes) {
        return ByteBuffer.allocate(9).put(HELD_SIZE).putLong(peakBytes).array();
    }

    /** A {@link #LATE} message. */
    public static byte[] late(java.util.List<HeldEvents.Held> records) {
        byte[] r = HeldEvents.encode(records);
        return ByteBuffer.allocate(1 + r.length).put(LATE).put(r).array();
    }

    /** The records of a {@link #LATE} message. */
    public static java.util.List<HeldEvents.Held> lateRecords(byte[] message) {
        return HeldEvents.decode(java.util.Arrays.copyOfRange(message, 1, message.length), "a report of late records");
    }

    /** A {@link #CONTRIBUTED} message. */
    public static byte[] contributedAck(long number) {
        return ByteBuffer.allocate(9).put(CONTRIBUTED).putLong(number).array();
    }

    /**
     * An {@link #ACCEPTED} answer that also carries the records of the restarting rank this rank holds
     * ({@code --logging causal}).
     */
    public static byte[] accepted(Peer p, java.util.List<HeldEvents.Held> records) {
        byte[] head = p.encode(ACCEPTED);
        if (records.isEmpty()) {
            return head;
        }
        byte[] r = HeldEvents.encode(records);
        return ByteBuffer.allocate(head.length + r.length).put(head).put(r).array();
    }

    /** The records an {@link #ACCEPTED} answer carries (none when it has only the count). */
    public static java.util.List<HeldEvents.Held> acceptedRecords(byte[] message) {
        return message.length <= 17 ? java.util.List.of()
                : HeldEvents.decode(java.util.Arrays.copyOfRange(message, 17, message.length), "an answer's records");
    }

    /** A {@link #DIGESTS} message of what {@code batch} holds, which it empties (one array, the record copied once). */
    public static byte[] digests(SendDigests batch) {
        byte[] message = batch.drain(1);
        message[0] = DIGESTS;
        return message;
    }

    /** The record of a {@link #DIGESTS} message. */
    public static byte[] digestsRecord(byte[] message) {
        return java.util.Arrays.copyOfRange(message, 1, message.length);
    }

    /** A {@link #CHECKPOINTED} message, decoded. */
    public record Checkpointed(long index, long point, long bytes, long blockedNanos, long position,
            long[] acceptedFrom, long[] sentTo) {
        public byte[] encode() {
            ByteBuffer b = ByteBuffer.allocate(1 + 40 + 4 + 16 * acceptedFrom.length).put(CHECKPOINTED).putLong(index)
                    .putLong(point).putLong(bytes).putLong(blockedNanos).putLong(position)
                    .putInt(acceptedFrom.length);
            putLongs(b, acceptedFrom);
            putLongs(b, sentTo);
            return b.array();
        }

        public static Checkpointed decode(byte[] message) {
            ByteBuffer b = ByteBuffer.wrap(message, 1, message.length - 1);
            long index = b.getLong();
            long point = b.getLong();
            long bytes = b.getLong();
            long blocked = b.getLong();
            long position = b.getLong();
            long[] accepted = getLongs(b, b.getInt());
            long[] sent = getLongs(b, accepted.length);
            return new Checkpointed(index, point, bytes, blocked, position, accepted, sent);
        }
    }

    public static byte[] drop(int receiver, long through) {
        return ByteBuffer.allocate(13).put(DROP).putInt(receiver).putLong(through).array();
    }

    /** The (receiver, through) of a {@link #DROP} message. */
    public static long[] dropOf(byte[] message) {
        ByteBuffer b = ByteBuffer.wrap(message, 1, 12);
        return new long[] {b.getInt(), b.getLong()};
    }

    public static byte[] logFull(int[] receivers) {
        ByteBuffer b = ByteBuffer.allocate(5 + 4 * receivers.length).put(LOG_FULL).putInt(receivers.length);
        for (int r : receivers) {
            b.putInt(r);
        }
        return b.array();
    }

    /** The receivers of a {@link #LOG_FULL} message. */
    public static int[] receivers(byte[] message) {
        ByteBuffer b = ByteBuffer.wrap(message, 1, message.length - 1);
        int[] r = new int[b.getInt()];
        for (int k = 0; k < r.length; k++) {
            r[k] = b.getInt();
        }
        return r;
    }

    /** A {@link #PEER_RESTARTING}, {@link #ACCEPTED} or {@link #RESEND} message, decoded. */
    public record Peer(int rank, int incarnation, long number) {
        public byte[] encode(byte type) {
            return ByteBuffer.allocate(17).put(type).putInt(rank).putInt(incarnation).putLong(number).array();
        }

        public static Peer decode(byte[] message) {
            ByteBuffer b = ByteBuffer.wrap(message, 1, 16);
            return new Peer(b.getInt(), b.getInt(), b.getLong());
        }
    }

    /** A {@link #RESENT} message: what a rank sent {@code rank} (incarnation {@code incarnation}) again from its log. */
    public record Resent(int rank, int incarnation, long messages, long bytes) {
        public byte[] encode() {
            return ByteBuffer.allocate(25).put(RESENT).putInt(rank).putInt(incarnation).putLong(messages)
                    .putLong(bytes).array();
        }

        public static Resent decode(byte[] message) {
            ByteBuffer b = ByteBuffer.wrap(message, 1, 24);
            return new Resent(b.getInt(), b.getInt(), b.getLong(), b.getLong());
        }
    }

    /**
     * A {@link #REJOINED} message: per rank, what it accepted from the restarting rank, its incarnation, and whether it
     * is restarting itself and has not restored yet.
     */
    public record Rejoined(long[] accepted, int[] incarnations, boolean[] restarting) {
        public byte[] encode() {
            ByteBuffer b = ByteBuffer.allocate(5 + 13 * accepted.length).put(REJOINED).putInt(accepted.length);
            putLongs(b, accepted);
            for (int v : incarnations) {
                b.putInt(v);
            }
            for (boolean r : restarting) {
                b.put((byte) (r ? 1 : 0));
            }
            return b.array();
        }

        public static Rejoined decode(byte[] message) {
            ByteBuffer b = ByteBuffer.wrap(message, 1, message.length - 1);
            long[] accepted = getLongs(b, b.getInt());
            int[] inc = new int[accepted.length];
            for (int k = 0; k < inc.length; k++) {
                inc[k] = b.getInt();
            }
            boolean[] restarting = new boolean[accepted.length];
            for (int k = 0; k < restarting.length; k++) {
                restarting[k] = b.get() != 0;
            }
            return new Rejoined(accepted, inc, restarting);
        }
    }

    public static byte[] restored(long[] acceptedFrom) {
        return counts(RESTORED, acceptedFrom);
    }

    public static byte[] holds(long[] acceptedFrom, long position) {
        byte[] counts = counts(HOLDS, acceptedFrom);
        return ByteBuffer.allocate(counts.length + 8).put(counts).putLong(position).array();
    }

    /** The stream position of a {@link #HOLDS} message. */
    public static long holdsPosition(byte[] message) {
        return ByteBuffer.wrap(message, message.length - 8, 8).getLong();
    }

    /** A message of {@code type} carrying one i64 per rank. */
    private static byte[] counts(byte type, long[] acceptedFrom) {
        ByteBuffer b = ByteBuffer.allocate(5 + 8 * acceptedFrom.length).put(type).putInt(acceptedFrom.length);
        putLongs(b, acceptedFrom);
        return b.array();
    }

    /** The counts of a {@link #RESTORED}, {@link #HOLDS} or {@link #STABLE_ALL} message. */
    public static long[] restoredCounts(byte[] message) {
        ByteBuffer b = ByteBuffer.wrap(message, 1, message.length - 1);
        return getLongs(b, b.getInt());
    }

    /** Writes {@code values}, i64 each. */
    static void putLongs(ByteBuffer b, long[] values) {
        for (long v : values) {
            b.putLong(v);
        }
    }

    /** Reads {@code n} i64 values. */
    static long[] getLongs(ByteBuffer b, int n) {
        long[] v = new long[n];
        for (int k = 0; k < n; k++) {
            v[k] = b.getLong();
        }
        return v;
    }

    /** The log's size: in memory now and at most, spilled now and at most. */
    public static byte[] logSize(long bytes, long peakBytes, long spilledBytes, long spilledPeakBytes) {
        return ByteBuffer.allocate(33).put(LOG_SIZE).putLong(bytes).putLong(peakBytes).putLong(spilledBytes)
                .putLong(spilledPeakBytes).array();
    }

    /** The (bytes, peak, spilled, spilled peak) of a {@link #LOG_SIZE} message. */
    public static long[] logSizeOf(byte[] message) {
        ByteBuffer b = ByteBuffer.wrap(message, 1, 32);
        return new long[] {b.getLong(), b.getLong(), b.getLong(), b.getLong()};
    }

    public static byte[] checkpointSoon() {
        return new byte[] {CHECKPOINT_SOON};
    }

    public static byte[] fail(String reason) {
        return text(FAIL, reason);
    }

    /** A {@link #WARN} message: a warning for the terminal and the run report (UTF-8). */
    public static byte[] warn(String warning) {
        return text(WARN, warning);
    }

    private static byte[] text(byte type, String text) {
        byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return ByteBuffer.allocate(1 + bytes.length).put(type).put(bytes).array();
    }

    /** The reason of a {@link #FAIL} message. */
    public static String reason(byte[] message) {
        return new String(message, 1, message.length - 1, java.nio.charset.StandardCharsets.UTF_8);
    }
}
