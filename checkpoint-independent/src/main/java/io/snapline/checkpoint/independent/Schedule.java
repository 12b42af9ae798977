package io.snapline.checkpoint.independent;

import io.snapline.runtime.checkpoint.PolicySettings;
import java.util.SplittableRandom;

/**
 * When one rank takes its next local checkpoint, decided by the rank alone. With {@code --every N} at every N-th
 * safe point of its own (an SPMD program whose safe points follow the same steps on every rank then checkpoints at
 * the same steps, at whatever time each rank gets there). With {@code --interval T} the gaps are T scaled by a
 * factor drawn uniformly from [0.5, 1.5) (the first one from [0.25, 1.25)), from a generator seeded by rank and
 * restart, so ranks drift apart instead of checkpointing in step. Engine-free; not thread-safe (the program's thread
 * only).
 */
final class Schedule {
    private final long every;
    private final long intervalNanos;
    private final SplittableRandom jitter;
    private long dueAt;

    private Schedule(long every, long intervalNanos, long seed, long nowNanos) {
        this.every = every;
        this.intervalNanos = intervalNanos;
        this.jitter = new SplittableRandom(seed);
        if (every == 0) {
            dueAt = nowNanos + scaled(0.25);
        }
    }

    /** The schedule of rank {@code rank}, starting at {@code nowNanos} (after restoring {@code restored}). */
    static Schedule of(PolicySettings settings, int rank, long restored, long nowNanos) {
        long every = IndependentPolicy.every(settings);
        if (every > 0) {
            return new Schedule(every, 0, 0, nowNanos);
        }
        long seed = 0x9E3779B97F4A7C15L * (rank + 1) ^ restored * 0xC2B2AE3D27D4EB4FL;
        return new Schedule(0, settings.intervalOrDefault().toNanos(), seed, nowNanos);
    }

    /** Whether the rank checkpoints at safe point {@code point}, reached at {@code nowNanos}. */
    boolean due(long point, long nowNanos) {
        return every > 0 ? point % every == 0 : nowNanos - dueAt >= 0;
    }

    /** The rank checkpointed; the next gap starts at {@code nowNanos}. */
    void taken(long nowNanos) {
        if (every == 0) {
            dueAt = nowNanos + scaled(0.5);
        }
    }

    private long scaled(double from) {
        return (long) (intervalNanos * (from + jitter.nextDouble()));
    }
}
