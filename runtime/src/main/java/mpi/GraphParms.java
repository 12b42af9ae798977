package mpi;

/** The result of {@link Graphcomm#Get}: the graph in the index/edges form of {@code Create_graph}. */
public class GraphParms {
    public int[] index;
    public int[] edges;

    public GraphParms() {
    }
}
