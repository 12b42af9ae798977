package io.snapline.runtime.checkpoint.store;

/** The root (unchecked) exception of the checkpoint store; an I/O failure is kept as the cause. */
public class CheckpointStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public CheckpointStoreException(String message) {
        super(message);
    }

    public CheckpointStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
