package io.snapline.examples;

import io.snapline.checkpoint.Checkpoint;
import java.util.ArrayList;
import java.util.List;
import mpi.MPI;
import mpi.Request;
import mpi.Status;

/**
 * A task farm whose master learns of results only by polling and by waiting for any or some of its receives, the
 * other half of {@link MasterWorker}'s non-determinism: each round it posts a receive for every busy worker and
 * completes them with {@code Waitsome}, a {@code Testsome} loop, a {@code Testany} loop, a round-robin {@code Test}
 * loop or {@code Waitany}, re-tasking each worker as its result comes; between polls it takes the workers' progress
 * notes with {@code Iprobe(ANY_SOURCE)} and a receive from the rank it found. Workers send a note every third task
 * and poll their own sends with {@code Test}. At the end the master checks each worker's tally (tasks, digest, notes)
 * against its own record and prints a checksum of the results, which does not depend on the order they came in.
 *
 * <p>Safe points: the master's after each round (no receive pending), a worker's after each task.
 */
public final class PollingFarm {
    static final int TAG_TASK = 1;
    static final int TAG_STOP = 2;
    static final int TAG_RESULT = 3;
    static final int TAG_NOTE = 4;
    static final int TAG_TALLY = 5;

    private PollingFarm() {
    }

    /** The master's saved state. */
    static final class Master {
        int nextTask;
        int received;
        int round;
        long[] results;
        int[] doneBy;
        int[] holding;
        int[] notes;

        Master(int tasks, int size) {
            results = new long[tasks];
            doneBy = new int[tasks];
            holding = new int[size];
            notes = new int[size];
            java.util.Arrays.fill(holding, -1);
        }
    }

    /** A worker's saved state. */
    static final class Worker {
        boolean stopped;
        int done;
        long digest;
        int notes;
    }

    public static void main(String[] args) {
        String[] rest = MPI.Init(args);
        int tasks = rest.length > 0 ? Integer.parseInt(rest[0]) : 200;
        long work = rest.length > 1 ? Long.parseLong(rest[1]) : 10_000;
        if (MPI.COMM_WORLD.Rank() == 0) {
            master(tasks, MPI.COMM_WORLD.Size());
        } else {
            worker(work);
        }
        MPI.Finalize();
    }

    private static void master(int tasks, int size) {
        Master s = Checkpoint.restoreOr(() -> new Master(tasks, size));
        if (!Checkpoint.isRestart()) {
            for (int w = 1; w < size; w++) {
                handOut(s, w);
            }
        }
        while (s.received < tasks) {
            round(s, size);
            takeNotes(s);
            Checkpoint.point(s);
        }
        long[] tally = new long[3];
        for (int w = 1; w < size; w++) {
            MPI.COMM_WORLD.Recv(tally, 0, 3, MPI.LONG, w, TAG_TALLY);
            while (s.notes[w] < tally[2]) {
                MPI.COMM_WORLD.Recv(new int[1], 0, 1, MPI.INT, w, TAG_NOTE);
                s.notes[w]++;
            }
            check(s, w, tally);
        }
        long checksum = 0;
        for (int t = 0; t < tasks; t++) {
            checksum = checksum * 31 + s.results[t];
        }
        System.out.println("PollingFarm: " + tasks + " tasks on " + (size - 1) + " workers, checksum "
                + Long.toHexString(checksum));
        System.out.println("PollingFarm: every worker's tally and notes match the master's record");
    }

