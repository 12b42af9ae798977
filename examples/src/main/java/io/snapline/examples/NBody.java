package io.snapline.examples;

import io.snapline.checkpoint.Checkpoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import mpi.MPI;

/**
 * Gravitational N-body simulation: {@code bodies} point masses in 3-D, started from positions, velocities and
 * masses drawn from {@code new SplittableRandom(seed)}, advanced {@code steps} times by velocity Verlet (kick, drift,
 * kick) with a softened force ({@code G = 1}, softening length {@link #SOFTENING}). The bodies are dealt out in
 * blocks (the first {@code bodies % size} ranks get one more); every step each rank moves its own bodies,
 * {@code Allgatherv} gives every rank all positions, and each rank computes the forces on its own bodies.
 *
 * <p>At the end rank 0 gathers the bodies with {@code Gatherv} and prints a checksum (a hash of the bits of every
 * position and velocity, in body order) and the total energy, before and after, which it computes itself from the
 * whole system so that neither depends on the number of ranks. With {@code --verify} rank 0 also runs the same
 * simulation sequentially and compares every position and velocity bit for bit: each body's force is summed over
 * the other bodies in index order by the same code whichever rank owns it, so the doubles must be identical.
 *
 * <p>Checkpointable: the setup (the initial conditions every rank generates, the block layout) runs again after a
 * restart; a rank's bodies and the step count are the saved {@link Block}, and every step ends at a safe point.
 *
 * <pre>bin/snaprun -np 4 -cp examples/target/classes io.snapline.examples.NBody [bodies, default 1024] [steps, default 100] [seed, default 42] [--verify]</pre>
 */
public final class NBody {
    /** The time step. */
    static final double DT = 0.005;
    /** The softening length: forces are computed as if every distance were at least about this long. */
    static final double SOFTENING = 0.05;
    private static final double EPS2 = SOFTENING * SOFTENING;
    private static final double HALF_DT = 0.5 * DT;
    private static final int ROOT = 0;

    private NBody() {
    }

    public static void main(String[] args) {
        List<String> rest = new ArrayList<>(List.of(MPI.Init(args)));
        boolean verify = rest.remove("--verify");
        int bodies = rest.size() > 0 ? Integer.parseInt(rest.get(0)) : 1024;
        int steps = rest.size() > 1 ? Integer.parseInt(rest.get(1)) : 100;
        long seed = rest.size() > 2 ? Long.parseLong(rest.get(2)) : 42;
        if (bodies < 1 || steps < 0) {
            throw new IllegalArgumentException("NBody: needs at least 1 body and 0 steps, was given " + bodies
                    + " bodies and " + steps + " steps");
        }
        int rank = MPI.COMM_WORLD.Rank();
        int size = MPI.COMM_WORLD.Size();

        // Three doubles per body; counts and displacements of every rank's block, in doubles.
        int[] counts = new int[size];
        int[] displs = new int[size];
        for (int r = 0; r < size; r++) {
            counts[r] = 3 * blockSize(r, size, bodies);
            displs[r] = 3 * blockStart(r, size, bodies);
        }
        int first = blockStart(rank, size, bodies);
        int mine = blockSize(rank, size, bodies);
        Bodies world = Bodies.start(bodies, seed);
        double[] all = new double[3 * bodies];

        // Every run generates the initial conditions; after a restart the bodies as they were come from the checkpoint.
        Block s = Checkpoint.restoreOr(() -> new Block(world, first, mine));
        double start = MPI.Wtime();
        while (s.step < steps) {
            kick(s.v, s.a, 3 * mine);
            drift(s.x, s.v, 3 * mine);
            MPI.COMM_WORLD.Allgatherv(s.x, 0, 3 * mine, MPI.DOUBLE, all, 0, counts, displs, MPI.DOUBLE);
            accelerations(all, world.mass(), first, mine, s.a);
            kick(s.v, s.a, 3 * mine);
            s.step++;
            Checkpoint.point(s);
        }
        double seconds = MPI.Wtime() - start;

        boolean root = rank == ROOT;
        double[] v = new double[root ? 3 * bodies : 0];
        double[] x = new double[root ? 3 * bodies : 0];
        MPI.COMM_WORLD.Gatherv(s.x, 0, 3 * mine, MPI.DOUBLE, x, 0, counts, displs, MPI.DOUBLE, ROOT);
        MPI.COMM_WORLD.Gatherv(s.v, 0, 3 * mine, MPI.DOUBLE, v, 0, counts, displs, MPI.DOUBLE, ROOT);
        if (root) {
            Bodies end = new Bodies(x, v, world.mass());
            System.out.println("NBody: " + bodies + " bodies, " + steps + " steps of " + DT + " on " + size
                    + " ranks");
            System.out.println("NBody: checksum " + end.checksum());
            System.out.println("NBody: energy " + end.energy() + " (initially " + world.energy() + ")");
            System.err.printf("NBody: %.3f s%s%n", seconds, Checkpoint.isRestart() ? " since the restart" : "");
            if (verify) {
                verify(end, sequential(world, steps));
                System.out.println("NBody: verified, every position and velocity is bit-identical to a "
                        + "sequential run");
            }
        }
        MPI.Finalize();
    }

    /** The saved state: a rank's bodies (x, y, z of each, in body order) and the steps taken. */
    static final class Block {
        int step;
        final double[] x;
        final double[] v;
        /** The accelerations at {@code x}, which the next step's first half-kick uses. */
        final double[] a;

        Block(Bodies world, int first, int count) {
            x = Arrays.copyOfRange(world.x(), 3 * first, 3 * (first + count));
            v = Arrays.copyOfRange(world.v(), 3 * first, 3 * (first + count));
            a = new double[3 * count];
            accelerations(world.x(), world.mass(), first, count, a);
        }
    }

