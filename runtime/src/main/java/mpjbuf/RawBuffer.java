package mpjbuf;

/**
 * Storage for a {@link Buffer}: a byte array made by {@link BufferFactory#create(int)}. The array is allocated when the
 * buffer is first used, not when it is created: MPJ Express serves raw buffers from a pool, and programs written for
 * it create and destroy large ones freely.
 */
public final class RawBuffer {
    private final int capacity;
    private byte[] bytes;
    private boolean destroyed;

    RawBuffer(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("a buffer's capacity must not be negative, was " + capacity);
        }
        this.capacity = capacity;
    }

    /** Bytes of storage. */
    public int getCapacity() {
        return capacity;
    }

    byte[] bytes() {
        if (destroyed) {
            throw new IllegalStateException("the raw buffer has been destroyed (BufferFactory.destroy)");
        }
        byte[] b = bytes;
        if (b == null) {
            b = new byte[capacity];
            bytes = b;
        }
        return b;
    }

    void destroy() {
        destroyed = true;
        bytes = null;
    }
}
