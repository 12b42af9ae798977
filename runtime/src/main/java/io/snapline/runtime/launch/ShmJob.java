package io.snapline.runtime.launch;

import io.snapline.runtime.device.shm.ShmDevice;
import io.snapline.runtime.engine.DeadlockDetector;
import io.snapline.runtime.engine.Endpoint;
import io.snapline.runtime.engine.JobAbortedException;
import io.snapline.runtime.engine.JobState;
import io.snapline.runtime.engine.Mailbox;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs a job on the {@code shm} device: every rank is a thread of this JVM with its own class loader, started with
 * MPJ Express's argument convention ({@code rank, size, device} before the program's own arguments).
 *
 * <p>The first rank to fail (uncaught throwable or {@code Abort}) aborts the job: every rank waiting inside the
 * runtime wakes with {@link JobAbortedException}, rank threads are interrupted, and the ranks get {@link #GRACE} to
 * unwind. Ranks still running after that (busy in their own code) are abandoned and listed in the result; their threads
 * are daemons, and {@link Launcher#main} ends the JVM. While the job runs, {@code System.out} and {@code System.err}
 * are routed through {@link RankOutput}, so one job at a time may run in a JVM.
 */
public final class ShmJob {
    /** How long ranks may take to unwind after an abort before they are abandoned. */
    static final Duration GRACE = Duration.ofSeconds(2);
    /** Consecutive half-second checks with every running rank blocked in the same wait before a deadlock is declared. */
    static final int DEADLOCK_CHECKS = 4;
    private static final long POLL_MILLIS = 50;

    private final LaunchOptions options;
    private final int np;
    private final JobState job;
    private final Thread[] threads;
    private final AtomicIntegerArray done;
    private final CountDownLatch finished;
    private final AtomicReference<JobResult.RankFailure> firstFailure = new AtomicReference<>();

    private ShmJob(LaunchOptions options) {
        this.options = options;
        this.np = options.np();
        this.job = new JobState(np);
        this.threads = new Thread[np];
        this.done = new AtomicIntegerArray(np);
        this.finished = new CountDownLatch(np);
    }

    /** Runs the job described by {@code options}, with rank output going to {@code out} and {@code err}. */
    public static JobResult run(LaunchOptions options, PrintStream out, PrintStream err) {
        return new ShmJob(options).run(out, err);
    }

    private JobResult run(PrintStream out, PrintStream err) {
        URL[] classPath = ProgramLoader.classPath(options);
        long start = System.nanoTime();
        ShmDevice device = new ShmDevice(np);
        Endpoint[] endpoints = new Endpoint[np];
        for (int r = 0; r < np; r++) {
            Mailbox mailbox = new Mailbox();
            device.register(r, mailbox);
            endpoints[r] = new Endpoint(r, device, mailbox, job);
        }
        RankOutput rankOut = new RankOutput(out, np, options.tagOutput());
        RankOutput rankErr = new RankOutput(err, np, options.tagOutput());
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        RankClassLoader[] loaders = new RankClassLoader[np];
        System.setOut(new PrintStream(rankOut, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(rankErr, true, StandardCharsets.UTF_8));
        try {
            ClassLoader parent = ShmJob.class.getClassLoader();
            for (int r = 0; r < np; r++) {
                loaders[r] = new RankClassLoader(r, classPath, parent);
                RankRegistry.bind(loaders[r], new RankContext(endpoints[r], "shm", 3, loaders[r]));
                int rank = r;
                RankClassLoader loader = loaders[r];
                threads[r] = new Thread(null, () -> runRank(rank, loader, rankOut, rankErr), "snapline-rank-" + r, 0);
                threads[r].setDaemon(true);
                threads[r].setContextClassLoader(loaders[r]);
                job.bindThread(r, threads[r]);
            }
            for (Thread t : threads) {
                t.start();
            }
            awaitEnd();
        } finally {
            System.out.flush();
            System.err.flush();
            System.setOut(savedOut);
            System.setErr(savedErr);
            for (RankClassLoader l : loaders) {
                if (l != null) {
                    RankRegistry.unbind(l);
                    closeQuietly(l);
                }
            }
        }
        return result(Duration.ofNanos(System.nanoTime() - start));
    }

    /**
     * Waits until every rank has ended, or, after an abort, until the survivors have had their grace period. Every
     * half second it checks for a deadlock (all running ranks blocked in the same waits) and aborts the job if so.
     */
    private void awaitEnd() {
        DeadlockDetector deadlocks = new DeadlockDetector(DEADLOCK_CHECKS);
        long ticks = 0;
        try {
            while (!finished.await(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                if (job.isAborted()) {
                    for (int r = 0; r < np; r++) {
                        if (done.get(r) == 0) {
                            threads[r].interrupt();
                        }
                    }
                    finished.await(GRACE.toMillis(), TimeUnit.MILLISECONDS);
                    return;
                }
                if (++ticks % 10 == 0) {
                    String deadlock = deadlocks.check(job.snapshotBlocked());
                    if (deadlock != null) {
                        job.abort(-1, 1, deadlock);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            job.abort(-1, 130, "the launcher was interrupted");
        }
    }

    private JobResult result(Duration wall) {
        if (!job.isAborted()) {
            return new JobResult(0, List.of(), wall);
        }
        List<Integer> abandoned = new ArrayList<>();
        for (int r = 0; r < np; r++) {
            if (done.get(r) == 0) {
                abandoned.add(r);
            }
        }
        JobResult.RankFailure f = firstFailure.get();
        if (f == null || f.rank() != job.abortRank()) {
            f = new JobResult.RankFailure(job.abortRank(), job.abortReason(), null);
        }
        return new JobResult(JobResult.exitStatusOf(job.abortCode()), List.of(f), wall, List.copyOf(abandoned));
    }

    private void runRank(int rank, ClassLoader loader, RankOutput out, RankOutput err) {
        RankOutput.enterRank(rank);
        try {
            Method m = Class.forName(options.mainClass(), true, loader).getMethod("main", String[].class);
            if (!Modifier.isStatic(m.getModifiers())) {
                throw new IllegalStateException("main(String[]) of " + options.mainClass() + " is not static");
            }
            m.invoke(null, (Object) argv(rank));
        } catch (InvocationTargetException e) {
            fail(rank, e.getCause());
        } catch (ClassNotFoundException e) {
            fail(rank, new IllegalArgumentException("main class " + options.mainClass()
                    + " was not found on the class path", e));
        } catch (NoSuchMethodException e) {
            fail(rank, new IllegalArgumentException(options.mainClass() + " has no public static void main(String[])", e));
        } catch (ReflectiveOperationException | RuntimeException | Error e) {
            fail(rank, e);
        } finally {
            job.finished(rank);
            out.flushPartialLine();
            err.flushPartialLine();
            RankOutput.leaveRank();
            done.set(rank, 1);
            finished.countDown();
        }
    }

    /** MPJ Express's convention: rank, size and device come before the program's own arguments. */
    private String[] argv(int rank) {
        List<String> programArgs = options.programArgs();
        String[] argv = new String[programArgs.size() + 3];
        argv[0] = Integer.toString(rank);
        argv[1] = Integer.toString(np);
        argv[2] = "shm";
        for (int i = 0; i < programArgs.size(); i++) {
            argv[i + 3] = programArgs.get(i);
        }
        return argv;
    }

    private void fail(int rank, Throwable t) {
        if (t instanceof RankAbortError) {
            return;
        }
        if (job.isAborted() && isConsequence(t)) {
            return;
        }
        String description = "rank " + rank + " failed: " + t;
        if (job.abort(rank, 1, description)) {
            firstFailure.set(new JobResult.RankFailure(rank, description, t));
        }
    }

    /** Whether {@code t} is only the echo of an abort elsewhere: the runtime's wake-up or the launcher's interrupt. */
    private boolean isConsequence(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof JobAbortedException || c instanceof InterruptedException
                    || c instanceof java.io.InterruptedIOException) {
                return true;
            }
        }
        return false;
    }

    /** Describes a failure for the launcher's report, stack trace included; see {@link FailureReport}. */
    public static String describe(JobResult.RankFailure f) {
        return FailureReport.describe(f);
    }

    private static void closeQuietly(RankClassLoader l) {
        try {
            l.close();
        } catch (IOException ignored) {
            // the loader read only local class files; nothing is left open
        }
    }
}