    /** A whole system: positions and velocities (three doubles per body) and masses. */
    record Bodies(double[] x, double[] v, double[] mass) {
        /**
         * {@code bodies} bodies from {@code new SplittableRandom(seed)}, body by body: a position in the cube
         * [-1, 1)^3, a velocity in [-0.1, 0.1)^3 and a mass in [0.5, 1.5) divided by {@code bodies}.
         */
        static Bodies start(int bodies, long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            double[] x = new double[3 * bodies];
            double[] v = new double[3 * bodies];
            double[] mass = new double[bodies];
            for (int i = 0; i < bodies; i++) {
                for (int d = 0; d < 3; d++) {
                    x[3 * i + d] = 2 * random.nextDouble() - 1;
                }
                for (int d = 0; d < 3; d++) {
                    v[3 * i + d] = 0.2 * random.nextDouble() - 0.1;
                }
                mass[i] = (0.5 + random.nextDouble()) / bodies;
            }
            return new Bodies(x, v, mass);
        }

        int bodies() {
            return mass.length;
        }

        /** Kinetic plus (softened) potential energy, summed body by body and pair by pair in index order. */
        double energy() {
            double kinetic = 0;
            double potential = 0;
            for (int i = 0; i < bodies(); i++) {
                double vx = v[3 * i];
                double vy = v[3 * i + 1];
                double vz = v[3 * i + 2];
                kinetic += 0.5 * mass[i] * (vx * vx + vy * vy + vz * vz);
                for (int j = i + 1; j < bodies(); j++) {
                    double dx = x[3 * j] - x[3 * i];
                    double dy = x[3 * j + 1] - x[3 * i + 1];
                    double dz = x[3 * j + 2] - x[3 * i + 2];
                    potential -= mass[i] * mass[j] / Math.sqrt(dx * dx + dy * dy + dz * dz + EPS2);
                }
            }
            return kinetic + potential;
        }

        /** A 64-bit FNV-1a hash of the bits of every position, then every velocity, as 16 hex digits. */
        String checksum() {
            long h = 0xcbf29ce484222325L;
            for (double[] values : new double[][] {x, v}) {
                for (double d : values) {
                    long bits = Double.doubleToRawLongBits(d);
                    for (int shift = 0; shift < 64; shift += 8) {
                        h = (h ^ ((bits >>> shift) & 0xff)) * 0x100000001b3L;
                    }
                }
            }
            return String.format("%016x", h);
        }
    }

    /**
     * The accelerations of bodies {@code first .. first + count - 1}, from all positions {@code x}, into
     * {@code a} (three per body, starting at 0): each is summed over the other bodies in index order.
     */
    static void accelerations(double[] x, double[] mass, int first, int count, double[] a) {
        int bodies = mass.length;
        for (int k = 0; k < count; k++) {
            int i = first + k;
            double xi = x[3 * i];
            double yi = x[3 * i + 1];
            double zi = x[3 * i + 2];
            double ax = 0;
            double ay = 0;
            double az = 0;
            for (int j = 0; j < bodies; j++) {
                if (j == i) {
                    continue;
                }
                double dx = x[3 * j] - xi;
                double dy = x[3 * j + 1] - yi;
                double dz = x[3 * j + 2] - zi;
                double r2 = dx * dx + dy * dy + dz * dz + EPS2;
                double s = mass[j] / (r2 * Math.sqrt(r2));
                ax += s * dx;
                ay += s * dy;
                az += s * dz;
            }
            a[3 * k] = ax;
            a[3 * k + 1] = ay;
            a[3 * k + 2] = az;
        }
    }

    /** Half a time step of acceleration: {@code v += a * DT / 2} for the first {@code n} components. */
    static void kick(double[] v, double[] a, int n) {
        for (int k = 0; k < n; k++) {
            v[k] += HALF_DT * a[k];
        }
    }

    /** A time step of motion: {@code x += v * DT} for the first {@code n} components. */
    static void drift(double[] x, double[] v, int n) {
        for (int k = 0; k < n; k++) {
            x[k] += DT * v[k];
        }
    }

    /** The same simulation on one rank, with the same operations in the same order. */
    static Bodies sequential(Bodies start, int steps) {
        int bodies = start.bodies();
        double[] x = start.x().clone();
        double[] v = start.v().clone();
        double[] a = new double[3 * bodies];
        accelerations(x, start.mass(), 0, bodies, a);
        for (int step = 0; step < steps; step++) {
            kick(v, a, 3 * bodies);
            drift(x, v, 3 * bodies);
            accelerations(x, start.mass(), 0, bodies, a);
            kick(v, a, 3 * bodies);
        }
        return new Bodies(x, v, start.mass());
    }

    /** How many of the bodies rank {@code r} of {@code size} gets: the first {@code bodies % size} get one more. */
    static int blockSize(int r, int size, int bodies) {
        return bodies / size + (r < bodies % size ? 1 : 0);
    }

    static int blockStart(int r, int size, int bodies) {
        return r * (bodies / size) + Math.min(r, bodies % size);
    }

    /** Throws at the first position or velocity component that differs in any bit. */
    private static void verify(Bodies parallel, Bodies sequential) {
        for (int c = 0; c < parallel.x().length; c++) {
            check("position", c, parallel.x()[c], sequential.x()[c]);
            check("velocity", c, parallel.v()[c], sequential.v()[c]);
        }
    }

    private static void check(String what, int c, double parallel, double sequential) {
        if (Double.doubleToRawLongBits(parallel) != Double.doubleToRawLongBits(sequential)) {
            throw new IllegalStateException("NBody: " + what + " " + "xyz".charAt(c % 3) + " of body " + c / 3 + " is "
                    + parallel + " but the sequential run has " + sequential);
        }
    }
}
