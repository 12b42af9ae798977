package mpi;

import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.CommFactory;
import io.snapline.runtime.engine.Communicator;
import io.snapline.runtime.engine.DataMover;
import io.snapline.runtime.engine.Endpoint;
import io.snapline.runtime.engine.EngineException;
import io.snapline.runtime.engine.PackCodec;
import io.snapline.runtime.engine.ProbeResult;
import io.snapline.runtime.engine.Ranks;
import io.snapline.runtime.engine.SendMode;
import io.snapline.runtime.engine.TypeMap;
import io.snapline.runtime.launch.RankAbortError;

/**
 * A communicator: point-to-point communication, its group, and the operations common to intra- and intercommunicators.
 * All ranks of a job share this class (see {@link MPISupport}); what belongs to one rank is in the instance.
 */
public class Comm {
    /** Keys of {@link #Attr_get}, the values of {@link MPI#TAG_UB}, {@link MPI#HOST} and {@link MPI#IO}. */
    static final int TAG_UB_KEY = 1;
    static final int HOST_KEY = 2;
    static final int IO_KEY = 3;

    /** This process's view of the communicator's group (kept public, as in MPJ Express). */
    public Group group;

    Communicator impl;
    /** The rank's endpoint, kept when the communicator is freed; null for MPI.COMM_WORLD before MPI.Init. */
    private Endpoint endpoint;
    /** Why the communicator cannot be used while {@link #impl} is null. */
    private String unusable = "the communicator has been freed";
    /** MPI.COMM_WORLD or MPI.COMM_SELF, which cannot be freed. */
    private boolean predefined;

    Comm(Communicator impl) {
        bind(impl);
    }

    final void bind(Communicator c) {
        this.impl = c;
        this.group = c == null ? null : new Group(c.localGroup());
        if (c != null) {
            this.endpoint = c.endpoint();
        }
    }

    /** A predefined communicator of a rank: MPI.COMM_WORLD or MPI.COMM_SELF (unusable until bound), or MPI.COMM_NULL. */
    final void predefined(String whyUnusable, Endpoint ep, boolean freeable) {
        this.unusable = whyUnusable;
        this.endpoint = ep;
        this.predefined = !freeable;
    }

    /** The engine communicator, or an {@link MPIException} saying why this one cannot be used. */
    final Communicator impl(String op) {
        Communicator c = impl;
        if (c == null || endpoint.isClosed()) {
            throw new MPIException(op + ": " + unusable());
        }
        return c;
    }

    private String unusable() {
        return endpoint != null && endpoint.isClosed() ? "MPI.Finalize has already been called" : unusable;
    }

    public int Size() throws MPIException {
        return impl("Size").size();
    }

    public int Rank() throws MPIException {
        return impl("Rank").rank();
    }

    public Group Group() throws MPIException {
        return new Group(impl("Group").localGroup());
    }

    /** {@link MPI#IDENT}, {@link MPI#CONGRUENT}, {@link MPI#SIMILAR} or {@link MPI#UNEQUAL}. */
    public static int Compare(Comm comm1, Comm comm2) throws MPIException {
        if (comm1 == null || comm2 == null) {
            throw new MPIException("Compare: a communicator is null");
        }
        Communicator a = comm1.impl("Compare");
        Communicator b = comm2.impl("Compare");
        if (a == b || a.context() == b.context() && a.localGroup().sameOrder(b.localGroup())) {
            return Group.IDENT;
        }
        if (a.isInter() != b.isInter()) {
            return Group.UNEQUAL;
        }
        boolean sameRemote = !a.isInter() || a.remoteGroup().sameOrder(b.remoteGroup());
        if (a.localGroup().sameOrder(b.localGroup()) && sameRemote) {
            return Group.CONGRUENT;
        }
        if (a.localGroup().sameMembers(b.localGroup()) && (!a.isInter() || a.remoteGroup().sameMembers(b.remoteGroup()))) {
            return Group.SIMILAR;
        }
        return Group.UNEQUAL;
    }

    /** Releases the communicator; using it afterwards raises {@link MPIException}. */
    public void Free() throws MPIException {
        impl("Free");
        if (predefined) {
            throw new MPIException("Free: MPI.COMM_WORLD and MPI.COMM_SELF cannot be freed");
        }
        impl = null;
    }

    public boolean Test_inter() throws MPIException {
        return impl("Test_inter").isInter();
    }

