package io.snapline.checkpoint.independent;

import io.snapline.runtime.checkpoint.IntervalChooser;
import io.snapline.runtime.checkpoint.PolicySettings;
import java.util.SplittableRandom;

/**
 * When one rank takes its next local checkpoint, decided by the rank alone. With {@code --every N} at every N-th
 * safe point of its own (an SPMD program whose safe points follow the same steps on every rank then checkpoints at
 * the same steps, at whatever time each rank gets there). On a timer the gaps are the interval scaled by a factor
 * drawn uniformly from [0.5, 1.5) (the first one from [0.25, 1.25)), from a generator seeded by rank and restart, so
 * ranks drift apart instead of checkpointing in step. The interval is {@code --interval T}, or under
 * {@code --interval auto} the rank's own {@link IntervalChooser}'s, fed with the cost of each of its checkpoints
 * ({@link #measured}); a new interval applies to the gap under way. Engine-free; not thread-safe (the program's
 * thread only).
 */
final class Schedule {
    private final long every;
    private final IntervalChooser interval;
    private final SplittableRandom jitter;
    /** When the gap under way started, and its factor of the interval. */
    private long gapStart;
    private double factor;

    private Schedule(long every, PolicySettings settings, long seed, long nowNanos) {
        this.every = every;
        this.interval = IntervalChooser.of(settings.checkpointInterval(), nowNanos);
        this.jitter = new SplittableRandom(seed);
        this.gapStart = nowNanos;
        this.factor = 0.25 + jitter.nextDouble();
    }

    /** The schedule of rank {@code rank}, starting at {@code nowNanos} (after restoring {@code restored}). */
    static Schedule of(PolicySettings settings, int rank, long restored, long nowNanos) {
        long every = IndependentPolicy.every(settings);
        long seed = 0x9E3779B97F4A7C15L * (rank + 1) ^ restored * 0xC2B2AE3D27D4EB4FL;
        return new Schedule(every, settings, every > 0 ? 0 : seed, nowNanos);
    }

    /** Whether the rank checkpoints at safe point {@code point}, reached at {@code nowNanos}. */
    boolean due(long point, long nowNanos) {
        return every > 0 ? point % every == 0 : nowNanos - dueAt() >= 0;
    }

    /** The rank checkpointed; the next gap starts at {@code nowNanos}. */
    void taken(long nowNanos) {
        gapStart = nowNanos;
        factor = 0.5 + jitter.nextDouble();
    }

    /**
     * Local checkpoint {@code index} cost {@code costNanos} (measured at {@code nowNanos}): under
     * {@code --interval auto} the interval is chosen again. Returns the new choice when the interval changed, else
     * null.
     */
    IntervalChooser.Choice measured(long index, long costNanos, long nowNanos) {
        return every > 0 ? null : interval.measured(index, costNanos, nowNanos);
    }

    /** The interval in force, nanoseconds. */
    long intervalNanos() {
        return interval.intervalNanos();
    }

    private long dueAt() {
        return gapStart + (long) (interval.intervalNanos() * factor);
    }
}
