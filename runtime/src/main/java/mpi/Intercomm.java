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

    /**
     * Collective over both groups: an intracommunicator over all their members. The group that passes
     * {@code high = true} is ordered last; when both pass the same value, the group whose rank 0 has the lower rank
     * in COMM_WORLD comes first. Every member of a group must pass the same {@code high}, or every member of both
     * groups gets an {@link MPIException}.
     */
    public Intracomm Merge(boolean high) throws MPIException {
        Communicator c = impl("Merge");
        try {
            return new Intracomm(CommFactory.merge(c, high));
        } catch (EngineException e) {
            throw MPIException.of("Merge", e);
        }
    }
}
