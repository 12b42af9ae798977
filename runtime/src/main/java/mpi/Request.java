package mpi;

import io.snapline.runtime.engine.Endpoint;
import io.snapline.runtime.engine.EngineException;
import io.snapline.runtime.engine.Ranks;

/**
 * A non-blocking operation. Once {@code Wait} or a successful {@code Test} has completed it, the request becomes a
 * null request ({@link #Is_null()}), so {@code Waitany} and friends skip it from then on, as MPI sets the handle to
 * {@code MPI_REQUEST_NULL}.
 */
public class Request {
    io.snapline.runtime.engine.Request req;
    final Endpoint endpoint;

    Request(Endpoint endpoint, io.snapline.runtime.engine.Request req) {
        this.endpoint = endpoint;
        this.req = req;
    }

    /** Blocks until the operation completes. */
    public Status Wait() throws MPIException {
        io.snapline.runtime.engine.Request r = req;
        if (r == null) {
            return emptyStatus();
        }
        try {
            endpoint.await(r);
        } catch (EngineException e) {
            done();
            throw MPIException.of("Wait", e);
        }
        done();
        return statusOf(r);
    }

    /** The status when the operation has completed, or null when it has not (yet). */
    public Status Test() throws MPIException {
        io.snapline.runtime.engine.Request r = req;
        if (r == null) {
            return emptyStatus();
        }
        checkAlive(endpoint, "Test");
        boolean done;
        try {
            done = endpoint.test(r);
        } catch (EngineException e) {
            throw MPIException.of("Test", e);
        }
        return done ? finish(r, "Test") : null;
    }

    /** Cancels the operation if it has not been matched yet; {@link Status#Test_cancelled()} tells whether it was. */
    public void Cancel() throws MPIException {
        io.snapline.runtime.engine.Request r = req;
        if (r != null) {
            endpoint.cancel(r);
        }
    }

    public boolean Is_null() throws MPIException {
        return req == null;
    }

    /** Releases the request; a pending operation still completes. */
    public void Free() throws MPIException {
        req = null;
    }

    /** Kept for source compatibility with mpiJava; does nothing. */
    @SuppressWarnings({"deprecation", "removal"})
    @Override
    public void finalize() throws MPIException {
    }

    /** Marks the request as finished (a null request, or an inactive persistent one). */
    void done() {
        req = null;
    }

    private Status finish(io.snapline.runtime.engine.Request r, String op) {
        try {
            r.finish();
        } catch (EngineException e) {
            done();
            throw MPIException.of(op, e);
        }
        done();
        return statusOf(r);
    }

    static Status statusOf(io.snapline.runtime.engine.Request r) {
        return new Status(r.statusSource(), r.statusTag(), r.statusElements(), r.isCancelled());
    }

    static Status emptyStatus() {
        return new Status(Ranks.ANY_SOURCE, Ranks.ANY_TAG, 0, false);
    }

    /** Raises the job's abort (or a peer's failure) as an {@link MPIException} of {@code op}. */
    static void checkAlive(Endpoint ep, String op) {
        try {
            ep.check();
        } catch (EngineException e) {
            throw MPIException.of(op, e);
        }
    }

    private static io.snapline.runtime.engine.Request[] engineRequests(Request[] array) {
        if (array == null) {
            throw new MPIException("the request array is null");
        }
        io.snapline.runtime.engine.Request[] rs = new io.snapline.runtime.engine.Request[array.length];
        for (int i = 0; i < array.length; i++) {
            rs[i] = array[i] == null ? null : array[i].req;
        }
        return rs;
    }

    private static Endpoint endpointOf(Request[] array) {
        for (Request r : array) {
            if (r != null && r.req != null) {
                return r.endpoint;
            }
        }
        return null;
    }

