package io.snapline.recovery.model;

/**
 * One local checkpoint of a rank.
 *
 * @param rank      the rank that took it
 * @param index     its position among the rank's checkpoints; 0 is the initial state at job start
 * @param id        the identifier the checkpoint store knows it by (by default its index)
 * @param timeNanos when it was taken, in nanoseconds on the history's clock (any origin, same for all ranks)
 */
public record Checkpoint(int rank, int index, long id, long timeNanos) {
}
