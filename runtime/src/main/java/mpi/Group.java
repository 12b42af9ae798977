package mpi;

/** An ordered set of processes. */
public class Group implements Freeable {
    /** Result code kept from mpiJava. */
    public static final int EMPTY = 3;

    io.snapline.runtime.engine.Group impl;

    Group(io.snapline.runtime.engine.Group impl) {
        this.impl = impl;
    }

    io.snapline.runtime.engine.Group impl(String op) {
        if (impl == null) {
            throw new MPIException(op + ": the group has been freed (or is MPI.GROUP_NULL)");
        }
        return impl;
    }

    public int Size() throws MPIException {
        return impl("Size").size();
    }

    /** This process's rank in the group, or {@link MPI#UNDEFINED} when it is not a member. */
    public int Rank() throws MPIException {
        return impl("Rank").rank();
    }

    @Override
    public void free() {
        impl = null;
    }

    /** Kept for source compatibility with mpiJava; does nothing. */
    @SuppressWarnings({"deprecation", "removal"})
    @Override
    public void finalize() throws MPIException {
    }
}
