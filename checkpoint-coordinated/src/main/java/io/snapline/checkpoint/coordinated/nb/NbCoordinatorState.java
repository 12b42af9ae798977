package io.snapline.checkpoint.coordinated.nb;

/** The states of the {@link NbCoordinatorProtocol}. */
public enum NbCoordinatorState {
    /** No checkpoint open; the next one is requested when the interval has elapsed since the last commit. */
    IDLE,
    /** Checkpoint {@code requested} is open; waiting for every rank's {@code Prepared}. */
    REQUESTED,
    /** Every rank prepared; the manifest is being written. */
    COMMITTING,
    /**
     * No further checkpoint will be requested in this run: a rank finished or failed, or a checkpoint was
     * abandoned. A restart creates a new coordinator.
     */
    CLOSED
}
