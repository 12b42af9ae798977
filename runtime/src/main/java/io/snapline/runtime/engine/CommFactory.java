package io.snapline.runtime.engine;

/** Creating communicators from existing ones: collective over the parent, each with a freshly agreed context id. */
public final class CommFactory {
    private CommFactory() {
    }

    /** A communicator with the same group and a new context. */
    public static Communicator dup(Communicator parent) {
        throw new UnsupportedOperationException("Dup");
    }

    /** Splits by color, ordering each part by (key, parent rank); null for {@link Ranks#UNDEFINED} colors. */
    public static Communicator split(Communicator parent, int color, int key) {
        throw new UnsupportedOperationException("Split");
    }

    /** A communicator over {@code group} (a subset of the parent's group); null on non-members. */
    public static Communicator create(Communicator parent, Group group) {
        throw new UnsupportedOperationException("Create");
    }

    /** An intercommunicator between this local communicator and the one led by {@code remoteLeader} in {@code peer}. */
    public static Communicator createIntercomm(Communicator local, int localLeader, Communicator peer, int remoteLeader,
            int tag) {
        throw new UnsupportedOperationException("Create_intercomm");
    }

    /** An intracommunicator over both groups of an intercommunicator; the {@code high} side's ranks come last. */
    public static Communicator merge(Communicator inter, boolean high) {
        throw new UnsupportedOperationException("Merge");
    }
}
