package io.snapline.checkpoint.coordinated.nb;

/**
 * How an accepted message relates to the receiver's open checkpoint, as decided by
 * {@link NbRankProtocol#onAccept(int, int, long)}.
 */
public enum NbClassification {
    /** Sent and accepted on the same side of the checkpoint line: nothing to do. */
    NORMAL,
    /**
     * Sent before the sender's checkpoint, accepted after the receiver's: the runtime must log the payload into the
     * receiver's checkpoint when the program receives it, then call {@link NbRankProtocol#onLateLogged(int, long)}.
     */
    LATE,
    /**
     * Sent after the sender's checkpoint, accepted before the receiver's: already part of the receiver's state; the
     * sender's re-execution after a restart is suppressed. Nothing to do for the runtime.
     */
    EARLY
}
