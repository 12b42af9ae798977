package io.snapline.checkpoint.independent.logging;

import io.snapline.checkpoint.CheckpointException;
import io.snapline.runtime.checkpoint.SavedMessage;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A rank's sender-based message log (Elnozahy, Alvisi, Wang and Johnson, ACM Computing Surveys 2002, §4; MPICH-V2):
 * the payload of every message the rank sent, by destination and by the message's number on that channel, kept in
 * the sender's memory until the destination has a checkpoint that holds the message's receipt. A destination that
 * fails and restarts from its own checkpoint gets the messages it had received after that checkpoint again from
 * their senders' logs, in channel order ({@link #after}); a destination's new checkpoint lets the senders drop
 * everything it covers ({@link #dropThrough}), so the log stays as large as what the receivers' last checkpoints
 * do not cover. The log is part of the sender's checkpoints ({@link #encode}), so a sender that fails itself keeps
 * what it had logged up to its checkpoint.
 *
 * <p>Thread safety: every method is synchronized; appends come from the program's thread (sends), drops from the
 * policy's control thread.
 */
public final class SenderLog {
    /** Bytes counted for a logged message besides its payload: its envelope and the log's bookkeeping. */
    static final int ENTRY_OVERHEAD = 48;
    private static final int MAGIC = 0x534C4D4C; // "SLML"
    private static final short VERSION = 1;

    /** One logged message: its number on the channel to its destination, and the message. */
    public record Entry(long seq, SavedMessage message) {
        long bytes() {
            return ENTRY_OVERHEAD + message.payload().length;
        }
    }

    private final ArrayDeque<Entry>[] byDest;
    /** By destination: every message up to this number was dropped (or never logged here). */
    private final long[] droppedThrough;
    private long bytes;
    private long peak;
    private long count;

    /** An empty log of a rank in a job of {@code ranks} ranks. */
    @SuppressWarnings("unchecked")
    public SenderLog(int ranks) {
        if (ranks < 1) {
            throw new IllegalArgumentException("a job has at least one rank, got " + ranks);
        }
        byDest = new ArrayDeque[ranks];
        droppedThrough = new long[ranks];
        for (int r = 0; r < ranks; r++) {
            byDest[r] = new ArrayDeque<>();
        }
    }

    /**
     * Logs message number {@code seq} on the channel to {@code dest}. Numbers on a channel only grow: a message
     * numbered at or below the newest logged or dropped one to {@code dest} is refused (a re-executed send the
     * destination already has is suppressed before it reaches the log).
     *
     * @throws IllegalArgumentException when {@code dest} is not a rank of the job or {@code seq} does not grow
     */
    public synchronized void append(int dest, long seq, SavedMessage message) {
        ArrayDeque<Entry> q = channel(dest);
        Entry last = q.peekLast();
        long newest = Math.max(last == null ? 0 : last.seq(), droppedThrough[dest]);
        if (seq <= newest) {
            throw new IllegalArgumentException("message " + seq + " to rank " + dest + " logged after message "
                    + newest + ": numbers on a channel must grow");
        }
        Entry e = new Entry(seq, message);
        q.addLast(e);
        bytes += e.bytes();
        count++;
        peak = Math.max(peak, bytes);
    }

    /**
     * {@code dest} has a checkpoint that holds the receipt of every message up to number {@code seq} on this channel:
     * they are dropped. Returns the bytes freed.
     */
    public synchronized long dropThrough(int dest, long seq) {
        ArrayDeque<Entry> q = channel(dest);
        droppedThrough[dest] = Math.max(droppedThrough[dest], seq);
        long freed = 0;
        while (!q.isEmpty() && q.peekFirst().seq() <= seq) {
            Entry e = q.removeFirst();
            freed += e.bytes();
            count--;
        }
        bytes -= freed;
        return freed;
    }

    /**
     * The logged messages to {@code dest} numbered above {@code seq}, in channel order: what {@code dest} must get
     * again when it restarts from a checkpoint that had received up to {@code seq} from this rank.
     *
     * @throws IllegalStateException when the log no longer holds every message after {@code seq} (they were dropped
     *     because a later checkpoint of {@code dest} covered them): restarting {@code dest} from an older checkpoint
     *     than its newest would lose them, and must not be planned
     */
    public synchronized List<Entry> after(int dest, long seq) {
        ArrayDeque<Entry> q = channel(dest);
        if (seq < droppedThrough[dest]) {
            throw new IllegalStateException("messages " + (seq + 1) + ".." + droppedThrough[dest] + " to rank " + dest
                    + " were dropped from the log when a checkpoint of rank " + dest + " covered them, so a restart "
                    + "of rank " + dest + " from an older checkpoint cannot get them again");
        }
        List<Entry> out = new ArrayList<>();
        for (Entry e : q) {
            if (e.seq() > seq) {
                out.add(e);
            }
        }
        return out;
    }

    /** The destinations the log holds messages for, in order. */
    public synchronized int[] destinations() {
        return java.util.stream.IntStream.range(0, byDest.length).filter(d -> !byDest[d].isEmpty()).toArray();
    }

    /** Bytes the log holds now (payloads plus {@link #ENTRY_OVERHEAD} each). */
    public synchronized long bytes() {
        return bytes;
    }

    /** The most bytes the log has held at once since it was created or decoded. */
    public synchronized long peakBytes() {
        return peak;
    }

    /** Messages the log holds now. */
    public synchronized long size() {
        return count;
    }

    /**
     * The log as part of a checkpoint:
     *
     * <pre>
     * magic "SLML" i32, version i16, ranks i32,
     * per destination: dropped-through i64, N i32,
     *                  N x (seq i64, context i32, tag i32, type u8, elements i32, payload length i32, payload)
     * </pre>
     */
    public synchronized byte[] encode() {
        long size = 10;
        for (ArrayDeque<Entry> q : byDest) {
            size += 12;
            for (Entry e : q) {
                size += 8 + 4 + 4 + 1 + 4 + 4 + e.message().payload().length;
            }
        }
        if (size > Integer.MAX_VALUE - 16) {
            throw new CheckpointException("the message log holds " + size + " bytes, more than one checkpoint "
                    + "piece can hold; checkpoint more often (a shorter --interval) so that receivers' checkpoints "
                    + "let it be dropped");
        }
        ByteBuffer b = ByteBuffer.allocate((int) size);
        b.putInt(MAGIC).putShort(VERSION).putInt(byDest.length);
        for (int dest = 0; dest < byDest.length; dest++) {
            ArrayDeque<Entry> q = byDest[dest];
            b.putLong(droppedThrough[dest]).putInt(q.size());
            for (Entry e : q) {
                SavedMessage m = e.message();
                b.putLong(e.seq()).putInt(m.context()).putInt(m.tag()).put((byte) m.type()).putInt(m.elements())
                        .putInt(m.payload().length).put(m.payload());
            }
        }
        return b.array();
    }

    /**
     * Reads a log {@link #encode} wrote for rank {@code self}.
     *
     * @throws CheckpointException naming {@code where} when the bytes are not such a log
     */
    public static SenderLog decode(byte[] bytes, int self, int ranks, String where) {
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            if (b.getInt() != MAGIC) {
                throw new CheckpointException(where + " holds no message log (wrong magic)");
            }
            short version = b.getShort();
            if (version != VERSION) {
                throw new CheckpointException(where + " holds a message log of version " + version + "; this build "
                        + "reads version " + VERSION);
            }
            int n = b.getInt();
            if (n != ranks) {
                throw new CheckpointException(where + " holds the message log of a job of " + n + " ranks, not "
                        + ranks);
            }
            SenderLog log = new SenderLog(ranks);
            for (int dest = 0; dest < ranks; dest++) {
                long dropped = b.getLong();
                int count = b.getInt();
                if (dropped < 0) {
                    throw new CheckpointException(where + ": the message log to rank " + dest + " is damaged (dropped "
                            + "through " + dropped + ")");
                }
                log.droppedThrough[dest] = dropped;
                if (count < 0 || count > b.remaining() / 25) {
                    throw new CheckpointException(where + ": the message log claims " + count + " messages to rank "
                            + dest + " in " + b.remaining() + " bytes");
                }
                for (int i = 0; i < count; i++) {
                    long seq = b.getLong();
                    int context = b.getInt();
                    int tag = b.getInt();
                    int type = Byte.toUnsignedInt(b.get());
                    int elements = b.getInt();
                    int length = b.getInt();
                    if (length > b.remaining()) {
                        throw new BufferUnderflowException();
                    }
                    if (!SavedMessage.isKnownType(type) || length < 0) {
                        throw new CheckpointException(where + ": message " + seq + " to rank " + dest + " of the "
                                + "message log is damaged (type " + type + ", " + length + " payload bytes)");
                    }
                    byte[] payload = new byte[length];
                    b.get(payload);
                    if (seq <= dropped) {
                        throw new CheckpointException(where + ": message " + seq + " to rank " + dest + " is logged "
                                + "but was dropped through " + dropped);
                    }
                    try {
                        log.append(dest, seq, new SavedMessage(self, context, tag, type, elements, payload));
                    } catch (IllegalArgumentException e) {
                        throw new CheckpointException(where + ": " + e.getMessage());
                    }
                }
            }
            if (b.hasRemaining()) {
                throw new CheckpointException(where + ": " + b.remaining() + " stray bytes after the message log");
            }
            log.peak = log.bytes;
            return log;
        } catch (BufferUnderflowException e) {
            throw new CheckpointException(where + ": the message log is cut short");
        }
    }

    private ArrayDeque<Entry> channel(int dest) {
        if (dest < 0 || dest >= byDest.length) {
            throw new IllegalArgumentException("rank " + dest + " is not a rank of the job (0.." + (byDest.length - 1)
                    + ")");
        }
        return byDest[dest];
    }
}
