package io.snapline.recovery.simulate;

/**
 * Runs one job of a {@link Model} against the failures of a {@link FailureClock}: a discrete-event simulation whose
 * events are the end of a stretch of work, the end of a checkpoint, a failure, and the end of a restart.
 *
 * <p>The job works in stretches of {@link Model#interval()} (the last one shorter), each followed by a checkpoint of
 * {@link Model#checkpointCost()}: the convention of Young's and Daly's models, so that their closed forms can be
 * checked against it. A failure at any moment costs a restart of {@link Model#restartCost()}, which a further failure
 * starts again; what happens to the work done since the last checkpoint depends on the protocol:
 * <ul>
 *   <li>{@link Protocol#COORDINATED}: lost; the job starts the stretch again.</li>
 *   <li>{@link Protocol#LOGGING}: kept by the ranks that did not fail; the failed one replays it from its
 *       checkpoint, taking {@link Model#replayFactor()} of the time it took, while the others wait; a failure during
 *       the replay starts the restart and the replay again. A checkpoint under way when the failure struck is
 *       taken again.</li>
 *   <li>{@link Protocol#INDEPENDENT}: the job rolls back to its last recovery line (every
 *       {@link Model#consistentEvery()}-th checkpoint, or the start), and everything after it is lost.</li>
 * </ul>
 * The failed node is replaced at once ({@link FailureLaw}); a job always has its ranks. A run that passes
 * {@link Model#giveUp()} times the work, or sees more than {@link #MAX_FAILURES} failures, counts as not finishing.
 * Pure: no clock, no threads.
 */
public final class Simulator {
    /** The most failures one run may see before it counts as not finishing: bounds the time a run takes. */
    public static final int MAX_FAILURES = 10_000_000;

    private Simulator() {
    }

    /** One run of {@code model} against {@code failures}. */
    public static Run run(Model model, FailureClock failures) {
        return new Job(model, failures).run();
    }

    /** The state of one run. */
    private static final class Job {
        private final Model m;
        private final FailureClock failures;
        private final double slow;
        private final double giveUpAt;
        private double t;
        private double nextFailure;
        private double done;
        private double checkpointing;
        private double lost;
        private double restarting;
        private double logging;
        private int failed;
        private double redone;
        /** {@link Protocol#INDEPENDENT}: the work at the last recovery line, and what was spent since on work kept. */
        private double lineDone;
        private double workSinceLine;
        private double checkpointsSinceLine;
        private long checkpoints;

        Job(Model m, FailureClock failures) {
            this.m = m;
            this.failures = failures;
            this.slow = m.slowdown();
            this.giveUpAt = m.giveUp() * m.work();
            this.nextFailure = failures.next();
        }

        Run run() {
            while (done < m.work()) {
                double stretch = Math.min(m.interval(), m.work() - done);
                if (stretch < m.work() * 1e-12) {
                    break; // rounding: the work is done
                }
                if (!stretch(stretch)) {
                    return new Run(false, Math.max(t, giveUpAt), checkpointing, lost, restarting, logging, failed,
                            redone);
                }
            }
            return new Run(true, t, checkpointing, lost, restarting, logging, failed, redone);
        }

        /** One stretch of {@code stretch} seconds of work and its checkpoint; false when the run was given up. */
        private boolean stretch(double stretch) {
            double progress = 0; // work of this stretch kept (LOGGING keeps it across failures)
            while (true) {
                if (t > giveUpAt) {
                    return false;
                }
                double compute = (stretch - progress) * slow;
                double need = compute + m.checkpointCost();
                if (t + need <= nextFailure) {
                    t += need;
                    logging += (stretch - progress) * (slow - 1);
                    checkpointing += m.checkpointCost();
                    done += stretch;
                    committed(stretch);
                    return true;
                }
                double before = nextFailure - t; // spent in this attempt before the failure
                double worked = Math.min(before, compute) / slow; // work reached before it
                t = nextFailure;
                failed++;
                if (!restart()) {
                    return false;
                }
                switch (m.protocol()) {
                    case COORDINATED -> {
                        lost += before; // the stretch starts again (progress stays 0)
                        redone += m.ranks() * worked;
                    }
                    case LOGGING -> {
                        // The survivors keep what they did; the checkpoint under way (if any) is taken again.
                        logging += worked * (slow - 1);
                        lost += before - worked * slow;
                        progress += worked;
                        if (!replay(progress)) {
                            return false;
                        }
                    }
                    case INDEPENDENT -> {
                        lost += before + workSinceLine + checkpointsSinceLine;
                        checkpointing -= checkpointsSinceLine;
                        redone += m.ranks() * (done - lineDone + progress + worked);
                        done = lineDone;
                        workSinceLine = 0;
                        checkpointsSinceLine = 0;
                        return true; // the caller starts the stretch from the recovery line
                    }
                    default -> throw new IllegalStateException("unknown protocol " + m.protocol());
                }
            }
        }

        /** A checkpoint after {@code stretch} of work committed. */
        private void committed(double stretch) {
            checkpoints++;
            if (m.protocol() != Protocol.INDEPENDENT) {
                return;
            }
            if (m.consistentEvery() > 0 && checkpoints % m.consistentEvery() == 0) {
                lineDone = done;
                workSinceLine = 0;
                checkpointsSinceLine = 0;
            } else {
                workSinceLine += stretch;
                checkpointsSinceLine += m.checkpointCost();
            }
        }

        /** Restarts after a failure at {@code t}, again after each failure during it; false if given up. */
        private boolean restart() {
            if (failed > MAX_FAILURES) {
                return false;
            }
            nextFailure = failures.next();
            while (t + m.restartCost() > nextFailure) {
                restarting += nextFailure - t;
                t = nextFailure;
                failed++;
                nextFailure = failures.next();
                if (t > giveUpAt || failed > MAX_FAILURES) {
                    return false;
                }
            }
            restarting += m.restartCost();
            t += m.restartCost();
            return true;
        }

        /** The failed rank replays {@code work} seconds of work, again after each failure; false if given up. */
        private boolean replay(double work) {
            double replay = work * slow * m.replayFactor();
            while (t + replay > nextFailure) {
                if (t > giveUpAt) {
                    return false;
                }
                lost += nextFailure - t;
                redone += (nextFailure - t);
                t = nextFailure;
                failed++;
                if (!restart()) {
                    return false;
                }
            }
            lost += replay;
            redone += replay;
            t += replay;
            return true;
        }
    }
}
