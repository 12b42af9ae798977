package io.snapline.runtime.checkpoint;

import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.LocalCheckpointStore;
import io.snapline.runtime.checkpoint.store.Manifest;

/** What the supervisor offers a policy's coordinator. Called only from the coordinator's thread. */
public interface CoordinatorServices {
    int ranks();

    PolicySettings settings();

    /**
     * The interval in force for the job's global checkpoints, in nanoseconds: {@code --interval T} (or the default),
     * or under {@code --interval auto} the one the job's {@link IntervalChooser} chose from the costs of the
     * checkpoints committed so far (the longest time a rank was held back by each, as given to
     * {@link #commit(Manifest, long, long[])}, or the cost given to {@link #commit(Manifest, long, long[], long)}). It
     * may change at each commit; a coordinator that schedules checkpoints on a timer reads it at every tick.
     */
    default long intervalNanos() {
        return settings().intervalOrDefault().toNanos();
    }

    /**
     * Rank {@code rank}'s own schedule (a policy whose ranks checkpoint alone, each with its {@link IntervalChooser})
     * put a new interval in force: prints it and adds it to the run report.
     */
    default void intervalChosen(int rank, IntervalChooser.Choice choice) {
        log("rank " + rank + ": " + choice.describe());
    }

    /** Sends {@code message} to rank {@code rank}'s policy. */
    void send(int rank, byte[] message);

    /** Sends {@code message} to every rank's policy. */
    default void broadcast(byte[] message) {
        for (int r = 0; r < ranks(); r++) {
            send(r, message);
        }
    }

    /**
     * The id the next checkpoint must take: at the start of an attempt, above the checkpoint restored and above every
     * checkpoint committed in the store, damaged ones included (1 in a fresh store); then one more than the last
     * committed. Ranks learn the attempt's first id as {@link RankServices#firstCheckpointId()}.
     */
    CheckpointId nextId();

    /**
     * Atomically commits {@code manifest} (phase two of the commit) and drops checkpoints beyond the retention
     * count; records it for the run report and prints a progress line.
     *
     * @param point          the safe point the checkpoint was taken at (for the report)
     * @param blockedNanos   how long each rank was held back by this checkpoint, indexed by rank
     * @return whether it was committed (a store failure is logged and leaves the previous checkpoint in force)
     */
    boolean commit(Manifest manifest, long point, long[] blockedNanos);

    /**
     * {@link #commit(Manifest, long, long[])} for a checkpoint whose cost for {@code --interval auto}
     * ({@link #intervalNanos}) is {@code costNanos} rather than the longest blocking time: a policy that writes its
     * pieces while the ranks compute counts the writes too (the most any rank's capture and write took).
     */
    default boolean commit(Manifest manifest, long point, long[] blockedNanos, long costNanos) {
        return commit(manifest, point, blockedNanos);
    }

    /** What rank {@code rank} restored at the start of this attempt, or null when it started fresh. */
    RestoreFrom restoredFrom(int rank);

    /**
     * Records that rank {@code rank} committed its local checkpoint {@code index} (a policy without global
     * checkpoints) for the run report, and prints a progress line.
     *
     * @param blockedNanos how long it held the rank back
     */
    void localCommitted(int rank, long index, long point, long bytes, long blockedNanos);

    /**
     * Deletes rank {@code rank}'s local checkpoint {@code index}, which no restart can use any more. A failure is
     * logged, not thrown (the checkpoint merely stays).
     */
    void discardLocal(int rank, long index);

    /**
     * Rank {@code rank}'s message log holds {@code bytes} in memory now and has held at most {@code peakBytes}, and
     * takes {@code spilledBytes} of disk beyond its memory bound (at most {@code spilledPeakBytes} so far): a sample
     * for the run report.
     */
    default void messageLog(int rank, long bytes, long peakBytes, long spilledBytes, long spilledPeakBytes) {
    }

    /**
     * No restart will take rank {@code r} back before its local checkpoint {@code line[r]} (0: the beginning) any
     * more: the recovery line has reached {@code line} and is recorded in the store.
     */
    default void lineReached(long[] line) {
    }

    /**
     * The job's local checkpoints, for a policy without global checkpoints: to verify them and to record the line
     * below which it deletes them ({@link LocalCheckpointStore#writeRecoveryLine}); deletions go through
     * {@link #discardLocal}, which counts them for the run report.
     */
    default LocalCheckpointStore localStore() {
        throw new UnsupportedOperationException("this supervisor offers no local checkpoint store");
    }

    /**
     * After {@link PolicyCoordinator#onRankFailed}: rank {@code rank} has stopped for the restart (at a checkpoint it
     * took for it), so the attempt need not wait for it.
     */
    default void stopped(int rank) {
    }

    /**
     * Records that checkpoint {@code id} was started but will not be committed, and why ({@code reason} completes
     * "checkpoint 7 abandoned: ..."); prints it and adds it to the run report. The job runs on.
     */
    default void abandoned(long id, String reason) {
        log("checkpoint " + id + " abandoned: " + reason);
    }

    /** Ends the job with {@code reason} (a violated contract; no restart follows). */
    void fail(String reason);

    /** Prints a progress line to the launcher's standard error. */
    void log(String line);

    /** Prints a warning to the launcher's standard error and adds it to the run report. */
    default void warn(String warning) {
        log("warning: " + warning);
    }
}
