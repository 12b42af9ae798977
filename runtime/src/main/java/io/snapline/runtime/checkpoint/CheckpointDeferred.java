package io.snapline.runtime.checkpoint;

/**
 * Under {@code --async}: a checkpoint fell due at a rank while the rank's previous one was still being written, and
 * what the policy did about it ({@link AsyncWriter}), for the run report.
 *
 * @param local        whether the rank takes local checkpoints ({@code inFlight} is then its own checkpoint number)
 * @param point        the safe point at which the checkpoint fell due
 * @param inFlight     the checkpoint still being written then
 * @param skipped      true when the due checkpoint was not taken; false when the rank waited for the write to end
 *                     and then took it
 * @param waitedNanos  how long the rank waited (0 when it skipped); the policy counts it as blocked time as well
 */
public record CheckpointDeferred(boolean local, long point, long inFlight, boolean skipped, long waitedNanos) {
    public CheckpointDeferred {
        if (waitedNanos < 0 || skipped && waitedNanos != 0) {
            throw new IllegalArgumentException("a skipped checkpoint waits for nothing; waited " + waitedNanos
                    + " ns");
        }
    }
}
