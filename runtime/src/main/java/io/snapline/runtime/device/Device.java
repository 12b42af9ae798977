package io.snapline.runtime.device;

/**
 * Moves packets between the ranks of one job. Packets from one sender to one receiver arrive in the order
 * they were sent (the engine's non-overtaking rule rests on this).
 */
public interface Device {
    /** The name users select it by, e.g. {@code shm}. */
    String name();

    /** Number of ranks in the job. */
    int size();

    /** Hands {@code packet} to the handler of rank {@code packet.dest()}. */
    void send(Packet packet);

    /**
     * The receiving side of rank {@code rank} when it lives in this process and the engine may hand it messages
     * directly (shm); null otherwise (the default).
     */
    default PacketHandler localHandler(int rank) {
        return null;
    }

    /** Asks the receiving rank to withdraw a packet that has not been matched yet; see {@link PacketHandler#retract}. */
    boolean retract(Packet packet);

    /**
     * Leaves the job in an orderly way once this rank has finished communicating (after {@code MPI.Finalize}):
     * flushes what is queued and tells peers this is a goodbye, not a failure. Idempotent; nothing to do in-process.
     */
    default void close() {
    }
}
