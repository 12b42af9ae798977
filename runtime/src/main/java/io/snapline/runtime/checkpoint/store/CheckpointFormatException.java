package io.snapline.runtime.checkpoint.store;

/**
 * A store file of a checkpoint format this build does not read (see {@link CheckpointFormatDescriptor}): not damage,
 * so never skipped as a damaged checkpoint would be; the message says which version it is and how to proceed.
 */
public class CheckpointFormatException extends CheckpointStoreException {
    private static final long serialVersionUID = 1L;

    public CheckpointFormatException(String message) {
        super(message);
    }
}
