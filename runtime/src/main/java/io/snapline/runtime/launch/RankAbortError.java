package io.snapline.runtime.launch;

/**
 * Unwinds the thread of a rank that called {@code Abort}. An {@link Error}, so ordinary {@code catch (Exception)}
 * blocks in the program do not swallow it; the job runner recognises it and does not report it as a crash.
 */
public final class RankAbortError extends Error {
    private static final long serialVersionUID = 1L;

    public RankAbortError(String message) {
        super(message, null, false, false);
    }
}
