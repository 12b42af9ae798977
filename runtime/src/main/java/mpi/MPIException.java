package mpi;

/**
 * Every error the MPI API reports. Unchecked (as in MPJ Express), so programs that declare or catch it and programs
 * that ignore it all compile. The message says what was wrong; the engine's exception is the cause.
 */
public class MPIException extends mpjdev.MPJDevException {
    private static final long serialVersionUID = 1L;

    public MPIException() {
    }

    public MPIException(String message) {
        super(message);
    }

    public MPIException(Throwable cause) {
        super(cause == null ? null : cause.getMessage(), cause);
    }

    public MPIException(String message, Throwable cause) {
        super(message, cause);
    }

    /** Wraps an engine error raised by operation {@code op}. */
    static MPIException of(String op, RuntimeException e) {
        if (e instanceof MPIException) {
            return (MPIException) e;
        }
        return new MPIException(op + ": " + e.getMessage(), e);
    }
}
