package io.snapline.examples;

import mpi.MPI;

/**
 * The smallest MPI program: every rank prints its rank and the number of ranks.
 *
 * <pre>bin/snaprun -np 4 -cp examples/target/classes io.snapline.examples.Hello</pre>
 */
public final class Hello {
    private Hello() {
    }

    public static void main(String[] args) {
        MPI.Init(args);
        int rank = MPI.COMM_WORLD.Rank();
        int size = MPI.COMM_WORLD.Size();
        System.out.println("Hello from rank " + rank + " of " + size);
        MPI.Finalize();
    }
}
