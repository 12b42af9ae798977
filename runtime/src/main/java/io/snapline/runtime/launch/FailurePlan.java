package io.snapline.runtime.launch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The failures {@code --inject-failure} asked for, and which of them have struck. Each strikes once per job: a
 * restarted attempt gets only those still pending. {@code random,seed=S,count=C} becomes C time-based failures of
 * ranks drawn from the seed, one per attempt, each after a delay drawn between {@link #RANDOM_MIN} and
 * {@link #RANDOM_MAX} from the attempt's start; the same seed always gives the same failures.
 */
final class FailurePlan {
    static final Duration RANDOM_MIN = Duration.ofMillis(300);
    static final Duration RANDOM_MAX = Duration.ofMillis(2000);

    /** One failure to inject: at most one of {@code after}, {@code point} and {@code duringWriteOf} is set. */
    static final class Injection {
        final int rank;
        final Duration after;
        final long point;
        final long duringWriteOf;
        final boolean random;
        boolean struck;

        Injection(int rank, Duration after, long point, long duringWriteOf, boolean random) {
            this.rank = rank;
            this.after = after;
            this.point = point;
            this.duringWriteOf = duringWriteOf;
            this.random = random;
        }

        @Override
        public String toString() {
            if (after != null) {
                return "rank " + rank + " after " + after.toMillis() + " ms" + (random ? " (random)" : "");
            }
            return point > 0 ? "rank " + rank + " at safe point " + point
                    : "rank " + rank + " while writing checkpoint " + duringWriteOf;
        }
    }

    private final List<Injection> all = new ArrayList<>();

    FailurePlan(List<FailureSpec> specs, int np) {
        for (FailureSpec f : specs) {
            switch (f.kind()) {
                case AFTER_TIME -> all.add(new Injection(f.rank(), f.after(), 0, 0, false));
                case AT_POINT -> all.add(new Injection(f.rank(), null, f.point(), 0, false));
                case DURING_CHECKPOINT -> all.add(new Injection(f.rank(), null, 0, f.point(), false));
                case RANDOM -> {
                    SplittableRandom rnd = new SplittableRandom(f.seed());
                    long span = RANDOM_MAX.toMillis() - RANDOM_MIN.toMillis();
                    for (int i = 0; i < f.count(); i++) {
                        int rank = rnd.nextInt(np);
                        Duration after = RANDOM_MIN.plusMillis(rnd.nextLong(span + 1));
                        all.add(new Injection(rank, after, 0, 0, true));
                    }
                }
            }
        }
    }

    /**
     * The injections for the next attempt: every pending one, except that of the random ones only the first
     * pending is included.
     */
    synchronized List<Injection> forAttempt() {
        List<Injection> out = new ArrayList<>();
        boolean randomTaken = false;
        for (Injection i : all) {
            if (i.struck) {
                continue;
            }
            if (i.random) {
                if (randomTaken) {
                    continue;
                }
                randomTaken = true;
            }
            out.add(i);
        }
        return out;
    }

    /** The safe point at which {@code rank} is to die in this attempt (0: none). */
    static long pointFor(List<Injection> attempt, int rank) {
        return attempt.stream().filter(i -> i.rank == rank && i.point > 0).mapToLong(i -> i.point).min().orElse(0);
    }

    /** The checkpoint during whose write {@code rank} is to die in this attempt (0: none). */
    static long writeFor(List<Injection> attempt, int rank) {
        return attempt.stream().filter(i -> i.rank == rank && i.duringWriteOf > 0).mapToLong(i -> i.duringWriteOf)
                .min().orElse(0);
    }

    /** Marks as struck the injection that killed {@code rank} ({@code atPoint}: the safe-point kind, else the write). */
    synchronized void struck(List<Injection> attempt, int rank, boolean atPoint) {
        long target = atPoint ? pointFor(attempt, rank) : writeFor(attempt, rank);
        for (Injection i : attempt) {
            if (i.rank == rank && (atPoint ? i.point : i.duringWriteOf) == target && target > 0) {
                i.struck = true;
                return;
            }
        }
    }

    /** Marks a time-based injection as struck. */
    synchronized void struck(Injection i) {
        i.struck = true;
    }

    /** The injections that have not struck (yet), in the order they were given. */
    synchronized List<Injection> unstruck() {
        return all.stream().filter(i -> !i.struck).toList();
    }
}
