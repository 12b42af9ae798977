package io.snapline.recovery.simulate;

/**
 * One simulated job: the protocol and its costs, all times in seconds.
 *
 * @param protocol         how it recovers
 * @param ranks            its ranks (for the work done again, in rank-seconds)
 * @param work             the failure-free run time without any checkpointing
 * @param interval         the work between two checkpoints; a checkpoint follows every stretch, the last one too
 * @param checkpointCost   how long a checkpoint holds the program back ({@code t_c})
 * @param restartCost      from a failure until the ranks run again: detection, new processes, reading the
 *                         checkpoint (a failure during it starts it again)
 * @param loggingOverhead  {@link Protocol#LOGGING}: the fraction by which message logging slows the program down
 * @param replayFactor     {@link Protocol#LOGGING}: how long a rank's replay of lost work takes, as a fraction of the
 *                         time that work took (below 1: the logged messages are there at once)
 * @param consistentEvery  {@link Protocol#INDEPENDENT}: every how many checkpoints the ranks' local checkpoints form a
 *                         recovery line; 0: never, only the start
 * @param giveUp           a run longer than {@code giveUp × work} is abandoned as one that does not finish
 */
public record Model(Protocol protocol, int ranks, double work, double interval, double checkpointCost,
        double restartCost, double loggingOverhead, double replayFactor, int consistentEvery, double giveUp) {
    /** The most stretches a job is cut into: a million checkpoints per run at most. */
    public static final long MAX_STRETCHES = 1_000_000;

    public Model {
        if (protocol == null) {
            throw new IllegalArgumentException("a model needs a protocol");
        }
        if (ranks < 1) {
            throw new IllegalArgumentException("a job has at least one rank, got " + ranks);
        }
        positive("the work", work);
        positive("the interval", interval);
        atLeastZero("the checkpoint cost", checkpointCost);
        atLeastZero("the restart cost", restartCost);
        atLeastZero("the logging overhead", loggingOverhead);
        if (!(replayFactor > 0) || Double.isInfinite(replayFactor)) {
            throw new IllegalArgumentException("the replay factor must be positive, got " + replayFactor);
        }
        if (consistentEvery < 0) {
            throw new IllegalArgumentException("--consistent-every must be 0 or more, got " + consistentEvery);
        }
        if (!(giveUp > 1)) {
            throw new IllegalArgumentException("--give-up must be above 1, got " + giveUp);
        }
        if (interval < work / MAX_STRETCHES) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "an interval of %.3g s cuts "
                    + "the work (%.3g s) into more than %d stretches; give a longer interval or a checkpoint cost above "
                    + "0", interval, work, MAX_STRETCHES));
        }
    }

    /** This model with another interval. */
    public Model withInterval(double seconds) {
        return new Model(protocol, ranks, work, seconds, checkpointCost, restartCost, loggingOverhead, replayFactor,
                consistentEvery, giveUp);
    }

    /** This model with another rank count. */
    public Model withRanks(int n) {
        return new Model(protocol, n, work, interval, checkpointCost, restartCost, loggingOverhead, replayFactor,
                consistentEvery, giveUp);
    }

    /** The slowdown of computing under this protocol: {@code 1 + loggingOverhead} with logging, else 1. */
    double slowdown() {
        return protocol == Protocol.LOGGING ? 1 + loggingOverhead : 1;
    }

    private static void positive(String what, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(what + " must be positive and finite, got " + v);
        }
    }

    private static void atLeastZero(String what, double v) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(what + " must be 0 or more and finite, got " + v);
        }
    }
}
