package io.snapline.runtime.engine;

/**
 * Ends a rank that the supervisor killed while the other ranks run on ({@link Endpoint#kill}): raised at the rank's
 * next entry into the runtime, or in a wait it is in, before it touches anything another rank shares, so that the
 * others can go on as if its process had died. An {@link Error}, so that a program catching exceptions does not
 * catch it by accident.
 */
public final class RankKilledError extends Error {
    private static final long serialVersionUID = 1L;

    public RankKilledError(String message) {
        super(message);
    }
}
