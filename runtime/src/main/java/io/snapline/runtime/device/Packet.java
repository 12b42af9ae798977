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
    private int epoch;
    private long seq;

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

    /**
     * Sets the checkpoint piggyback: the sender's checkpoint epoch and the message's number on its channel (both 0
     * when no policy numbers messages). Set by the sender before the packet is handed to the device; a device that
     * crosses address spaces carries both and sets them on the arriving packet.
     */
    public final void stamp(int epoch, long seq) {
        this.epoch = epoch;
        this.seq = seq;
    }

    /** The sender's checkpoint epoch when it sent this packet (see {@link #stamp}). */
    public final int epoch() {
        return epoch;
    }

    /** The packet's number on its sender-to-receiver channel, from 1 (0: not numbered). */
    public final long seq() {
        return seq;
    }
}
