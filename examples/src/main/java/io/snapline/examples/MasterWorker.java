package io.snapline.examples;

import io.snapline.checkpoint.Checkpoint;
import mpi.MPI;
import mpi.Request;
import mpi.Status;

/**
 * A task farm: rank 0 (the master) hands out {@code tasks} numbered tasks to the other ranks (the workers), one at a
 * time, and collects their results in whatever order they come back. A task's cost depends on its number, so workers
 * finish at different times and the order of arrivals differs from run to run; results are stored by task number, so
 * what the program prints does not.
 *
 * <p>The master receives results in three ways, as real task farms do, and turns between them: a blocking receive
 * from {@code ANY_SOURCE}; polling with {@code Iprobe(ANY_SOURCE)} and then receiving from the rank the probe found;
 * and a wave of receives posted to every busy worker, completed one at a time with {@code Waitany} (each completion
 * hands that worker its next task at once). At the end every worker sends its own tally (tasks done, and a digest of
 * their numbers), and the master checks it against its own record of who did what; a mismatch ends the program with
 * an exception.
 *
 * <p>Checkpointable, with safe points at different rates: the master reaches one after each result it receives (after
 * each wave in wave mode, when no receive is pending), a worker after each task.
 *
 * <pre>bin/snaprun -np 4 -cp examples/target/classes io.snapline.examples.MasterWorker [tasks, default 200] [work per task, default 20000]</pre>
 */
public final class MasterWorker {
    static final int TAG_TASK = 1;
    static final int TAG_STOP = 2;
    static final int TAG_RESULT = 3;
    static final int TAG_TALLY = 4;

    private MasterWorker() {
    }

    /** The master's saved state: what was handed out, and every result by task number with who computed it. */
    static final class Master {
        int nextTask;
        int received;
        int turn;
        long[] results;
        int[] doneBy;
        /** The task each worker holds now (-1: none). */
        int[] holding;

        Master(int tasks, int size) {
            results = new long[tasks];
            doneBy = new int[tasks];
            holding = new int[size];
            java.util.Arrays.fill(holding, -1);
        }
    }

    /** A worker's saved state: its own tally. */
    static final class Worker {
        boolean stopped;
        int done;
        long digest;
    }

    public static void main(String[] args) {
        String[] rest = MPI.Init(args);
        int tasks = rest.length > 0 ? Integer.parseInt(rest[0]) : 200;
        long work = rest.length > 1 ? Long.parseLong(rest[1]) : 20_000;
        int rank = MPI.COMM_WORLD.Rank();
        int size = MPI.COMM_WORLD.Size();
        if (size < 2 || tasks < 0 || work < 0) {
            throw new IllegalArgumentException("MasterWorker needs at least 2 ranks, tasks >= 0 and work >= 0; got "
                    + size + " ranks, " + tasks + " tasks, work " + work);
        }
        if (rank == 0) {
            master(tasks, size);
        } else {
            worker(work);
        }
        MPI.Finalize();
    }

    // ------------------------------------------------------------------ master

    private static void master(int tasks, int size) {
        Master s = Checkpoint.restoreOr(() -> new Master(tasks, size));
        if (!Checkpoint.isRestart()) {
            for (int w = 1; w < size; w++) {
                handOut(s, w);
            }
        }
        while (s.received < tasks) {
            switch (s.turn++ % 3) {
                case 0 -> {
                    long[] result = new long[3];
                    MPI.COMM_WORLD.Recv(result, 0, 3, MPI.LONG, MPI.ANY_SOURCE, TAG_RESULT);
                    accept(s, result);
                }
                case 1 -> {
                    Status probed;
                    while ((probed = MPI.COMM_WORLD.Iprobe(MPI.ANY_SOURCE, TAG_RESULT)) == null) {
                        Thread.onSpinWait();
                    }
                    long[] result = new long[3];
                    MPI.COMM_WORLD.Recv(result, 0, 3, MPI.LONG, probed.source, probed.tag);
                    accept(s, result);
                }
                default -> wave(s, size);
            }
            Checkpoint.point(s);
        }
        long[] tally = new long[2];
        for (int w = 1; w < size; w++) {
            MPI.COMM_WORLD.Recv(tally, 0, 2, MPI.LONG, w, TAG_TALLY);
            check(s, w, tally[0], tally[1]);
        }
        long checksum = 0;
        for (int t = 0; t < tasks; t++) {
            checksum = checksum * 31 + s.results[t];
        }
        System.out.println("MasterWorker: " + tasks + " tasks on " + (size - 1) + " workers, checksum "
                + Long.toHexString(checksum));
        System.out.println("MasterWorker: every worker's tally matches the master's record");
    }

