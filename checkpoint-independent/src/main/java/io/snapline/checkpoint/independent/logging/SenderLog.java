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
 * full length. An array of {@link #FIRST_CHUNK} bytes or more whose messages were all dropped goes back to a pool of a
 * quarter of the memory bound, between {@link #POOL_BYTES} and {@link #POOL_MAX} (a log without a bound pools
 * {@link #POOL_BYTES}), and a destination that needs a new chunk takes a pooled one before it makes one: a rank that
 * sends all the time neither allocates nor zeroes a new array per message (or per few small ones) once its receivers
 * checkpoint.
 *
 * <p>Memory: a log made with a {@link Bound} keeps at most {@link Bound#memory()} bytes in memory; beyond it the oldest
 * messages go to files in the bound's directory ({@link LogSpill}), read back only when a receiver restarts or the
 * sender checkpoints, and freed as the receivers' checkpoints drop them.
 *
 * <p>Thread safety: every method takes the log's lock ({@link #lock}), which its owner may take again; appends come
 * from the program's thread (sends), drops from the policy's control thread. The lock is not the object's monitor: a
 * monitor costs a send two atomic instructions (enter and exit), this lock one (its release is a plain store).
 */
public final class SenderLog {
    /** Bytes counted for a logged message besides its payload: its envelope and the log's bookkeeping. */
    static final int ENTRY_OVERHEAD = 48;
    /** The size of the arrays small messages are packed into. */
    static final int CHUNK = 64 * 1024;
    /** The size of the first chunk to a destination; each next one is twice as large, up to {@link #CHUNK}. */
    static final int FIRST_CHUNK = 4 * 1024;
    /** The fewest bytes of free arrays the pool may keep. */
    static final long POOL_BYTES = 8L << 20;
    /** The most bytes of free arrays the pool may keep. */
    static final long POOL_MAX = 256L << 20;
    /** Payloads above this get an array of their exact size, never pooled. */
    static final int LARGEST_CLASS = 1 << 30;
    private static final int MAGIC = 0x534C4D4C; // "SLML"
    private static final short VERSION = 2;
    /** The format that grouped messages by destination and spilled nothing: still read. */
    private static final short VERSION_1 = 1;

    /**
     * How much of the log stays in memory: at most {@code memory} bytes (as {@link #bytes()} counts them); beyond that
     * the oldest messages are spilled to unlinked files in {@code directory}, named {@code prefix...}.
     */
    public record Bound(long memory, java.nio.file.Path directory, String prefix,
            io.snapline.runtime.checkpoint.Compression compression) {
        public Bound {
            if (memory < 1) {
                throw new IllegalArgumentException("a log's memory bound is positive, got " + memory);
            }
            java.util.Objects.requireNonNull(directory, "directory");
            java.util.Objects.requireNonNull(prefix, "prefix");
            if (compression == null) {
                compression = io.snapline.runtime.checkpoint.Compression.NONE;
            }
        }

        /** A bound whose spilled messages are not compressed. */
        public Bound(long memory, java.nio.file.Path directory, String prefix) {
            this(memory, directory, prefix, null);
        }
    }

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

    /**
     * The logged messages to one destination, oldest first: their envelopes and where their payloads lie, used as a
     * ring (no object per message: a log holds millions of messages that live for a checkpoint interval, and objects
     * would cost the collector more than the sends do). Each message takes four longs of one array — its number, its
     * context and tag, its type and element count, its payload's offset and length — and its chunk's slot in another,
     * so that logging one writes a few adjacent words; its source is not kept, as every message of a log has the
     * sending rank's. The arrays double when full and shrink after a drop when they were nearly empty since the drop
     * before ({@link #trim}).
     */
    private static final class Ring {
        static final int MIN_CAPACITY = 16;
        static final int KEEP_CAPACITY = 1 << 16;
        /** Longs per message in {@link #words}. */
        private static final int STRIDE = 4;
        long[] words;
        Chunk[] chunk;
        int head;
        int size;
        /** The most messages held at once since the last {@link #trim}. */
        int peak;

        Ring() {
            allocate(MIN_CAPACITY);
        }

        private void allocate(int capacity) {
            words = new long[STRIDE * capacity];
            chunk = new Chunk[capacity];
        }

        int capacity() {
            return chunk.length;
        }

        boolean isEmpty() {
            return size == 0;
        }

        /** The slot of the {@code k}-th oldest message. */
        int at(int k) {
            return (head + k) & (chunk.length - 1);
        }

        long seq(int i) {
            return words[STRIDE * i];
        }

        int context(int i) {
            return (int) (words[STRIDE * i + 1] >>> 32);
        }

        int tag(int i) {
            return (int) words[STRIDE * i + 1];
        }

        int type(int i) {
            return (int) (words[STRIDE * i + 2] >>> 32);
        }

        int elements(int i) {
            return (int) words[STRIDE * i + 2];
        }

        int offset(int i) {
            return (int) (words[STRIDE * i + 3] >>> 32);
        }

        int length(int i) {
            return (int) words[STRIDE * i + 3];
        }

        long firstSeq() {
            return seq(head);
        }

        long lastSeq() {
            return seq(at(size - 1));
        }

        void add(long s, int ctx, int t, int ty, int el, Chunk c, int off, int len) {
            if (size == chunk.length) {
                resize(chunk.length * 2);
            }
            int i = at(size);
            int w = STRIDE * i;
            long[] a = words;
            a[w] = s;
            a[w + 1] = (long) ctx << 32 | (t & 0xffffffffL);
            a[w + 2] = (long) (ty & 0xff) << 32 | (el & 0xffffffffL);
            a[w + 3] = (long) off << 32 | (len & 0xffffffffL);
            chunk[i] = c;
            if (++size > peak) {
                peak = size;
            }
        }

        /** Forgets the oldest message (its chunk is released by the caller). */
        void removeFirst() {
            chunk[head] = null;
            head = (head + 1) & (chunk.length - 1);
            size--;
        }

        /**
         * After a drop: arrays far larger than the most they held since the drop before shrink (to two to four times
         * that), so that a burst of messages keeps its memory for one interval between drops at most; arrays of up to
         * {@link #KEEP_CAPACITY} stay. A sender that its receivers' checkpoints drop from regularly refills its arrays
         * to about the same size every time, so they keep the size it needs instead of shrinking at each drop and
         * growing again (copying every index entry) before the next.
         */
        void trim() {
            int need = Math.max(1, peak);
            peak = size;
            if (chunk.length > KEEP_CAPACITY && need < chunk.length / 8) {
                resize(Math.max(KEEP_CAPACITY, Integer.highestOneBit(need) * 4));
            }
        }

        private void resize(int capacity) {
            long[] oldWords = words;
            Chunk[] oldChunk = chunk;
            int oldHead = head;
            int mask = oldChunk.length - 1;
            allocate(capacity);
            for (int k = 0; k < size; k++) {
                int i = (oldHead + k) & mask;
                System.arraycopy(oldWords, STRIDE * i, words, STRIDE * k, STRIDE);
                chunk[k] = oldChunk[i];
            }
            head = 0;
        }

        /** What message {@code i} holds of memory: its envelope and its payload, or the whole array it has alone. */
        long bytes(int i) {
            int length = length(i);
            return ENTRY_OVERHEAD + (length > CHUNK / 2 ? chunk[i].data.length : length);
        }

        byte[] payload(int i) {
            int offset = offset(i);
            return java.util.Arrays.copyOfRange(chunk[i].data, offset, offset + length(i));
        }

        SavedMessage message(int i, int source) {
            return new SavedMessage(source, context(i), tag(i), type(i), elements(i), payload(i));
        }
    }

    private final Ring[] byDest;
    /** By destination: the chunk small messages are packed into now, or null. */
    private final Chunk[] tail;
    /** By destination: every message up to this number was dropped (or never logged here). */
    private final long[] droppedThrough;
    /** Free arrays by size class (log2 of their length). */
    private final ArrayDeque<byte[]>[] pool = newPool();
    private long pooled;
    /**
     * {@link #bytes} and the spilled bytes, as the last append or drop left them: read without the lock. Written with
     * release semantics ({@link #TOTAL}), which on the send path costs a plain store rather than a fence per message.
     */
    private volatile long total;
    private static final java.lang.invoke.VarHandle TOTAL;

    static {
        try {
            TOTAL = java.lang.invoke.MethodHandles.lookup().findVarHandle(SenderLog.class, "total", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    /** The id of the thread holding the lock ({@link #lock}), or 0 when it is free (thread ids start at 1). */
    private volatile long owner;
    /** How many times the owner has taken the lock; the owner's only. */
    private int holds;
    private static final java.lang.invoke.VarHandle OWNER;

    static {
        try {
            OWNER = java.lang.invoke.MethodHandles.lookup().findVarHandle(SenderLog.class, "owner", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * Takes the log's lock, which every method takes and a caller holds to do several things at once (a sender numbers,
     * logs and stamps a message under it, {@link #appendHeld}); the thread that holds it may take it again, and must
     * {@link #unlock} as many times. Taking a free lock is one compare-and-set; a thread that finds it taken spins a
     * little, then yields, then parks briefly until it is free (the other takers are rare: drops, a restarted rank's
     * resend, the sender's own checkpoint).
     */
    public void lock() {
        long me = Thread.currentThread().getId();
        if (OWNER.compareAndSet(this, 0L, me)) {
            holds = 1;
        } else if (owner == me) {
            holds++;
        } else {
            lockContended(me);
        }
    }

    private void lockContended(long me) {
        for (int tries = 0; ; tries++) {
            if (owner == 0L && OWNER.compareAndSet(this, 0L, me)) {
                holds = 1;
                return;
            }
            if (tries < 64) {
                Thread.onSpinWait();
            } else if (tries < 128) {
                Thread.yield();
            } else {
                java.util.concurrent.locks.LockSupport.parkNanos(this, 20_000L);
            }
        }
    }

    /** Releases the lock once (see {@link #lock}): with release semantics, no fence. */
    public void unlock() {
        if (owner != Thread.currentThread().getId()) {
            throw new IllegalMonitorStateException("the message log's lock is not held by this thread");
        }
        if (--holds == 0) {
            OWNER.setRelease(this, 0L);
        }
    }

    /** Whether the calling thread holds the lock. */
    public boolean isHeldByCurrentThread() {
        return owner == Thread.currentThread().getId();
    }

    /** The most bytes of free arrays {@link #pool} keeps. */
    private final long poolLimit;
    private long bytes;
    private long peak;
    private long count;
    /** In memory up to this many bytes; {@link Long#MAX_VALUE} without a {@link Bound}. */
    private final long memoryLimit;
    /** Where the rest goes, or null without a {@link Bound}. */
    private final LogSpill spill;
    /** By destination: the newest message number spilled (0 if none). */
    private final long[] spilledThrough;
    /** The destination the next spill starts at (they take turns). */
    private int spillFrom;

    /** An empty log of a rank in a job of {@code ranks} ranks, all in memory. */
    public SenderLog(int ranks) {
        this(ranks, null);
    }

    /**
     * An empty log of a rank in a job of {@code ranks} ranks, in memory up to {@code bound} and spilled beyond (all in
     * memory when {@code bound} is null).
     */
    @SuppressWarnings("unchecked")
    public SenderLog(int ranks, Bound bound) {
        if (ranks < 1) {
            throw new IllegalArgumentException("a job has at least one rank, got " + ranks);
        }
        byDest = new Ring[ranks];
        tail = new Chunk[ranks];
        droppedThrough = new long[ranks];
        spilledThrough = new long[ranks];
        memoryLimit = bound == null ? Long.MAX_VALUE : bound.memory();
        poolLimit = bound == null ? POOL_BYTES : Math.max(POOL_BYTES, Math.min(POOL_MAX, bound.memory() / 4));
        spill = bound == null ? null : new LogSpill(bound.directory(), bound.prefix(), ranks, bound.compression());
        for (int r = 0; r < ranks; r++) {
            byDest[r] = new Ring();
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
    public void append(int dest, long seq, SavedMessage message) {
        lock();
        try {
            byte[] p = message.payload();
            append(dest, seq, message.source(), message.context(), message.tag(), message.type(), message.elements(),
                    p.length, (dst, at) -> System.arraycopy(p, 0, dst, at, p.length));
        } finally {
            unlock();
        }
    }

    /**
     * Logs message number {@code seq} on the channel to {@code dest}, its {@code length} bytes of packed payload
     * written by {@code payload} straight into the log's storage. See {@link #append(int, long, SavedMessage)}.
     *
     * @return the CRC32C of the payload
     */
    public int append(int dest, long seq, int source, int context, int tag, int type, int elements,
            int length, Payload payload) {
        lock();
        try {
            return appendHeld(dest, seq, source, context, tag, type, elements, length, payload);
        } finally {
            unlock();
        }
    }

    /**
     * {@link #append(int, long, int, int, int, int, int, int, Payload)} for a caller that holds this log's lock
     * already (a sender that numbers, logs and stamps a message under it): the lock is not taken again.
     */
    public int appendHeld(int dest, long seq, int source, int context, int tag, int type, int elements, int length,
            Payload payload) {
        assert isHeldByCurrentThread() : "appendHeld without the log's lock";
        Ring q = channel(dest);
        long newest = Math.max(q.isEmpty() ? 0 : q.lastSeq(), Math.max(droppedThrough[dest], spilledThrough[dest]));
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
                // From the pool when it has one: a destination whose messages are dropped every few sends (its
                // receiver checkpoints often) would otherwise make and zero a new first chunk each time.
                chunk = new Chunk(take(Math.max(size, length)));
                tail[dest] = chunk;
            }
            offset = chunk.used;
        }
        payload.writeTo(chunk.data, offset);
        chunk.used = offset + length;
        chunk.live++;
        q.add(seq, context, tag, type, elements, chunk, offset, length);
        sender = source;
        bytes += ENTRY_OVERHEAD + (length > CHUNK / 2 ? chunk.data.length : length);
        count++;
        peak = Math.max(peak, bytes);
        crc.reset();
        crc.update(chunk.data, offset, length);
        int digest = (int) crc.getValue();
        if (bytes > memoryLimit && spill != null) {
            spillOldest();
        }
        TOTAL.setRelease(this, bytes + (spill == null ? 0 : spill.bytes()));
        return digest;
    }

    /**
     * Moves the oldest messages in memory to the spill files, the destinations taking turns, until the memory holds
     * three quarters of its bound: a send that crosses the bound pays for a batch, not each send after it.
     */
    private void spillOldest() {
        long target = memoryLimit - memoryLimit / 4;
        int n = byDest.length;
        int idle = 0;
        while (bytes > target && idle < n) {
            int dest = spillFrom;
            spillFrom = (spillFrom + 1) % n;
            Ring q = byDest[dest];
            if (q.isEmpty()) {
                idle++;
                continue;
            }
            idle = 0;
            int i = q.head;
            Chunk c = q.chunk[i];
            spill.write(dest, q.seq(i), q.context(i), q.tag(i), q.type(i), q.elements(i),
                    ByteBuffer.wrap(c.data, q.offset(i), q.length(i))); // kept in memory if this fails
            spilledThrough[dest] = q.seq(i);
            bytes -= q.bytes(i);
            q.removeFirst();
            count--;
            release(dest, c);
        }
    }

    /** A message in {@code chunk} left memory: the chunk goes back to the pool when it was the last. */
    private void release(int dest, Chunk chunk) {
        if (--chunk.live == 0) {
            if (chunk == tail[dest]) {
                tail[dest] = null; // an emptied destination keeps no chunk
            }
            give(chunk.data);
        }
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
        if (pooled + a.length <= poolLimit && Integer.bitCount(a.length) == 1 && a.length >= FIRST_CHUNK) {
            pool[Integer.numberOfTrailingZeros(a.length)].addFirst(a);
            pooled += a.length;
        }
    }

    private static int sizeClass(int length) {
        return Math.max(Integer.numberOfTrailingZeros(FIRST_CHUNK), 32 - Integer.numberOfLeadingZeros(Math.max(1, length) - 1));
    }

    /**
     * {@code dest} has a checkpoint that holds the receipt of every message up to number {@code seq} on this channel:
     * they are dropped. Returns the bytes freed.
     */
    public long dropThrough(int dest, long seq) {
        lock();
        try {
            Ring q = channel(dest);
            droppedThrough[dest] = Math.max(droppedThrough[dest], seq);
            long freed = 0;
            while (!q.isEmpty() && q.firstSeq() <= seq) {
                int i = q.head;
                Chunk c = q.chunk[i];
                freed += q.bytes(i);
                q.removeFirst();
                count--;
                release(dest, c);
            }
            q.trim();
            bytes -= freed;
            if (spill != null && spilledThrough[dest] > 0) {
                long before = spill.bytes();
                spill.release(droppedThrough);
                freed += before - spill.bytes();
            }
            TOTAL.setRelease(this, bytes + (spill == null ? 0 : spill.bytes()));
            return freed;
        } finally {
            unlock();
        }
    }

    /**
     * The logged messages to {@code dest} numbered above {@code seq}, in channel order: what {@code dest} must get
     * again when it restarts from a checkpoint that had received up to {@code seq} from this rank.
     *
     * @throws IllegalStateException when the log no longer holds every message after {@code seq} (they were dropped
     *     because a later checkpoint of {@code dest} covered them): restarting {@code dest} from an older checkpoint
     *     than its newest would lose them, and must not be planned
     */
    public List<Entry> after(int dest, long seq) {
        lock();
        try {
            List<Entry> out = new ArrayList<>();
            forEachAfter(dest, seq, out::add);
            return out;
        } finally {
            unlock();
        }
    }

    /**
     * Hands {@code action} the logged messages to {@code dest} numbered above {@code seq}, in channel order, one at a
     * time (spilled ones are read back as it goes); see {@link #after}. The log's lock is held throughout.
     *
     * @throws IllegalStateException as {@link #after}
     */
    public void forEachAfter(int dest, long seq, java.util.function.Consumer<Entry> action) {
        lock();
        try {
            Ring q = channel(dest);
            requireAfter(dest, seq);
            int source = sourceOf();
            if (spill != null && spilledThrough[dest] > seq) {
                long[] after = new long[byDest.length];
                after[dest] = seq;
                spill.scan(dest, after, (d, s, context, tag, type, elements, payload) -> {
                    byte[] p = new byte[payload.remaining()];
                    payload.get(p);
                    action.accept(new Entry(s, new SavedMessage(source, context, tag, type, elements, p)));
                });
            }
            for (int k = 0; k < q.size; k++) {
                int i = q.at(k);
                if (q.seq(i) > seq) {
                    action.accept(new Entry(q.seq(i), q.message(i, source)));
                }
            }
        } finally {
            unlock();
        }
    }

    /** Whether message number {@code seq} to {@code dest} can be logged: it is newer than any logged or dropped. */
    public boolean accepts(int dest, long seq) {
        lock();
        try {
            Ring q = channel(dest);
            return seq > Math.max(q.isEmpty() ? 0 : q.lastSeq(), Math.max(droppedThrough[dest], spilledThrough[dest]));
        } finally {
            unlock();
        }
    }

    /**
     * Checks that the log holds every message to {@code dest} numbered above {@code seq} that was logged.
     *
     * @throws IllegalStateException when some were dropped because a later checkpoint of {@code dest} covered them
     */
    public void requireAfter(int dest, long seq) {
        lock();
        try {
            channel(dest);
            if (seq < droppedThrough[dest]) {
                throw new IllegalStateException("messages " + (seq + 1) + ".." + droppedThrough[dest] + " to rank " + dest
                        + " were dropped from the log when a checkpoint of rank " + dest + " covered them, so a restart "
                        + "of rank " + dest + " from an older checkpoint cannot get them again");
            }
        } finally {
            unlock();
        }
    }

    /** The sending rank, as its logged messages say (every message of a log has the same source). */
    private int sender = -1;

    private int sourceOf() {
        return sender;
    }

    /** The destinations the log holds messages for, in memory or spilled, in order. */
    public int[] destinations() {
        lock();
        try {
            return java.util.stream.IntStream.range(0, byDest.length)
                    .filter(d -> !byDest[d].isEmpty() || spilledThrough[d] > droppedThrough[d]).toArray();
        } finally {
            unlock();
        }
    }

    /**
     * Bytes the log holds now: {@link #ENTRY_OVERHEAD} per message plus its payload, or the whole array a large one
     * has alone.
     */
    public long bytes() {
        lock();
        try {
            return bytes;
        } finally {
            unlock();
        }
    }

    /** The most bytes the log has held at once since it was created or decoded. */
    public long peakBytes() {
        lock();
        try {
            return peak;
        } finally {
            unlock();
        }
    }

    /** {@link #bytes()} and {@link #spilledBytes()} together, as the last append or drop left them (no lock taken). */
    public long totalBytes() {
        return total;
    }

    /** Bytes of disk the spilled part of the log takes now (0 without a {@link Bound}). */
    public long spilledBytes() {
        lock();
        try {
            return spill == null ? 0 : spill.bytes();
        } finally {
            unlock();
        }
    }

    /** The most bytes of disk the spilled part has taken at once. */
    public long spilledPeakBytes() {
        lock();
        try {
            return spill == null ? 0 : spill.peakBytes();
        } finally {
            unlock();
        }
    }

    /** Where spilled messages go, or null without a {@link Bound}. */
    public java.nio.file.Path spillDirectory() {
        return spill == null ? null : spill.directory();
    }

    /** Frees the spill files (the log is no longer used). */
    public void close() {
        lock();
        try {
            if (spill != null) {
                spill.close();
            }
        } finally {
            unlock();
        }
    }

    /** Bytes of free arrays the log keeps for reuse. */
    long pooledBytes() {
        lock();
        try {
            return pooled;
        } finally {
            unlock();
        }
    }

    /** How many messages to {@code dest} the log's index has room for before it grows (for tests). */
    int indexCapacity(int dest) {
        lock();
        try {
            return channel(dest).capacity();
        } finally {
            unlock();
        }
    }

    /** Messages the log holds in memory now. */
    public long size() {
        lock();
        try {
            return count;
        } finally {
            unlock();
        }
    }

    /**
     * The log as part of a checkpoint, spilled messages read back:
     *
     * <pre>
     * magic "SLML" i32, version i16 (2), ranks i32, dropped-through i64 x ranks,
     * then to the end, oldest first on each channel:
     *     (dest i32, seq i64, context i32, tag i32, type u8, elements i32, payload length i32, payload)
     * </pre>
     *
     * Version 1 (still read) grouped the messages by destination: per destination dropped-through i64, N i32, then N
     * records without the destination.
     */
    public byte[] encode() {
        lock();
        try {
            int n = byDest.length;
            long[] size = {10 + 8L * n};
            if (spill != null) {
                spill.scan(-1, droppedThrough, (d, seq, context, tag, type, elements, p) -> size[0] += LogSpill.HEAD
                        + p.remaining());
            }
            for (Ring q : byDest) {
                for (int k = 0; k < q.size; k++) {
                    size[0] += LogSpill.HEAD + q.length(q.at(k));
                }
            }
            if (size[0] > Integer.MAX_VALUE - 16) {
                throw new CheckpointException("the message log holds " + size[0] + " bytes, more than one checkpoint "
                        + "piece can hold; checkpoint more often (a shorter --interval) so that receivers' checkpoints "
                        + "let it be dropped");
            }
            ByteBuffer b = ByteBuffer.allocate((int) size[0]);
            b.putInt(MAGIC).putShort(VERSION).putInt(n);
            for (long d : droppedThrough) {
                b.putLong(d);
            }
            if (spill != null) {
                spill.scan(-1, droppedThrough, (d, seq, context, tag, type, elements, p) -> b.putInt(d).putLong(seq)
                        .putInt(context).putInt(tag).put((byte) type).putInt(elements).putInt(p.remaining()).put(p));
            }
            for (int dest = 0; dest < n; dest++) {
                Ring q = byDest[dest];
                for (int k = 0; k < q.size; k++) {
                    int i = q.at(k);
                    b.putInt(dest).putLong(q.seq(i)).putInt(q.context(i)).putInt(q.tag(i)).put((byte) q.type(i))
                            .putInt(q.elements(i)).putInt(q.length(i)).put(q.chunk[i].data, q.offset(i), q.length(i));
                }
            }
            return b.array();
        } finally {
            unlock();
        }
    }

    /** Reads a log {@link #encode} wrote for rank {@code self}, all in memory. See {@link #decode(byte[], int, int, String, Bound)}. */
    public static SenderLog decode(byte[] bytes, int self, int ranks, String where) {
        return decode(bytes, self, ranks, where, null);
    }

    /**
     * Reads a log {@link #encode} wrote for rank {@code self}, in memory up to {@code bound} (spilled beyond).
     *
     * @throws CheckpointException naming {@code where} when the bytes are not such a log
     */
    public static SenderLog decode(byte[] bytes, int self, int ranks, String where, Bound bound) {
        SenderLog log = new SenderLog(ranks, bound);
        try {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            if (b.getInt() != MAGIC) {
                throw new CheckpointException(where + " holds no message log (wrong magic)");
            }
            short version = b.getShort();
            if (version != VERSION && version != VERSION_1) {
                throw new CheckpointException(where + " holds a message log of version " + version + "; this build "
                        + "reads versions " + VERSION_1 + " and " + VERSION);
            }
            int n = b.getInt();
            if (n != ranks) {
                throw new CheckpointException(where + " holds the message log of a job of " + n + " ranks, not "
                        + ranks);
            }
            if (version == VERSION) {
                for (int dest = 0; dest < ranks; dest++) {
                    log.droppedThrough[dest] = dropped(b.getLong(), dest, where);
                }
                while (b.hasRemaining()) {
                    int dest = b.getInt();
                    if (dest < 0 || dest >= ranks) {
                        throw new CheckpointException(where + ": the message log names rank " + dest
                                + " as a destination");
                    }
                    readEntry(b, log, self, dest, where);
                }
            } else {
                for (int dest = 0; dest < ranks; dest++) {
                    log.droppedThrough[dest] = dropped(b.getLong(), dest, where);
                    int count = b.getInt();
                    if (count < 0 || count > b.remaining() / 25) {
                        throw new CheckpointException(where + ": the message log claims " + count + " messages to "
                                + "rank " + dest + " in " + b.remaining() + " bytes");
                    }
                    for (int i = 0; i < count; i++) {
                        readEntry(b, log, self, dest, where);
                    }
                }
                if (b.hasRemaining()) {
                    throw new CheckpointException(where + ": " + b.remaining() + " stray bytes after the message log");
                }
            }
            log.peak = log.bytes;
            return log;
        } catch (BufferUnderflowException e) {
            log.close();
            throw new CheckpointException(where + ": the message log is cut short");
        } catch (RuntimeException e) {
            log.close();
            throw e;
        }
    }

    private static long dropped(long through, int dest, String where) {
        if (through < 0) {
            throw new CheckpointException(where + ": the message log to rank " + dest + " is damaged (dropped "
                    + "through " + through + ")");
        }
        return through;
    }

    /** Reads one message to {@code dest} (from its number on) and logs it. */
    private static void readEntry(ByteBuffer b, SenderLog log, int self, int dest, String where) {
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
        if (seq <= log.droppedThrough[dest]) {
            throw new CheckpointException(where + ": message " + seq + " to rank " + dest + " is logged "
                    + "but was dropped through " + log.droppedThrough[dest]);
        }
        int at = b.position();
        b.position(at + length);
        try {
            log.append(dest, seq, self, context, tag, type, elements, length,
                    (dst, offset) -> System.arraycopy(b.array(), at, dst, offset, length));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(where + ": " + e.getMessage());
        }
    }

    private Ring channel(int dest) {
        if (dest < 0 || dest >= byDest.length) {
            throw new IllegalArgumentException("rank " + dest + " is not a rank of the job (0.." + (byDest.length - 1)
                    + ")");
        }
        return byDest[dest];
    }
}
