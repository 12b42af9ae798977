package io.snapline.runtime.launch;

import io.snapline.runtime.device.shm.ShmDevice;
import io.snapline.runtime.engine.DeadlockDetector;
import io.snapline.runtime.engine.Endpoint;
import io.snapline.runtime.engine.JobAbortedException;
import io.snapline.runtime.engine.JobState;
import io.snapline.runtime.engine.Mailbox;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

/**
 * Runs a job on the {@code shm} device: every rank is a thread of this JVM with its own class loader. The first
 * rank to fail (uncaught throwable or {@code Abort}) aborts the job; the others are woken out of any wait and given
 * a short grace period to unwind, so the job ends promptly.
 */
public final class ShmJob {
    /** How long ranks may take to unwind after an abort before the job is reported anyway. */
    static final Duration GRACE = Duration.ofSeconds(2);
    /** Consecutive half-second checks with every running rank blocked in the same wait before a deadlock is declared. */
    static final int DEADLOCK_CHECKS = 4;

    private ShmJob() {
    }

    /** Runs the job described by {@code options}, with rank output going to {@code out} and {@code err}. */
    public static JobResult run(LaunchOptions options, PrintStream out, PrintStream err) {
        URL[] classPath = classPath(options);
        String mainClass = mainClass(options);
        int np = options.np();
        long start = System.nanoTime();
        ShmDevice device = new ShmDevice(np);
        JobState job = new JobState(np);
        Endpoint[] endpoints = new Endpoint[np];
        for (int r = 0; r < np; r++) {
            Mailbox mailbox = new Mailbox();
            device.register(r, mailbox);
            endpoints[r] = new Endpoint(r, device, mailbox, job);
        }
        RankOutput rankOut = new RankOutput(out, options.tagOutput());
        RankOutput rankErr = new RankOutput(err, options.tagOutput());
        PrintStream savedOut = System.out;
        PrintStream savedErr = System.err;
        System.setOut(new PrintStream(rankOut, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(rankErr, true, StandardCharsets.UTF_8));
        CountDownLatch finished = new CountDownLatch(np);
        List<JobResult.RankFailure> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        RankClassLoader[] loaders = new RankClassLoader[np];
        try {
            ClassLoader parent = ShmJob.class.getClassLoader();
            Thread[] threads = new Thread[np];
            for (int r = 0; r < np; r++) {
                loaders[r] = new RankClassLoader(r, classPath, parent);
                RankRegistry.bind(loaders[r], new RankContext(endpoints[r], "shm", 3, loaders[r]));
                int rank = r;
                threads[r] = new Thread(null, () -> runRank(rank, np, loaders[rank], mainClass, options.programArgs(),
                        job, failures, rankOut, rankErr, finished), "snapline-rank-" + r, 0);
                threads[r].setDaemon(true);
                threads[r].setContextClassLoader(loaders[r]);
                job.bindThread(r, threads[r]);
            }
            for (Thread t : threads) {
                t.start();
            }
            awaitEnd(job, finished);
        } finally {
            System.setOut(savedOut);
            System.setErr(savedErr);
            for (RankClassLoader l : loaders) {
                if (l != null) {
                    RankRegistry.unbind(l);
                    try {
                        l.close();
                    } catch (IOException ignored) {
                        // nothing was opened that outlives the job
                    }
                }
            }
        }
        Duration wall = Duration.ofNanos(System.nanoTime() - start);
        if (!job.isAborted()) {
            return new JobResult(0, List.of(), wall);
        }
        int code = job.abortCode() != 0 ? job.abortCode() : 1;
        List<JobResult.RankFailure> first = new ArrayList<>();
        synchronized (failures) {
            for (JobResult.RankFailure f : failures) {
                if (f.rank() == job.abortRank()) {
                    first.add(f);
                    break;
                }
            }
        }
        if (first.isEmpty()) {
            first.add(new JobResult.RankFailure(job.abortRank(), job.abortReason(), null));
        }
        return new JobResult(code, List.copyOf(first), wall);
    }

    private static void awaitEnd(JobState job, CountDownLatch finished) {
        DeadlockDetector deadlocks = new DeadlockDetector(DEADLOCK_CHECKS);
        long ticks = 0;
        try {
            while (!finished.await(50, TimeUnit.MILLISECONDS)) {
                if (job.isAborted()) {
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

    private static void runRank(int rank, int np, ClassLoader loader, String mainClass, List<String> programArgs,
            JobState job, List<JobResult.RankFailure> failures, RankOutput out, RankOutput err, CountDownLatch finished) {
        RankOutput.enterRank(rank);
        try {
            Class<?> main = Class.forName(mainClass, true, loader);
            Method m = main.getMethod("main", String[].class);
            if (!Modifier.isStatic(m.getModifiers())) {
                throw new IllegalStateException("main(String[]) of " + mainClass + " is not static");
            }
            String[] argv = new String[programArgs.size() + 3];
            argv[0] = Integer.toString(rank);
            argv[1] = Integer.toString(np);
            argv[2] = "shm";
            for (int i = 0; i < programArgs.size(); i++) {
                argv[i + 3] = programArgs.get(i);
            }
            m.invoke(null, (Object) argv);
        } catch (InvocationTargetException e) {
            fail(rank, e.getCause(), job, failures);
        } catch (ClassNotFoundException e) {
            fail(rank, new IllegalArgumentException("main class " + mainClass + " was not found on the class path", e), job, failures);
        } catch (NoSuchMethodException e) {
            fail(rank, new IllegalArgumentException(mainClass + " has no public static void main(String[])", e), job, failures);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            fail(rank, e, job, failures);
        } finally {
            job.finished(rank);
            out.flushPartialLine();
            err.flushPartialLine();
            RankOutput.leaveRank();
            finished.countDown();
        }
    }

    private static void fail(int rank, Throwable t, JobState job, List<JobResult.RankFailure> failures) {
        if (t instanceof RankAbortError) {
            return;
        }
        if (job.isAborted() && isConsequence(t)) {
            return;
        }
        String description = "rank " + rank + " failed: " + t;
        if (job.abort(rank, 1, description)) {
            failures.add(new JobResult.RankFailure(rank, description, t));
        }
    }

    /** Whether {@code t} is only the echo of an abort in another rank. */
    private static boolean isConsequence(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof JobAbortedException) {
                return true;
            }
        }
        return false;
    }

    /** Describes a failure for the launcher's report, stack trace included. */
    public static String describe(JobResult.RankFailure f) {
        if (f.error() == null) {
            return f.description();
        }
        StringWriter w = new StringWriter();
        f.error().printStackTrace(new PrintWriter(w));
        return "rank " + f.rank() + " failed with an uncaught exception:\n" + w.toString().stripTrailing();
    }

    static URL[] classPath(LaunchOptions options) {
        List<URL> urls = new ArrayList<>();
        String cp = options.jar() != null ? options.jar() : options.classPath();
        if (cp == null) {
            cp = ".";
        }
        for (String entry : cp.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            try {
                if (entry.endsWith("/*") || entry.equals("*")) {
                    Path dir = Path.of(entry.length() == 1 ? "." : entry.substring(0, entry.length() - 2));
                    if (Files.isDirectory(dir)) {
                        try (DirectoryStream<Path> jars = Files.newDirectoryStream(dir, "*.{jar,JAR}")) {
                            for (Path j : jars) {
                                urls.add(j.toUri().toURL());
                            }
                        }
                    }
                } else {
                    Path p = Path.of(entry);
                    if (!Files.exists(p)) {
                        throw new UsageException("class path entry '" + entry + "' does not exist");
                    }
                    urls.add(p.toAbsolutePath().toUri().toURL());
                }
            } catch (MalformedURLException e) {
                throw new UsageException("bad class path entry '" + entry + "': " + e.getMessage());
            } catch (IOException e) {
                throw new UsageException("cannot list '" + entry + "': " + e.getMessage());
            }
        }
        return urls.toArray(new URL[0]);
    }

    static String mainClass(LaunchOptions options) {
        if (options.mainClass() != null) {
            return options.mainClass();
        }
        try (JarFile jar = new JarFile(options.jar())) {
            String main = jar.getManifest() == null ? null : jar.getManifest().getMainAttributes().getValue("Main-Class");
            if (main == null) {
                throw new UsageException(options.jar() + " names no Main-Class in its manifest; give the main class after -jar JAR");
            }
            return main;
        } catch (IOException e) {
            throw new UsageException("cannot read " + options.jar() + ": " + e.getMessage());
        }
    }
}
