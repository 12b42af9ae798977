package io.snapline.recovery;

import io.snapline.recovery.model.History;
import io.snapline.recovery.model.Message;

import java.util.Arrays;

/**
 * The rollback-dependency graph (R-graph, after Wang) of a history, kept as flat arrays.
 *
 * <p>Its nodes are the checkpoint intervals: node {@code (r, i)} stands for "interval {@code i} of rank {@code r} is
 * undone", i.e. rank {@code r} is rolled back to checkpoint {@code i} or earlier. Edges: {@code (r, i) -> (r, i+1)}
 * (undoing an interval undoes everything after it) and, for each received message sent in interval {@code a} of
 * {@code s} and received in interval {@code b} of {@code r}, {@code (s, a) -> (r, b)} (undoing the send makes the
 * receive an orphan, so it must be undone too). Rolling back to a set of checkpoints forces exactly the nodes
 * reachable from them; a checkpoint {@code (r, x)} is useless (on a Z-cycle, Netzer and Xu) exactly when node
 * {@code (r, x)} reaches {@code (r, x-1)}, i.e. when the two share a strongly connected component.
 *
 * <p>No per-edge objects: messages sit in compressed-sparse-row arrays bucketed by send interval and by receive
 * interval, built with a counting sort. Building is O(ranks + checkpoints + messages) time and about 24 bytes per
 * message; {@link #propagate} and {@link #uselessIntervals} are linear in the same. Immutable, so safe to share
 * between threads after construction.
 */
public final class RollbackGraph {
    private final int[] base;          // node id of (r, 0); base[n] = node count
    private final int[] sender;        // per message
    private final int[] senderInterval;
    private final int[] receiver;
    private final int[] receiverInterval; // Message.NOT_RECEIVED when not received
    private final int[] sendStart;     // CSR: messages sent in node g are sendMsg[sendStart[g] .. sendStart[g+1])
    private final int[] sendMsg;
    private final int[] recvStart;     // CSR: messages received in node g
    private final int[] recvMsg;

    public RollbackGraph(History history) {
        int n = history.rankCount();
        base = new int[n + 1];
        for (int r = 0; r < n; r++) {
            base[r + 1] = base[r] + history.checkpointCount(r);
        }
        int m = history.messages().size();
        sender = new int[m];
        senderInterval = new int[m];
        receiver = new int[m];
        receiverInterval = new int[m];
        int nodes = base[n];
        sendStart = new int[nodes + 1];
        recvStart = new int[nodes + 1];
        int received = 0;
        for (int i = 0; i < m; i++) {
            Message msg = history.messages().get(i);
            sender[i] = msg.sender();
            senderInterval[i] = msg.senderInterval();
            receiver[i] = msg.receiver();
            receiverInterval[i] = msg.receiverInterval();
            sendStart[base[msg.sender()] + msg.senderInterval() + 1]++;
            if (msg.received()) {
                recvStart[base[msg.receiver()] + msg.receiverInterval() + 1]++;
                received++;
            }
        }
        for (int g = 0; g < nodes; g++) {
            sendStart[g + 1] += sendStart[g];
            recvStart[g + 1] += recvStart[g];
        }
        sendMsg = new int[m];
        recvMsg = new int[received];
        int[] sendFill = Arrays.copyOf(sendStart, nodes);
        int[] recvFill = Arrays.copyOf(recvStart, nodes);
        for (int i = 0; i < m; i++) {
            sendMsg[sendFill[base[sender[i]] + senderInterval[i]]++] = i;
            if (receiverInterval[i] != Message.NOT_RECEIVED) {
                recvMsg[recvFill[base[receiver[i]] + receiverInterval[i]]++] = i;
            }
        }
    }

    public int rankCount() {
        return base.length - 1;
    }

    /** The number of intervals (= checkpoints) of {@code rank}. */
    public int intervals(int rank) {
        return base[rank + 1] - base[rank];
    }

