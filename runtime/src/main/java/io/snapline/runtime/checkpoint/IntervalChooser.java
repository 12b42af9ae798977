package io.snapline.runtime.checkpoint;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.time.Duration;
import java.util.Locale;

/**
 * Chooses the checkpoint interval of one schedule (a job's global checkpoints, or one rank's local ones) from the
 * measured cost of its checkpoints. Pure: no threads and no clock of its own; the caller passes each cost and the time
 * it was measured at. Thread-safe: the launcher's supervisor may tell it a new MTTF while the coordinator measures.
 *
 * <p>With {@link Interval.Fixed} the interval never changes. With {@link Interval.Auto}:
 * <ul>
 *   <li><b>start</b>: before a checkpoint is measured, the smaller of {@link PolicySettings#DEFAULT_INTERVAL}
 *       and a tenth of the MTTF;</li>
 *   <li><b>the cost {@code t_c}</b> is the mean of the last {@link #WINDOW} measured costs;</li>
 *   <li><b>the formula</b> ({@link Interval.Formula}) gives the interval from {@code t_c} and the MTTF, bounded to
 *       at least {@link #MIN_NANOS} and at most the MTTF;</li>
 *   <li><b>re-evaluation</b> after each measured checkpoint: the first measured value replaces the starting
 *       interval; later ones replace the interval in force only when they differ from it by more than
 *       {@link #CHANGE} of it, so that the interval (and what is printed of it) does not follow every jitter of
 *       the cost.</li>
 * </ul>
 */
public final class IntervalChooser {
    /** The shortest interval chosen: 100 ms. */
    public static final long MIN_NANOS = 100_000_000L;
    /** How many of the last measured costs are averaged into {@code t_c}. */
    public static final int WINDOW = 4;
    /** The relative change below which a new value does not replace the interval in force. */
    public static final double CHANGE = 0.10;
    /** The starting interval is at most this fraction of the MTTF. */
    public static final int START_MTTF_DIVISOR = 10;

    /**
     * An interval put in force, and why.
     *
     * @param afterCheckpoint the checkpoint whose measured cost led to it, 0 for the starting interval
     * @param intervalNanos   the interval
     * @param costNanos       the {@code t_c} it was computed from, -1 for the starting interval
     * @param reason          how it was computed, e.g. {@code young: sqrt(2 * 212.0 ms * 6.0 h) = 50.5 s}
     * @param atNanos         when it was chosen, on the caller's clock
     */
    public record Choice(long afterCheckpoint, long intervalNanos, long costNanos, String reason, long atNanos) {
        /** One line for progress and the run report, e.g. {@code interval 50.5 s after checkpoint 3 (young: ...)}. */
        public String describe() {
            return "interval " + human(intervalNanos) + (afterCheckpoint == 0 ? " at the start"
                    : " after checkpoint " + afterCheckpoint) + " (" + reason + ")";
        }

        /** The choice as bytes, for a rank to send it to its coordinator ({@link #decode}). */
        public byte[] encode() {
            byte[] r = reason.getBytes(StandardCharsets.UTF_8);
            return ByteBuffer.allocate(36 + r.length).putLong(afterCheckpoint).putLong(intervalNanos)
                    .putLong(costNanos).putLong(atNanos).putInt(r.length).put(r).array();
        }

        /** Reads what {@link #encode} wrote, from the buffer's position on. */
        public static Choice decode(ByteBuffer in) {
            long after = in.getLong();
            long interval = in.getLong();
            long cost = in.getLong();
            long at = in.getLong();
            byte[] r = new byte[in.getInt()];
            in.get(r);
            return new Choice(after, interval, cost, new String(r, StandardCharsets.UTF_8), at);
        }
    }

    private Interval interval;
    private final ArrayDeque<Long> costs = new ArrayDeque<>();
    private Choice current;
    /** The last checkpoint measured, 0 before the first. */
    private long lastCheckpoint;

