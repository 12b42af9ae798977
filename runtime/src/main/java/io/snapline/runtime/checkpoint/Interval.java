package io.snapline.runtime.checkpoint;

import java.time.Duration;
import java.util.Locale;

/**
 * How far apart checkpoints are: a fixed time ({@code --interval T}), or chosen as the job runs from the measured cost
 * of its checkpoints and the failure rate ({@code --interval auto --mttf M [--formula F] [--h H]}), by
 * {@link IntervalChooser}.
 */
public sealed interface Interval {
    /** {@code --interval T}, or the default when no interval is given. */
    record Fixed(Duration every) implements Interval {
        public Fixed {
            if (every == null || every.isNegative() || every.isZero()) {
                throw new IllegalArgumentException("a checkpoint interval must be positive, got " + every);
            }
        }
    }

    /**
     * {@code --interval auto}.
     *
     * @param formula the optimum-interval formula
     * @param mttf    the mean time between failures of the job as a whole (a failure of any of its ranks)
     * @param h       Wong and Franklin's h, the average fraction of an interval lost to a failure, in (0, 1];
     *                only {@link Formula#WONG_FRANKLIN} uses it
     * @param learn   {@code --learn-mttf}: {@code mttf} is a prior that the failures the job sees update
     *                ({@link IntervalChooser#learnedMttf})
     */
    record Auto(Formula formula, Duration mttf, double h, boolean learn) implements Interval {
        /** The default {@code --formula}. */
        public static final Formula DEFAULT_FORMULA = Formula.YOUNG;
        /** The default {@code --h}. */
        public static final double DEFAULT_H = 0.5;
        /** The shortest {@code --mttf} accepted. */
        public static final Duration MIN_MTTF = Duration.ofSeconds(1);

        public Auto {
            if (formula == null) {
                throw new IllegalArgumentException("an automatic interval needs a formula");
            }
            if (mttf == null || mttf.compareTo(MIN_MTTF) < 0) {
                throw new IllegalArgumentException("--mttf must be at least " + MIN_MTTF.toSeconds() + "s, got "
                        + mttf);
            }
            if (!(h > 0 && h <= 1)) {
                throw new IllegalArgumentException("--h must be in (0, 1], got " + h);
            }
        }

        /** An MTTF that the failures seen do not change. */
        public Auto(Formula formula, Duration mttf, double h) {
            this(formula, mttf, h, false);
        }

        /** These settings with the MTTF {@code estimate} (learning from failures as before). */
        public Auto withMttf(Duration estimate) {
            return new Auto(formula, estimate, h, learn);
        }

        /** The settings as the command line gives them, e.g. {@code young, MTTF 6.0 h}. */
        public String describe() {
            return formula.flag() + (formula == Formula.WONG_FRANKLIN ? " (h " + h + ")" : "") + ", MTTF "
                    + IntervalChooser.human(mttf.toNanos()) + (learn ? " to start, learned from the failures seen"
                    : "");
        }
    }

    /** The formulas of {@code --formula}. */
    enum Formula {
        /** Young (1974): {@code T = sqrt(2 * t_c * M)}. */
        YOUNG("young"),
        /**
         * Daly (2006), the higher-order estimate: {@code T = sqrt(2 t_c M) [1 + sqrt(t_c / 2M) / 3 + (t_c / 2M) / 9]
         * - t_c} for {@code t_c < 2M}, else {@code T = M}.
         */
        DALY("daly"),
        /** Wong and Franklin: {@code T = sqrt(M * t_c) / h}. */
        WONG_FRANKLIN("wong-franklin");

        private final String flag;

        Formula(String flag) {
            this.flag = flag;
        }

        /** The name {@code --formula} takes. */
        public String flag() {
            return flag;
        }

        /** The formula named {@code name} on the command line, or null when there is none of that name. */
        public static Formula byFlag(String name) {
            for (Formula f : values()) {
                if (f.flag.equals(name.trim().toLowerCase(Locale.ROOT))) {
                    return f;
                }
            }
            return null;
        }
    }
}
