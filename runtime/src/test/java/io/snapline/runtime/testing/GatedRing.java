package io.snapline.runtime.testing;

import io.snapline.checkpoint.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import mpi.MPI;

/**
 * A ring with a halo exchange, with a safe point at every step, whose rank 0 waits at step {@code gate} until the file
 * {@code gateFile} exists (creating {@code gateFile.reached} when it gets there), so that a test can act while every
 * rank of the job runs, each past step {@code gate - 1}, without depending on timing. Arguments: {@code steps gate gateFile}. Each rank prints one line of its result.
 */
public final class GatedRing {
    static final class State {
        int step;
        double[] cells = new double[64];
        long tokens;
    }

    private GatedRing() {
    }

    public static void main(String[] args) throws Exception {
        String[] rest = MPI.Init(args);
        int steps = Integer.parseInt(rest[0]);
        int gate = Integer.parseInt(rest[1]);
        Path gateFile = Path.of(rest[2]);
        int rank = MPI.COMM_WORLD.Rank();
        int size = MPI.COMM_WORLD.Size();
        int left = (rank + size - 1) % size;
        int right = (rank + 1) % size;
        State s = Checkpoint.restoreOr(() -> {
            State f = new State();
            for (int i = 0; i < f.cells.length; i++) {
                f.cells[i] = rank * 1000 + i;
            }
            return f;
        });
        long[] token = new long[1];
        double[] fromLeft = new double[1];
        double[] fromRight = new double[1];
        while (s.step < steps) {
            if (rank == 0 && s.step == gate) {
                Path reached = Path.of(gateFile + ".reached");
                if (!Files.exists(reached)) {
                    Files.createFile(reached);
                }
                while (!Files.exists(gateFile)) {
                    Thread.sleep(20);
                }
            }
            MPI.COMM_WORLD.Sendrecv(new long[] {s.step * 100L + rank}, 0, 1, MPI.LONG, right, 7, token, 0, 1,
                    MPI.LONG, left, 7);
            s.tokens = s.tokens * 31 + token[0];
            MPI.COMM_WORLD.Sendrecv(s.cells, s.cells.length - 1, 1, MPI.DOUBLE, right, 1, fromLeft, 0, 1, MPI.DOUBLE,
                    left, 1);
            MPI.COMM_WORLD.Sendrecv(s.cells, 0, 1, MPI.DOUBLE, left, 2, fromRight, 0, 1, MPI.DOUBLE, right, 2);
            double[] next = new double[s.cells.length];
            for (int i = 0; i < next.length; i++) {
                double l = i == 0 ? fromLeft[0] : s.cells[i - 1];
                double r = i == next.length - 1 ? fromRight[0] : s.cells[i + 1];
                next[i] = 0.25 * l + 0.5 * s.cells[i] + 0.25 * r + Math.sin(s.step + i) * 1e-3;
            }
            s.cells = next;
            s.step++;
            Checkpoint.point(s);
        }
        double sum = 0;
        for (double c : s.cells) {
            sum += c;
        }
        System.out.println("rank " + rank + " tokens " + s.tokens + " sum " + Double.doubleToLongBits(sum));
        MPI.Finalize();
    }
}
