package io.snapline.runtime.checkpoint;

/**
 * The supervisor half of a policy: one instance per job attempt. All calls come from one thread, in the order
 * the events happened; none may block.
 */
public interface PolicyCoordinator {
    /** A message from rank {@code rank}'s policy. */
    void onRankMessage(int rank, byte[] message);

    /** Periodic call (about every 10 ms) with the coordinator clock's time. */
    void onTick(long nanoTime);

    /** Rank {@code rank} called {@code MPI.Finalize}. */
    void onRankFinished(int rank);

    /**
     * Rank {@code rank} died and the job will restart; for a policy that
     * {@linkplain CheckpointPolicy#stopsSurvivorsAtSafePoints stops survivors at safe points} the other ranks are
     * still running, and each that stops at a checkpoint for the restart is reported with
     * {@link CoordinatorServices#stopped}. Other ranks may end meanwhile (an operation with a failed rank failed).
     */
    default void onRankFailed(int rank) {
    }

    /**
     * Rank {@code rank} died and restarts alone as incarnation {@code incarnation} while the others run on
     * ({@link CheckpointPolicy#restartsRanksAlone}): everything its previous incarnation sent has been handed to this
     * coordinator already, and the new one starts after this call.
     */
    default void onRankRestarting(int rank, int incarnation) {
        throw new UnsupportedOperationException("this policy does not restart ranks alone");
    }

    /**
     * The attempt is over (after the last event): stop whatever the coordinator runs on threads of its own. Called
     * on the coordinator's thread; the supervisor plans a restart only after it returns.
     */
    default void close() {
    }
}
