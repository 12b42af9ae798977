package mpi;

import io.snapline.runtime.engine.CommFactory;
import io.snapline.runtime.engine.Communicator;
import io.snapline.runtime.engine.EngineException;
import io.snapline.runtime.engine.TypeMap;
import io.snapline.runtime.engine.collective.Collectives;

/** An intracommunicator: collective operations, splitting, and Cartesian and graph topologies. */
public class Intracomm extends Comm {
    Intracomm(Communicator impl) {
        super(impl);
    }

    public static int Compare(Comm comm1, Comm comm2) throws MPIException {
        return Comm.Compare(comm1, comm2);
    }

    @Override
    Comm wrapLike(Communicator c) {
        return new Intracomm(c);
    }

    @Override
    public Object clone() throws MPIException {
        return Dup();
    }

    /**
     * Partitions the group by {@code color}; within a part ranks are ordered by {@code key}, then by rank here.
     * Processes passing {@link MPI#UNDEFINED} get {@code null}.
     */
    public Intracomm Split(int color, int key) throws MPIException {
        Communicator c = impl("Split");
        try {
            Communicator part = CommFactory.split(c, color, key);
            return part == null ? null : new Intracomm(part);
        } catch (EngineException e) {
            throw MPIException.of("Split", e);
        }
    }

    /** A communicator over {@code group}, a subset of this group; {@code null} in processes outside it. */
    public Intracomm Create(Group group) throws MPIException {
        Communicator c = impl("Create");
        if (group == null || group.impl == null) {
            throw new MPIException("Create: the group is null or freed");
        }
        try {
            Communicator sub = CommFactory.create(c, group.impl);
            return sub == null ? null : new Intracomm(sub);
        } catch (EngineException e) {
            throw MPIException.of("Create", e);
        }
    }

    public Cartcomm Create_cart(int[] dims, boolean[] periods, boolean reorder) throws MPIException {
        return Cartcomm.create(this, dims, periods, reorder);
    }

    public Graphcomm Create_graph(int[] index, int[] edges, boolean reorder) {
        return Graphcomm.create(this, index, edges, reorder);
    }

    // ---------------------------------------------------------------- collectives

    private interface Call {
        void run(Communicator c);
    }

    private void collective(String op, Call call) {
        Communicator c = impl(op);
        if (c.isInter()) {
            throw new MPIException(op + ": collective operations need an intracommunicator");
        }
        try {
            call.run(c);
        } catch (EngineException e) {
            throw MPIException.of(op, e);
        }
    }

    private static TypeMap t(Datatype d, String op) {
        return Datatype.mapOf(d, op);
    }

    public void Barrier() throws MPIException {
        collective("Barrier", Collectives::barrier);
    }

    public void Bcast(Object buf, int offset, int count, Datatype type, int root) throws MPIException {
        TypeMap tm = t(type, "Bcast");
        collective("Bcast", c -> Collectives.bcast(c, buf, offset, count, tm, root));
    }

    public void Gather(Object sendbuf, int sendoffset, int sendcount, Datatype sendtype, Object recvbuf, int recvoffset,
            int recvcount, Datatype recvtype, int root) throws MPIException {
        TypeMap st = t(sendtype, "Gather");
        TypeMap rt = t(recvtype, "Gather");
        collective("Gather", c -> Collectives.gather(c, sendbuf, sendoffset, sendcount, st, recvbuf, recvoffset, recvcount, rt, root));
    }

    public void Gatherv(Object sendbuf, int sendoffset, int sendcount, Datatype sendtype, Object recvbuf, int recvoffset,
            int[] recvcount, int[] displs, Datatype recvtype, int root) throws MPIException {
        TypeMap st = t(sendtype, "Gatherv");
        TypeMap rt = t(recvtype, "Gatherv");
        collective("Gatherv", c -> Collectives.gatherv(c, sendbuf, sendoffset, sendcount, st, recvbuf, recvoffset, recvcount,
                displs, rt, root));
    }

    public void Scatter(Object sendbuf, int sendoffset, int sendcount, Datatype sendtype, Object recvbuf, int recvoffset,
            int recvcount, Datatype recvtype, int root) throws MPIException {
        TypeMap st = t(sendtype, "Scatter");
        TypeMap rt = t(recvtype, "Scatter");
        collective("Scatter", c -> Collectives.scatter(c, sendbuf, sendoffset, sendcount, st, recvbuf, recvoffset, recvcount, rt, root));
    }

