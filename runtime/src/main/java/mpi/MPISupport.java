package mpi;

import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.Communicator;
import io.snapline.runtime.engine.Endpoint;
import io.snapline.runtime.engine.ReduceOp;
import io.snapline.runtime.engine.TypeMap;

/**
 * Internal, not part of the mpiJava API: what the {@link MPI} class of each rank uses to make its predefined objects.
 *
 * <p>On {@code shm} every rank defines {@link MPI} in a class loader of its own, so that its static fields
 * ({@code MPI.COMM_WORLD} and the rest) belong to that rank alone, as if each rank were a process. The other classes
 * of the API ({@link Comm}, {@link Request}, {@link Datatype}, ...) hold no static state, and all ranks share one
 * copy of them: a rank starts faster, and their code is compiled once for the whole job. They must therefore never
 * refer to {@link MPI} (that would reach a class of no rank); what belongs to a rank is in their instances. Since
 * {@link MPI} and the shared classes are then in different runtime packages, {@link MPI} reaches what they keep
 * package-private through this class.
 */
public final class MPISupport {
    private MPISupport() {
    }

    /** A predefined datatype with MPJ Express's base type {@code code}. */
    public static Datatype datatype(TypeMap map, int code) {
        return Datatype.predefined(map, code);
    }

    /** A predefined pair datatype for MAXLOC and MINLOC: (value, index) side by side. */
    public static Datatype pair(BaseType base, int code) {
        return Datatype.predefined(TypeMap.contiguous(2, TypeMap.basic(base)), code);
    }

    /** A predefined operator. */
    public static Op op(ReduceOp op, int code) {
        return new Op(op, code);
    }

    /** MPI.COMM_WORLD or MPI.COMM_SELF before {@code MPI.Init}: unusable until {@link #bind} and never freeable. */
    public static Intracomm unboundComm() {
        Intracomm c = new Intracomm(null);
        c.predefined("MPI.Init has not been called", null, false);
        return c;
    }

    /** Gives MPI.COMM_WORLD or MPI.COMM_SELF its communicator at {@code MPI.Init}. */
    public static void bind(Comm comm, Communicator c) {
        comm.bind(c);
    }

    /** The engine communicator of MPI.COMM_WORLD (or another bound communicator). */
    public static Communicator communicator(Comm comm) {
        return comm.impl;
    }

    /** MPI.COMM_NULL of the rank whose endpoint is {@code ep}. */
    public static Intracomm nullComm(Endpoint ep) {
        Intracomm c = new Intracomm(null);
        c.predefined("the communicator is MPI.COMM_NULL", ep, true);
        return c;
    }

    /** MPI.GROUP_EMPTY, which stays usable when freed. */
    public static Group emptyGroup() {
        return Group.predefinedEmpty();
    }

    /** MPI.GROUP_NULL. */
    public static Group nullGroup() {
        return new Group(null);
    }

    /** MPI.REQUEST_NULL. */
    public static Request nullRequest() {
        return new Request(null, null);
    }

    /** MPI.ERRORS_ARE_FATAL or MPI.ERRORS_RETURN. */
    public static Errhandler errhandler(String name) {
        return new Errhandler(name);
    }

    /** The {@link MPIException} that reports engine error {@code e} of operation {@code op}. */
    public static MPIException error(String op, RuntimeException e) {
        return MPIException.of(op, e);
    }
}
