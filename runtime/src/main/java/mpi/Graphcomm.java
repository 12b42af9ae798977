package mpi;

import io.snapline.runtime.engine.CommFactory;
import io.snapline.runtime.engine.Communicator;
import io.snapline.runtime.engine.topology.GraphTopology;

/**
 * An intracommunicator with a graph topology, made by {@link Intracomm#Create_graph} from the MPI index/edges form.
 * Node {@code i} of the graph is rank {@code i}: {@code reorder} is accepted but ranks keep their order in the parent
 * communicator. Duplicates ({@link #clone}, {@link #Dup}) keep the topology.
 */
public class Graphcomm extends Intracomm {
    /** What {@link #Topo_test} returns, the value of {@link MPI#GRAPH}. */
    static final int GRAPH = 1;

    private final GraphTopology topo;

    Graphcomm(Communicator impl, GraphTopology topo) {
        super(impl);
        this.topo = topo;
    }

    /** Collective over {@code parent}: ranks beyond the number of nodes get {@code null}. */
    static Graphcomm create(Intracomm parent, int[] index, int[] edges, boolean reorder) {
        Communicator c = parent.impl("Create_graph");
        GraphTopology topo = Cartcomm.call("Create_graph", () -> GraphTopology.of(index, edges));
        int needed = topo.nodes();
        if (needed > c.size()) {
            throw new MPIException("Create_graph: the graph has " + needed + " nodes but the communicator has only "
                    + c.size() + " processes");
        }
        int[] first = new int[needed];
        for (int i = 0; i < needed; i++) {
            first[i] = i;
        }
        Communicator graph = Cartcomm.call("Create_graph", () -> CommFactory.create(c, c.localGroup().incl(first)));
        return graph == null ? null : new Graphcomm(graph, topo);
    }

    @Override
    Comm wrapLike(Communicator c) {
        return new Graphcomm(c, topo);
    }

    @Override
    public Object clone() throws MPIException {
        return Dup();
    }

    /** The graph as given to {@code Create_graph}. */
    public GraphParms Get() throws MPIException {
        impl("Get");
        GraphParms p = new GraphParms();
        p.index = topo.index();
        p.edges = topo.edges();
        return p;
    }

    /** The neighbours of {@code rank}, in the order of the edges given to {@code Create_graph}. */
    public int[] Neighbours(int rank) throws MPIException {
        impl("Neighbours");
        return Cartcomm.call("Neighbours", () -> topo.neighbours(rank));
    }

    /** The rank this process would have in the graph over this communicator, or {@link MPI#UNDEFINED}. */
    public int Map(int[] index, int[] edges) throws MPIException {
        Communicator c = impl("Map");
        GraphTopology t = Cartcomm.call("Map", () -> GraphTopology.of(index, edges));
        if (t.nodes() > c.size()) {
            throw new MPIException("Map: the graph has " + t.nodes() + " nodes but the communicator has only " + c.size()
                    + " processes");
        }
        return c.rank() < t.nodes() ? c.rank() : io.snapline.runtime.engine.Ranks.UNDEFINED;
    }

    /** {@link MPI#GRAPH}. */
    @Override
    public int Topo_test() throws MPIException {
        impl("Topo_test");
        return GRAPH;
    }
}
