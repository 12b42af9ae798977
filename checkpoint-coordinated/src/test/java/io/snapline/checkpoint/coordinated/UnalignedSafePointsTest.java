package io.snapline.checkpoint.coordinated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.checkpoint.Checkpoint;
import io.snapline.runtime.testing.MpiRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import mpi.MPI;
import mpi.Status;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blocking coordinated checkpoints of programs whose ranks do not pass their k-th safe points together: a chain of
 * neighbours that drift apart by an iteration or more, a task farm whose master reaches a safe point per result and
 * each worker per task, and a pipeline whose stages run at different rates. Every run must finish with the
 * failure-free result, and no checkpoint may end the job.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class UnalignedSafePointsTest {
    @TempDir
    Path tmp;

    /** Spins for {@code micros} microseconds: ranks at different speeds without sleeping. */
    static void busy(long micros) {
        long end = System.nanoTime() + micros * 1000;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }

    /** Per-rank delays in microseconds drawn from {@code seed}, up to {@code max}. */
    static long[] delays(long seed, int size, int max) {
        SplittableRandom r = new SplittableRandom(seed);
        long[] d = new long[size];
        for (int i = 0; i < size; i++) {
            d[i] = max == 0 ? 0 : r.nextInt(max + 1);
        }
        return d;
    }

    /**
     * A 1-D Jacobi chain: each step exchanges halos with both neighbours ({@code Sendrecv}, {@code PROC_NULL} at the
     * ends), relaxes, and reaches a safe point. Arguments: STEPS SEED MAX_DELAY_MICROS.
     */
    public static class Jacobi {
        static final class State {
            int step;
            double[] u = new double[32];
        }

        public static void main(String[] args) {
            String[] rest = MPI.Init(args);
            int steps = Integer.parseInt(rest[0]);
            int rank = MPI.COMM_WORLD.Rank();
            int size = MPI.COMM_WORLD.Size();
            long delay = delays(Long.parseLong(rest[1]), size, Integer.parseInt(rest[2]))[rank];
            int left = rank == 0 ? MPI.PROC_NULL : rank - 1;
            int right = rank == size - 1 ? MPI.PROC_NULL : rank + 1;
            State s = Checkpoint.restoreOr(() -> {
                State f = new State();
                for (int i = 0; i < f.u.length; i++) {
                    f.u[i] = rank * 100 + i;
                }
                return f;
            });
            double[] l = {0};
            double[] r = {0};
            while (s.step < steps) {
                MPI.COMM_WORLD.Sendrecv(s.u, s.u.length - 1, 1, MPI.DOUBLE, right, 1, l, 0, 1, MPI.DOUBLE, left, 1);
                MPI.COMM_WORLD.Sendrecv(s.u, 0, 1, MPI.DOUBLE, left, 2, r, 0, 1, MPI.DOUBLE, right, 2);
                double[] next = new double[s.u.length];
                for (int i = 0; i < next.length; i++) {
                    double a = i == 0 ? l[0] : s.u[i - 1];
                    double b = i == next.length - 1 ? r[0] : s.u[i + 1];
                    next[i] = 0.25 * a + 0.5 * s.u[i] + 0.25 * b;
                }
                s.u = next;
                s.step++;
                busy(delay);
                Checkpoint.point(s);
            }
            long bits = 0;
            for (double x : s.u) {
                bits = bits * 1_000_003L + Double.doubleToLongBits(x);
            }
            long[] all = new long[size];
            MPI.COMM_WORLD.Gather(new long[] {bits}, 0, 1, MPI.LONG, all, 0, 1, MPI.LONG, 0);
            if (rank == 0) {
                System.out.println("jacobi " + steps + " " + java.util.Arrays.toString(all));
            }
            MPI.Finalize();
        }
    }

    /**
     * A task farm: rank 0 hands out TASKS tasks one at a time and receives results from {@code ANY_SOURCE}, with a
     * safe point after each result; each worker has one after each task. Results are kept by task number, so the
     * output does not depend on who did what. Arguments: TASKS SEED MAX_DELAY_MICROS.
     */
    public static class Farm {
        static final class Master {
            int next;
            int received;
            long[] results;
        }

        static final class Worker {
            boolean done;
        }

        public static void main(String[] args) {
            String[] rest = MPI.Init(args);
            int tasks = Integer.parseInt(rest[0]);
            int rank = MPI.COMM_WORLD.Rank();
            int size = MPI.COMM_WORLD.Size();
            long delay = delays(Long.parseLong(rest[1]), size, Integer.parseInt(rest[2]))[rank];
            if (rank == 0) {
                Master s = Checkpoint.restoreOr(() -> {
                    Master m = new Master();
                    m.results = new long[tasks];
                    return m;
                });
                if (!Checkpoint.isRestart()) {
                    for (int w = 1; w < size; w++) {
                        give(s, w);
                    }
                }
                long[] result = new long[2];
                while (s.received < tasks) {
                    Status st = MPI.COMM_WORLD.Recv(result, 0, 2, MPI.LONG, MPI.ANY_SOURCE, 3);
                    s.results[(int) result[0]] = result[1];
                    s.received++;
                    give(s, st.source);
                    busy(delay);
                    Checkpoint.point(s);
                }
                long sum = 0;
                for (long v : s.results) {
                    sum = sum * 31 + v;
                }
                System.out.println("farm " + tasks + " " + Long.toHexString(sum));
            } else {
                Worker s = Checkpoint.restoreOr(Worker::new);
                int[] task = new int[1];
                while (!s.done) {
                    Status st = MPI.COMM_WORLD.Recv(task, 0, 1, MPI.INT, 0, MPI.ANY_TAG);
                    if (st.tag == 2) {
                        s.done = true;
                    } else {
                        busy(delay * (1 + task[0] % 3));
                        long v = task[0] * 0x9E3779B97F4A7C15L ^ (task[0] >>> 3);
                        MPI.COMM_WORLD.Send(new long[] {task[0], v}, 0, 2, MPI.LONG, 0, 3);
                    }
                    Checkpoint.point(s);
                }
            }
            MPI.Finalize();
        }

        private static void give(Master s, int w) {
            if (s.next < s.results.length) {
                MPI.COMM_WORLD.Send(new int[] {s.next++}, 0, 1, MPI.INT, w, 1);
            } else {
                MPI.COMM_WORLD.Send(new int[0], 0, 0, MPI.INT, w, 2);
            }
        }
    }

    /**
     * A pipeline: rank 0 makes ITEMS numbers, every rank transforms each and passes it on, the last one folds them
     * into a checksum that rank 0 prints; a safe point after every item on every rank. Arguments: ITEMS SEED
     * MAX_DELAY_MICROS.
     */
    public static class Stages {
        static final class State {
            int items;
            long sum;
        }

        public static void main(String[] args) {
            String[] rest = MPI.Init(args);
            int items = Integer.parseInt(rest[0]);
            int rank = MPI.COMM_WORLD.Rank();
            int size = MPI.COMM_WORLD.Size();
            long delay = delays(Long.parseLong(rest[1]), size, Integer.parseInt(rest[2]))[rank];
            State s = Checkpoint.restoreOr(State::new);
            long[] v = new long[1];
            while (s.items < items) {
                if (rank == 0) {
                    v[0] = s.items * 7919L;
                } else {
                    MPI.COMM_WORLD.Recv(v, 0, 1, MPI.LONG, rank - 1, 5);
                }
                v[0] = v[0] * 31 + rank;
                busy(delay);
                if (rank == size - 1) {
                    s.sum = s.sum * 1_000_003L + v[0];
                } else {
                    MPI.COMM_WORLD.Send(v, 0, 1, MPI.LONG, rank + 1, 5);
                }
                s.items++;
                Checkpoint.point(s);
            }
            long[] sum = {s.sum};
            MPI.COMM_WORLD.Bcast(sum, 0, 1, MPI.LONG, size - 1);
            if (rank == 0) {
                System.out.println("stages " + items + " " + Long.toHexString(sum[0]));
            }
            MPI.Finalize();
        }
    }

    private MpiRun.Outcome assertFailureFreeResult(int np, List<String> policy, Class<?> main, String... args) {
        MpiRun.Outcome clean = MpiRun.ok(np, main, args);
        List<String> flags = new ArrayList<>(List.of("--checkpoint", "coordinated", "--store",
                tmp.resolve("s" + System.nanoTime()).toString()));
        flags.addAll(policy);
        MpiRun.Outcome o = MpiRun.run(np, flags, main, args);
        String what = main.getSimpleName() + " on " + np + " ranks with " + policy + " " + List.of(args);
        assertTrue(o.result().succeeded(), what + "\n" + o.err());
        assertEquals(clean.lines(), o.lines(), what + "\n" + o.err());
        assertFalse(o.err().contains("deadlock"), o.err());
        return o;
    }

    private static int committed(MpiRun.Outcome o) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("checkpoints committed: (\\d+)").matcher(o.err());
        assertTrue(m.find(), o.err());
        return Integer.parseInt(m.group(1));
    }

    @Test
    void shouldCheckpointAChainOfNeighboursWhenTheirRequestsArriveIterationsApart() {
        MpiRun.Outcome o = assertFailureFreeResult(3, List.of("--interval", "20ms"), Jacobi.class, "3000", "5", "40");
        assertTrue(committed(o) > 0, o.err());
    }

    @Test
    void shouldCheckpointATaskFarmWhoseMasterPassesSafePointsFasterThanItsWorkers() {
        MpiRun.Outcome o = assertFailureFreeResult(4, List.of("--interval", "20ms"), Farm.class, "1500", "7", "200");
        assertTrue(committed(o) > 0, o.err());
    }

    @Test
    void shouldCheckpointATaskFarmAtEveryNthSafePointOfWhicheverRankGetsThereFirst() {
        MpiRun.Outcome o = assertFailureFreeResult(4, List.of("--every", "25"), Farm.class, "600", "3", "100");
        assertTrue(committed(o) > 0, o.err());
    }

    @Test
    void shouldCheckpointAPipelineWhoseStagesRunAtDifferentRates() {
        MpiRun.Outcome o = assertFailureFreeResult(4, List.of("--interval", "20ms"), Stages.class, "4000", "11", "150");
        assertTrue(committed(o) > 0, o.err());
    }

    @Test
    void shouldRestartATaskFarmFromACheckpointTakenAtUnalignedSafePoints() {
        MpiRun.Outcome o = assertFailureFreeResult(4, List.of("--every", "20", "--inject-failure", "rank=0,point=150",
                "--inject-failure", "rank=2,point=70"), Farm.class, "500", "9", "100");
        assertTrue(o.err().contains("restarts: 2\n") || o.err().contains("restarts: 1\n"), o.err());
        assertFalse(o.err().contains("from the beginning"), o.err());
    }

    /**
     * The property: for random rank counts (2..8), programs, per-rank speeds, schedules and injected failures, the
     * blocking policy ends with the failure-free result. {@code -Dsnapline.sweep=N} sets the number of cases.
     */
    @TestFactory
    Stream<DynamicTest> shouldGiveTheFailureFreeResultForRandomRatesSchedulesAndFailures() {
        return sweep(Integer.getInteger("snapline.sweep", MpiRun.device().equals("tcp") ? 2 : 4));
    }

    /** The same property over many more cases, for the long suite ({@code mvn verify -Plong}). */
    @Tag("long")
    @TestFactory
    @Timeout(value = 3600, unit = TimeUnit.SECONDS)
    Stream<DynamicTest> shouldGiveTheFailureFreeResultForManyRandomRatesSchedulesAndFailures() {
        return sweep(Integer.getInteger("snapline.longSweep", 40));
    }

    private Stream<DynamicTest> sweep(int cases) {
        long base = Long.getLong("snapline.seed", 20261206L);
        return LongStream.range(base, base + cases).mapToObj(seed -> DynamicTest.dynamicTest("seed " + seed, () -> {
            SplittableRandom r = new SplittableRandom(seed);
            int np = 2 + r.nextInt(7);
            Class<?> program = List.of(Jacobi.class, Farm.class, Stages.class).get(r.nextInt(3));
            String size = Integer.toString(program == Jacobi.class ? 600 + r.nextInt(600)
                    : program == Farm.class ? 200 + r.nextInt(300) : 800 + r.nextInt(800));
            List<String> policy = new ArrayList<>(r.nextBoolean()
                    ? List.of("--interval", (5 + r.nextInt(60)) + "ms")
                    : List.of("--every", Integer.toString(1 + r.nextInt(40))));
            if (r.nextInt(3) > 0) {
                policy.addAll(List.of("--inject-failure", "rank=" + r.nextInt(np) + ",point=" + (5 + r.nextInt(60))));
            }
            assertFailureFreeResult(np, policy, program, size, Long.toString(seed), Integer.toString(r.nextInt(300)));
        }));
    }
}
