package io.snapline.runtime.launch;

/**
 * What a device tells the {@link AttemptSupervisor} about a rank (or, with rank -1, about the attempt). Each names the
 * rank's current incarnation unless it says otherwise; the device drops what a dead incarnation still says about
 * itself.
 */
sealed interface SupervisorEvent {

    /** (Rank -1.) Every rank has joined and the attempt's coordinator runs: timed failures count from now. */
    record AttemptStarted() implements SupervisorEvent {
    }

    /** The rank's thread or process has been started and joined the job (said hello). */
    record Joined() implements SupervisorEvent {
    }

    /** The rank is past its start (every exchange all ranks take part in at the start is behind it). */
    record Ready() implements SupervisorEvent {
    }

    /** The rank's policy said that, should the rank die, it cannot restart alone, and why. */
    record CannotRestartAlone(String why) implements SupervisorEvent {
    }

    /** The rank has passed {@code MPI.Finalize}'s final barrier and waits to be let go ({@code tcp}). */
    record Leaving() implements SupervisorEvent {
    }

    /** The rank's {@code main} returned. */
    record Finished() implements SupervisorEvent {
    }

    /** The rank asks to be killed now (an injected failure at a safe point or during a checkpoint write). */
    record KillRequested(String reason, boolean atSafePoint) implements SupervisorEvent {
    }

    /**
     * The rank died, which a restart can cure: its thread or process was killed or ended by an {@link Error}, its
     * process exited without a word, or it fell silent. {@code description} is what the failure report says,
     * {@code reason} the short form for the restart line, {@code error} the error that ended it or null.
     */
    record Died(String description, String reason, Throwable error) implements SupervisorEvent {
    }

    /** The rank's program failed on its own (an uncaught exception), which a restart would repeat. */
    record Failed(String description, String reason, Throwable error) implements SupervisorEvent {
    }

    /** The rank called {@code Abort(code)}. */
    record Aborted(int code, String reason) implements SupervisorEvent {
    }

    /** The rank stopped at a safe point for the restart (its policy's coordinator said so). */
    record StoppedForRestart() implements SupervisorEvent {
    }

    /** The thread or process of incarnation {@code incarnation} of the rank has ended. */
    record Exited(int incarnation) implements SupervisorEvent {
    }

    /** The rank restarting alone was replaced: its next incarnation has been started. */
    record Replaced() implements SupervisorEvent {
    }

    /**
     * The rank restarting alone will not be replaced after all (no restart left: {@code gaveUp}; its checkpoints
     * cannot be used; the attempt ended meanwhile); its old incarnation is gone.
     */
    record NotReplaced(boolean gaveUp) implements SupervisorEvent {
    }

    /**
     * (Rank -1, or the rank concerned.) Something the supervisor relies on broke: a policy's coordinator saw its
     * contract violated, a rank could not be restarted alone, the job could not start. A restart would not cure it.
     */
    record Violation(String reason) implements SupervisorEvent {
    }

    /** (Rank -1.) The device has reported every death it found for {@link SupervisorAction.CheckDeaths}. */
    record DeathsChecked() implements SupervisorEvent {
    }

    /**
     * (Rank -1.) Someone holding the cluster's secret cancelled the job ({@code snapline cancel}; {@code reason} says
     * who): the attempt ends with {@link JobResult#CANCELLED}, and the job with it.
     */
    record Cancelled(String reason) implements SupervisorEvent {
    }

    /** (Rank -1.) The launcher was interrupted (Ctrl-C): the attempt ends with status 130. */
    record Interrupted() implements SupervisorEvent {
    }
}
