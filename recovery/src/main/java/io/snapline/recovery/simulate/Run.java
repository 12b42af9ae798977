package io.snapline.recovery.simulate;

/**
 * One simulated run of a job, in seconds. For a run that finished, {@code wall = work + checkpointing + lost +
 * restarting + logging}: every second is either the program's work or one of the four kinds of waste.
 *
 * @param finished     whether it finished before the give-up time ({@link Model#giveUp()} × the work)
 * @param wall         how long it took (the give-up time when it did not finish)
 * @param checkpointing checkpoints that were committed and stayed useful
 * @param lost         work and checkpoints a failure made useless (done again), and replays
 * @param restarting   restarts, including those a failure cut short
 * @param logging      what message logging added to the work that counted
 * @param failures     failures during the run
 * @param redoneRankSeconds the work done again, summed over the ranks that did it (a coordinated rollback makes every
 *                     rank do it again, message logging only the failed one)
 */
public record Run(boolean finished, double wall, double checkpointing, double lost, double restarting,
        double logging, int failures, double redoneRankSeconds) {
}
