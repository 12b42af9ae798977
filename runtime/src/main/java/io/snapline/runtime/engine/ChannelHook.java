package io.snapline.runtime.engine;

/**
 * Lets a checkpoint policy number and classify point-to-point traffic (the non-blocking coordinated protocol
 * piggybacks its epoch and a per-channel sequence number on every message). Installed on an {@link Endpoint}; when
 * none is installed the engine pays one null check per message. Checkpoint traffic ({@link CommSnapshot#CONTEXT})
 * never passes through a hook.
 */
public interface ChannelHook {
    /**
     * A message is about to leave this rank (program thread): stamp it ({@link Send#stamp}) and return true, or
     * return false to suppress it — it was delivered before a restart and the receiver has it already; the send
     * then completes at once without reaching the device. {@code m} is valid only during the call: a small message
     * for the ring of small messages is shown through a view the engine reuses for the next send.
     */
    boolean beforeSend(Send m);

    /**
     * The message {@link #beforeSend} let go has left this rank (program thread): called only for a send whose
     * {@link Send#followedByAfterSend} is true, at once after the message went into the ring of small messages (or,
     * the ring being full, to the device), also when that failed. Work done here runs while the receiver already takes
     * the message: a sender-based log copies the payload here, under a lock {@code beforeSend} took. {@code m} is the
     * view {@code beforeSend} saw, valid until this returns.
     */
    default void afterSend(Send m) {
    }

    /** A message about to leave this rank, as {@link #beforeSend} sees it. */
    interface Send {
        /**
         * Whether the engine calls {@link #afterSend} for this send once the message is out: true for a small message
         * through the ring of small messages, whose sending never waits; false otherwise (all the hook does for the
         * message is then done in {@code beforeSend}).
         */
        default boolean followedByAfterSend() {
            return false;
        }

        /** World rank of the sender (this rank). */
        int source();

        /** World rank of the receiver. */
        int dest();

        int context();

        int tag();

        BaseType base();

        /** Number of base elements the message carries. */
        int elements();

        /** Bytes the payload occupies in packed form (the encoded objects for {@link BaseType#OBJECT}). */
        long payloadBytes();

        /** Writes the payload in packed form, {@link #payloadBytes()} bytes, into {@code dst} from {@code at} on. */
        void writePayload(byte[] dst, int at);

        /** A private copy of the payload in packed form. */
        byte[] packedCopy();

        /** Sets the checkpoint piggyback: the sender's epoch and the message's number on its channel. */
        void stamp(int epoch, long seq);

        int epoch();

        long seq();
    }

    /** {@link #onAccept}: keep the message. */
    int KEEP = 0;
    /** {@link #onAccept}: keep the message and log its payload ({@link #log} follows once the payload is at hand). */
    int LOG = 1;
    /**
     * {@link #onAccept}: drop the message as if it had been received; its sender's request completes. For a message
     * a restarted rank gets again from its sender's log, sent before the sender knew of the restart.
     */
    int DROP = 2;

    /**
     * A message from world rank {@code source} (or this one) is being accepted into this rank's mailbox, in channel
     * order, with its matching key and its sender's stamp ({@link Send#stamp}). Runs on whatever thread delivers it
     * (the sender's thread on {@code shm}, the progress thread on {@code tcp}), under the mailbox lock. Returns
     * {@link #KEEP}, {@link #LOG} or {@link #DROP}.
     */
    int onAccept(int source, int context, int tag, int epoch, long seq);

    /** The packed payload (or encoded objects) of a message {@link #onAccept} asked to log. Any thread. */
    void log(Message m, byte[] payload);

    /**
     * A datum another rank's policy sent this one ({@link Endpoint#sendDatum}), as it arrives, in channel order with
     * the messages from {@code source}, under the mailbox lock. Any thread.
     */
    default void onDatum(int source, byte[] datum) {
    }

    /**
     * What a rank restarting alone accepts until its new incarnation's policy installs its own hook: nothing. Whatever
     * the others send it before they learn of its restart is dropped (their logs and re-executions hold what it needs),
     * on every device: a message accepted without a hook would come ahead of what it is sent again.
     */
    ChannelHook DROP_ALL = new ChannelHook() {
        @Override
        public boolean beforeSend(Send m) {
            return true;
        }

        @Override
        public int onAccept(int source, int context, int tag, int epoch, long seq) {
            return DROP;
        }

        @Override
        public void log(Message m, byte[] payload) {
        }

        @Override
        public String toString() {
            return "ChannelHook.DROP_ALL";
        }
    };
}
