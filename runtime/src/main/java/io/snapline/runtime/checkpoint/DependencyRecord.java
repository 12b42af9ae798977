package io.snapline.runtime.checkpoint;

import java.nio.ByteBuffer;

/**
 * The record of one checkpoint interval of a rank (its execution between its checkpoints i and i+1), stored with the
 * checkpoint that ends it ({@link RankImage#dependencies()}) under policies that track dependencies: every message
 * the rank sent (peer and number on that channel) and accepted (peer, number and the sender's interval), and how many
 * it had sent to each rank so far. Decoded, the arrays are parallel, one entry per message.
 *
 * <p>Encoded (big-endian) as runs of consecutive numbers on a channel (of one sender interval, for receives), so that
 * its size follows the channels, not the messages:
 *
 * <pre>
 * -2 i32 (the run layout), interval i32, closed-at i64 (wall clock, ms since the epoch), ranks i32,
 * sent-so-far ranks x i64,
 * S i32, S x (to i32, first seq i64, count i64),
 * R i32, R x (from i32, first seq i64, count i64, sender's interval i32)
 * </pre>
 *
 * The first layout, one entry per message, is still read: interval i32 (never negative), closed-at i64, ranks i32,
 * sent-so-far ranks x i64, S i32, S x (to i32, seq i64), R i32, R x (from i32, seq i64, sender's interval i32).
 */
public record DependencyRecord(int interval, long closedAtMillis, long[] sentSoFar, int[] sendTo, long[] sendSeq,
        int[] receiveFrom, long[] receiveSeq, int[] senderInterval) {

    /** The first i32 of a record in the run layout. */
    private static final int RUNS = -2;

    /** What a restore needs of a record: its interval and how many messages the rank had sent to each rank. */
    public record Head(int interval, long[] sentSoFar) {
    }

    /**
     * Encodes a record in the run layout: {@code sendRuns} runs of {@code sends} (to, first, count each) and
     * {@code receiveRuns} of {@code receives} (from, first, count, sender's interval each).
     */
    static byte[] encode(int interval, long closedAtMillis, long[] sentSoFar, long[] sends, int sendRuns,
            long[] receives, int receiveRuns) {
        int receiving = 0;
        for (int i = 0; i < receiveRuns; i++) {
            receiving += receives[4 * i + 2] > 0 ? 1 : 0; // a run whose every message was deferred is left out
        }
        ByteBuffer b = ByteBuffer.allocate(4 + 16 + 8 * sentSoFar.length + 4 + 20 * sendRuns + 4 + 24 * receiving);
        b.putInt(RUNS).putInt(interval).putLong(closedAtMillis).putInt(sentSoFar.length);
        for (long s : sentSoFar) {
            b.putLong(s);
        }
        b.putInt(sendRuns);
        for (int i = 0; i < sendRuns; i++) {
            b.putInt((int) sends[3 * i]).putLong(sends[3 * i + 1]).putLong(sends[3 * i + 2]);
        }
        b.putInt(receiving);
        for (int i = 0; i < receiveRuns; i++) {
            if (receives[4 * i + 2] > 0) {
                b.putInt((int) receives[4 * i]).putLong(receives[4 * i + 1]).putLong(receives[4 * i + 2])
                        .putInt((int) receives[4 * i + 3]);
            }
        }
        return b.array();
    }

    /** The interval and sent-so-far counts of a record, without reading its messages. */
    public static Head head(byte[] bytes) {
        Header h = Header.read(ByteBuffer.wrap(bytes));
        return new Head(h.interval(), h.sentSoFar());
    }

    /** What both layouts start with; read from {@code b}'s start, leaving it at the sends. */
    private record Header(boolean runs, int interval, long closedAt, long[] sentSoFar) {
        static Header read(ByteBuffer b) {
            int first = b.getInt();
            boolean runs = first == RUNS;
            int interval = runs ? b.getInt() : first;
            long closedAt = b.getLong();
            long[] sent = new long[b.getInt()];
            for (int i = 0; i < sent.length; i++) {
                sent[i] = b.getLong();
            }
            return new Header(runs, interval, closedAt, sent);
        }
    }

    /** {@code sum + count}, checked: a count is never negative, and a record lists at most about two billion. */
    private static long total(long sum, long count, int interval) {
        if (count < 0 || sum + count > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("the record of interval " + interval + " is damaged or lists more "
                    + "messages than can be listed one by one (a run of " + count + " after " + sum + ")");
        }
        return sum + count;
    }

    /**
     * Reads a record as a rank's tracker writes it (either layout above), one entry per message.
     *
     * @throws IllegalArgumentException when its runs hold more messages than an array can (about two billion)
     */
    public static DependencyRecord decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        Header h = Header.read(b);
        int interval = h.interval();
        long closedAt = h.closedAt();
        long[] sent = h.sentSoFar();
        if (!h.runs()) {
            int s = b.getInt();
            int[] to = new int[s];
            long[] sseq = new long[s];
            for (int i = 0; i < s; i++) {
                to[i] = b.getInt();
                sseq[i] = b.getLong();
            }
            int r = b.getInt();
            int[] from = new int[r];
            long[] rseq = new long[r];
            int[] sint = new int[r];
            for (int i = 0; i < r; i++) {
                from[i] = b.getInt();
                rseq[i] = b.getLong();
                sint[i] = b.getInt();
            }
            return new DependencyRecord(interval, closedAt, sent, to, sseq, from, rseq, sint);
        }
        int sendRuns = b.getInt();
        int sendAt = b.position();
        long sends = 0;
        for (int i = 0; i < sendRuns; i++) {
            b.getInt();
            b.getLong();
            sends = total(sends, b.getLong(), interval);
        }
        int receiveRuns = b.getInt();
        int receiveAt = b.position();
        long receives = 0;
        for (int i = 0; i < receiveRuns; i++) {
            b.getInt();
            b.getLong();
            receives = total(receives, b.getLong(), interval);
            b.getInt();
        }
        int[] to = new int[(int) sends];
        long[] sseq = new long[(int) sends];
        b.position(sendAt);
        int k = 0;
        for (int i = 0; i < sendRuns; i++) {
            int peer = b.getInt();
            long from = b.getLong();
            long count = b.getLong();
            for (long j = 0; j < count; j++, k++) {
                to[k] = peer;
                sseq[k] = from + j;
            }
        }
        int[] from = new int[(int) receives];
        long[] rseq = new long[(int) receives];
        int[] sint = new int[(int) receives];
        b.position(receiveAt);
        k = 0;
        for (int i = 0; i < receiveRuns; i++) {
            int peer = b.getInt();
            long start = b.getLong();
            long count = b.getLong();
            int senderInterval = b.getInt();
            for (long j = 0; j < count; j++, k++) {
                from[k] = peer;
                rseq[k] = start + j;
                sint[k] = senderInterval;
            }
        }
        return new DependencyRecord(interval, closedAt, sent, to, sseq, from, rseq, sint);
    }
}
