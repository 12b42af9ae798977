package io.snapline.runtime.launch;

import io.snapline.runtime.engine.JobState;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Runs a job on the {@code tcp} device: one JVM per rank on this host ({@link RankCommand}, {@link RankProcess}),
 * supervised over a loopback control channel ({@link ControlChannel}) that only holders of the job's random token may
 * join.
 *
 * <p>Rank output reaches {@code out}/{@code err} a whole line at a time ({@link OutputPump}). The job ends as on
 * {@code shm}: with 0 when every rank's {@code main} returned; otherwise the first of these ends it —
 * a rank's uncaught exception (status 1, its report and stack trace come over the control channel), {@code Abort(code)}
 * (status {@code code}, 1 for 0), or the death of a rank process (status 1). A death is noticed when the process exits
 * without having reported, when its control connection breaks, or when it has sent nothing for the failure timeout
 * ({@link FailureDetector}); the survivors are told ({@link ControlMessage.PeerDied}). After the first failure the
 * other ranks get {@link #GRACE} to end, then are terminated, then killed. A shutdown hook kills the rank processes
 * when the launcher is interrupted or terminated; a launcher killed outright is noticed by the ranks themselves
 * ({@link RankControl}).
 */
public final class TcpJob {
    /** How long ranks may take to end after the job was aborted before they are terminated. */
    static final Duration GRACE = Duration.ofSeconds(2);
    /** Default for {@code --failure-timeout}. */
    public static final Duration DEFAULT_FAILURE_TIMEOUT = Duration.ofSeconds(2);
    /** How long the ranks may take to start and say hello. */
    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(60);
    /** How long a new control connection may take to present the token. */
    static final Duration HELLO_TIMEOUT = Duration.ofSeconds(5);
    private static final long POLL_MILLIS = 50;
    private static final long STOP_WAIT_MILLIS = 1_000;

    private enum Outcome { RUNNING, FINISHED, FAILED, ABORTED }

    private final LaunchOptions options;
    private final int np;
    private final Duration failureTimeout;
    private final byte[] token = new byte[32];
    private final PrintStream err;
    private final JobState job;
    private final Process[] processes;
    private final AtomicReferenceArray<ControlChannel> channels;
    private final AtomicReferenceArray<Outcome> outcomes;
    private final InetSocketAddress[] dataAddresses;
    private final CountDownLatch[] readersDone;
    private final CountDownLatch exited;
    private final AtomicInteger joined = new AtomicInteger();
    private final FailureDetector detector;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(r -> RankControl.daemon(r, "snaprun-supervisor"));
    private final List<Integer> killed = new ArrayList<>();
    private ServerSocketChannel server;

    private TcpJob(LaunchOptions options, PrintStream err) {
        this.options = options;
        this.np = options.np();
        this.failureTimeout = options.failureTimeout() != null ? options.failureTimeout() : DEFAULT_FAILURE_TIMEOUT;
        this.err = err;
        this.job = new JobState(np);
        this.processes = new Process[np];
        this.channels = new AtomicReferenceArray<>(np);
        this.outcomes = new AtomicReferenceArray<>(np);
        this.dataAddresses = new InetSocketAddress[np];
        this.readersDone = new CountDownLatch[np];
        this.exited = new CountDownLatch(np);
        for (int r = 0; r < np; r++) {
            outcomes.set(r, Outcome.RUNNING);
            readersDone[r] = new CountDownLatch(1);
        }
        this.detector = new FailureDetector(np, failureTimeout, System::nanoTime, this::rankDied);
        new SecureRandom().nextBytes(token);
    }

    /** Runs the job described by {@code options}, with rank output going to {@code out} and {@code err}. */
    public static JobResult run(LaunchOptions options, PrintStream out, PrintStream err) {
        return new TcpJob(options, err).run(out);
    }

    /** How often each side of a control channel sends a heartbeat: a quarter of the failure timeout, 10..500 ms. */
    static Duration heartbeatPeriod(Duration failureTimeout) {
        return Duration.ofMillis(Math.max(10, Math.min(500, failureTimeout.toMillis() / 4)));
    }

    private JobResult run(PrintStream out) {
        long start = System.nanoTime();
        RankOutput rankOut = new RankOutput(out, np, options.tagOutput());
        RankOutput rankErr = new RankOutput(err, np, options.tagOutput());
        List<Thread> pumps = new ArrayList<>();
        Thread hook = new Thread(this::killAll, "snaprun-kill-ranks");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), np);
            RankControl.daemon(this::accept, "snaprun-control-accept").start();
            InetSocketAddress control = (InetSocketAddress) server.getLocalAddress();
            for (int r = 0; r < np && !job.isAborted(); r++) {
                Process p = start(r, control);
                processes[r] = p;
                pumps.add(OutputPump.start(p.getInputStream(), rankOut, r, "snaprun-out-" + r));
                pumps.add(OutputPump.start(p.getErrorStream(), rankErr, r, "snaprun-err-" + r));
                int rank = r;
                RankControl.daemon(() -> watchExit(rank), "snaprun-exit-" + r).start();
            }
            long period = heartbeatPeriod(failureTimeout).toMillis();
            timer.scheduleAtFixedRate(this::tick, period, period, TimeUnit.MILLISECONDS);
            timer.schedule(this::checkStarted, STARTUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            awaitEnd();
            for (Thread t : pumps) {
                t.join(STOP_WAIT_MILLIS);
            }
        } catch (IOException e) {
            job.abort(-1, 1, "cannot start the job: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            job.abort(-1, 130, "the launcher was interrupted");
        } finally {
            timer.shutdownNow();
            closeQuietly();
            killAll();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running or about to
            }
        }
        return result(Duration.ofNanos(System.nanoTime() - start));
    }

    private Process start(int rank, InetSocketAddress control) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(RankCommand.of(options, control, rank, failureTimeout));
        pb.environment().put(RankProcess.TOKEN_ENV, Base64.getEncoder().encodeToString(token));
        Process p = pb.start();
        p.getOutputStream().close();
        return p;
    }

    /** Waits until every rank process has exited, or, after an abort, until the grace period is over. */
    private void awaitEnd() throws InterruptedException {
        while (!exited.await(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
            if (job.isAborted()) {
                if (!exited.await(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    for (int r = 0; r < np; r++) {
                        if (processes[r] != null && processes[r].isAlive()) {
                            killed.add(r);
                        }
                    }
                    killAll();
                }
                return;
            }
        }
    }

    // ------------------------------------------------------------------ control connections

    private void accept() {
        while (server.isOpen()) {
            SocketChannel sc;
            try {
                sc = server.accept();
            } catch (IOException e) {
                return;
            }
            RankControl.daemon(() -> serve(sc), "snaprun-control").start();
        }
    }

    /** Authenticates a new control connection, then reads its rank's messages until it closes. */
    private void serve(SocketChannel sc) {
        ControlChannel ch;
        try {
            ch = new ControlChannel(sc);
        } catch (IOException e) {
            return;
        }
        ScheduledFuture<?> deadline = timer.schedule(ch::close, HELLO_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        ControlMessage first;
        try {
            first = ch.receive(ControlChannel.MAX_HELLO_FRAME);
        } catch (IOException e) {
            refuse(ch, "no valid hello (" + e.getMessage() + ")");
            return;
        } finally {
            deadline.cancel(false);
        }
        if (!(first instanceof ControlMessage.Hello h) || !MessageDigest.isEqual(h.token(), token)) {
            refuse(ch, "it did not present the job's token");
            return;
        }
        int r = h.rank();
        if (r < 0 || r >= np || !channels.compareAndSet(r, null, ch)) {
            refuse(ch, "rank " + r + " is not a rank of this job or has already joined");
            return;
        }
        dataAddresses[r] = h.dataAddress();
        detector.watch(r);
        if (joined.incrementAndGet() == np) {
            broadcast(new ControlMessage.Table(List.of(dataAddresses)), -1);
        }
        try {
            read(r, ch);
        } finally {
            readersDone[r].countDown();
        }
    }

    private void refuse(ControlChannel ch, String why) {
        err.println("snaprun: refused a control connection from " + ch.peer() + ": " + why);
        ch.close();
    }

    private void read(int r, ControlChannel ch) {
        try {
            ControlMessage m;
            while ((m = ch.receive(ControlChannel.MAX_FRAME)) != null) {
                detector.heard(r);
                if (m instanceof ControlMessage.Finished) {
                    ended(r, Outcome.FINISHED);
                } else if (m instanceof ControlMessage.Failed f) {
                    ended(r, Outcome.FAILED);
                    declareExited(r);
                    abort(r, 1, f.report());
                } else if (m instanceof ControlMessage.Abort a) {
                    ended(r, Outcome.ABORTED);
                    abort(r, a.code(), a.reason());
                }
            }
        } catch (IOException e) {
            // the rank is gone or spoke nonsense; its process exit tells which
        }
        if (outcomes.get(r) == Outcome.RUNNING) {
            try {
                timer.schedule(() -> {
                    if (outcomes.get(r) == Outcome.RUNNING && processes[r] != null && processes[r].isAlive()) {
                        detector.died(r, "its control connection to snaprun closed");
                    }
                }, STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException jobOver) {
                // the job has ended and its ranks were stopped: this connection closing is no news
            }
        }
    }

    /**
     * Declares dead every rank other than {@code reporter} whose process has already exited without reporting: a
     * failure a rank reports may follow from such a death (its operations with the dead rank failed), and the death,
     * not the consequence, is what ends the job.
     */
    private void declareExited(int reporter) {
        try {
            for (int x = 0; x < np; x++) {
                if (x != reporter && processes[x] != null && !processes[x].isAlive()) {
                    declareIfDied(x, processes[x].exitValue());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Declares rank {@code r}, whose process exited with {@code status}, dead unless it reported how it ended. */
    private void declareIfDied(int r, int status) throws InterruptedException {
        if (channels.get(r) != null) {
            // A report written just before exiting may still be in flight on the control connection.
            readersDone[r].await(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        }
        if (outcomes.get(r) == Outcome.RUNNING) {
            detector.died(r, describeExit(status, channels.get(r) != null));
        }
    }

    private void ended(int r, Outcome how) {
        outcomes.compareAndSet(r, Outcome.RUNNING, how);
        detector.retire(r);
    }

    // ------------------------------------------------------------------ supervision

    /** Runs on its own thread per rank: waits for the process to exit and decides whether that was a death. */
    private void watchExit(int r) {
        Process p = processes[r];
        try {
            declareIfDied(r, p.waitFor());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            exited.countDown();
        }
    }

    static String describeExit(int status, boolean joined) {
        if (status > 128 && status < 128 + 65) {
            int signal = status - 128;
            return "its process was killed by signal " + signal + signalName(signal);
        }
        return joined ? "its process exited with status " + status + " before its main returned (System.exit?)"
                : "its process exited with status " + status + " before it joined the job (see its output above)";
    }

    private static String signalName(int signal) {
        return switch (signal) {
            case 2 -> " (SIGINT)";
            case 6 -> " (SIGABRT)";
            case 9 -> " (SIGKILL)";
            case 11 -> " (SIGSEGV)";
            case 15 -> " (SIGTERM)";
            default -> "";
        };
    }

    /** The detector's verdict: with {@code --checkpoint none} a dead rank ends the job; the survivors are told. */
    private void rankDied(int r, String reason) {
        Process p = processes[r];
        if (p != null) {
            p.destroyForcibly();
        }
        if (!job.abort(r, 1, "rank " + r + " died: " + reason + "; with --checkpoint " + options.checkpoint()
                + " the job ends")) {
            return;
        }
        broadcast(new ControlMessage.PeerDied(r, reason), r);
    }

    private void abort(int r, int code, String reason) {
        if (job.abort(r, code, reason)) {
            broadcast(new ControlMessage.Stop("the job was aborted: " + reason), r);
        }
    }

    private void tick() {
        broadcast(new ControlMessage.Heartbeat(), -1);
        detector.check();
    }

    private void checkStarted() {
        List<Integer> missing = new ArrayList<>();
        for (int r = 0; r < np; r++) {
            if (channels.get(r) == null) {
                missing.add(r);
            }
        }
        if (!missing.isEmpty()) {
            job.abort(missing.get(0), 1, "rank(s) " + missing + " did not join the job within "
                    + STARTUP_TIMEOUT.toSeconds() + " s of being started");
        }
    }

    /** Sends {@code m} to every rank still connected except {@code except}; a rank that cannot take it is skipped. */
    private void broadcast(ControlMessage m, int except) {
        for (int r = 0; r < np; r++) {
            ControlChannel ch = channels.get(r);
            if (r != except && ch != null && ch.isOpen() && outcomes.get(r) == Outcome.RUNNING) {
                try {
                    ch.send(m);
                } catch (IOException e) {
                    // its reader sees the broken connection and its exit watcher the process's end
                }
            }
        }
    }

    /** Terminates every rank process still running, then kills those that ignore it. Used by the shutdown hook too. */
    private void killAll() {
        List<Process> alive = new ArrayList<>();
        for (Process p : processes) {
            if (p != null && p.isAlive()) {
                p.destroy();
                alive.add(p);
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_WAIT_MILLIS);
        for (Process p : alive) {
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !p.waitFor(left, TimeUnit.NANOSECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
            }
        }
    }

    private void closeQuietly() {
        try {
            if (server != null) {
                server.close();
            }
        } catch (IOException ignored) {
            // a listening socket: nothing left to release
        }
        for (int r = 0; r < np; r++) {
            ControlChannel ch = channels.get(r);
            if (ch != null) {
                ch.close();
            }
        }
    }

    private JobResult result(Duration wall) {
        if (!job.isAborted()) {
            return new JobResult(0, List.of(), wall);
        }
        JobResult.RankFailure f = new JobResult.RankFailure(job.abortRank(), job.abortReason(), null);
        return new JobResult(JobResult.exitStatusOf(job.abortCode()), List.of(f), wall, List.copyOf(killed));
    }
}