    public void Scatterv(Object sendbuf, int sendoffset, int[] sendcount, int[] displs, Datatype sendtype, Object recvbuf,
            int recvoffset, int recvcount, Datatype recvtype, int root) throws MPIException {
        TypeMap st = t(sendtype, "Scatterv");
        TypeMap rt = t(recvtype, "Scatterv");
        collective("Scatterv", c -> Collectives.scatterv(c, sendbuf, sendoffset, sendcount, displs, st, recvbuf, recvoffset,
                recvcount, rt, root));
    }

    public void Allgather(Object sendbuf, int sendoffset, int sendcount, Datatype sendtype, Object recvbuf,
            int recvoffset, int recvcount, Datatype recvtype) throws MPIException {
        TypeMap st = t(sendtype, "Allgather");
        TypeMap rt = t(recvtype, "Allgather");
        collective("Allgather", c -> Collectives.allgather(c, sendbuf, sendoffset, sendcount, st, recvbuf, recvoffset, recvcount, rt));
    }

    public void Allgatherv(Object sendbuf, int sendoffset, int sendcount, Datatype sendtype, Object recvbuf,
            int recvoffset, int[] recvcount, int[] displs, Datatype recvtype) throws MPIException {
        TypeMap st = t(sendtype, "Allgatherv");
        TypeMap rt = t(recvtype, "Allgatherv");
        collective("Allgatherv", c -> Collectives.allgatherv(c, sendbuf, sendoffset, sendcount, st, recvbuf, recvoffset,
                recvcount, displs, rt));
    }

    public void Alltoall(Object sendbuf, int sendoffset, int sendcount, Datatype sendtype, Object recvbuf,
            int recvoffset, int recvcount, Datatype recvtype) throws MPIException {
        TypeMap st = t(sendtype, "Alltoall");
        TypeMap rt = t(recvtype, "Alltoall");
        collective("Alltoall", c -> Collectives.alltoall(c, sendbuf, sendoffset, sendcount, st, recvbuf, recvoffset, recvcount, rt));
    }

    public void Alltoallv(Object sendbuf, int sendoffset, int[] sendcount, int[] sdispls, Datatype sendtype,
            Object recvbuf, int recvoffset, int[] recvcount, int[] rdispls, Datatype recvtype) throws MPIException {
        TypeMap st = t(sendtype, "Alltoallv");
        TypeMap rt = t(recvtype, "Alltoallv");
        collective("Alltoallv", c -> Collectives.alltoallv(c, sendbuf, sendoffset, sendcount, sdispls, st, recvbuf,
                recvoffset, recvcount, rdispls, rt));
    }

    public void Reduce(Object sendbuf, int sendoffset, Object recvbuf, int recvoffset, int count, Datatype datatype,
            Op op, int root) throws MPIException {
        TypeMap tm = t(datatype, "Reduce");
        io.snapline.runtime.engine.ReduceOp rop = opOf(op, datatype, "Reduce");
        collective("Reduce", c -> Collectives.reduce(c, sendbuf, sendoffset, recvbuf, recvoffset, count, tm, rop, root));
    }

    public void Allreduce(Object sendbuf, int sendoffset, Object recvbuf, int recvoffset, int count, Datatype datatype,
            Op op) throws MPIException {
        TypeMap tm = t(datatype, "Allreduce");
        io.snapline.runtime.engine.ReduceOp rop = opOf(op, datatype, "Allreduce");
        collective("Allreduce", c -> Collectives.allreduce(c, sendbuf, sendoffset, recvbuf, recvoffset, count, tm, rop));
    }

    public void Reduce_scatter(Object sendbuf, int sendoffset, Object recvbuf, int recvoffset, int[] recvcounts,
            Datatype datatype, Op op) throws MPIException {
        TypeMap tm = t(datatype, "Reduce_scatter");
        io.snapline.runtime.engine.ReduceOp rop = opOf(op, datatype, "Reduce_scatter");
        collective("Reduce_scatter", c -> Collectives.reduceScatter(c, sendbuf, sendoffset, recvbuf, recvoffset, recvcounts, tm, rop));
    }

    public void Scan(Object sendbuf, int sendoffset, Object recvbuf, int recvoffset, int count, Datatype datatype, Op op)
            throws MPIException {
        TypeMap tm = t(datatype, "Scan");
        io.snapline.runtime.engine.ReduceOp rop = opOf(op, datatype, "Scan");
        collective("Scan", c -> Collectives.scan(c, sendbuf, sendoffset, recvbuf, recvoffset, count, tm, rop));
    }

    private static io.snapline.runtime.engine.ReduceOp opOf(Op op, Datatype d, String name) {
        if (op == null) {
            throw new MPIException(name + ": the Op is null");
        }
        return op.engineOp(d, name);
    }
}