    private IntervalChooser(Interval interval, long nowNanos) {
        this.interval = interval;
        this.current = start(interval, nowNanos);
    }

    /** A chooser for {@code interval}, starting at {@code nowNanos}. */
    public static IntervalChooser of(Interval interval, long nowNanos) {
        return new IntervalChooser(interval, nowNanos);
    }

    /** Whether the interval is chosen from measured costs ({@code --interval auto}). */
    public synchronized boolean auto() {
        return interval instanceof Interval.Auto;
    }

    /** The interval in force. */
    public synchronized long intervalNanos() {
        return current.intervalNanos();
    }

    /** The interval in force and why. */
    public synchronized Choice current() {
        return current;
    }

    /**
     * Checkpoint {@code checkpoint} cost {@code costNanos} (the time it held the ranks back, and for an asynchronous
     * write the write as well), measured at {@code nowNanos}. Returns the new choice when the interval in force
     * changed, null when it did not (always null for a fixed interval).
     */
    public synchronized Choice measured(long checkpoint, long costNanos, long nowNanos) {
        if (!(interval instanceof Interval.Auto a)) {
            return null;
        }
        costs.addLast(Math.max(0, costNanos));
        if (costs.size() > WINDOW) {
            costs.removeFirst();
        }
        lastCheckpoint = checkpoint;
        Choice next = choose(a, meanCost(), costs.size(), checkpoint, nowNanos);
        boolean first = current.afterCheckpoint() == 0;
        return first ? put(next) : putIfChanged(next);
    }

    /**
     * The MTTF is now estimated at {@code mttf} ({@code why}: from what); the interval is chosen again from the costs
     * measured so far, or by the starting rule when none is. Returns the new choice when the interval in force
     * changed by more than {@link #CHANGE}, null when it did not (always null for a fixed interval).
     */
    public synchronized Choice mttfEstimated(Duration mttf, String why, long nowNanos) {
        if (!(interval instanceof Interval.Auto a)) {
            return null;
        }
        Interval.Auto now = a.withMttf(mttf);
        interval = now;
        Choice next = costs.isEmpty() ? start(now, nowNanos) : choose(now, meanCost(), costs.size(), lastCheckpoint,
                nowNanos);
        return putIfChanged(new Choice(next.afterCheckpoint(), next.intervalNanos(), next.costNanos(),
                why + "; " + next.reason(), nowNanos));
    }

    /**
     * The MTTF estimated from a prior and the failures seen: {@code (prior + run) / (1 + failures)}, the reciprocal of
     * the posterior mean failure rate when the prior counts as one failure in {@code prior} (a gamma prior on the rate
     * of exponential failures); at least {@link Interval.Auto#MIN_MTTF}.
     */
    public static Duration learnedMttf(Duration prior, long runNanos, int failures) {
        long nanos = (prior.toNanos() + Math.max(0, runNanos)) / (1L + Math.max(0, failures));
        return Duration.ofNanos(Math.max(Interval.Auto.MIN_MTTF.toNanos(), nanos));
    }

    /** How {@link #learnedMttf} came to its value, for the report. */
    public static String describeLearned(Duration prior, long runNanos, int failures) {
        return "MTTF learned from " + failures + " failure(s) in " + human(runNanos) + " with the prior "
                + human(prior.toNanos()) + ": (" + human(prior.toNanos()) + " + " + human(runNanos) + ") / (1 + "
                + failures + ") = " + human(learnedMttf(prior, runNanos, failures).toNanos());
    }

    private long meanCost() {
        long sum = 0;
        for (long c : costs) {
            sum += c;
        }
        return sum / costs.size();
    }

    private Choice put(Choice next) {
        current = next;
        return next;
    }

    private Choice putIfChanged(Choice next) {
        double change = Math.abs(next.intervalNanos() - current.intervalNanos()) / (double) current.intervalNanos();
        return change <= CHANGE ? null : put(next);
    }

