package io.snapline.runtime.launch;

/**
 * What the {@link AttemptSupervisor} asks the device to do, in the order given, after the call that decided it
 * returned (never under the supervisor's lock).
 */
sealed interface SupervisorAction {

    /** Kill the rank for real, wherever it is, as a crash would; its death comes back as a death event. */
    record Kill(int rank, String reason) implements SupervisorAction {
    }

    /** The injected failure the rank asked to die for has struck (the safe-point kind, else the write kind). */
    record StruckAtRequest(int rank, boolean atSafePoint) implements SupervisorAction {
    }

    /** The timed injected failure {@code injection} has struck. */
    record StruckTimed(FailurePlan.Injection injection) implements SupervisorAction {
    }

    /** The rank is gone for the rest of the attempt: the others' operations with it fail instead of waiting. */
    record TellPeers(int rank, String reason) implements SupervisorAction {
    }

    /**
     * Replace the rank while the others run on: make sure its old incarnation is gone, plan and start its next, and
     * say {@link SupervisorEvent.Replaced} or {@link SupervisorEvent.NotReplaced}.
     */
    record RestartAlone(int rank, String description, String reason, long detectedAt) implements SupervisorAction {
    }

    /** The rank died and the survivors run on to a safe point to stop for the restart: tell the coordinator. */
    record StopSurvivors(int rank) implements SupervisorAction {
    }

    /** The survivors stopped (all of them, or the wait ran out) {@code tookNanos} after the death. */
    record SurvivorsStopped(long tookNanos, boolean allStopped) implements SupervisorAction {
    }

    /** Every rank has passed the final barrier: let them all go. */
    record Release() implements SupervisorAction {
    }

    /**
     * The attempt is aborted ({@code rank} -1: by the launcher): wake and tell every rank still running.
     * {@code restartable}: a death ended it, which a restart cures (the others were told of the death, and their work
     * is lost anyway if the job restarts).
     */
    record Abort(int rank, int code, String reason, boolean restartable) implements SupervisorAction {
    }

    /** The grace period after the abort is over: stop the ranks still running; they are abandoned. */
    record StopStragglers() implements SupervisorAction {
    }

    /**
     * A reported failure is about to end the attempt: report the death of every rank whose thread or process has
     * ended without a word and that was not reported yet, then say {@link SupervisorEvent.DeathsChecked}.
     */
    record CheckDeaths() implements SupervisorAction {
    }

    /** Say this on the terminal and in the run report's warnings. */
    record Announce(String what) implements SupervisorAction {
    }
}
