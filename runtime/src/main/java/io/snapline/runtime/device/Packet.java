package io.snapline.runtime.device;

/**
 * The envelope a device moves: who sent it, to whom, and the matching key (context and tag). The payload is
 * the engine's business; a device that crosses address spaces asks the engine to encode it.
 */
public abstract class Packet {
    private final int source;
    private final int dest;
    private final int context;
    private final int tag;

    protected Packet(int source, int dest, int context, int tag) {
        this.source = source;
        this.dest = dest;
        this.context = context;
        this.tag = tag;
    }

    /** World rank of the sender. */
    public final int source() {
        return source;
    }

    /** World rank of the receiver. */
    public final int dest() {
        return dest;
    }

    public final int context() {
        return context;
    }

    public final int tag() {
        return tag;
    }
}
