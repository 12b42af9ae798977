package io.snapline.checkpoint.independent.logging;

import io.snapline.checkpoint.CheckpointException;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * A record of a rank's event stream that holds no events but digests of messages the rank sent: per message its
 * destination, its number on that channel and the CRC32C of its packed payload. After a restart the rank re-executes
 * the sends it made since its checkpoint; those a receiver already has are suppressed, and their content is checked
 * against these digests: a re-executed send with other content means the rank does not re-execute as it ran (it
 * depends on a clock, unseeded randomness, thread timing), and the job fails instead of going on with a state the
 * receivers never saw. Digests are shipped to the supervisor in batches, without waiting for an answer, so the check
 * covers the sends whose digests reached it. Encoded as: magic "SLSD" i32, N i32, N x (dest i32, seq i64, crc i32).
 */
public final class SendDigests {
    private static final int MAGIC = 0x534c5344;

    private int[] dests = new int[64];
    private long[] seqs = new long[64];
    private int[] crcs = new int[64];
    private int size;

    private SendDigests() {
    }

    /** An empty batch. */
    public static SendDigests batch() {
        return new SendDigests();
    }

    public void add(int dest, long seq, int crc) {
        if (size == dests.length) {
            dests = java.util.Arrays.copyOf(dests, size * 2);
            seqs = java.util.Arrays.copyOf(seqs, size * 2);
            crcs = java.util.Arrays.copyOf(crcs, size * 2);
        }
        dests[size] = dest;
        seqs[size] = seq;
        crcs[size] = crc;
        size++;
    }

    public int size() {
        return size;
    }

    /** Encodes the batch and empties it. */
    public byte[] drain() {
        return drain(0);
    }

    /** {@link #drain()}, the record preceded by {@code lead} bytes left zero (a message's header). */
    byte[] drain(int lead) {
        ByteBuffer b = ByteBuffer.allocate(lead + 8 + 16 * size);
        b.position(lead);
        b.putInt(MAGIC).putInt(size);
        for (int k = 0; k < size; k++) {
            b.putInt(dests[k]).putLong(seqs[k]).putInt(crcs[k]);
        }
        size = 0;
        return b.array();
    }

    /** Whether {@code record} (a record of an event stream) is a batch of digests. */
    public static boolean is(byte[] record) {
        return record.length >= 8 && ByteBuffer.wrap(record).getInt() == MAGIC;
    }

    /**
     * Adds the digests of {@code record} to {@code into} (by destination, by number), keeping only messages numbered
     * above {@code after[dest]} and at most {@code upTo[dest]}.
     *
     * @throws CheckpointException naming {@code where} when the record is damaged
     */
    public static void read(byte[] record, long[] after, long[] upTo, Map<Integer, Map<Long, Integer>> into,
            String where) {
        ByteBuffer b = ByteBuffer.wrap(record);
        b.getInt();
        int n = b.getInt();
        if (n < 0 || n > b.remaining() / 16) {
            throw new CheckpointException(where + " is damaged: " + n + " digests in " + b.remaining() + " bytes");
        }
        for (int k = 0; k < n; k++) {
            int dest = b.getInt();
            long seq = b.getLong();
            int crc = b.getInt();
            if (dest >= 0 && dest < after.length && seq > after[dest] && seq <= upTo[dest]) {
                into.computeIfAbsent(dest, d -> new HashMap<>()).put(seq, crc);
            }
        }
    }

    /** Whether every digest of {@code record} is of a message numbered at or below {@code through[dest]}. */
    public static boolean allAtOrBelow(byte[] record, long[] through) {
        ByteBuffer b = ByteBuffer.wrap(record);
        b.getInt();
        int n = b.getInt();
        for (int k = 0; k < n; k++) {
            int dest = b.getInt();
            long seq = b.getLong();
            b.getInt();
            if (dest < 0 || dest >= through.length || seq > through[dest]) {
                return false;
            }
        }
        return true;
    }

    /** One record holding the digests of {@code records}, in order. */
    public static byte[] merge(java.util.List<byte[]> records) {
        int n = 0;
        for (byte[] r : records) {
            n += ByteBuffer.wrap(r).getInt(4);
        }
        ByteBuffer b = ByteBuffer.allocate(8 + 16 * n).putInt(MAGIC).putInt(n);
        for (byte[] r : records) {
            b.put(r, 8, r.length - 8);
        }
        return b.array();
    }
}
