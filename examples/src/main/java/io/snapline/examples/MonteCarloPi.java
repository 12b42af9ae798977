package io.snapline.examples;

import java.util.SplittableRandom;
import mpi.MPI;

/**
 * Estimates pi by throwing random points at the unit square: every rank draws {@code samples} points from its own
 * generator, seeded with {@code seed + rank} so a run is reproducible, counts those inside the quarter circle, and
 * {@code Reduce} with {@link MPI#SUM} adds the counts up at rank 0. Shows independent work combined by a reduction.
 *
 * <pre>bin/snaprun -np 4 -cp examples/target/classes io.snapline.examples.MonteCarloPi [samples per rank, default 1000000] [seed, default 42]</pre>
 */
public final class MonteCarloPi {
    private MonteCarloPi() {
    }

    public static void main(String[] args) {
        String[] rest = MPI.Init(args);
        long samples = rest.length > 0 ? Long.parseLong(rest[0]) : 1_000_000;
        long seed = rest.length > 1 ? Long.parseLong(rest[1]) : 42;
        int rank = MPI.COMM_WORLD.Rank();
        int size = MPI.COMM_WORLD.Size();

        long[] mine = {hits(seed + rank, samples)};
        long[] total = new long[1];
        MPI.COMM_WORLD.Reduce(mine, 0, total, 0, 1, MPI.LONG, MPI.SUM, 0);

        if (rank == 0) {
            long points = samples * size;
            System.out.println("MonteCarloPi: " + total[0] + " of " + points + " points inside on " + size + " ranks");
            System.out.println("MonteCarloPi: pi ~ " + 4.0 * total[0] / points);
        }
        MPI.Finalize();
    }

    /** How many of {@code samples} points from {@code new SplittableRandom(seed)} fall inside the quarter circle. */
    static long hits(long seed, long samples) {
        SplittableRandom random = new SplittableRandom(seed);
        long inside = 0;
        for (long i = 0; i < samples; i++) {
            double x = random.nextDouble();
            double y = random.nextDouble();
            if (x * x + y * y <= 1.0) {
                inside++;
            }
        }
        return inside;
    }
}