    /**
     * Creates an intercommunicator between {@code local_comm}, the intracommunicator of this rank's group, and
     * another group, as mpiJava 1.2 and MPJ Express define it: the method is called on the <em>peer</em>
     * communicator (usually {@code MPI.COMM_WORLD}), which holds both leaders, and {@code remote_leader} is the other
     * group's leader's rank in it; {@code local_leader} is the leader's rank in {@code local_comm}:
     * <pre>Intercomm inter = MPI.COMM_WORLD.Create_intercomm(local, 0, remoteLeader, tag);</pre>
     * Collective over {@code local_comm}. The peer communicator and {@code remote_leader} matter only at the local
     * leader (other ranks may call the method on {@link MPI#COMM_NULL}); the leaders exchange their groups over it
     * with {@code tag}. An error the leader finds is raised on every member of its group.
     */
    public Intercomm Create_intercomm(Comm local_comm, int local_leader, int remote_leader, int tag)
            throws MPIException {
        if (local_comm == null) {
            throw new MPIException("Create_intercomm: the local communicator (the first argument) is null; pass the"
                    + " intracommunicator of this rank's group and call the method on the peer communicator, as in"
                    + " MPI.COMM_WORLD.Create_intercomm(local, local_leader, remote_leader, tag)");
        }
        Communicator local = local_comm.impl("Create_intercomm");
        Communicator peer = impl; // null for MPI.COMM_NULL or when freed: only the local leader needs it, and says so
        try {
            return new Intercomm(CommFactory.createIntercomm(local, local_leader, peer, remote_leader, tag));
        } catch (EngineException e) {
            throw MPIException.of("Create_intercomm", e);
        }
    }

    /** Attribute values: {@link MPI#TAG_UB} (largest tag), {@link MPI#HOST} and {@link MPI#IO}. */
    public Object Attr_get(int keyval) throws MPIException {
        impl("Attr_get");
        if (keyval == TAG_UB_KEY) {
            return Ranks.TAG_UB;
        }
        if (keyval == HOST_KEY) {
            return Ranks.PROC_NULL;
        }
        if (keyval == IO_KEY) {
            return Ranks.ANY_SOURCE;
        }
        throw new MPIException("Attr_get: unknown attribute key " + keyval + " (known: MPI.TAG_UB, MPI.HOST, MPI.IO)");
    }

    public void Attr_delete(int keyval) throws MPIException {
        impl("Attr_delete");
        throw new MPIException("Attr_delete: attribute " + keyval + " is predefined and cannot be deleted");
    }

    /** {@link MPI#UNDEFINED} for a communicator without topology; see {@link Cartcomm} and {@link Graphcomm}. */
    public int Topo_test() throws MPIException {
        impl("Topo_test");
        return Ranks.UNDEFINED;
    }

    /** Ends the whole job with {@code errorcode} (the launcher's exit status; 0 is reported as 1). */
    public void Abort(int errorcode) throws MPIException {
        Endpoint ep = endpoint;
        if (ep == null) {
            throw new MPIException("Abort: " + unusable);
        }
        ep.job().abort(ep.rank(), errorcode, "rank " + ep.rank() + " called Abort(" + errorcode + ")");
        throw new RankAbortError("rank " + ep.rank() + " called Abort(" + errorcode + ")");
    }

    /** A duplicate: same group, new context (as {@code MPI_Comm_dup}). */
    @Override
    public Object clone() throws MPIException {
        return Dup();
    }

    /** A duplicate: same group, new context. */
    public Comm Dup() throws MPIException {
        Communicator c = impl("Dup");
        try {
            return wrapLike(CommFactory.dup(c));
        } catch (EngineException e) {
            throw MPIException.of("Dup", e);
        }
    }

    /** Wraps a duplicate in the same facade class as this communicator. */
    Comm wrapLike(Communicator c) {
        return new Comm(c);
    }

    // ---------------------------------------------------------------- point-to-point

    private io.snapline.runtime.engine.Request startSend(String op, SendMode mode, Object buf, int offset, int count,
            Datatype datatype, int dest, int tag) {
        Communicator c = impl(op);
        TypeMap t = Datatype.mapOf(datatype, op);
        if (buf instanceof mpjbuf.Buffer) {
            return startSend(op, mode, storageOf(op, buf), offset + ((mpjbuf.Buffer) buf).dataStart(), count, datatype, dest, tag);
        }
        try {
            return c.isend(mode, buf, offset, count, t, dest, tag);
        } catch (EngineException e) {
            throw MPIException.of(op, e);
        }
    }

