package io.snapline.runtime.checkpoint;

/**
 * A message about to leave this rank, as {@link TrafficHook#beforeSend} sees it. Valid only during that call, and
 * during {@link TrafficHook#afterSend} when that follows.
 */
public interface Outgoing {
    /**
     * Whether {@link TrafficHook#afterSend} follows {@code beforeSend} for this message (a small message on
     * {@code shm}, which goes out without ever waiting): the hook may then leave work for it, such as copying the
     * payload into a log, which overlaps with the receiver taking the message. False otherwise.
     */
    default boolean followedByAfterSend() {
        return false;
    }

    /** World rank of the receiver. */
    int dest();

    /**
     * Whether the message is this rank's part in agreeing the context id of a communicator being created (by
     * {@code Dup}, {@code Split}, {@code Create}, {@code Create_cart} and the like): its content is the rank's next free
     * context id, which depends on every communicator it created before, and may differ when a rank restarted alone
     * sends it again (the agreement still gives the context agreed the first time, which {@link #confirmsContext}
     * messages carry).
     */
    default boolean agreesContext() {
        return false;
    }

    /** Whether the message carries the context id this rank agreed for a communicator being created. */
    default boolean confirmsContext() {
        return false;
    }

    /** The communicator context it is sent on. */
    int context();

    int tag();

    /**
     * Sets the piggyback the receiver's {@link TrafficHook#onAccept} will see in its {@link Envelope}: the sender's
     * checkpoint epoch and the message's number on its channel (from 1).
     */
    void stamp(int epoch, long seq);

    /**
     * A copy of the message as a {@link SavedMessage} (source this rank, the payload packed): what a sender-based
     * message log keeps to send it again after the receiver restarts ({@link RankServices#resend}). Costs a copy of
     * the payload; call it only to keep it.
     */
    SavedMessage save();

    /** The runtime's code for the message's element type (see {@link SavedMessage#type()}). */
    int type();

    /** Whether the message carries objects ({@code MPI.OBJECT}), whose payload is their encoding. */
    boolean objects();

    /** How many elements the message carries. */
    int elements();

    /** The length of the message's payload in packed form (the encoded objects for objects). */
    int payloadBytes();

    /**
     * Writes the payload in packed form (little-endian; the encoded objects for objects), {@link #payloadBytes()}
     * bytes, into {@code dst} from {@code offset} on: what {@link #save()} copies, without a new array.
     */
    void writePayload(byte[] dst, int offset);
}