    /** One receive posted to every busy worker, completed with Waitany; each completion re-tasks that worker. */
    private static void wave(Master s, int size) {
        int busy = 0;
        for (int w = 1; w < size; w++) {
            if (s.holding[w] >= 0) {
                busy++;
            }
        }
        Request[] requests = new Request[busy];
        long[][] results = new long[busy][3];
        int k = 0;
        for (int w = 1; w < size; w++) {
            if (s.holding[w] >= 0) {
                requests[k] = MPI.COMM_WORLD.Irecv(results[k], 0, 3, MPI.LONG, w, TAG_RESULT);
                k++;
            }
        }
        for (int left = busy; left > 0; left--) {
            Status st = Request.Waitany(requests);
            accept(s, results[st.index]);
        }
    }

    private static void accept(Master s, long[] result) {
        int task = (int) result[0];
        int worker = (int) result[2];
        if (s.holding[worker] != task) {
            throw new IllegalStateException("MasterWorker: result of task " + task + " from rank " + worker
                    + ", which holds task " + s.holding[worker]);
        }
        s.results[task] = result[1];
        s.doneBy[task] = worker;
        s.received++;
        s.holding[worker] = -1;
        handOut(s, worker);
    }

    /** Sends worker {@code w} the next task, or tells it to stop when none is left. */
    private static void handOut(Master s, int w) {
        if (s.nextTask < s.results.length) {
            s.holding[w] = s.nextTask;
            MPI.COMM_WORLD.Send(new int[] {s.nextTask++}, 0, 1, MPI.INT, w, TAG_TASK);
        } else {
            MPI.COMM_WORLD.Send(new int[0], 0, 0, MPI.INT, w, TAG_STOP);
        }
    }

    private static void check(Master s, int w, long done, long digest) {
        long mine = 0;
        long count = 0;
        for (int t = 0; t < s.results.length; t++) {
            if (s.doneBy[t] == w) {
                count++;
                mine += digestOf(t);
            }
        }
        if (count != done || mine != digest) {
            throw new IllegalStateException("MasterWorker: rank " + w + " reports " + done + " tasks (digest " + digest
                    + ") but the master recorded " + count + " (digest " + mine + ")");
        }
    }

    // ------------------------------------------------------------------ worker

    private static void worker(long work) {
        Worker s = Checkpoint.restoreOr(Worker::new);
        int rank = MPI.COMM_WORLD.Rank();
        int[] task = new int[1];
        while (!s.stopped) {
            Status st = MPI.COMM_WORLD.Recv(task, 0, 1, MPI.INT, 0, MPI.ANY_TAG);
            if (st.tag == TAG_STOP) {
                s.stopped = true;
            } else {
                long value = compute(task[0], work);
                MPI.COMM_WORLD.Send(new long[] {task[0], value, rank}, 0, 3, MPI.LONG, 0, TAG_RESULT);
                s.done++;
                s.digest += digestOf(task[0]);
            }
            Checkpoint.point(s);
        }
        MPI.COMM_WORLD.Send(new long[] {s.done, s.digest}, 0, 2, MPI.LONG, 0, TAG_TALLY);
    }

    /** The result of a task: a mix of its number iterated a number of times that varies with the task. */
    static long compute(int task, long work) {
        long x = task;
        long rounds = work * (1 + task % 4);
        for (long i = 0; i < rounds; i++) {
            x = mix(x + i);
        }
        return x;
    }

    private static long digestOf(int task) {
        return mix(task + 0x9E3779B97F4A7C15L);
    }

    /** SplitMix64's finaliser. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