    /**
     * {@code awaited}: only this class waits for the request ({@code Recv}, {@code Sendrecv}); the program never sees
     * it.
     */
    private io.snapline.runtime.engine.Request startRecv(String op, Object buf, int offset, int count, Datatype datatype,
            int source, int tag, boolean awaited) {
        Communicator c = impl(op);
        TypeMap t = Datatype.mapOf(datatype, op);
        if (buf instanceof mpjbuf.Buffer) {
            return startRecv(op, storageOf(op, buf), offset + ((mpjbuf.Buffer) buf).dataStart(), count, datatype, source,
                    tag, awaited);
        }
        try {
            return awaited ? c.irecvAwaited(buf, offset, count, t, source, tag)
                    : c.irecv(buf, offset, count, t, source, tag);
        } catch (EngineException e) {
            throw MPIException.of(op, e);
        }
    }

    private Status complete(String op, io.snapline.runtime.engine.Request r) {
        await(op, r);
        return Request.statusOf(r);
    }

    /** Waits for a send; unlike {@link #complete} it builds no status nobody reads. */
    private void await(String op, io.snapline.runtime.engine.Request r) {
        try {
            impl.endpoint().await(r);
        } catch (EngineException e) {
            throw MPIException.of(op, e);
        }
    }

    private Prequest persistent(String op, java.util.function.Supplier<io.snapline.runtime.engine.Request> starter) {
        return new Prequest(impl(op).endpoint(), op, starter);
    }

    public void Send(Object buf, int offset, int count, Datatype datatype, int dest, int tag) throws MPIException {
        await("Send", startSend("Send", SendMode.STANDARD, buf, offset, count, datatype, dest, tag));
    }

    /** Synchronous send: returns only once the matching receive has started. */
    public void Ssend(Object buf, int offset, int count, Datatype datatype, int dest, int tag) throws MPIException {
        await("Ssend", startSend("Ssend", SendMode.SYNCHRONOUS, buf, offset, count, datatype, dest, tag));
    }

    /** Buffered send: copies into the buffer given to {@link MPI#Buffer_attach} and returns at once. */
    public void Bsend(Object buf, int offset, int count, Datatype datatype, int dest, int tag) throws MPIException {
        await("Bsend", startSend("Bsend", SendMode.BUFFERED, buf, offset, count, datatype, dest, tag));
    }

    public void Rsend(Object buf, int offset, int count, Datatype datatype, int dest, int tag) throws MPIException {
        await("Rsend", startSend("Rsend", SendMode.READY, buf, offset, count, datatype, dest, tag));
    }

    public Request Isend(Object buf, int offset, int count, Datatype datatype, int dest, int tag) throws MPIException {
        return new Request(impl.endpoint(), startSend("Isend", SendMode.STANDARD, buf, offset, count, datatype, dest, tag));
    }

    public Request Ibsend(Object buf, int offset, int count, Datatype datatype, int dest, int tag) throws MPIException {
        return new Request(impl.endpoint(), startSend("Ibsend", SendMode.BUFFERED, buf, offset, count, datatype, dest, tag));
    }

    public Request Issend(Object buf, int offset, int count, Datatype datatype, int dest, int tag) throws MPIException {
        return new Request(impl.endpoint(), startSend("Issend", SendMode.SYNCHRONOUS, buf, offset, count, datatype, dest, tag));
    }

    public Request Irsend(Object buf, int offset, int count, Datatype datatype, int dest, int tag) throws MPIException {
        return new Request(impl.endpoint(), startSend("Irsend", SendMode.READY, buf, offset, count, datatype, dest, tag));
    }

    public Status Recv(Object buf, int offset, int count, Datatype datatype, int source, int tag) throws MPIException {
        return complete("Recv", startRecv("Recv", buf, offset, count, datatype, source, tag, true));
    }

    public Request Irecv(Object buf, int offset, int count, Datatype datatype, int source, int tag) throws MPIException {
        return new Request(impl.endpoint(), startRecv("Irecv", buf, offset, count, datatype, source, tag, false));
    }

    public Prequest Send_init(Object buf, int offset, int count, Datatype datatype, int dest, int tag) throws MPIException {
        checkArgs("Send_init", buf, offset, count, datatype, false);
        return persistent("Send_init", () -> startSend("Send", SendMode.STANDARD, buf, offset, count, datatype, dest, tag));
    }

    public Prequest Bsend_init(Object buf, int offset, int count, Datatype datatype, int dest, int tag) throws MPIException {
        checkArgs("Bsend_init", buf, offset, count, datatype, false);
        return persistent("Bsend_init", () -> startSend("Bsend", SendMode.BUFFERED, buf, offset, count, datatype, dest, tag));
    }

