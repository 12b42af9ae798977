package io.snapline.runtime.engine;

/**
 * Accounting for the buffer a program attaches for buffered sends. A buffered send reserves the packed size of its
 * data plus {@link #OVERHEAD} bytes until the receiver has taken the data; when the attached space is exhausted the
 * send fails with a message that says how much was needed.
 */
public final class BsendBuffer {
    /** Bytes of bookkeeping charged per buffered message (the value of {@code MPI.BSEND_OVERHEAD}). */
    public static final int OVERHEAD = 64;

    private Object attached;
    private int capacity;
    private long used;
    private int messages;

    /** Attaches a buffer of {@code capacity} bytes; only one may be attached at a time. */
    public synchronized void attach(Object buffer, int capacity) {
        if (attached != null) {
            throw new EngineException("a buffer is already attached; detach it first with MPI.Buffer_detach()");
        }
        if (capacity < 0) {
            throw new EngineException("the attached buffer's size must not be negative, was " + capacity);
        }
        this.attached = buffer;
        this.capacity = capacity;
    }

    /** Waits until every buffered message has been delivered, then detaches and returns the buffer. */
    public Object detach(JobState job) {
        synchronized (this) {
            if (attached == null) {
                throw new EngineException("no buffer is attached (MPI.Buffer_attach was not called)");
            }
            while (messages > 0) {
                job.check();
                try {
                    wait(10);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new EngineException("interrupted while detaching the buffer", e);
                }
            }
            Object b = attached;
            attached = null;
            capacity = 0;
            return b;
        }
    }

    /** Reserves space for one message of {@code bytes} packed bytes. */
    public synchronized void reserve(long bytes) {
        long need = bytes + OVERHEAD;
        if (attached == null) {
            throw new EngineException("Bsend needs " + need + " bytes of attached buffer but no buffer is attached;"
                    + " call MPI.Buffer_attach with a buffer of at least that size (data + MPI.BSEND_OVERHEAD)");
        }
        if (used + need > capacity) {
            throw new EngineException("Bsend needs " + need + " bytes (" + bytes + " data + " + OVERHEAD
                    + " overhead) but only " + (capacity - used) + " of the " + capacity + " attached bytes are free ("
                    + messages + " buffered message(s) not yet received); attach a larger buffer");
        }
        used += need;
        messages++;
    }

    public synchronized void release(long bytes) {
        used -= bytes + OVERHEAD;
        messages--;
        notifyAll();
    }
}
