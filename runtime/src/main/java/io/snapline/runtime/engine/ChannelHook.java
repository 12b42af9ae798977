package io.snapline.runtime.engine;

/**
 * Lets a checkpoint policy number and classify point-to-point traffic (the non-blocking coordinated protocol
 * piggybacks its epoch and a per-channel sequence number on every message). Installed on an {@link Endpoint}; when
 * none is installed the engine pays one null check per message. Checkpoint traffic ({@link CommSnapshot#CONTEXT})
 * never passes through a hook.
 */
public interface ChannelHook {
    /**
     * A message is about to leave this rank (program thread): stamp it ({@link Message#stamp}) and return true, or
     * return false to suppress it — it was delivered before a restart and the receiver has it already; the send
     * then completes at once without reaching the device.
     */
    boolean beforeSend(Message m);

    /**
     * A message from another rank (or this one) is being accepted into this rank's mailbox, in channel order. Runs
     * on whatever thread delivers it (the sender's thread on {@code shm}, the progress thread on {@code tcp}). Return
     * true to have its payload logged: {@link #log} follows once the payload is at hand.
     */
    boolean onAccept(Message m);

    /** The packed payload (or encoded objects) of a message {@link #onAccept} asked to log. Any thread. */
    void log(Message m, byte[] payload);
}
