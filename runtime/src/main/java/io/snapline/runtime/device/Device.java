package io.snapline.runtime.device;

import java.util.function.BooleanSupplier;

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
     * Lets the calling thread, which waits for an operation involving rank {@code peer}, move that peer's traffic
     * itself for up to {@code nanos} or until {@code done} holds, instead of waiting for the device's own threads to
     * hand it over: it reads and writes the peer's connection as a blocking program would. A wait for a small message
     * ({@code large} false) first polls the connection for a short while, yielding between polls, so that a reply
     * that comes quickly is read by a thread that is still on its core; a wait for a large one sleeps until the socket
     * is ready. Returns false, at once, when it cannot (no connection of its own to {@code peer}, another thread is
     * moving it, the device is closed); the caller then waits as usual. The default cannot.
     */
    default boolean drive(int peer, BooleanSupplier done, long nanos, boolean large) {
        return false;
    }

    /**
     * Leaves the job in an orderly way once this rank has finished communicating (after {@code MPI.Finalize}):
     * flushes what is queued and tells peers this is a goodbye, not a failure. Idempotent; nothing to do in-process.
     */
    default void close() {
    }
}