    /** Waits for every request; the i-th status belongs to the i-th request. */
    public static Status[] Waitall(Request[] array_of_requests) throws MPIException {
        engineRequests(array_of_requests);
        Status[] out = new Status[array_of_requests.length];
        MPIException first = null;
        for (int i = 0; i < out.length; i++) {
            Request r = array_of_requests[i];
            try {
                out[i] = r == null ? emptyStatus() : r.Wait();
            } catch (MPIException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
        return out;
    }

    /** Waits for one request; the status's {@code index} says which. All null: index {@link MPI#UNDEFINED}. */
    public static Status Waitany(Request[] array_of_requests) throws MPIException {
        io.snapline.runtime.engine.Request[] rs = engineRequests(array_of_requests);
        Endpoint ep = endpointOf(array_of_requests);
        if (ep == null) {
            return emptyStatus();
        }
        int i;
        try {
            i = ep.awaitAny(rs);
        } catch (EngineException e) {
            throw MPIException.of("Waitany", e);
        }
        Status s = array_of_requests[i].finish(rs[i], "Waitany");
        s.index = i;
        return s;
    }

    /** The status of one completed request (with its {@code index}), or null when none has completed. */
    public static Status Testany(Request[] array_of_requests) throws MPIException {
        io.snapline.runtime.engine.Request[] rs = engineRequests(array_of_requests);
        Endpoint ep = endpointOf(array_of_requests);
        if (ep == null) {
            return emptyStatus();
        }
        checkAlive(ep, "Testany");
        int i;
        try {
            i = ep.testAny(rs);
        } catch (EngineException e) {
            throw MPIException.of("Testany", e);
        }
        if (i < 0) {
            return null;
        }
        Status s = array_of_requests[i].finish(rs[i], "Testany");
        s.index = i;
        return s;
    }

    /** All statuses when every request has completed, else null (and nothing is consumed). */
    public static Status[] Testall(Request[] array_of_requests) throws MPIException {
        io.snapline.runtime.engine.Request[] rs = engineRequests(array_of_requests);
        Endpoint ep = endpointOf(array_of_requests);
        if (ep != null) {
            checkAlive(ep, "Testall");
            try {
                if (!ep.testAll(rs)) {
                    return null;
                }
            } catch (EngineException e) {
                throw MPIException.of("Testall", e);
            }
        }
        return Waitall(array_of_requests);
    }

    /**
     * Waits until at least one request completes and returns the statuses of all that have, each with its
     * {@code index}; the requests become null. When no request is active (every one is null, as in MPI where the
     * outcount is {@code MPI_UNDEFINED}), returns an array of length zero at once.
     */
    public static Status[] Waitsome(Request[] array_of_requests) throws MPIException {
        io.snapline.runtime.engine.Request[] rs = engineRequests(array_of_requests);
        Endpoint ep = endpointOf(array_of_requests);
        if (ep == null) {
            return new Status[0];
        }
        int[] done;
        try {
            done = ep.awaitSome(rs);
        } catch (EngineException e) {
            throw MPIException.of("Waitsome", e);
        }
        return collect(array_of_requests, rs, done, "Waitsome");
    }

    /**
     * The statuses of the requests that have completed, each with its {@code index}, as {@link #Waitsome} but without
     * waiting: an array of length zero when none has (or no request is active), never null.
     */
    public static Status[] Testsome(Request[] array_of_requests) throws MPIException {
        io.snapline.runtime.engine.Request[] rs = engineRequests(array_of_requests);
        Endpoint ep = endpointOf(array_of_requests);
        if (ep == null) {
            return new Status[0];
        }
        checkAlive(ep, "Testsome");
        int[] done;
        try {
            done = ep.testSome(rs);
        } catch (EngineException e) {
            throw MPIException.of("Testsome", e);
        }
        return collect(array_of_requests, rs, done, "Testsome");
    }

    /** Finishes the requests at {@code indices} (the engine reported them complete) and returns their statuses. */
    private static Status[] collect(Request[] array, io.snapline.runtime.engine.Request[] rs, int[] indices, String op) {
        Status[] out = new Status[indices.length];
        for (int k = 0; k < indices.length; k++) {
            int i = indices[k];
            Status s = array[i].finish(rs[i], op);
            s.index = i;
            out[k] = s;
        }
        return out;
    }
}
