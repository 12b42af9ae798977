package mpi;

import io.snapline.runtime.engine.CommFactory;
import io.snapline.runtime.engine.Communicator;
import io.snapline.runtime.engine.EngineException;

/** An intercommunicator: point-to-point between two disjoint groups; ranks in sends and receives name the remote group. */
public class Intercomm extends Comm {
    Intercomm(Communicator impl) {
        super(impl);
    }

    @Override
    Comm wrapLike(Communicator c) {
        return new Intercomm(c);
    }

    @Override
    public Object clone() throws MPIException {
        return Dup();
    }

    public int Remote_size() throws MPIException {
        return impl("Remote_size").remoteSize();
    }

    public Group Remote_group() throws MPIException {
        return new Group(impl("Remote_group").remoteGroup());
    }

    /** An intracommunicator over both groups; the group that passes {@code high = true} is ordered last. */
    public Intracomm Merge(boolean high) throws MPIException {
        Communicator c = impl("Merge");
        try {
            return new Intracomm(CommFactory.merge(c, high));
        } catch (EngineException e) {
            throw MPIException.of("Merge", e);
        }
    }
}
