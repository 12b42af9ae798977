package io.snapline.runtime.checkpoint;

import java.time.Duration;

/**
 * What the command line says about checkpointing, as a policy sees it.
 *
 * @param policy        the policy's name
 * @param interval      checkpoint at least this long after the previous one ({@code --interval}), or null
 * @param every         checkpoint every this many safe points ({@code --every}), 0 when not given
 * @param retain        committed checkpoints kept in the store (at least 1)
 * @param stallTimeout  how long a checkpoint may wait for a rank to reach its safe point before the job is ended
 *                      with a contract violation
 * @param logging       message logging ({@code --logging}) for policies that log; {@code none} otherwise
 */
public record PolicySettings(String policy, Duration interval, long every, int retain, Duration stallTimeout,
        String logging) {
    /** Interval used when neither {@code --interval} nor {@code --every} is given. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

    public PolicySettings {
        if (interval != null && every > 0) {
            throw new IllegalArgumentException("give either an interval or every N safe points, not both");
        }
        if (interval == null && every <= 0) {
            interval = DEFAULT_INTERVAL;
        }
        if (retain < 1) {
            throw new IllegalArgumentException("retain must be at least 1, got " + retain);
        }
        if (logging == null) {
            logging = NO_LOGGING;
        }
    }

    /** The {@code --logging} value meaning "no message log". */
    public static final String NO_LOGGING = "none";

    /** Settings without message logging. */
    public PolicySettings(String policy, Duration interval, long every, int retain, Duration stallTimeout) {
        this(policy, interval, every, retain, stallTimeout, NO_LOGGING);
    }

    /** How long a checkpoint waits for a rank by default (see {@code --checkpoint-timeout}). */
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofMinutes(5);

    /** Settings with the defaults: every 30 s, keep 2 checkpoints, a 5-minute stall timeout. */
    public static PolicySettings of(String policy, Duration interval, long every) {
        return new PolicySettings(policy, interval, every, 2, DEFAULT_STALL_TIMEOUT);
    }
}
