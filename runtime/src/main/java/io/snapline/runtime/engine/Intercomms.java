package io.snapline.runtime.engine;

import io.snapline.runtime.engine.collective.Collectives;
import java.util.Arrays;

/**
 * Creating, duplicating and merging intercommunicators. The two groups agree on one context id: each group agrees
 * on its own candidate ({@link Collectives#agreeContext}), the two leaders exchange candidates and take the larger,
 * and each leader broadcasts the result (or an error) to its group, whose members all reserve it. An error found by
 * a leader is broadcast too, so every member of the group raises it instead of waiting.
 *
 * <p>The groups of an existing intercommunicator talk among themselves through a <em>local view</em>: an
 * intracommunicator over the local group on the same context pair. Its collective traffic cannot be confused with the
 * intercommunicator's, because the two groups are disjoint and matching is by source. The leader of each group in
 * {@link #dup} and {@link #merge} is its rank 0.
 */
final class Intercomms {
    /** Tags on collective contexts, apart from those of the collective algorithms. */
    private static final int TAG_LEADERS = 101;
    private static final TypeMap INTS = TypeMap.basic(BaseType.INT);
    private static final TypeMap CHARS = TypeMap.basic(BaseType.CHAR);

    private Intercomms() {
    }

    static Communicator create(Communicator local, int localLeader, Communicator peer, int remoteLeader, int tag) {
        CommFactory.requireIntra(local, "Create_intercomm");
        int n = local.size();
        if (localLeader < 0 || localLeader >= n) {
            throw new EngineException("local_leader " + localLeader + " is out of range for the local communicator of size "
                    + n + " (valid: 0.." + (n - 1) + ")");
        }
        if (tag < 0) {
            throw new EngineException("tag " + tag + " is invalid: tags must be between 0 and MPI.TAG_UB");
        }
        int agreed = Collectives.agreeContext(local);
        int[] payload = null;
        String error = null;
        if (local.rank() == localLeader) {
            try {
                payload = leaderExchange(local.localGroup(), agreed, peer, remoteLeader, tag);
            } catch (EngineException e) {
                error = e.getMessage();
            }
        }
        int[] shared = share(local, localLeader, payload, error);
        return inter(local.endpoint(), shared[0], local.localGroup(), Arrays.copyOfRange(shared, 1, shared.length));
    }

    /** At the local leader: swaps (candidate context, members) with the remote leader over {@code peer}. */
    private static int[] leaderExchange(Group mine, int agreed, Communicator peer, int remoteLeader, int tag) {
        if (peer == null) {
            throw new EngineException("the local leader's peer communicator is MPI.COMM_NULL or has been freed; call"
                    + " Create_intercomm on one that holds both leaders (usually MPI.COMM_WORLD)");
        }
        int size = peer.remoteSize();
        if (remoteLeader < 0 || remoteLeader >= size) {
            throw new EngineException("remote_leader " + remoteLeader + " is out of range for the peer communicator of size "
                    + size + " (valid: 0.." + (size - 1) + ")");
        }
        int remoteWorld = peer.remoteGroup().worldRank(remoteLeader);
        if (mine.contains(remoteWorld)) {
            throw new EngineException("remote_leader " + remoteLeader + " of the peer communicator is a member of the local"
                    + " group; it must be the leader of the other, disjoint group");
        }
        int[] out = new int[mine.size() + 1];
        out[0] = agreed;
        System.arraycopy(mine.worldRanks(), 0, out, 1, mine.size());
        Request s = peer.isend(SendMode.STANDARD, out, 0, out.length, INTS, remoteLeader, tag);
        int count = peer.probe(remoteLeader, tag).elements();
        int[] in = new int[count];
        peer.endpoint().await(peer.irecv(in, 0, count, INTS, remoteLeader, tag));
        peer.endpoint().await(s);
        for (int i = 1; i < count; i++) {
            if (mine.contains(in[i])) {
                throw new EngineException("the two groups share world rank " + in[i] + "; the groups of an"
                        + " intercommunicator must be disjoint");
            }
        }
        in[0] = Math.max(agreed, in[0]);
        return in;
    }

