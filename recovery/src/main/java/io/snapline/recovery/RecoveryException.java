package io.snapline.recovery;

/**
 * The one unchecked exception of the recovery module: a history that is not well formed, a recovery line that does
 * not fit its history, or a history file that cannot be read. The message says what is wrong and how to fix it.
 */
public class RecoveryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RecoveryException(String message) {
        super(message);
    }

    public RecoveryException(String message, Throwable cause) {
        super(message, cause);
    }
}