    /** One receive per busy worker, all completed in one of five ways; each result re-tasks its worker at once. */
    private static void round(Master s, int size) {
        List<Integer> from = new ArrayList<>();
        for (int w = 1; w < size; w++) {
            if (s.holding[w] >= 0) {
                from.add(w);
            }
        }
        Request[] rs = new Request[from.size()];
        long[][] results = new long[from.size()][3];
        for (int k = 0; k < rs.length; k++) {
            rs[k] = MPI.COMM_WORLD.Irecv(results[k], 0, 3, MPI.LONG, from.get(k), TAG_RESULT);
        }
        int left = rs.length;
        int way = s.round++ % 5;
        int next = 0;
        while (left > 0) {
            List<Integer> done = new ArrayList<>();
            switch (way) {
                case 0 -> {
                    for (Status st : Request.Waitsome(rs)) {
                        done.add(st.index);
                    }
                }
                case 1 -> {
                    for (Status st : Request.Testsome(rs)) {
                        done.add(st.index);
                    }
                }
                case 2 -> {
                    Status st = Request.Testany(rs);
                    if (st != null) {
                        done.add(st.index);
                    }
                }
                case 3 -> {
                    int k = next++ % rs.length;
                    if (!rs[k].Is_null() && rs[k].Test() != null) {
                        done.add(k);
                    }
                }
                default -> done.add(Request.Waitany(rs).index);
            }
            for (int k : done) {
                accept(s, results[k]);
                left--;
            }
            if (done.isEmpty()) {
                takeNotes(s);
            }
        }
    }

    /** Takes every progress note that has arrived, from whichever worker sent it. */
    private static void takeNotes(Master s) {
        Status probed;
        while ((probed = MPI.COMM_WORLD.Iprobe(MPI.ANY_SOURCE, TAG_NOTE)) != null) {
            MPI.COMM_WORLD.Recv(new int[1], 0, 1, MPI.INT, probed.source, TAG_NOTE);
            s.notes[probed.source]++;
        }
    }

    private static void accept(Master s, long[] result) {
        int task = (int) result[0];
        int worker = (int) result[2];
        if (s.holding[worker] != task) {
            throw new IllegalStateException("PollingFarm: result of task " + task + " from rank " + worker
                    + ", which holds task " + s.holding[worker]);
        }
        s.results[task] = result[1];
        s.doneBy[task] = worker;
        s.received++;
        s.holding[worker] = -1;
        handOut(s, worker);
    }

    private static void handOut(Master s, int w) {
        if (s.nextTask < s.results.length) {
            s.holding[w] = s.nextTask;
            MPI.COMM_WORLD.Send(new int[] {s.nextTask++}, 0, 1, MPI.INT, w, TAG_TASK);
        } else {
            MPI.COMM_WORLD.Send(new int[0], 0, 0, MPI.INT, w, TAG_STOP);
        }
    }

    private static void check(Master s, int w, long[] tally) {
        long count = 0;
        long digest = 0;
        for (int t = 0; t < s.results.length; t++) {
            if (s.doneBy[t] == w) {
                count++;
                digest += mix(t);
            }
        }
        if (count != tally[0] || digest != tally[1] || s.notes[w] != tally[2]) {
            throw new IllegalStateException("PollingFarm: rank " + w + " reports " + tally[0] + " tasks (digest "
                    + tally[1] + ") and " + tally[2] + " notes but the master recorded " + count + " (digest " + digest
                    + ") and " + s.notes[w] + " notes");
        }
    }

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
                if (s.done % 3 == 2) {
                    await(MPI.COMM_WORLD.Isend(new int[] {s.done}, 0, 1, MPI.INT, 0, TAG_NOTE));
                    s.notes++;
                }
                await(MPI.COMM_WORLD.Isend(new long[] {task[0], value, rank}, 0, 3, MPI.LONG, 0, TAG_RESULT));
                s.done++;
                s.digest += mix(task[0]);
            }
            Checkpoint.point(s);
        }
        MPI.COMM_WORLD.Send(new long[] {s.done, s.digest, s.notes}, 0, 3, MPI.LONG, 0, TAG_TALLY);
    }

    /** A task's result: its number mixed a number of times that varies with the task. */
    static long compute(int task, long work) {
        long x = task;
        long rounds = work * (1 + task % 4);
        for (long i = 0; i < rounds; i++) {
            x = mix(x + i);
        }
        return x;
    }

    /** SplitMix64's finaliser. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Polls a send with {@code Test} until it has completed. */
    private static void await(Request r) {
        while (r.Test() == null) {
            Thread.onSpinWait();
        }
    }
}
