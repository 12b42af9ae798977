package io.snapline.runtime.engine;

/** Raised in every rank still inside the runtime once the job has been aborted or a rank has failed. */
public final class JobAbortedException extends EngineException {
    private static final long serialVersionUID = 1L;

    public JobAbortedException(String message) {
        super(message);
    }
}
