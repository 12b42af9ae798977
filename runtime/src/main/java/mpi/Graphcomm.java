package mpi;

import io.snapline.runtime.engine.Communicator;

/** An intracommunicator with a graph topology. */
public class Graphcomm extends Intracomm {
    Graphcomm(Communicator impl) {
        super(impl);
    }

    static Graphcomm create(Intracomm parent, int[] index, int[] edges, boolean reorder) {
        throw new MPIException("Create_graph: not available yet");
    }
}
