package io.snapline.runtime.checkpoint;

/**
 * How a rank's checkpoint runtime reaches its supervisor: in-process calls on {@code shm}, control-channel messages
 * on {@code tcp}. Every method returns at once and may be called from any thread.
 */
public interface RankLink {
    /** Delivers a policy message to the attempt's {@link PolicyCoordinator}. */
    void toCoordinator(byte[] message);

    /** The rank restored checkpoint {@code id} (taken at safe point {@code point}) in {@code nanos}. */
    void restored(long id, long point, long nanos);

    /**
     * The rank wrote its piece of a checkpoint ({@code written} says which, how big, and what the write cost); sent
     * before the policy tells its coordinator about the piece, so the run report has it when the checkpoint commits.
     */
    default void written(PieceWritten written) {
    }

    /**
     * Under {@code --async}: a checkpoint fell due while the rank's previous one was still being written, and the
     * policy skipped it or waited ({@code deferred} says which).
     */
    default void deferred(CheckpointDeferred deferred) {
    }

    /** The rank called {@code MPI.Finalize}. */
    void finished();

    /**
     * The rank captured its state for checkpoint {@code id} (a global checkpoint id, or its own local checkpoint
     * number): what it printed until now comes before that checkpoint. The supervisor holds later output until no
     * restart can take it back.
     */
    default void captured(long id) {
    }

    /**
     * The restarted rank's program has taken back every state its checkpoint holds: what it printed until now in this
     * attempt repeats what the checkpointed run printed before it; from here on it continues that run.
     */
    default void resumed() {
    }

    /**
     * Failure injection: asks the supervisor to kill this rank for real (stop its thread, or SIGKILL its process),
     * because it reached the safe point it was to die at ({@code atSafePoint}) or began writing the checkpoint it was
     * to die during. Returns at once; the kill follows asynchronously, wherever the rank then is.
     */
    void requestKill(boolean atSafePoint, String reason);

    /**
     * The rank's policy says that, should this rank fail, it cannot restart alone while the others run on, and why:
     * the whole job restarts instead.
     */
    default void cannotRestartAlone(String why) {
    }

    /**
     * The rank is past everything collective its start involves (its policy's start, and the restore if it restores
     * something): from now on it can restart alone without leaving the others waiting for it there.
     */
    default void ready() {
    }

    /**
     * The rank has passed {@code MPI.Finalize}'s final barrier and is about to leave the job; returns when it may. A
     * supervisor whose ranks restart alone in processes of their own holds every rank here until all have passed the
     * barrier: a rank that dies inside {@code MPI.Finalize} then restarts alone, and the others, still there, send it
     * again from their logs what it needs.
     */
    default void leaving() {
    }

    /** A link to nobody, for a program started without a launcher. */
    RankLink NONE = new RankLink() {
        @Override
        public void toCoordinator(byte[] message) {
        }

        @Override
        public void restored(long id, long point, long nanos) {
        }

        @Override
        public void finished() {
        }

        @Override
        public void requestKill(boolean atSafePoint, String reason) {
            throw new IllegalStateException("failure injection needs a launcher: " + reason);
        }
    };
}
