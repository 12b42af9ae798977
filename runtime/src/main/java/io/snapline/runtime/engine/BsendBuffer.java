package io.snapline.runtime.engine;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The buffer a program attaches for buffered sends, and a first-fit allocator over it. A buffered send takes a
 * region of {@code packed bytes + }{@link #OVERHEAD} bytes, packs its data into it (see {@link PackCodec}) and
 * returns at once; the receiver unpacks straight from the region, after which the region is free again. When no
 * free block is large enough the send fails with a message saying how many bytes were needed and how many are free.
 *
 * <p>Objects ({@code MPI.OBJECT}) are serialized to a private byte array before they are sent; for them the region
 * is reserved (so the space limit holds) but the bytes are not copied into it a second time.
 *
 * <p>Thread-safe: the owning rank allocates, and whichever thread delivers a message frees its region.
 */
public final class BsendBuffer {
    /** Bytes of bookkeeping charged per buffered message (the value of {@code MPI.BSEND_OVERHEAD}). */
    public static final int OVERHEAD = 64;

    /** A block of the attached buffer held by one buffered message: bytes {@code [start, start + length)}. */
    public static final class Region {
        final int start;
        final int length;
        private final ByteBuffer data;

        private Region(int start, int length, ByteBuffer data) {
            this.start = start;
            this.length = length;
            this.data = data;
        }

        /** The message's bytes: the region after the overhead, as a buffer of its own (position 0). */
        public ByteBuffer data() {
            return data;
        }
    }

    private ByteBuffer attached;
    private int capacity;
    /** Allocated regions, ordered by start. */
    private final List<Region> regions = new ArrayList<>();
    private long used;

    /**
     * Attaches {@code buffer}, a {@link ByteBuffer} whose first {@code capacity} bytes buffered sends may use;
     * only one buffer may be attached at a time.
     */
    public synchronized void attach(Object buffer, int capacity) {
        if (attached != null) {
            throw new EngineException("a buffer is already attached; detach it first with MPI.Buffer_detach()");
        }
        if (!(buffer instanceof ByteBuffer)) {
            throw new EngineException("the buffer to attach must be a java.nio.ByteBuffer, got " + BaseType.describe(buffer));
        }
        ByteBuffer b = (ByteBuffer) buffer;
        if (b.isReadOnly()) {
            throw new EngineException("the buffer to attach is read-only; buffered sends write into it");
        }
        if (capacity < 0 || capacity > b.capacity()) {
            throw new EngineException("the attached size must be between 0 and the buffer's capacity " + b.capacity()
                    + ", was " + capacity);
        }
        this.attached = b;
        this.capacity = capacity;
    }

    /** The attached size in bytes, or 0 when no buffer is attached. */
    public synchronized int capacity() {
        return attached == null ? 0 : capacity;
    }

    /** Waits until every buffered message has been delivered, then detaches and returns the buffer. */
    public Object detach(JobState job) {
        synchronized (this) {
            if (attached == null) {
                throw new EngineException("no buffer is attached (MPI.Buffer_attach was not called)");
            }
            while (!regions.isEmpty()) {
                job.check();
                try {
                    wait(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new EngineException("interrupted while detaching the buffer", e);
                }
            }
            ByteBuffer b = attached;
            attached = null;
            capacity = 0;
            return b;
        }
    }

    /**
     * Takes a region for one message of {@code bytes} packed bytes.
     *
     * @throws EngineException when no buffer is attached or no free block is large enough
     */
    public synchronized Region allocate(long bytes) {
        long need = bytes + OVERHEAD;
        if (attached == null) {
            throw new EngineException("the message needs " + need + " bytes of attached buffer (" + bytes + " data + " + OVERHEAD
                    + " overhead) but no buffer is attached; call MPI.Buffer_attach with a buffer of at least that size");
        }
        int at = 0;
        int index = -1;
        long largest = 0;
        for (int i = 0; i <= regions.size(); i++) {
            int end = i < regions.size() ? regions.get(i).start : capacity;
            long gap = end - at;
            if (gap >= need) {
                index = i;
                break;
            }
            largest = Math.max(largest, gap);
            if (i < regions.size()) {
                Region r = regions.get(i);
                at = r.start + r.length;
            }
        }
        if (index < 0) {
            long free = capacity - used;
            throw new EngineException("the message needs " + need + " bytes (" + bytes + " data + " + OVERHEAD
                    + " overhead) but only " + free + " of the " + capacity + " attached bytes are free"
                    + (free >= need ? " and the largest free block is " + largest + " bytes" : "") + " ("
                    + regions.size() + " buffered message(s) not yet received); attach a larger buffer, or wait for"
                    + " earlier buffered messages to be received");
        }
        int length = (int) need;
        ByteBuffer view = attached.duplicate();
        view.limit(at + length).position(at + OVERHEAD);
        Region r = new Region(at, length, view.slice().order(java.nio.ByteOrder.LITTLE_ENDIAN));
        regions.add(index, r);
        used += length;
        return r;
    }

    /** Returns a region to the free space (its message has been delivered or cancelled). */
    public synchronized void free(Region region) {
        for (int i = 0; i < regions.size(); i++) {
            if (regions.get(i) == region) {
                regions.remove(i);
                used -= region.length;
                notifyAll();
                return;
            }
        }
        throw new IllegalStateException("region at " + region.start + " is not allocated");
    }

    /** Bytes currently held by undelivered buffered messages, overhead included. */
    public synchronized long used() {
        return used;
    }

    /** Number of buffered messages not yet delivered. */
    public synchronized int pending() {
        return regions.size();
    }
}
