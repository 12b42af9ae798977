package mpjbuf;

/** Storage for a {@link Buffer}: a byte array made by {@link BufferFactory#create(int)}. */
public final class RawBuffer {
    private byte[] bytes;

    RawBuffer(int capacity) {
        if (capacity < 0) {
            throw new IllegalArgumentException("a buffer's capacity must not be negative, was " + capacity);
        }
        this.bytes = new byte[capacity];
    }

    /** Bytes of storage. */
    public int getCapacity() {
        return bytes().length;
    }

    byte[] bytes() {
        byte[] b = bytes;
        if (b == null) {
            throw new IllegalStateException("the raw buffer has been destroyed (BufferFactory.destroy)");
        }
        return b;
    }

    void destroy() {
        bytes = null;
    }
}