    public Prequest Ssend_init(Object buf, int offset, int count, Datatype datatype, int dest, int tag) throws MPIException {
        checkArgs("Ssend_init", buf, offset, count, datatype, false);
        return persistent("Ssend_init", () -> startSend("Ssend", SendMode.SYNCHRONOUS, buf, offset, count, datatype, dest, tag));
    }

    public Prequest Rsend_init(Object buf, int offset, int count, Datatype datatype, int dest, int tag) throws MPIException {
        checkArgs("Rsend_init", buf, offset, count, datatype, false);
        return persistent("Rsend_init", () -> startSend("Rsend", SendMode.READY, buf, offset, count, datatype, dest, tag));
    }

    public Prequest Recv_init(Object buf, int offset, int count, Datatype datatype, int source, int tag) throws MPIException {
        checkArgs("Recv_init", buf, offset, count, datatype, true);
        return persistent("Recv_init", () -> startRecv("Recv", buf, offset, count, datatype, source, tag, false));
    }

    /** Checks the arguments of {@code op}; a {@code written} buffer receives data. */
    private void checkArgs(String op, Object buf, int offset, int count, Datatype datatype, boolean written) {
        impl(op);
        if (buf instanceof mpjbuf.Buffer) {
            checkArgs(op, storageOf(op, buf), offset + ((mpjbuf.Buffer) buf).dataStart(), count, datatype, written);
            return;
        }
        try {
            Communicator.checkData(buf, offset, count, Datatype.mapOf(datatype, op), written);
        } catch (EngineException e) {
            throw MPIException.of(op, e);
        }
    }

    /** Sends and receives at once, so two ranks can exchange without deadlock. */
    public Status Sendrecv(Object sendbuf, int sendoffset, int sendcount, Datatype sendtype, int dest, int sendtag,
            Object recvbuf, int recvoffset, int recvcount, Datatype recvtype, int source, int recvtag) throws MPIException {
        io.snapline.runtime.engine.Request r = startRecv("Sendrecv", recvbuf, recvoffset, recvcount, recvtype, source, recvtag,
                true);
        io.snapline.runtime.engine.Request s = startSend("Sendrecv", SendMode.STANDARD, sendbuf, sendoffset, sendcount,
                sendtype, dest, sendtag);
        await("Sendrecv", s);
        return complete("Sendrecv", r);
    }

    /** As {@link #Sendrecv} with one buffer: the received data replaces the sent data. */
    public Status Sendrecv_replace(Object buf, int offset, int count, Datatype datatype, int dest, int sendtag,
            int source, int recvtag) throws MPIException {
        checkArgs("Sendrecv_replace", buf, offset, count, datatype, true);
        TypeMap t = datatype.map();
        int n = count * t.size();
        if (n == 0) {
            return Sendrecv(buf, offset, 0, datatype, dest, sendtag, buf, offset, 0, datatype, source, recvtag);
        }
        BaseType base = t.base();
        Object temp = base.newArray(n);
        TypeMap dense = TypeMap.basic(base);
        Datatype denseType = Datatype.predefined(dense, datatype.baseType);
        Status s = Sendrecv(buf, offset, count, datatype, dest, sendtag, temp, 0, n, denseType, source, recvtag);
        if (source != Ranks.PROC_NULL) {
            DataMover.copy(temp, 0, dense, buf, offset, t, s.numEls);
        }
        return s;
    }

    /** Waits for a matching message without receiving it. */
    public Status Probe(int source, int tag) throws MPIException {
        Communicator c = impl("Probe");
        try {
            return statusOf(c.probe(source, tag));
        } catch (EngineException e) {
            throw MPIException.of("Probe", e);
        }
    }

    /** The status of a matching message if one has arrived, else null. */
    public Status Iprobe(int source, int tag) throws MPIException {
        Communicator c = impl("Iprobe");
        try {
            ProbeResult p = c.iprobe(source, tag);
            return p == null ? null : statusOf(p);
        } catch (EngineException e) {
            throw MPIException.of("Iprobe", e);
        }
    }

    private static Status statusOf(ProbeResult p) {
        return new Status(p.source(), p.tag(), p.elements(), false);
    }

    // ---------------------------------------------------------------- pack / unpack

