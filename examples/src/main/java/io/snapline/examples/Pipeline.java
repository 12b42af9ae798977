package io.snapline.examples;

import io.snapline.checkpoint.Checkpoint;
import mpi.MPI;

/**
 * A pipeline of stages, one per rank: rank 0 makes {@code items} vectors from a seed, every later rank receives each
 * vector from the rank before it, transforms it and passes it on, and the last rank folds every vector it receives
 * into a checksum, which it sends to rank 0 to print. Stage {@code r} does {@code r + 1} times the work of stage 0
 * per item, so the stages run at different rates: the early ones run ahead of the late ones by as many items as the
 * runtime lets small messages wait unreceived.
 *
 * <p>Checkpointable: every rank reaches a safe point after each item it handles, so rank 0 passes its k-th safe point
 * long before the last rank does.
 *
 * <pre>bin/snaprun -np 4 -cp examples/target/classes io.snapline.examples.Pipeline [items, default 2000] [vector length, default 32] [work, default 200]</pre>
 */
public final class Pipeline {
    private static final int TAG = 7;

    private Pipeline() {
    }

    /** A stage's saved state: items handled so far, and at the last stage the checksum. */
    static final class Stage {
        int items;
        long checksum;
    }

    public static void main(String[] args) {
        String[] rest = MPI.Init(args);
        int items = rest.length > 0 ? Integer.parseInt(rest[0]) : 2000;
        int length = rest.length > 1 ? Integer.parseInt(rest[1]) : 32;
        int work = rest.length > 2 ? Integer.parseInt(rest[2]) : 200;
        if (items < 0 || length < 1 || work < 0) {
            throw new IllegalArgumentException("Pipeline: items >= 0, length >= 1 and work >= 0 expected, got "
                    + items + ", " + length + ", " + work);
        }
        int rank = MPI.COMM_WORLD.Rank();
        int size = MPI.COMM_WORLD.Size();
        boolean last = rank == size - 1;

        Stage s = Checkpoint.restoreOr(Stage::new);
        double[] v = new double[length];
        while (s.items < items) {
            if (rank == 0) {
                for (int i = 0; i < length; i++) {
                    v[i] = ((s.items * 7919L + i * 104729L) % 1000) / 1000.0;
                }
            } else {
                MPI.COMM_WORLD.Recv(v, 0, length, MPI.DOUBLE, rank - 1, TAG);
            }
            transform(v, rank, work * (rank + 1));
            if (last) {
                for (double x : v) {
                    s.checksum = s.checksum * 31 + Double.doubleToLongBits(x);
                }
            } else {
                MPI.COMM_WORLD.Send(v, 0, length, MPI.DOUBLE, rank + 1, TAG);
            }
            s.items++;
            Checkpoint.point(s);
        }
        if (size > 1 && last) {
            MPI.COMM_WORLD.Send(new long[] {s.checksum}, 0, 1, MPI.LONG, 0, TAG + 1);
        }
        if (rank == 0) {
            long[] sum = {s.checksum};
            if (size > 1) {
                MPI.COMM_WORLD.Recv(sum, 0, 1, MPI.LONG, size - 1, TAG + 1);
            }
            System.out.println("Pipeline: " + items + " items of " + length + " through " + size + " stages, checksum "
                    + Long.toHexString(sum[0]));
        }
        MPI.Finalize();
    }

    /** Stage {@code stage}'s transformation, {@code rounds} sweeps of a smoothing that depends on the stage. */
    static void transform(double[] v, int stage, int rounds) {
        double a = 0.5 + 0.1 * (stage % 4);
        for (int r = 0; r < rounds; r++) {
            double prev = v[v.length - 1];
            for (int i = 0; i < v.length; i++) {
                double cur = v[i];
                v[i] = a * cur + (1 - a) * prev + 1e-3 * stage;
                prev = cur;
            }
        }
    }
}
