package io.snapline.benchmarks.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * The one job a bench runs at a time, and the stopping of it: by the bench when the job has ended or outlived
 * {@code --run-timeout}, and by the bench's shutdown hook ({@link #shutdownHook}) when the bench itself is stopped
 * (Ctrl-C, {@code kill}). Once shutdown has begun no job starts.
 *
 * <p>Thread-safe: the bench's thread starts and stops jobs, the hook's thread stops the current one. A job started
 * while shutdown begins is stopped by one of the two or both (stopping is idempotent): {@link #start} publishes the
 * job before it reads the flag, the hook sets the flag before it reads the job.
 */
final class CurrentJob {
    /** How long stopping a job waits for its killed processes to exit. */
    static final Duration EXIT_WAIT = Duration.ofSeconds(30);

    private final AtomicReference<Process> current = new AtomicReference<>();
    private final AtomicBoolean shuttingDown = new AtomicBoolean();

    /** Starts {@code builder}'s process as the current job. */
    Process start(ProcessBuilder builder) throws IOException, InterruptedException {
        if (shuttingDown.get()) {
            throw stopping();
        }
        Process p = builder.start();
        current.set(p);
        if (shuttingDown.get()) { // the hook may have looked before the job was published
            stop(p);
            throw stopping();
        }
        return p;
    }

    /**
     * Stops {@code job} and the processes it started (the rank JVMs of {@code -dev tcp}), if still running, and waits
     * for all of them to exit. In this order: the launcher's descendants are listed (once it is dead they are no
     * longer its), the launcher is killed (so that it restarts no rank it sees die), then the listed ranks.
     *
     * @throws IOException when some process has not exited {@link #EXIT_WAIT} after being killed
     */
    void stop(Process job) throws IOException, InterruptedException {
        List<ProcessHandle> ranks = job.descendants().toList();
        job.destroyForcibly();
        ranks.forEach(ProcessHandle::destroyForcibly);
        List<CompletableFuture<?>> exits = new ArrayList<>(List.of(job.onExit()));
        ranks.forEach(r -> exits.add(r.onExit()));
        try {
            CompletableFuture.allOf(exits.toArray(new CompletableFuture<?>[0]))
                    .get(EXIT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            String alive = ranks.stream().filter(ProcessHandle::isAlive).map(r -> Long.toString(r.pid()))
                    .collect(Collectors.joining(" "));
            throw new IOException("the job's processes (launcher " + job.pid() + (alive.isEmpty() ? "" : ", ranks "
                    + alive) + ") have not exited " + EXIT_WAIT.toSeconds() + " s after being killed; kill them by "
                    + "hand before running the bench again");
        } catch (ExecutionException e) {
            throw new IllegalStateException("onExit does not complete exceptionally", e);
        }
        current.compareAndSet(job, null);
    }

    /**
     * What the bench's shutdown hook does: refuses new jobs, stops the current one, deletes {@code work} (the runs'
     * stores), and says so on {@code err}.
     */
    void shutdown(Path work, PrintStream err) {
        shuttingDown.set(true);
        Process p = current.get();
        try {
            if (p != null && p.isAlive()) {
                err.println("snapline bench: stopped; killing the running job (pid " + p.pid() + ")");
                stop(p);
            }
        } catch (IOException e) {
            err.println("snapline bench: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Bench.deleteTree(work);
        } catch (IOException e) {
            err.println("snapline bench: could not delete " + work + " (" + e + "); delete it by hand");
        }
    }

    /** The bench's one shutdown hook, not yet registered: {@link #shutdown} on a thread of its own. */
    Thread shutdownHook(Path work, PrintStream err) {
        return new Thread(() -> shutdown(work, err), "snapline-bench-shutdown");
    }

    private static IOException stopping() {
        return new IOException("the bench is being stopped; no new job is started");
    }
}
