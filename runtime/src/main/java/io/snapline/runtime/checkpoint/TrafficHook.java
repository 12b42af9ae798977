package io.snapline.runtime.checkpoint;

/**
 * Lets a policy number and classify this rank's point-to-point traffic (the non-blocking coordinated protocol
 * piggybacks its epoch and a per-channel sequence number on every message). Installed with
 * {@link RankServices#installHook}; when none is installed the runtime pays one null check per message. Checkpoint
 * traffic ({@link RankServices#flushChannels}, {@link RankServices#exchange}) never passes through a hook. Calls are
 * on the path of every message: keep them short, and do not retain the {@link Outgoing} beyond the call.
 */
public interface TrafficHook {
    /**
     * A message is about to leave this rank (program thread): stamp it ({@link Outgoing#stamp}) and return true, or
     * return false to suppress it — it was delivered before a restart and the receiver has it already; the send
     * then completes at once without reaching the device.
     */
    boolean beforeSend(Outgoing m);

    /**
     * The message {@link #beforeSend} let go has left this rank (program thread); called only when
     * {@link Outgoing#followedByAfterSend} was true, at once after the message went to the receiver, also when the
     * sending failed. What is done here overlaps with the receiver taking the message. {@code m} is the view
     * {@code beforeSend} saw, valid until this returns.
     */
    default void afterSend(Outgoing m) {
    }

    /** {@link #onAccept}: keep the message. */
    int KEEP = 0;
    /** {@link #onAccept}: keep the message and log its payload ({@link #log} follows once the payload is at hand). */
    int LOG = 1;
    /**
     * {@link #onAccept}: drop the message, as if this rank had received it (its sender's request completes): a rank
     * restarted alone drops what its senders sent its previous incarnation, and gets it again from their logs.
     */
    int DROP = 2;

    /**
     * A message from another rank (or this one) is being accepted into this rank's mailbox, in channel order, under
     * the mailbox lock. Runs on whatever thread delivers it (the sender's thread on {@code shm}, the progress thread
     * on {@code tcp}). Returns {@link #KEEP}, {@link #LOG} or {@link #DROP}.
     */
    int onAccept(Envelope e);

    /** The message {@link #onAccept} asked to log, payload included ({@code saved}). Any thread. */
    void log(Envelope e, SavedMessage saved);

    /**
     * A datum the policy of rank {@code source} sent this rank ({@link RankServices#sendDatum}), as it arrives, in
     * channel order with the messages from {@code source}, under the mailbox lock. Any thread.
     */
    default void onDatum(int source, byte[] datum) {
    }
}