    private static Choice start(Interval interval, long nowNanos) {
        if (interval instanceof Interval.Fixed f) {
            return new Choice(0, f.every().toNanos(), -1, "--interval " + human(f.every().toNanos()), nowNanos);
        }
        Interval.Auto a = (Interval.Auto) interval;
        long fraction = a.mttf().toNanos() / START_MTTF_DIVISOR;
        long dflt = PolicySettings.DEFAULT_INTERVAL.toNanos();
        long start = Math.max(MIN_NANOS, Math.min(dflt, fraction));
        String why = "no checkpoint measured yet: the smaller of " + human(dflt) + " and MTTF/" + START_MTTF_DIVISOR
                + " = " + human(fraction) + (start > fraction ? ", raised to the " + human(MIN_NANOS) + " minimum"
                : "");
        return new Choice(0, start, -1, why, nowNanos);
    }

    /** The bounded interval of {@code a} for cost {@code tc}, with the reason. */
    private static Choice choose(Interval.Auto a, long tc, int measured, long checkpoint, long nowNanos) {
        double c = tc / 1e9;
        double m = a.mttf().toNanos() / 1e9;
        double t = optimum(a.formula(), c, m, a.h());
        String cs = human(tc);
        String ms = human(a.mttf().toNanos());
        String how = switch (a.formula()) {
            case YOUNG -> "young: sqrt(2 * " + cs + " * " + ms + ")";
            case DALY -> c < 2 * m
                    ? "daly: sqrt(2 * " + cs + " * " + ms + ") * [1 + sqrt(t_c/2M)/3 + (t_c/2M)/9] - " + cs
                    : "daly: t_c " + cs + " >= 2 * MTTF, so the MTTF";
            case WONG_FRANKLIN -> "wong-franklin: sqrt(" + ms + " * " + cs + ") / " + a.h();
        };
        long raw = Math.round(t * 1e9);
        long bounded = Math.min(a.mttf().toNanos(), Math.max(MIN_NANOS, raw));
        String bound = bounded > raw ? ", raised to the " + human(MIN_NANOS) + " minimum"
                : bounded < raw ? ", lowered to the MTTF" : "";
        String over = measured == 1 ? "t_c of checkpoint " + checkpoint
                : "t_c the mean of the last " + measured + " checkpoints";
        return new Choice(checkpoint, bounded, tc, how + " = " + human(raw) + bound + "; " + over, nowNanos);
    }

    /**
     * The optimum interval in seconds by {@code formula}, unbounded, for a checkpoint cost of {@code c} seconds and
     * an MTTF of {@code m} seconds (and Wong and Franklin's {@code h}).
     */
    public static double optimum(Interval.Formula formula, double c, double m, double h) {
        return switch (formula) {
            case YOUNG -> Math.sqrt(2 * c * m);
            case DALY -> {
                if (c >= 2 * m) {
                    yield m;
                }
                double x = c / (2 * m);
                yield Math.sqrt(2 * c * m) * (1 + Math.sqrt(x) / 3 + x / 9) - c;
            }
            case WONG_FRANKLIN -> Math.sqrt(m * c) / h;
        };
    }

    /** A duration for people: {@code 0.42 ms}, {@code 212.0 ms}, {@code 41.2 s}, {@code 12.5 min}, {@code 6.0 h}. */
    public static String human(long nanos) {
        double s = nanos / 1e9;
        if (s < 0.01) {
            return String.format(Locale.ROOT, "%.2f ms", s * 1e3);
        }
        if (s < 1) {
            return String.format(Locale.ROOT, "%.1f ms", s * 1e3);
        }
        if (s < 120) {
            return String.format(Locale.ROOT, "%.1f s", s);
        }
        if (s < 7200) {
            return String.format(Locale.ROOT, "%.1f min", s / 60);
        }
        return String.format(Locale.ROOT, "%.1f h", s / 3600);
    }
}
