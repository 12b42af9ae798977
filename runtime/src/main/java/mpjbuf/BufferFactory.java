package mpjbuf;

/** Makes and releases {@link RawBuffer}s, as MPJ Express programs expect. */
public final class BufferFactory {
    private BufferFactory() {
    }

    /** A raw buffer of {@code capacity} bytes. */
    public static RawBuffer create(int capacity) {
        return new RawBuffer(capacity);
    }

    /** Releases a raw buffer; a {@link Buffer} over it can no longer be used. */
    public static void destroy(RawBuffer buffer) {
        if (buffer != null) {
            buffer.destroy();
        }
    }
}
