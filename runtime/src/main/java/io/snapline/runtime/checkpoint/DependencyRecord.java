package io.snapline.runtime.checkpoint;

import java.nio.ByteBuffer;

/**
 * The record of one checkpoint interval of a rank (its execution between its checkpoints i and i+1), stored with the
 * checkpoint that ends it ({@link RankImage#dependencies()}) under policies that track dependencies: every message
 * the rank sent (peer and number on that channel) and accepted (peer, number and the sender's interval), and how many
 * it had sent to each rank so far. Arrays are parallel, one entry per message. Encoded (big-endian):
 *
 * <pre>
 * interval i32, closed-at i64 (wall clock, ms since the epoch), ranks i32, sent-so-far ranks x i64,
 * S i32, S x (to i32, seq i64), R i32, R x (from i32, seq i64, sender's interval i32)
 * </pre>
 */
public record DependencyRecord(int interval, long closedAtMillis, long[] sentSoFar, int[] sendTo, long[] sendSeq,
        int[] receiveFrom, long[] receiveSeq, int[] senderInterval) {

    /** Reads a record as a rank's tracker writes it (layout above). */
    public static DependencyRecord decode(byte[] bytes) {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int interval = b.getInt();
        long closedAt = b.getLong();
        int n = b.getInt();
        long[] sent = new long[n];
        for (int i = 0; i < n; i++) {
            sent[i] = b.getLong();
        }
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
}
