package io.snapline.checkpoint;

/**
 * A checkpoint could not be taken or restored: the message says what was wrong and how to fix it (state that
 * cannot be encoded, a safe point with receives still pending, a checkpoint that does not belong to this job).
 */
public class CheckpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
