package io.snapline.benchmarks.rank;

import java.util.Arrays;
import java.util.Locale;

/**
 * How rank programs hand results to the harness: one line per figure on standard output, written by rank 0 only.
 * <pre>
 * &#64;result KEY VALUE        median time of one operation in nanoseconds (bytes for {@code alloc.*} keys)
 * &#64;unavailable KEY REASON  the operation could not be measured (e.g. not implemented yet)
 * &#64;trials KEY NANOS...     every trial's time per operation, for the progress log (spread on a noisy machine)
 * </pre>
 * Keys contain no spaces. Everything else a rank prints is ignored by the harness.
 */
public final class RankReport {
    public static final String RESULT = "@result";
    public static final String UNAVAILABLE = "@unavailable";
    public static final String TRIALS = "@trials";

    private RankReport() {
    }

    /** Prints the median of {@code trialNanos}, divided by {@code opsPerTrial}, as the figure for {@code key}. */
    public static void result(String key, long[] trialNanos, double opsPerTrial) {
        StringBuilder trials = new StringBuilder(TRIALS).append(' ').append(key);
        for (long t : trialNanos) {
            trials.append(' ').append(String.format(Locale.ROOT, "%.1f", t / opsPerTrial));
        }
        System.out.println(trials);
        System.out.println(RESULT + " " + key + " " + String.format(Locale.ROOT, "%.3f", median(trialNanos) / opsPerTrial));
    }

    /** Prints {@code value} as the figure for {@code key} (for figures that are not times, such as bytes). */
    public static void value(String key, double value) {
        System.out.println(RESULT + " " + key + " " + String.format(Locale.ROOT, "%.3f", value));
    }

    /**
     * Bytes allocated so far by the calling thread, or -1 when the JVM cannot tell. Used to show how much garbage
     * one message leaves behind.
     */
    public static long allocatedBytes() {
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        if (mx instanceof com.sun.management.ThreadMXBean) {
            com.sun.management.ThreadMXBean hs = (com.sun.management.ThreadMXBean) mx;
            if (hs.isThreadAllocatedMemorySupported() && hs.isThreadAllocatedMemoryEnabled()) {
                return hs.getCurrentThreadAllocatedBytes();
            }
        }
        return -1;
    }

    public static void unavailable(String key, String reason) {
        System.out.println(UNAVAILABLE + " " + key + " " + reason.replace('\n', ' '));
    }

    /** The median of {@code values} (the mean of the middle two for an even count). */
    public static double median(long[] values) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no values to take the median of");
        }
        long[] v = values.clone();
        Arrays.sort(v);
        int mid = v.length / 2;
        return v.length % 2 == 1 ? v[mid] : (v[mid - 1] + v[mid]) / 2.0;
    }

    /** Parses a positive count argument, naming it in the error. */
    /**
     * A warm-up: {@code N} bursts, or ({@code 2s}, {@code 1500ms}) bursts until that much time has passed, at least
     * one. A fresh JVM's compilers keep working for seconds on a 2-vCPU machine; a warm-up by time lets both the
     * baseline and Snapline reach steady state, whatever their amounts of code.
     */
    public record Warmup(int bursts, long nanos) {
        public static Warmup parse(String value) {
            try {
                if (value.endsWith("ms")) {
                    return new Warmup(0, positive(Long.parseLong(value.substring(0, value.length() - 2)), value) * 1_000_000L);
                }
                if (value.endsWith("s")) {
                    return new Warmup(0, positive(Long.parseLong(value.substring(0, value.length() - 1)), value)
                            * 1_000_000_000L);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("WARMUP must be a count or a time such as 2s or 500ms, got '" + value
                        + "'", e);
            }
            return new Warmup(count(value, "WARMUP"), 0);
        }

        private static long positive(long v, String value) {
            if (v < 1) {
                throw new IllegalArgumentException("WARMUP time must be positive, got '" + value + "'");
            }
            return v;
        }

        /** Whether another burst is due after {@code done} bursts that began at {@code start} ({@link System#nanoTime()}). */
        public boolean more(int done, long start) {
            return nanos > 0 ? done == 0 || System.nanoTime() - start < nanos : done < bursts;
        }
    }

    public static int count(String value, String name) {
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be an integer, got '" + value + "'", e);
        }
        if (n < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + n);
        }
        return n;
    }
}
