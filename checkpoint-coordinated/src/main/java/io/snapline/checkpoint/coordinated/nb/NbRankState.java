package io.snapline.checkpoint.coordinated.nb;

/** The states of one rank's {@link NbRankProtocol}. */
public enum NbRankState {
    /** No checkpoint known to be open. */
    RUNNING,
    /** The rank knows checkpoint {@code epoch + 1} is open and takes it at its next safe point. */
    CHECKPOINT_REQUESTED,
    /** Checkpoint taken; waiting for the peers' promises and for late messages to be logged. */
    LOGGING,
    /** Checkpoint complete; the runtime is writing the piece. */
    WRITING,
    /** Piece written and {@code Prepared} reported; waiting for the coordinator's commit. */
    PREPARED
}
