package io.snapline.runtime.checkpoint;

/**
 * A message about to leave this rank, as {@link TrafficHook#beforeSend} sees it. Valid only during that call.
 */
public interface Outgoing {
    /** World rank of the receiver. */
    int dest();

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
}
