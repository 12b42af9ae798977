package io.snapline.runtime.engine;

/**
 * A communicator as the engine sees it: a context id pair (one for point-to-point, one for collectives), the
 * local group and, for an intercommunicator, the remote group. Ranks given to its methods are ranks of the
 * remote group (the local group for an intracommunicator); every argument is checked here, so every front end
 * gets the same errors.
 */
public final class Communicator {
    private final Endpoint ep;
    private final int context;
    private final Group local;
    private final Group remote;
    private final boolean inter;

    public Communicator(Endpoint ep, int context, Group local, Group remote, boolean inter) {
        if ((context & 1) != 0) {
            throw new IllegalArgumentException("context ids come in pairs and start even: " + context);
        }
        this.ep = ep;
        this.context = context;
        this.local = local;
        this.remote = remote;
        this.inter = inter;
    }

    /** All ranks of the job. */
    public static Communicator world(Endpoint ep) {
        Group g = Group.world(ep.size(), ep.rank());
        return new Communicator(ep, 0, g, g, false);
    }

    /** Just this rank. */
    public static Communicator self(Endpoint ep) {
        Group g = Group.of(new int[] {ep.rank()}, ep.rank());
        return new Communicator(ep, 2, g, g, false);
    }

    /** A new intracommunicator over {@code group} with an agreed context id. */
    public static Communicator intra(Endpoint ep, int context, Group group) {
        return new Communicator(ep, context, group, group, false);
    }

    public Endpoint endpoint() {
        return ep;
    }

    /** The point-to-point context id; the collective context is this plus one. */
    public int context() {
        return context;
    }

    public Group localGroup() {
        return local;
    }

    public Group remoteGroup() {
        return remote;
    }

    public boolean isInter() {
        return inter;
    }

    public int rank() {
        return local.rank();
    }

    public int size() {
        return local.size();
    }

    public int remoteSize() {
        return remote.size();
    }

    // ---------------------------------------------------------------- point-to-point, user context

    public Request isend(SendMode mode, Object buf, int offset, int count, TypeMap type, int dest, int tag) {
        checkTag(tag, false);
        checkData(buf, offset, count, type);
        if (dest == Ranks.PROC_NULL) {
            return Request.procNull(ep);
        }
        checkRank(dest, "destination");
        return ep.isend(mode, buf, offset, count, type, remote.worldRank(dest), tag, context, dest);
    }

    public Request irecv(Object buf, int offset, int count, TypeMap type, int source, int tag) {
        return irecv(buf, offset, count, type, source, tag, true);
    }

    /**
     * Starts a receive whose request only the caller waits for, never a test ({@code Recv}, {@code Sendrecv}): a
     * determinant recorder need not watch it when it names its source and tag (see {@link ChoiceHook#receive}).
     */
    public Request irecvAwaited(Object buf, int offset, int count, TypeMap type, int source, int tag) {
        return irecv(buf, offset, count, type, source, tag, false);
    }

    private Request irecv(Object buf, int offset, int count, TypeMap type, int source, int tag, boolean visible) {
        checkTag(tag, true);
        checkData(buf, offset, count, type, true);
        if (source == Ranks.PROC_NULL) {
            return Request.procNull(ep);
        }
        int world = source == Ranks.ANY_SOURCE ? Ranks.ANY_SOURCE : remote.worldRank(checkRank(source, "source"));
        return ep.irecv(buf, offset, count, type, world, tag, context, remote, visible);
    }

    /** Non-blocking probe; null when nothing matches yet. */
    public ProbeResult iprobe(int source, int tag) {
        checkTag(tag, true);
        if (source == Ranks.PROC_NULL) {
            return new ProbeResult(Ranks.PROC_NULL, Ranks.ANY_TAG, 0, BaseType.BYTE);
        }
        int world = source == Ranks.ANY_SOURCE ? Ranks.ANY_SOURCE : remote.worldRank(checkRank(source, "source"));
        Message m = ep.iprobe(world, tag, context);
        return m == null ? null : result(m);
    }

    public ProbeResult probe(int source, int tag) {
        checkTag(tag, true);
        if (source == Ranks.PROC_NULL) {
            return new ProbeResult(Ranks.PROC_NULL, Ranks.ANY_TAG, 0, BaseType.BYTE);
        }
        int world = source == Ranks.ANY_SOURCE ? Ranks.ANY_SOURCE : remote.worldRank(checkRank(source, "source"));
        return result(ep.probe(world, tag, context));
    }

    private ProbeResult result(Message m) {
        return new ProbeResult(remote.rankOfWorld(m.source()), m.tag(), m.elements(), m.base());
    }

    // ---------------------------------------------------------------- collective context (for algorithms)

    /** Starts a send on the collective context; {@code dest} is a rank of this (intra)communicator. */
    public Request isendColl(Object buf, int offset, int count, TypeMap type, int dest, int tag) {
        return ep.isend(SendMode.STANDARD, buf, offset, count, type, remote.worldRank(dest), tag, context + 1, dest);
    }

    public Request irecvColl(Object buf, int offset, int count, TypeMap type, int source, int tag) {
        // The algorithms only wait for their requests (the program never sees them).
        return ep.irecv(buf, offset, count, type, remote.worldRank(source), tag, context + 1, remote, false);
    }

    public void sendColl(Object buf, int offset, int count, TypeMap type, int dest, int tag) {
        ep.await(isendColl(buf, offset, count, type, dest, tag));
    }

    public void recvColl(Object buf, int offset, int count, TypeMap type, int source, int tag) {
        ep.await(irecvColl(buf, offset, count, type, source, tag));
    }

    /** Sends to {@code dest} and receives from {@code source} at once (no deadlock whatever the order). */
    public void sendrecvColl(Object sbuf, int soff, int scount, TypeMap stype, int dest, Object rbuf, int roff,
            int rcount, TypeMap rtype, int source, int tag) {
        Request r = irecvColl(rbuf, roff, rcount, rtype, source, tag);
        Request s = isendColl(sbuf, soff, scount, stype, dest, tag);
        ep.await(r);
        ep.await(s);
    }

    // ---------------------------------------------------------------- checks

    private int checkRank(int r, String role) {
        int n = remote.size();
        if (r < 0 || r >= n) {
            throw new EngineException(role + " rank " + r + " is out of range for a" + (inter ? " remote group" : " communicator")
                    + " of size " + n + " (valid: 0.." + (n - 1) + ", or MPI.PROC_NULL"
                    + (role.equals("source") ? ", MPI.ANY_SOURCE)" : ")"));
        }
        return r;
    }

    private static void checkTag(int tag, boolean receive) {
        if (tag < 0 && !(receive && tag == Ranks.ANY_TAG)) {
            throw new EngineException("tag " + tag + " is invalid: tags must be between 0 and MPI.TAG_UB"
                    + (receive ? " (or MPI.ANY_TAG)" : ""));
        }
    }

    /** Checks a (buffer, offset, count, datatype) argument group whose buffer is only read. */
    public static void checkData(Object buf, int offset, int count, TypeMap type) {
        checkData(buf, offset, count, type, false);
    }

    /** Checks a (buffer, offset, count, datatype) argument group; a {@code written} buffer receives data. */
    public static void checkData(Object buf, int offset, int count, TypeMap type, boolean written) {
        if (type == null) {
            throw new EngineException("datatype is null");
        }
        String problem = type.checkBuffer(buf, offset, count, written);
        if (problem != null) {
            throw new EngineException(problem);
        }
    }
}
