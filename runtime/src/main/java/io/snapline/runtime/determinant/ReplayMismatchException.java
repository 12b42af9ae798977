package io.snapline.runtime.determinant;

import io.snapline.runtime.engine.EngineException;

/**
 * A replayed rank did not repeat what it did when its log was recorded: it called another operation than the one
 * the log holds next, or the recorded outcome cannot be had. Raised on the program's thread by the operation that
 * diverged (the facade reports it as an {@code MPIException}), and again by every non-deterministic operation after
 * it: a rank that diverged must not go on as if nothing happened.
 */
public final class ReplayMismatchException extends EngineException {
    public ReplayMismatchException(String message) {
        super(message);
    }
}
