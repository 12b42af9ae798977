package io.snapline.runtime.engine;

/** The root of every error the message engine raises; the {@code mpi} facade wraps it in {@code MPIException}. */
public class EngineException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EngineException(String message) {
        super(message);
    }

    public EngineException(String message, Throwable cause) {
        super(message, cause);
    }
}
