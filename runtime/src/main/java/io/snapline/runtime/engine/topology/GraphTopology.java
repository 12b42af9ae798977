package io.snapline.runtime.engine.topology;

import io.snapline.runtime.engine.EngineException;
import java.util.Arrays;

/**
 * A graph topology in the {@code index}/{@code edges} form of MPI: node {@code i}'s neighbours are
 * {@code edges[index[i-1] .. index[i]-1]} ({@code index[-1]} taken as 0). Immutable; arrays handed out are copies.
 */
public final class GraphTopology {
    private final int[] index;
    private final int[] edges;

    private GraphTopology(int[] index, int[] edges) {
        this.index = index;
        this.edges = edges;
    }

    /** Checks and copies the arguments of {@code Create_graph} / {@code Graph_map}. */
    public static GraphTopology of(int[] index, int[] edges) {
        if (index == null || edges == null) {
            throw new EngineException("index and edges must not be null");
        }
        int nnodes = index.length;
        int prev = 0;
        for (int i = 0; i < nnodes; i++) {
            if (index[i] < prev) {
                throw new EngineException("index[" + i + "] = " + index[i] + " is smaller than the entry before it (" + prev
                        + "); index holds cumulative neighbour counts, so it never decreases");
            }
            prev = index[i];
        }
        if (prev > edges.length) {
            throw new EngineException("index says the graph has " + prev + " edge entries but edges has only " + edges.length);
        }
        int[] e = Arrays.copyOf(edges, prev);
        for (int i = 0; i < e.length; i++) {
            if (e[i] < 0 || e[i] >= nnodes) {
                throw new EngineException("edges[" + i + "] = " + e[i] + " is not a node of a graph with " + nnodes
                        + " node(s) (valid: 0.." + (nnodes - 1) + ")");
            }
        }
        return new GraphTopology(index.clone(), e);
    }

    public int nodes() {
        return index.length;
    }

    public int[] index() {
        return index.clone();
    }

    public int[] edges() {
        return edges.clone();
    }

    /** The neighbours of {@code node}, in the order given to {@code Create_graph}. */
    public int[] neighbours(int node) {
        if (node < 0 || node >= index.length) {
            throw new EngineException("rank " + node + " is out of range for a graph of " + index.length + " node(s) (valid: 0.."
                    + (index.length - 1) + ")");
        }
        int from = node == 0 ? 0 : index[node - 1];
        return Arrays.copyOfRange(edges, from, index[node]);
    }

    @Override
    public String toString() {
        return "GraphTopology" + Arrays.toString(index) + Arrays.toString(edges);
    }
}