    static Communicator dup(Communicator inter) {
        Communicator view = localView(inter);
        int[] mine = {Collectives.agreeContext(view)};
        int[] payload = null;
        if (view.rank() == 0) {
            int[] theirs = new int[1];
            inter.sendrecvColl(mine, 0, 1, INTS, 0, theirs, 0, 1, INTS, 0, TAG_LEADERS);
            payload = new int[] {Math.max(mine[0], theirs[0])};
        }
        int context = share(view, 0, payload, null)[0];
        return inter(inter.endpoint(), context, inter.localGroup(), inter.remoteGroup().worldRanks());
    }

    static Communicator merge(Communicator inter, boolean high) {
        if (!inter.isInter()) {
            throw new EngineException("Merge needs an intercommunicator, but this is an intracommunicator");
        }
        Communicator view = localView(inter);
        int n = view.size();
        int[] highs = new int[n];
        Collectives.allgather(view, new int[] {high ? 1 : 0}, 0, 1, INTS, highs, 0, 1, INTS);
        boolean consistent = Arrays.stream(highs).allMatch(h -> h == highs[0]);
        int agreed = Collectives.agreeContext(view);
        int[] payload = null;
        String error = null;
        if (view.rank() == 0) {
            int[] mine = {agreed, highs[0], consistent ? 1 : 0};
            int[] theirs = new int[3];
            inter.sendrecvColl(mine, 0, 3, INTS, 0, theirs, 0, 3, INTS, 0, TAG_LEADERS);
            payload = new int[] {Math.max(agreed, theirs[0]), theirs[1]};
            if (!consistent || theirs[2] == 0) {
                error = "the members of " + (consistent ? "the remote" : "the local") + " group passed different values"
                        + " of high; every member of a group must pass the same value";
            }
        }
        int[] shared = share(view, 0, payload, error);
        boolean remoteHigh = shared[1] != 0;
        Group local = inter.localGroup();
        Group remote = inter.remoteGroup();
        boolean localFirst = high != remoteHigh ? !high : local.worldRank(0) < remote.worldRank(0);
        int[] first = (localFirst ? local : remote).worldRanks();
        int[] second = (localFirst ? remote : local).worldRanks();
        int[] all = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        Endpoint ep = inter.endpoint();
        ep.reserveContextsBelow(shared[0] + 2);
        return Communicator.intra(ep, shared[0], Group.of(all, ep.rank()));
    }

    private static Communicator localView(Communicator inter) {
        return Communicator.intra(inter.endpoint(), inter.context(), inter.localGroup());
    }

    private static Communicator inter(Endpoint ep, int context, Group local, int[] remoteWorld) {
        ep.reserveContextsBelow(context + 2);
        return new Communicator(ep, context, local, Group.of(remoteWorld, ep.rank()), true);
    }

    /**
     * Broadcasts the leader's result to its group: {@code payload}, or {@code error} when not null, in which case every
     * member (the leader included) raises it.
     */
    private static int[] share(Communicator group, int leader, int[] payload, String error) {
        boolean lead = group.rank() == leader;
        int[] head = new int[2];
        if (lead) {
            head[0] = error != null ? 1 : 0;
            head[1] = error != null ? error.length() : payload.length;
        }
        Collectives.bcast(group, head, 0, 2, INTS, leader);
        if (head[0] != 0) {
            char[] text = lead ? error.toCharArray() : new char[head[1]];
            Collectives.bcast(group, text, 0, text.length, CHARS, leader);
            throw new EngineException(lead ? error : new String(text) + " (reported by the local leader, rank " + leader + ")");
        }
        int[] body = lead ? payload : new int[head[1]];
        Collectives.bcast(group, body, 0, body.length, INTS, leader);
        return body;
    }
}