    /** Bytes that {@link #Pack} needs for {@code incount} items of {@code datatype} (not available for MPI.OBJECT). */
    public int Pack_size(int incount, Datatype datatype) throws MPIException {
        impl("Pack_size");
        TypeMap t = Datatype.mapOf(datatype, "Pack_size");
        if (incount < 0) {
            throw new MPIException("Pack_size: count must not be negative, was " + incount);
        }
        long size = PackCodec.packedSize(incount, t);
        if (size < 0) {
            throw new MPIException("Pack_size: the packed size of MPI.OBJECT data depends on the objects and cannot be"
                    + " computed in advance; pack into a generously sized buffer (Pack fails cleanly when it is too small)");
        }
        if (size > Integer.MAX_VALUE) {
            throw new MPIException("Pack_size: " + incount + " items of this datatype need " + size
                    + " bytes, more than a Java array can hold");
        }
        return (int) size;
    }

    /**
     * Packs {@code incount} items of {@code datatype} from {@code inbuf} into {@code outbuf} at byte {@code position}
     * and returns the position after them (mpiJava 1.2). The bytes can be sent with {@link MPI#PACKED} and read back
     * with {@link #Unpack(byte[], int, Object, int, int, Datatype)}.
     */
    public int Pack(Object inbuf, int offset, int incount, Datatype datatype, byte[] outbuf, int position)
            throws MPIException {
        if (outbuf == null) {
            throw new MPIException("Pack: the output buffer is null");
        }
        return pack(inbuf, offset, incount, datatype, outbuf, 0, outbuf.length, position);
    }

    /** Unpacks {@code outcount} items of {@code datatype} from {@code inbuf} at byte {@code position}; returns the new position. */
    public int Unpack(byte[] inbuf, int position, Object outbuf, int offset, int outcount, Datatype datatype)
            throws MPIException {
        if (inbuf == null) {
            throw new MPIException("Unpack: the input buffer is null");
        }
        return unpack(inbuf, 0, inbuf.length, position, outbuf, offset, outcount, datatype);
    }

    /** As {@link #Pack(Object, int, int, Datatype, byte[], int)}, into an MPJ Express {@code mpjbuf.Buffer}. */
    public int Pack(Object inbuf, int offset, int incount, Datatype datatype, mpjbuf.Buffer outbuf, int position)
            throws MPIException {
        if (outbuf == null) {
            throw new MPIException("Pack: the output buffer is null");
        }
        byte[] storage = storageOf("Pack", outbuf);
        int end = pack(inbuf, offset, incount, datatype, storage, outbuf.dataStart(), outbuf.getCapacity(), position);
        outbuf.packedTo(end);
        return end;
    }

    /** As {@link #Unpack(byte[], int, Object, int, int, Datatype)}, from an MPJ Express {@code mpjbuf.Buffer}. */
    public int Unpack(mpjbuf.Buffer inbuf, int position, Object outbuf, int offset, int outcount, Datatype datatype)
            throws MPIException {
        if (inbuf == null) {
            throw new MPIException("Unpack: the input buffer is null");
        }
        byte[] storage = storageOf("Unpack", inbuf);
        return unpack(storage, inbuf.dataStart(), inbuf.getCapacity(), position, outbuf, offset, outcount, datatype);
    }

    /** Packs into {@code bytes[base .. base + length)}; positions are relative to {@code base}. */
    private int pack(Object inbuf, int offset, int incount, Datatype datatype, byte[] bytes, int base, int length,
            int position) {
        Communicator c = impl("Pack");
        TypeMap t = Datatype.mapOf(datatype, "Pack");
        try {
            Communicator.checkData(inbuf, offset, incount, t);
            checkPosition(position, length);
            return PackCodec.pack(c.endpoint(), inbuf, offset, incount, t, bytes, base + position, base + length) - base;
        } catch (EngineException e) {
            throw MPIException.of("Pack", e);
        }
    }

    private int unpack(byte[] bytes, int base, int length, int position, Object outbuf, int offset, int outcount,
            Datatype datatype) {
        Communicator c = impl("Unpack");
        TypeMap t = Datatype.mapOf(datatype, "Unpack");
        try {
            Communicator.checkData(outbuf, offset, outcount, t, true);
            checkPosition(position, length);
            return PackCodec.unpack(c.endpoint(), bytes, base + position, base + length, outbuf, offset, outcount, t) - base;
        } catch (EngineException e) {
            throw MPIException.of("Unpack", e);
        }
    }

    private static void checkPosition(int position, int length) {
        if (position < 0 || position > length) {
            throw new EngineException("position " + position + " is outside the " + length + "-byte buffer (valid: 0.."
                    + length + ")");
        }
    }

    private static byte[] storageOf(String op, Object buf) {
        try {
            return ((mpjbuf.Buffer) buf).storage();
        } catch (IllegalStateException e) {
            throw new MPIException(op + ": " + e.getMessage(), e);
        }
    }
}
