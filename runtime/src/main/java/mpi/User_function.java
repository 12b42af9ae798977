package mpi;

/**
 * A user-defined reduction: {@code inoutvec[i] = invec[i] op inoutvec[i]} for {@code count} items of {@code datatype}.
 * For {@code MPI.OBJECT} the function may update the objects of {@code inoutvec} in place: the runtime calls it on
 * copies of the ranks' objects (as if every operand had been received from another rank), never on the objects of a
 * send buffer, and each result object belongs to the receive buffer alone.
 */
public abstract class User_function {
    public User_function() {
    }

    public abstract void Call(Object invec, int inoffset, Object inoutvec, int inoutoffset, int count, Datatype datatype)
            throws MPIException;
}