    /**
     * Rolls back from {@code start} until no message crosses the line the wrong way, and returns the resulting cut.
     *
     * <p>A cut gives each rank {@code r} a position {@code p} in {@code 0..intervals(r)}: the rank keeps its
     * intervals below {@code p}, i.e. restores checkpoint {@code p}, or keeps running when {@code p = intervals(r)}.
     * Positions only ever go down, and only when forced: a received message whose receive is kept but whose send is
     * not (an orphan) rolls the receiver back to the checkpoint before the receive; with {@code strong}, a message
     * whose send is kept but whose receive is not (in transit, or never received) also rolls the sender back to the
     * checkpoint before the send. The cuts free of such crossings are closed under componentwise maximum, so the
     * result is the greatest such cut at or below {@code start}. Every interval is visited at most once per
     * direction: O(ranks + checkpoints + messages).
     *
     * @param start  the starting positions, one per rank, each in {@code 0..intervals(r)}; not modified
     * @param strong also remove in-transit messages (strongly consistent line)
     */
    public int[] propagate(int[] start, boolean strong) {
        int n = rankCount();
        int[] cut = start.clone();
        int[] sendsDone = new int[n];   // send intervals >= sendsDone[r] are already known to be undone
        int[] recvsDone = new int[n];
        for (int r = 0; r < n; r++) {
            sendsDone[r] = intervals(r);
            recvsDone[r] = intervals(r);
        }
        if (strong) {
            for (int i = 0; i < sender.length; i++) {
                if (receiverInterval[i] == Message.NOT_RECEIVED && senderInterval[i] < cut[sender[i]]) {
                    cut[sender[i]] = senderInterval[i];
                }
            }
        }
        RankQueue queue = new RankQueue(n);
        for (int r = 0; r < n; r++) {
            queue.add(r);
        }
        while (!queue.isEmpty()) {
            int r = queue.poll();
            int c = cut[r];
            for (int g = base[r] + c, end = base[r] + sendsDone[r]; g < end; g++) {
                for (int k = sendStart[g], kEnd = sendStart[g + 1]; k < kEnd; k++) {
                    int i = sendMsg[k];
                    int to = receiver[i];
                    int b = receiverInterval[i];
                    if (b != Message.NOT_RECEIVED && b < cut[to]) {
                        cut[to] = b;
                        queue.add(to);
                    }
                }
            }
            sendsDone[r] = Math.min(sendsDone[r], c);
            if (strong) {
                for (int g = base[r] + c, end = base[r] + recvsDone[r]; g < end; g++) {
                    for (int k = recvStart[g], kEnd = recvStart[g + 1]; k < kEnd; k++) {
                        int i = recvMsg[k];
                        int from = sender[i];
                        int a = senderInterval[i];
                        if (a < cut[from]) {
                            cut[from] = a;
                            queue.add(from);
                        }
                    }
                }
                recvsDone[r] = Math.min(recvsDone[r], c);
            }
        }
        return cut;
    }

    /**
     * Marks the useless checkpoints: {@code result[r][x]} is true when checkpoint {@code x} of rank {@code r} lies on a
     * Z-cycle and so belongs to no consistent global checkpoint. Checkpoint 0 is never useless. Tarjan's strongly
     * connected components, iterative: O(checkpoints + messages) time, no recursion.
     */
    public boolean[][] uselessIntervals() {
        int[] component = components();
        boolean[][] useless = new boolean[rankCount()][];
        for (int r = 0; r < rankCount(); r++) {
            useless[r] = new boolean[intervals(r)];
            for (int x = 1; x < intervals(r); x++) {
                useless[r][x] = component[base[r] + x] == component[base[r] + x - 1];
            }
        }
        return useless;
    }

    private int[] components() {
        int nodes = base[rankCount()];
        int[] rankOf = new int[nodes];
        for (int r = 0; r < rankCount(); r++) {
            Arrays.fill(rankOf, base[r], base[r + 1], r);
        }
        int[] index = new int[nodes];
        int[] low = new int[nodes];
        int[] component = new int[nodes];
        boolean[] onStack = new boolean[nodes];
        Arrays.fill(index, -1);
        int[] stack = new int[nodes];
        int stackTop = 0;
        int[] callNode = new int[nodes];
        int[] callEdge = new int[nodes]; // -1: the chain edge next, k >= 0: sendMsg position next
        int counter = 0;
        int components = 0;
        for (int root = 0; root < nodes; root++) {
            if (index[root] >= 0) {
                continue;
            }
            int depth = 0;
            callNode[0] = root;
            callEdge[0] = -1;
            index[root] = low[root] = counter++;
            stack[stackTop++] = root;
            onStack[root] = true;
            while (depth >= 0) {
                int v = callNode[depth];
                int next = -1;
                while (next < 0) {
                    int e = callEdge[depth];
                    if (e == -1) {
                        callEdge[depth] = sendStart[v];
                        if (v + 1 < base[rankOf[v] + 1]) {
                            next = v + 1;
                        }
                    } else if (e < sendStart[v + 1]) {
                        callEdge[depth] = e + 1;
                        int i = sendMsg[e];
                        if (receiverInterval[i] != Message.NOT_RECEIVED) {
                            next = base[receiver[i]] + receiverInterval[i];
                        }
                    } else {
                        break;
                    }
                    if (next >= 0 && index[next] >= 0) {
                        if (onStack[next]) {
                            low[v] = Math.min(low[v], index[next]);
                        }
                        next = -1;
                    }
                }
                if (next >= 0) {
                    depth++;
                    callNode[depth] = next;
                    callEdge[depth] = -1;
                    index[next] = low[next] = counter++;
                    stack[stackTop++] = next;
                    onStack[next] = true;
                    continue;
                }
                if (low[v] == index[v]) {
                    int w;
                    do {
                        w = stack[--stackTop];
                        onStack[w] = false;
                        component[w] = components;
                    } while (w != v);
                    components++;
                }
                depth--;
                if (depth >= 0) {
                    int parent = callNode[depth];
                    low[parent] = Math.min(low[parent], low[v]);
                }
            }
        }
        return component;
    }

    /** A FIFO of ranks, each at most once. */
    private static final class RankQueue {
        private final int[] ring;
        private final boolean[] queued;
        private int head;
        private int size;

        RankQueue(int n) {
            ring = new int[n];
            queued = new boolean[n];
        }

        void add(int rank) {
            if (!queued[rank]) {
                queued[rank] = true;
                ring[(head + size) % ring.length] = rank;
                size++;
            }
        }

        int poll() {
            int rank = ring[head];
            head = (head + 1) % ring.length;
            size--;
            queued[rank] = false;
            return rank;
        }

        boolean isEmpty() {
            return size == 0;
        }
    }
}
