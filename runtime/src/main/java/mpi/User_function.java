package mpi;

/** A user-defined reduction: {@code inoutvec[i] = invec[i] op inoutvec[i]} for {@code count} items of {@code datatype}. */
public abstract class User_function {
    public User_function() {
    }

    public abstract void Call(Object invec, int inoffset, Object inoutvec, int inoutoffset, int count, Datatype datatype)
            throws MPIException;
}
