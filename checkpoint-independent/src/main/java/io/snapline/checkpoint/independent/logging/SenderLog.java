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
 * <p>Storage: payloads are copied into byte arrays the log reuses: messages of up to {@link #CHUNK}/2 bytes are
 * packed into chunks per destination (the first {@link #FIRST_CHUNK} bytes, each next twice as large up to
 * {@link #CHUNK}; a destination whose messages were all dropped keeps none), larger ones into an array of their
 * power-of-two size class (above {@link #LARGEST_CLASS}, of their exact size), counted in {@link #bytes()} at its
 * full length. An array of {@link #CHUNK} bytes or more whose messages were all dropped goes back to a pool of up to
 * {@link #POOL_BYTES}, so a rank that sends large messages all the time neither allocates nor zeroes a new array per
 * message once its receivers checkpoint.
 *
 * <p>Thread safety: every method is synchronized; appends come from the program's thread (sends), drops from the
 * policy's control thread.
 */
public final class SenderLog {
    /** Bytes counted for a logged message besides its payload: its envelope and the log's bookkeeping. */
    static final int ENTRY_OVERHEAD = 48;
    /** The size of the arrays small messages are packed into. */
    static final int CHUNK = 64 * 1024;
    /** The size of the first chunk to a destination; each next one is twice as large, up to {@link #CHUNK}. */
    static final int FIRST_CHUNK = 4 * 1024;
    /** The most bytes of free arrays the pool keeps. */
    static final long POOL_BYTES = 8L << 20;
    /** Payloads above this get an array of their exact size, never pooled. */
    static final int LARGEST_CLASS = 1 << 30;
    private static final int MAGIC = 0x534C4D4C; // "SLML"
    private static final short VERSION = 1;

    /** One logged message: its number on the channel to its destination, and the message. */
    public record Entry(long seq, SavedMessage message) {
    }

    /** Writes a message's packed payload into {@code dst} from {@code offset} on. */
    @FunctionalInterface
    public interface Payload {
        void writeTo(byte[] dst, int offset);
    }

    /** An array holding logged payloads, and how many of them are still logged. */
    private static final class Chunk {
        final byte[] data;
        int used;
        int live;

        Chunk(byte[] data) {
            this.data = data;
        }
    }

    /** A logged message: its envelope and where its payload lies. */
    private static final class Slot {
        final long seq;
        final int source;
        final int context;
        final int tag;
        final int type;
        final int elements;
        final Chunk chunk;
        final int offset;
        final int length;

        Slot(long seq, int source, int context, int tag, int type, int elements, Chunk chunk, int offset, int length) {
            this.seq = seq;
            this.source = source;
            this.context = context;
            this.tag = tag;
            this.type = type;
            this.elements = elements;
            this.chunk = chunk;
            this.offset = offset;
            this.length = length;
        }

        /** What the message holds of memory: its envelope and its payload, or the whole array it has alone. */
        long bytes() {
            return ENTRY_OVERHEAD + (length > CHUNK / 2 ? chunk.data.length : length);
        }

        byte[] payload() {
            return java.util.Arrays.copyOfRange(chunk.data, offset, offset + length);
        }
    }

    private final ArrayDeque<Slot>[] byDest;
    /** By destination: the chunk small messages are packed into now, or null. */
    private final Chunk[] tail;
    /** By destination: every message up to this number was dropped (or never logged here). */
    private final long[] droppedThrough;
    /** Free arrays by size class (log2 of their length). */
    private final ArrayDeque<byte[]>[] pool = newPool();
    private long pooled;
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
        tail = new Chunk[ranks];
        droppedThrough = new long[ranks];
        for (int r = 0; r < ranks; r++) {
            byDest[r] = new ArrayDeque<>();
        }
    }

    @SuppressWarnings("unchecked")
    private static ArrayDeque<byte[]>[] newPool() {
        ArrayDeque<byte[]>[] p = new ArrayDeque[32];
        for (int k = 0; k < p.length; k++) {
            p[k] = new ArrayDeque<>();
        }
        return p;
    }

    /**
     * Logs message number {@code seq} on the channel to {@code dest}. Numbers on a channel only grow: a message
     * numbered at or below the newest logged or dropped one to {@code dest} is refused (a re-executed send the
     * destination already has is suppressed before it reaches the log).
     *
     * @throws IllegalArgumentException when {@code dest} is not a rank of the job or {@code seq} does not grow
     */
    public synchronized void append(int dest, long seq, SavedMessage message) {
        byte[] p = message.payload();
        append(dest, seq, message.source(), message.context(), message.tag(), message.type(), message.elements(),
                p.length, (dst, at) -> System.arraycopy(p, 0, dst, at, p.length));
    }

    /**
     * Logs message number {@code seq} on the channel to {@code dest}, its {@code length} bytes of packed payload
     * written by {@code payload} straight into the log's storage. See {@link #append(int, long, SavedMessage)}.
     *
     * @return the CRC32C of the payload
     */
    public synchronized int append(int dest, long seq, int source, int context, int tag, int type, int elements,
            int length, Payload payload) {
        ArrayDeque<Slot> q = channel(dest);
        Slot last = q.peekLast();
        long newest = Math.max(last == null ? 0 : last.seq, droppedThrough[dest]);
        if (seq <= newest) {
            throw new IllegalArgumentException("message " + seq + " to rank " + dest + " logged after message "
                    + newest + ": numbers on a channel must grow");
        }
        Chunk chunk;
        int offset;
        if (length > CHUNK / 2) {
            chunk = new Chunk(length > LARGEST_CLASS ? new byte[length] : take(length));
            offset = 0;
        } else {
            chunk = tail[dest];
            if (chunk == null || chunk.used + length > chunk.data.length) {
                int size = chunk == null ? FIRST_CHUNK : Math.min(CHUNK, chunk.data.length * 2);
                if (chunk != null && chunk.live == 0) {
                    give(chunk.data);
                }
                chunk = new Chunk(size >= CHUNK ? take(CHUNK) : new byte[Math.max(size, length)]);
                tail[dest] = chunk;
            }
            offset = chunk.used;
        }
        payload.writeTo(chunk.data, offset);
        chunk.used = offset + length;
        chunk.live++;
        Slot e = new Slot(seq, source, context, tag, type, elements, chunk, offset, length);
        q.addLast(e);
        bytes += e.bytes();
        count++;
        peak = Math.max(peak, bytes);
        crc.reset();
        crc.update(chunk.data, offset, length);
        return (int) crc.getValue();
    }

    private final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();

    /** An array of at least {@code length} bytes: a free one of its size class, or a new one. */
    private byte[] take(int length) {
        int k = sizeClass(length);
        byte[] a = pool[k].pollFirst();
        if (a != null) {
            pooled -= a.length;
            return a;
        }
        return new byte[1 << k];
    }

    /** Returns an array no logged message uses any more to the pool, if the pool has room. */
    private void give(byte[] a) {
        if (pooled + a.length <= POOL_BYTES && Integer.bitCount(a.length) == 1 && a.length >= CHUNK) {
            pool[Integer.numberOfTrailingZeros(a.length)].addFirst(a);
            pooled += a.length;
        }
    }

    private static int sizeClass(int length) {
        return Math.max(Integer.numberOfTrailingZeros(CHUNK), 32 - Integer.numberOfLeadingZeros(Math.max(1, length) - 1));
    }

    /**
     * {@code dest} has a checkpoint that holds the receipt of every message up to number {@code seq} on this channel:
     * they are dropped. Returns the bytes freed.
     */
    public synchronized long dropThrough(int dest, long seq) {
        ArrayDeque<Slot> q = channel(dest);
        droppedThrough[dest] = Math.max(droppedThrough[dest], seq);
        long freed = 0;
        while (!q.isEmpty() && q.peekFirst().seq <= seq) {
            Slot e = q.removeFirst();
            freed += e.bytes();
            count--;
            if (--e.chunk.live == 0) {
                if (e.chunk == tail[dest]) {
                    tail[dest] = null; // an emptied destination keeps no chunk
                }
                give(e.chunk.data);
            }
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
        ArrayDeque<Slot> q = channel(dest);
        if (seq < droppedThrough[dest]) {
            throw new IllegalStateException("messages " + (seq + 1) + ".." + droppedThrough[dest] + " to rank " + dest
                    + " were dropped from the log when a checkpoint of rank " + dest + " covered them, so a restart "
                    + "of rank " + dest + " from an older checkpoint cannot get them again");
        }
        List<Entry> out = new ArrayList<>();
        for (Slot e : q) {
            if (e.seq > seq) {
                out.add(new Entry(e.seq, new SavedMessage(e.source, e.context, e.tag, e.type, e.elements,
                        e.payload())));
            }
        }
        return out;
    }

    /** The destinations the log holds messages for, in order. */
    public synchronized int[] destinations() {
        return java.util.stream.IntStream.range(0, byDest.length).filter(d -> !byDest[d].isEmpty()).toArray();
    }

    /**
     * Bytes the log holds now: {@link #ENTRY_OVERHEAD} per message plus its payload, or the whole array a large one
     * has alone.
     */
    public synchronized long bytes() {
        return bytes;
    }

    /** The most bytes the log has held at once since it was created or decoded. */
    public synchronized long peakBytes() {
        return peak;
    }

    /** Bytes of free arrays the log keeps for reuse. */
    synchronized long pooledBytes() {
        return pooled;
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
        for (ArrayDeque<Slot> q : byDest) {
            size += 12;
            for (Slot e : q) {
                size += 8 + 4 + 4 + 1 + 4 + 4 + e.length;
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
            ArrayDeque<Slot> q = byDest[dest];
            b.putLong(droppedThrough[dest]).putInt(q.size());
            for (Slot e : q) {
                b.putLong(e.seq).putInt(e.context).putInt(e.tag).put((byte) e.type).putInt(e.elements)
                        .putInt(e.length).put(e.chunk.data, e.offset, e.length);
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

    private ArrayDeque<Slot> channel(int dest) {
        if (dest < 0 || dest >= byDest.length) {
            throw new IllegalArgumentException("rank " + dest + " is not a rank of the job (0.." + (byDest.length - 1)
                    + ")");
        }
        return byDest[dest];
    }
}
