package io.snapline.runtime.checkpoint;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the command line says about checkpointing, as a policy sees it.
 *
 * @param policy        the policy's name
 * @param interval      checkpoint at least this long after the previous one ({@code --interval}), or null when not
 *                      given (see {@link #intervalOrDefault()})
 * @param retain        committed checkpoints kept in the store (at least 1)
 * @param stallTimeout  how long a checkpoint may wait for a rank to reach its safe point before it is given up
 * @param options       the policy's own options ({@link CheckpointPolicy#options()}) as given, flag to value (the
 *                      empty string for a switch), in the order given
 * @param auto          {@code --interval auto} with its settings, or null when the interval is fixed (then
 *                      {@code interval} applies); see {@link #checkpointInterval()}
 * @param compression   how a rank's program state is compressed in its checkpoints ({@code --compress}; null is
 *                      {@link Compression#NONE})
 * @param incremental   whether checkpoints are written incrementally ({@code --incremental}): each piece as a list of
 *                      content-addressed chunks, only those the store lacks written
 * @param async         whether checkpoints are asynchronous ({@code --async}): the program is held back only while its
 *                      state is captured into memory; a background writer makes the piece durable, and the checkpoint
 *                      commits only then. At most one is in flight per rank (see {@link AsyncWriter})
 */
public record PolicySettings(String policy, Duration interval, int retain, Duration stallTimeout,
        Map<String, String> options, Interval.Auto auto, Compression compression, boolean incremental,
        boolean async) {
    /** Interval used when {@code --interval} is not given (and the policy has no other schedule). */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

    /** The most options a policy's settings may carry (what the launcher sends each rank process is bounded). */
    public static final int MAX_OPTIONS = 64;

    /** How long a checkpoint waits for a rank by default (see {@code --checkpoint-timeout}). */
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofMinutes(5);

    public PolicySettings {
        if (compression == null) {
            compression = Compression.NONE;
        }
        if (auto != null && interval != null) {
            throw new IllegalArgumentException("give either a fixed interval or an automatic one, not both");
        }
        if (retain < 1) {
            throw new IllegalArgumentException("retain must be at least 1, got " + retain);
        }
        if (stallTimeout == null) {
            stallTimeout = DEFAULT_STALL_TIMEOUT;
        }
        options = Collections.unmodifiableMap(new LinkedHashMap<>(options == null ? Map.of() : options));
        if (options.size() > MAX_OPTIONS) {
            throw new IllegalArgumentException("at most " + MAX_OPTIONS + " policy options, got " + options.size());
        }
        options.forEach((flag, value) -> {
            if (flag == null || value == null) {
                throw new IllegalArgumentException("a policy option and its value must not be null: " + flag + "="
                        + value);
            }
        });
    }

    /** Settings with a fixed interval ({@code interval}, or the default when null). */
    public PolicySettings(String policy, Duration interval, int retain, Duration stallTimeout,
            Map<String, String> options) {
        this(policy, interval, retain, stallTimeout, options, null);
    }

    /** Settings with synchronous checkpoints ({@code --async} not given). */
    public PolicySettings(String policy, Duration interval, int retain, Duration stallTimeout,
            Map<String, String> options, Interval.Auto auto, Compression compression, boolean incremental) {
        this(policy, interval, retain, stallTimeout, options, auto, compression, incremental, false);
    }

    /** Settings written whole ({@code --incremental} not given). */
    public PolicySettings(String policy, Duration interval, int retain, Duration stallTimeout,
            Map<String, String> options, Interval.Auto auto, Compression compression) {
        this(policy, interval, retain, stallTimeout, options, auto, compression, false);
    }

    /** Settings without compression. */
    public PolicySettings(String policy, Duration interval, int retain, Duration stallTimeout,
            Map<String, String> options, Interval.Auto auto) {
        this(policy, interval, retain, stallTimeout, options, auto, Compression.NONE);
    }

    /** Settings with the defaults: keep 2 checkpoints, a 5-minute stall timeout. */
    public static PolicySettings of(String policy, Duration interval, Map<String, String> options) {
        return new PolicySettings(policy, interval, 2, DEFAULT_STALL_TIMEOUT, options);
    }

    /**
     * {@code --interval T} as given, or {@link #DEFAULT_INTERVAL}; under {@code --interval auto} the interval is
     * chosen as the job runs instead ({@link #checkpointInterval()}, {@link IntervalChooser}).
     */
    public Duration intervalOrDefault() {
        return interval != null ? interval : DEFAULT_INTERVAL;
    }

    /** These settings with the automatic interval {@code a} instead of {@link #auto()} (which must be given). */
    public PolicySettings withAuto(Interval.Auto a) {
        if (auto == null || a == null) {
            throw new IllegalArgumentException("only settings with --interval auto take another automatic interval");
        }
        return new PolicySettings(policy, interval, retain, stallTimeout, options, a, compression, incremental,
                async);
    }

    /** How far apart checkpoints are: {@link #auto()} when given, else {@link #intervalOrDefault()} as fixed. */
    public Interval checkpointInterval() {
        return auto != null ? auto : new Interval.Fixed(intervalOrDefault());
    }

    /** The value of the policy option {@code flag}, or null when it was not given. */
    public String option(String flag) {
        return options.get(flag);
    }

    /**
     * The policy option {@code flag} as a whole number, or {@code absent} when it was not given.
     *
     * @throws IllegalArgumentException naming the option when the value is not a whole number from {@code min} to
     *     {@link Long#MAX_VALUE}
     */
    public long count(String flag, long min, long absent) {
        String v = options.get(flag);
        if (v == null) {
            return absent;
        }
        long x;
        try {
            x = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs a whole number, got '" + v + "'");
        }
        if (x < min) {
            throw new IllegalArgumentException(flag + " must be at least " + min + ", got " + v);
        }
        return x;
    }
}
