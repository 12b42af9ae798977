package mpi;

import io.snapline.runtime.engine.Communicator;

/** An intracommunicator with a Cartesian topology. */
public class Cartcomm extends Intracomm {
    Cartcomm(Communicator impl) {
        super(impl);
    }

    static Cartcomm create(Intracomm parent, int[] dims, boolean[] periods, boolean reorder) {
        throw new MPIException("Create_cart: not available yet");
    }
}
