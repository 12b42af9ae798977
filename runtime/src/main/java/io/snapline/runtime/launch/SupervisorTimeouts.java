package io.snapline.runtime.launch;

import io.snapline.runtime.checkpoint.PolicySettings;
import java.time.Duration;

/**
 * Every time limit the supervision of an attempt works with, in one place ({@link AttemptSupervisor}, the devices).
 *
 * @param deadlockWindow  how long every running rank must stay blocked in the same wait, with nothing moving, before
 *                        the attempt ends as deadlocked; checked every {@code deadlockCheck} (no flag)
 * @param deadlockCheck   how often the ranks' waits are sampled for the deadlock window (no flag)
 * @param failure         how long a rank process may stay silent before it is declared dead ({@code
 *                        --failure-timeout}; {@code tcp} and the cluster)
 * @param abortGrace      how long the ranks may take to end after an abort before they are stopped, and after that
 *                        how long stopped ranks may take to vanish (no flag)
 * @param survivorStop    how long the survivors of a death may run on to a safe point to stop for the restart, under
 *                        a policy that stops them there (no flag)
 * @param settle          how long a rank's reported failure waits before it ends the attempt, so that a death it
 *                        followed from (a send to a dead rank broke) wins (no flag)
 * @param startup         how long the ranks may take to start and join the job (no flag)
 * @param checkpoint      how long a checkpoint may wait for a rank to reach it ({@code --checkpoint-timeout}; the
 *                        policies use it, see {@link PolicySettings#stallTimeout})
 */
record SupervisorTimeouts(Duration deadlockWindow, Duration deadlockCheck, Duration failure, Duration abortGrace,
        Duration survivorStop, Duration settle, Duration startup, Duration checkpoint) {

    /** The defaults; {@link #from} applies the flags. */
    static final SupervisorTimeouts DEFAULTS = new SupervisorTimeouts(Duration.ofSeconds(2), Duration.ofMillis(500),
            Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofMillis(100),
            Duration.ofSeconds(60), PolicySettings.DEFAULT_STALL_TIMEOUT);

    SupervisorTimeouts {
        for (Duration d : new Duration[] {deadlockWindow, deadlockCheck, failure, abortGrace, survivorStop, startup,
                checkpoint}) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("supervisor timeouts must be positive, got " + d);
            }
        }
        if (settle.isNegative()) {
            throw new IllegalArgumentException("the settle time must not be negative, got " + settle);
        }
        if (deadlockWindow.compareTo(deadlockCheck) < 0) {
            throw new IllegalArgumentException("the deadlock window (" + deadlockWindow + ") must be at least one "
                    + "check period (" + deadlockCheck + ")");
        }
    }

    /** The defaults with what {@code --failure-timeout} and {@code --checkpoint-timeout} set. */
    static SupervisorTimeouts from(LaunchOptions options) {
        return new SupervisorTimeouts(DEFAULTS.deadlockWindow, DEFAULTS.deadlockCheck,
                options.failureTimeout() != null ? options.failureTimeout() : DEFAULTS.failure, DEFAULTS.abortGrace,
                DEFAULTS.survivorStop, DEFAULTS.settle, DEFAULTS.startup,
                options.checkpointTimeout() != null ? options.checkpointTimeout() : DEFAULTS.checkpoint);
    }

    /** Consecutive unchanged checks, after the first, that make up the deadlock window (4 for 2 s at 500 ms). */
    int deadlockChecks() {
        return (int) Math.max(1, deadlockWindow.toNanos() / deadlockCheck.toNanos());
    }
}
