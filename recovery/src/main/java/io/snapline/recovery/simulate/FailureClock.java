package io.snapline.recovery.simulate;

/** The failure times of one simulated job, from time 0 on: each call returns the next one (seconds, never earlier). */
@FunctionalInterface
public interface FailureClock {
    /** The time of the next failure of any node; {@link Double#POSITIVE_INFINITY} when no node ever fails. */
    double next();
}
