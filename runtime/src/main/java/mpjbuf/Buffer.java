package mpjbuf;

/**
 * A byte buffer for {@code Comm.Pack}/{@code Comm.Unpack} and for sending packed data with {@code MPI.PACKED}, with
 * MPJ Express's constructors. The data area is bytes {@code [offset, capacity)} of the raw buffer; pack positions
 * count from {@code offset}. {@link #getSize()} is how far {@code Pack} has written.
 */
public class Buffer {
    private final RawBuffer staticBuffer;
    private final int offset;
    private final int capacity;
    private int size;

    /**
     * A buffer over bytes {@code [offset, capacity)} of {@code staticBuffer} ({@code capacity} is the end index, as
     * in MPJ Express's {@code new Buffer(BufferFactory.create(n + MPI.SEND_OVERHEAD), MPI.SEND_OVERHEAD, n +
     * MPI.SEND_OVERHEAD)}).
     */
    public Buffer(RawBuffer staticBuffer, int offset, int capacity) {
        if (staticBuffer == null) {
            throw new IllegalArgumentException("the raw buffer is null");
        }
        if (offset < 0 || capacity < offset || capacity > staticBuffer.getCapacity()) {
            throw new IllegalArgumentException("the data area [" + offset + ", " + capacity + ") does not fit a raw buffer of "
                    + staticBuffer.getCapacity() + " bytes");
        }
        this.staticBuffer = staticBuffer;
        this.offset = offset;
        this.capacity = capacity;
    }

    /** A buffer with a data area of {@code capacity} bytes. */
    public Buffer(int capacity) {
        this(BufferFactory.create(capacity), 0, capacity);
    }

    public RawBuffer getStaticBuffer() {
        return staticBuffer;
    }

    /** Bytes of the data area. */
    public int getCapacity() {
        return capacity - offset;
    }

    /** Bytes packed so far (the highest position {@code Pack} has reached). */
    public int getSize() {
        return size;
    }

    /** Forgets what was packed; the next {@code Pack} may start again at position 0. */
    public void clear() {
        size = 0;
    }

    /** Releases the storage (as {@link BufferFactory#destroy}). */
    public void free() {
        BufferFactory.destroy(staticBuffer);
    }

    // ---- used by the mpi facade (not part of MPJ Express's API)

    /** The storage array; the data area starts at {@link #dataStart()}. */
    public final byte[] storage() {
        return staticBuffer.bytes();
    }

    /** Index in {@link #storage()} of position 0. */
    public final int dataStart() {
        return offset;
    }

    /** Records that {@code Pack} wrote up to {@code position}. */
    public final void packedTo(int position) {
        size = Math.max(size, position);
    }

    @Override
    public String toString() {
        return "mpjbuf.Buffer[capacity=" + getCapacity() + ", size=" + size + "]";
    }
}
