package io.snapline.runtime.device;

/** The receiving side of a device: one per rank. */
public interface PacketHandler {
    /** Accepts a packet addressed to this rank. May run on the sender's thread (shm) or a progress thread. */
    void onPacket(Packet packet);

    /**
     * Withdraws a packet that has arrived but not yet been matched (to cancel a send).
     *
     * @return true when the packet was still unmatched and is now gone
     */
    boolean retract(Packet packet);
}
