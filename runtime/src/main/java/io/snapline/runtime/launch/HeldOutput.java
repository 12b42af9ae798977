package io.snapline.runtime.launch;

import io.snapline.runtime.checkpoint.RestartPoint;
import java.io.PrintStream;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * A job's held stdout: an {@link OutputCommit} run on a thread of its own, which also does all the writing to the
 * terminal. Rank threads, output pumps, control readers and the coordinator only queue events (a lock-free add), so
 * none of them waits for the terminal, a rank killed on {@code shm} cannot leave the state half-updated, and the
 * decisions are made in the order the events came. A rank that prints faster than the terminal takes it waits once
 * {@link #BACKLOG} bytes are queued, as it would wait on a full pipe.
 */
final class HeldOutput {
    /** Queued line bytes above which a printing rank waits. */
    static final long BACKLOG = 16L << 20;

    private final OutputCommit commit;
    private final PrintStream sink;
    private final ConcurrentLinkedQueue<Runnable> events = new ConcurrentLinkedQueue<>();
    private final AtomicLong queued = new AtomicLong();
    private final Thread thread;
    private volatile boolean stopped;
    private volatile boolean exited;
    /** After the job: lines of this attempt go straight to the sink (-1: none do), others are dropped. */
    private volatile int passAttempt = -1;
    private int attempt;

    HeldOutput(PrintStream sink, int np, Consumer<String> warn) {
        this.commit = new OutputCommit(sink, np, warn);
        this.sink = sink;
        this.thread = new Thread(this::loop, "snaprun-output");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void loop() {
        while (true) {
            Runnable e = events.poll();
            if (e == null) {
                if (stopped) {
                    exited = true;
                    drainHere(); // what came while it was ending
                    return;
                }
                LockSupport.park(this);
                continue;
            }
            run(e);
        }
    }

    @SuppressWarnings("removal")
    private static void run(Runnable e) {
        try {
            e.run();
        } catch (ThreadDeath killed) { // a rank thread running leftover events here was killed: it dies
            throw killed;
        } catch (RuntimeException | Error failure) {
            // One bad event must not end the job's output; say so where the user looks.
            System.err.println("snaprun: internal error in held output: " + failure);
        }
    }

    private void add(Runnable event) {
        events.add(event);
        LockSupport.unpark(thread);
        if (exited) { // the output thread has ended: run what is left here
            drainHere();
        }
    }

    private void drainHere() {
        synchronized (events) {
            Runnable e;
            while ((e = events.poll()) != null) {
                run(e);
            }
        }
    }

    /** Runs {@code event} on the output thread and waits up to {@code millis} for it; false if it did not run. */
    private boolean await(Runnable event, long millis) {
        CountDownLatch done = new CountDownLatch(1);
        add(() -> {
            try {
                event.run();
            } finally {
                done.countDown();
            }
        });
        try {
            return done.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The next attempt starts, each rank from what {@code restore} says; returns its number. */
    int startAttempt(RestartPoint restore) {
        int number = ++attempt;
        add(() -> commit.startAttempt(number, restore));
        return number;
    }

    /** Rank {@code rank} restarts alone in attempt {@code number}: see {@link OutputCommit#restartRank}. */
    void restartRank(int number, int rank, io.snapline.runtime.checkpoint.RestoreFrom from) {
        add(() -> commit.restartRank(number, rank, from));
    }

    /** See {@link OutputCommit#line}; waits while too much is queued. */
    void line(int attempt, int rank, byte[] prefix, byte[] data, int counted) {
        if (stopped) { // the job is over: a line its last attempt's ranks still print goes straight out
            if (attempt == passAttempt) {
                synchronized (sink) {
                    sink.write(prefix, 0, prefix.length);
                    sink.write(data, 0, data.length);
                    sink.flush();
                }
            }
            return;
        }
        while (queued.get() > BACKLOG && !stopped) {
            LockSupport.parkNanos(this, 1_000_000);
        }
        queued.addAndGet(data.length);
        add(() -> {
            queued.addAndGet(-data.length);
            commit.line(attempt, rank, prefix, data, counted);
        });
    }

    void resumed(int attempt, int rank, long bytes) {
        add(() -> commit.resumed(attempt, rank, bytes));
    }

    void mark(int attempt, int rank, long id, long bytes) {
        add(() -> commit.mark(attempt, rank, id, bytes));
    }

    void committed(long id) {
        add(() -> commit.committed(id));
    }

    void localLine(long[] line) {
        add(() -> commit.localLine(line));
    }

    /** The job is over: writes everything held, waits until it is written, and ends the output thread. */
    void releaseAll() {
        if (!stopped) {
            await(() -> {
                commit.releaseAll();
                stop(attempt);
            }, Long.MAX_VALUE);
        }
    }

    /**
     * The job ends resumable, a resume restoring {@code resumeFrom}: writes what that covers, waiting up to
     * {@code millis}, and ends the output thread;
     * returns the bytes withheld (a resume prints them again), or -1 if the output thread did not get to it in time.
     */
    long releaseCommitted(RestartPoint resumeFrom, long millis) {
        if (stopped) {
            return 0; // the job's output has been dealt with already
        }
        long[] withheld = {-1};
        await(() -> {
            withheld[0] = commit.releaseCommitted(resumeFrom);
            stop(-1);
        }, millis);
        return withheld[0];
    }

    /** On the output thread, after the last event: later lines of attempt {@code pass} go straight out. */
    private void stop(int pass) {
        if (stopped) {
            return; // the first ending decided (a job that was interrupted, then finished)
        }
        passAttempt = pass;
        stopped = true;
    }
}
