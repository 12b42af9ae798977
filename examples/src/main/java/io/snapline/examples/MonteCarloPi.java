package io.snapline.examples;

import io.snapline.checkpoint.Checkpoint;
import io.snapline.checkpoint.Restorable;
import java.util.SplittableRandom;
import mpi.MPI;

/**
 * Estimates pi by throwing random points at the unit square: every rank draws {@code samples} points from its own
 * generator, seeded with {@code seed + rank} so a run is reproducible, counts those inside the quarter circle, and
 * {@code Reduce} with {@link MPI#SUM} adds the counts up at rank 0. Shows independent work combined by a reduction.
 *
 * <p>Checkpointable: each rank draws its points in {@code batches} batches from one generator, with a safe point
 * after each batch, so the count is the same as drawing them all at once. The saved {@link Tally} holds how many
 * points were drawn and how many fell inside; {@code SplittableRandom} does not expose its state, so after a restart
 * the generator is rebuilt from the seed and advanced past the points already drawn.
 *
 * <pre>bin/snaprun -np 4 -cp examples/target/classes io.snapline.examples.MonteCarloPi [samples per rank, default 1000000] [seed, default 42] [batches, default 10]</pre>
 */
public final class MonteCarloPi {
    private MonteCarloPi() {
    }

    public static void main(String[] args) {
        String[] rest = MPI.Init(args);
        long samples = rest.length > 0 ? Long.parseLong(rest[0]) : 1_000_000;
        long seed = rest.length > 1 ? Long.parseLong(rest[1]) : 42;
        int batches = rest.length > 2 ? Integer.parseInt(rest[2]) : 10;
        if (samples < 0 || batches < 1) {
            throw new IllegalArgumentException("MonteCarloPi: samples must be at least 0 and batches at least 1, were "
                    + samples + " and " + batches);
        }
        int rank = MPI.COMM_WORLD.Rank();
        int size = MPI.COMM_WORLD.Size();

        Tally s = Checkpoint.restoreOr(() -> new Tally(seed + rank));
        while (s.batch < batches) {
            s.draw(batchEnd(s.batch, batches, samples) - s.drawn);
            s.batch++;
            Checkpoint.point(s);
        }
        long[] mine = {s.inside};
        long[] total = new long[1];
        MPI.COMM_WORLD.Reduce(mine, 0, total, 0, 1, MPI.LONG, MPI.SUM, 0);

        if (rank == 0) {
            long points = samples * size;
            System.out.println("MonteCarloPi: " + total[0] + " of " + points + " points inside on " + size + " ranks");
            System.out.println("MonteCarloPi: pi ~ " + 4.0 * total[0] / points);
        }
        MPI.Finalize();
    }

    /** How many of a rank's {@code samples} points are drawn once batch {@code b} of {@code batches} is done. */
    static long batchEnd(int b, int batches, long samples) {
        return samples / batches * (b + 1) + Math.min(b + 1, samples % batches);
    }

    /** A rank's progress: the points drawn and hit so far from its generator. */
    static final class Tally implements Restorable {
        final long seed;
        int batch;
        long drawn;
        long inside;
        private transient SplittableRandom random;

        Tally(long seed) {
            this.seed = seed;
            this.random = new SplittableRandom(seed);
        }

        /** Draws {@code count} more points and counts those inside the quarter circle. */
        void draw(long count) {
            SplittableRandom r = random;
            long in = 0;
            for (long i = 0; i < count; i++) {
                double x = r.nextDouble();
                double y = r.nextDouble();
                if (x * x + y * y <= 1.0) {
                    in++;
                }
            }
            inside += in;
            drawn += count;
        }

        /** Rebuilds the generator as it was after {@code drawn} points. */
        @Override
        public void afterRestore() {
            random = new SplittableRandom(seed);
            for (long i = 0; i < 2 * drawn; i++) {
                random.nextDouble();
            }
        }
    }
}
