package mpi;

import io.snapline.runtime.engine.Endpoint;
import io.snapline.runtime.engine.EngineException;
import java.util.function.Supplier;

/** A persistent request: created inactive by a {@code *_init} call, started any number of times with {@link #Start()}. */
public class Prequest extends Request {
    private final Supplier<io.snapline.runtime.engine.Request> starter;
    private final String op;

    Prequest(Endpoint endpoint, String op, Supplier<io.snapline.runtime.engine.Request> starter) {
        super(endpoint, null);
        this.starter = starter;
        this.op = op;
    }

    /** Starts the operation; the request must be inactive (never started, or completed by a wait or test). */
    public void Start() throws MPIException {
        if (req != null) {
            throw new MPIException("Start: this " + op + " request is still active; wait for it before starting it again");
        }
        try {
            req = starter.get();
        } catch (EngineException e) {
            throw MPIException.of(op, e);
        }
    }

    public static void Startall(Prequest[] array_of_requests) throws MPIException {
        if (array_of_requests == null) {
            throw new MPIException("Startall: the request array is null");
        }
        for (Prequest p : array_of_requests) {
            p.Start();
        }
    }
}
