package io.snapline.runtime.engine;

import io.snapline.runtime.engine.collective.Collectives;
import java.util.Arrays;

/**
 * Creating communicators from existing ones. Every operation here is collective over the parent: all its members
 * call it, in the same order as their other collective calls on the parent, and all of them take part in agreeing
 * the new context id ({@link Collectives#agreeContext}) even when they end up outside the new communicator. Errors
 * that depend only on arguments every member passes alike are raised before any message is sent, so no member is
 * left waiting; errors that depend on other members' arguments are found by every member at once.
 */
public final class CommFactory {
    private CommFactory() {
    }

    /** A communicator with the same group(s) and a new context. */
    public static Communicator dup(Communicator parent) {
        if (parent.isInter()) {
            return Intercomms.dup(parent);
        }
        int context = Collectives.agreeContext(parent);
        return new Communicator(parent.endpoint(), context, parent.localGroup(), parent.remoteGroup(), false);
    }

    /**
     * Splits by color, ordering each part by (key, parent rank); null for {@link Ranks#UNDEFINED} colors. All parts
     * share one context id, which is safe because they have no member in common.
     */
    public static Communicator split(Communicator parent, int color, int key) {
        requireIntra(parent, "Split");
        int n = parent.size();
        int[] all = new int[2 * n];
        TypeMap ints = TypeMap.basic(BaseType.INT);
        Collectives.allgather(parent, new int[] {color, key}, 0, 2, ints, all, 0, 2, ints);
        for (int r = 0; r < n; r++) {
            int c = all[2 * r];
            if (c < 0 && c != Ranks.UNDEFINED) {
                throw new EngineException("rank " + r + " passed color " + c
                        + "; colors must be non-negative, or MPI.UNDEFINED to stay out of every part");
            }
        }
        int context = Collectives.agreeContext(parent);
        if (color == Ranks.UNDEFINED) {
            return null;
        }
        return Communicator.intra(parent.endpoint(), context, partOf(parent, all, color));
    }

    /** The members with {@code color}, sorted by (key, parent rank), as world ranks. */
    private static Group partOf(Communicator comm, int[] colorKey, int color) {
        Group parent = comm.localGroup();
        int n = parent.size();
        long[] sortable = new long[n];
        int m = 0;
        for (int r = 0; r < n; r++) {
            if (colorKey[2 * r] == color) {
                // signed key in the high half, parent rank (non-negative) in the low half
                sortable[m++] = (long) colorKey[2 * r + 1] << 32 | r;
            }
        }
        Arrays.sort(sortable, 0, m);
        int[] world = new int[m];
        for (int i = 0; i < m; i++) {
            world[i] = parent.worldRank((int) sortable[i]);
        }
        return Group.of(world, comm.endpoint().rank());
    }

    /** A communicator over {@code group} (a subset of the parent's group); null on non-members. */
    public static Communicator create(Communicator parent, Group group) {
        requireIntra(parent, "Create");
        Group pg = parent.localGroup();
        for (int i = 0; i < group.size(); i++) {
            if (!pg.contains(group.worldRank(i))) {
                throw new EngineException("the group is not a subset of the communicator's group: its rank " + i
                        + " (world rank " + group.worldRank(i) + ") is not a member; build the group from this"
                        + " communicator's Group()");
            }
        }
        int context = Collectives.agreeContext(parent);
        int self = parent.endpoint().rank();
        if (!group.contains(self)) {
            return null;
        }
        return Communicator.intra(parent.endpoint(), context, Group.of(group.worldRanks(), self));
    }

    /** An intercommunicator between this local communicator and the one led by {@code remoteLeader} in {@code peer}. */
    public static Communicator createIntercomm(Communicator local, int localLeader, Communicator peer, int remoteLeader,
            int tag) {
        return Intercomms.create(local, localLeader, peer, remoteLeader, tag);
    }

    /** An intracommunicator over both groups of an intercommunicator; the {@code high} side's ranks come last. */
    public static Communicator merge(Communicator inter, boolean high) {
        return Intercomms.merge(inter, high);
    }

    static void requireIntra(Communicator c, String op) {
        if (c.isInter()) {
            throw new EngineException(op + " needs an intracommunicator, but this is an intercommunicator");
        }
    }
}
