package io.snapline.runtime.launch;

import io.snapline.runtime.checkpoint.RankLink;
import io.snapline.runtime.checkpoint.RankSetup;
import io.snapline.runtime.engine.DeadlockDetector;
import io.snapline.runtime.engine.JobState;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.BitSet;
import java.util.Collections;
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
 * One run of every rank of a {@link TcpJob}, from the beginning or from a checkpoint: starts a JVM per rank, serves
 * their control connections (hello, checkpoint setup, rank table, reports, policy messages), runs the attempt's
 * checkpoint coordinator ({@link CoordinatorLoop}) once every rank has joined, injects the failures planned for the
 * attempt (SIGKILL at the rank's request or after a delay counted from that moment), and decides whether a failure
 * was a death, which a restart can cure, or the program's own error.
 *
 * <p>Under a policy that restarts ranks alone ({@link Supervision#restartsRanksAlone}) a rank that dies (killed, or ended
 * by an {@link Error}) does not end the attempt: its process is made sure dead, the coordinator is told, and a new
 * process for that rank starts as its next incarnation from its own checkpoint ({@link #restartAlone}), while the
 * others run on. Their data planes keep their listeners open for it, and it connects to each of them. New processes
 * start one at a time, each once the one before has joined, so that each finds in its table the ranks restarted
 * before it. Ranks that have passed {@code MPI.Finalize}'s final barrier are held there until all have ({@link
 * #leaving}), so that one that dies inside {@code MPI.Finalize} still finds the others' logs. The whole attempt still
 * ends (and restarts whole) when a rank dies before every other has started, after all were let go from the final
 * barrier, after another has ended, or when its policy said it cannot restart alone.
 *
 * <p>After an abort the rank processes are stopped before {@link #run} returns: killed at once when the attempt ended
 * in a curable failure under a restarting policy (the next attempt re-runs them), otherwise given {@link TcpJob#GRACE}
 * to end, then terminated, then killed. No rank process of the attempt outlives it.
 */
final class TcpAttempt {
    private static final long POLL_MILLIS = 50;
    private static final long STOP_WAIT_MILLIS = 1_000;
    /**
     * How long the output pumps may take to read what their exited ranks left in the pipes (longer only when a process the
     * rank started keeps the pipe open); what comes later is handled as late output of the attempt.
     */
    private static final long PUMP_WAIT_MILLIS = 5_000;
    /** How long a killed rank process may take to vanish before it is reported as abandoned. */
    private static final long KILL_WAIT_MILLIS = 10_000;
    /**
     * How long a rank's reported failure waits before it is taken as the attempt's failure: a failure that follows
     * from another rank's death (a send to it broke) arrives moments after that death, and the death must win.
     */
    static final long SETTLE_MILLIS = 100;

    private enum Outcome { RUNNING, FINISHED, FAILED, ABORTED }

    /** How a rank ended the attempt: a restart cures a death or an {@link Error}, not the program's own failure. */
    private enum Cause { DIED, CRASHED, FAILED, ABORTED }

    private final LaunchOptions options;
    private final Supervision supervision;
    private final int np;
    private final Duration failureTimeout;
    private final byte[] token;
    private final PrintStream err;
    private final JobState job;
    /** Each rank's current process (null until started). */
    private final AtomicReferenceArray<Process> processes;
    private final AtomicReferenceArray<ControlChannel> channels;
    private final AtomicReferenceArray<Outcome> outcomes;
    private final AtomicReferenceArray<Cause> causes;
    private final AtomicReferenceArray<String> reasons;
    private final AtomicReferenceArray<String> killedBy;
    /** Each rank's latest heartbeat report of its waits and traffic (null until its data plane is open). */
    private final AtomicReferenceArray<ControlMessage.Progress> progress;
    /** Each rank's data-plane address, that of its latest process; guarded by itself. */
    private final InetSocketAddress[] dataAddresses;
    /** Per rank: counted down once its current control connection has been read to its end. */
    private final AtomicReferenceArray<CountDownLatch> readersDone;
    /** Counted down once per rank, when its last process has exited. */
    private final CountDownLatch exited;
    private final java.util.concurrent.atomic.AtomicIntegerArray exitCounted;
    /** Per rank: its incarnation (0, then one more for each process that restarted it alone). */
    private final java.util.concurrent.atomic.AtomicIntegerArray incarnations;
    /** Per rank: the incarnation being replaced by a restart alone, or -1. */
    private final java.util.concurrent.atomic.AtomicIntegerArray replacing;
    /**
     * Per rank: 1 once its current process has passed {@code MPI.Finalize}'s final barrier and waits to leave
     * ({@link ControlMessage.Leaving}); every rank is let go together ({@link #released}).
     */
    private final java.util.concurrent.atomic.AtomicIntegerArray leaving;
    /** Every rank has passed the final barrier and was let go: the ranks' processes end from now on. */
    private volatile boolean released;
    /** Per rank: 1 once it is past its start (it may restart alone from then on). */
    private final java.util.concurrent.atomic.AtomicIntegerArray ready;
    /** Per rank: why, should it die, it cannot restart alone (its policy said so); null if it can. */
    private final AtomicReferenceArray<String> cannotAlone;
    /** Per rank restarted alone: what its new process is told at its hello (null for the first process). */
    private final AtomicReferenceArray<ControlMessage.CheckpointSetup> aloneSetups;
    /** Per rank restarted alone: the failures planned for its new process's attempt. */
    private final AtomicReferenceArray<List<FailurePlan.Injection>> injectionsOf;
    /**
     * Per rank whose new process has not joined yet: the coordinator's messages for it, sent once it joins (guarded
     * by the array).
     */
    private final List<List<byte[]>> heldForJoin;
    /** Each rank's output pumps, current and past processes (guarded by itself). */
    private final List<Thread> pumps = new ArrayList<>();
    /** Held by a restart alone from the new process's start until it has joined. */
    private final Object startingAlone = new Object();
    private final AtomicInteger joined = new AtomicInteger();
    /** The rank whose failure report arrived first, or -1. */
    private final AtomicInteger firstReport = new AtomicInteger(-1);
    private final FailureDetector detector;
    private final List<FailurePlan.Injection> injections;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(r -> RankControl.daemon(r, "snaprun-supervisor"));
    private final List<Integer> abandoned = Collections.synchronizedList(new ArrayList<>());
    private volatile CoordinatorLoop coordinator;
    /** The ranks' stdout in this attempt; set before any rank starts. */
    private volatile RankOutput rankOut;
    private volatile RankOutput rankErr;
    private volatile String violation;
    private volatile long abortedAt;
    private volatile SurvivorStop stopping;
    /** Ranks that stopped for a restart before {@link #stopping} began (guarded by this). */
    private final BitSet earlyStops = new BitSet();
    private ServerSocketChannel server;

    TcpAttempt(LaunchOptions options, Supervision supervision, Duration failureTimeout, byte[] token,
            PrintStream err) {
        this.options = options;
        this.supervision = supervision;
        this.np = options.np();
        this.failureTimeout = failureTimeout;
        this.token = token;
        this.err = err;
        this.job = new JobState(np);
        this.processes = new AtomicReferenceArray<>(np);
        this.channels = new AtomicReferenceArray<>(np);
        this.outcomes = new AtomicReferenceArray<>(np);
        this.causes = new AtomicReferenceArray<>(np);
        this.reasons = new AtomicReferenceArray<>(np);
        this.killedBy = new AtomicReferenceArray<>(np);
        this.progress = new AtomicReferenceArray<>(np);
        this.dataAddresses = new InetSocketAddress[np];
        this.readersDone = new AtomicReferenceArray<>(np);
        this.pumpsOf = new AtomicReferenceArray<>(np);
        this.exited = new CountDownLatch(np);
        this.exitCounted = new java.util.concurrent.atomic.AtomicIntegerArray(np);
        this.incarnations = new java.util.concurrent.atomic.AtomicIntegerArray(np);
        this.replacing = new java.util.concurrent.atomic.AtomicIntegerArray(np);
        this.ready = new java.util.concurrent.atomic.AtomicIntegerArray(np);
        this.leaving = new java.util.concurrent.atomic.AtomicIntegerArray(np);
        this.cannotAlone = new AtomicReferenceArray<>(np);
        this.aloneSetups = new AtomicReferenceArray<>(np);
        this.injectionsOf = new AtomicReferenceArray<>(np);
        this.heldForJoin = new ArrayList<>();
        for (int r = 0; r < np; r++) {
            outcomes.set(r, Outcome.RUNNING);
            readersDone.set(r, new CountDownLatch(1));
            replacing.set(r, -1);
            heldForJoin.add(null);
        }
        this.detector = new FailureDetector(np, failureTimeout, System::nanoTime, this::rankDied);
        this.injections = supervision.failures().forAttempt();
    }

    /** Runs the attempt until every rank process has exited; rank output goes to {@code out} and the job's err. */
    void run(PrintStream out) {
        rankOut = supervision.stdout(out);
        rankErr = new RankOutput(err, np, options.tagOutput());
        try {
            server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), np);
            RankControl.daemon(this::accept, "snaprun-control-accept").start();
            InetSocketAddress control = (InetSocketAddress) server.getLocalAddress();
            for (int r = 0; r < np && !job.isAborted(); r++) {
                launch(r, control, 0);
            }
            long period = TcpJob.heartbeatPeriod(failureTimeout).toMillis();
            timer.scheduleAtFixedRate(this::tick, period, period, TimeUnit.MILLISECONDS);
            timer.schedule(this::checkStarted, TcpJob.STARTUP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            awaitEnd();
            awaitRestarters(); // none plans or starts anything once the attempt has ended
            long pumpDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PUMP_WAIT_MILLIS);
            List<Thread> all;
            synchronized (pumps) {
                all = List.copyOf(pumps);
            }
            for (Thread t : all) {
                t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(pumpDeadline - System.nanoTime())));
            }
        } catch (IOException e) {
            fail(-1, null, 1, "cannot start the job: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(-1, null, 130, "the launcher was interrupted");
        } finally {
            timer.shutdownNow();
            killAll();
            awaitReaders();
            CoordinatorLoop c = coordinator;
            if (c != null) {
                c.close(); // after the readers: what the ranks sent before they ended still reaches it
            }
            closeQuietly();
        }
    }

    /** Starts the process of incarnation {@code incarnation} of rank {@code r}, its output pumps and its exit watcher. */
    private void launch(int r, InetSocketAddress control, int incarnation) throws IOException {
        Process p = start(r, control);
        processes.set(r, p);
        Thread[] two = {OutputPump.start(p.getInputStream(), rankOut, r, "snaprun-out-" + r),
                OutputPump.start(p.getErrorStream(), rankErr, r, "snaprun-err-" + r)};
        synchronized (pumps) {
            pumps.addAll(List.of(two));
        }
        pumpsOf.set(r, two);
        RankControl.daemon(() -> watchExit(r, p, incarnation), "snaprun-exit-" + r).start();
    }

    /** Per rank: the output pumps of its current process. */
    private final AtomicReferenceArray<Thread[]> pumpsOf;

    private Process start(int rank, InetSocketAddress control) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(RankCommand.of(options, control, rank, failureTimeout,
                supervision.policy()));
        pb.environment().put(RankProcess.TOKEN_ENV, Base64.getEncoder().encodeToString(token));
        Process p = pb.start();
        p.getOutputStream().close();
        return p;
    }

    /**
     * Waits until every rank process has exited. After an abort that a restart may cure, kills the survivors at once;
     * after any other abort gives them the grace period, then terminates them.
     */
    private void awaitEnd() throws InterruptedException {
        DeadlockDetector deadlocks = new DeadlockDetector(SupervisorTimeouts.DEFAULTS.deadlockChecks());
        long ticks = 0;
        while (!exited.await(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
            if (++ticks % 10 == 0 && stopping == null && !job.isAborted()) {
                checkDeadlock(deadlocks);
            }
            SurvivorStop s = stopping;
            if (s != null && !job.isAborted()) {
                // A rank held past the final barrier has no safe point left to stop at: it counts as stopped.
                java.util.function.IntPredicate running = r -> outcomes.get(r) == Outcome.RUNNING
                        && processes.get(r) != null && processes.get(r).isAlive() && leaving.get(r) == 0;
                long now = System.nanoTime();
                if (!s.over(running, now)) {
                    continue; // survivors run on to their next safe point
                }
                supervision.survivorsStopped(now - s.startedAt(), s.allStopped(running));
                job.abort(s.deadRank(), 1, s.description());
            }
            if (job.isAborted()) {
                if (supervision.checkpointing() && restartable()) {
                    killSurvivors();
                } else if (!exited.await(TcpJob.GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    for (int r = 0; r < np; r++) {
                        if (processes.get(r) != null && processes.get(r).isAlive()) {
                            abandoned.add(r);
                        }
                    }
                    killAll();
                }
                return;
            }
        }
        SurvivorStop s = stopping;
        if (s != null && job.abort(s.deadRank(), 1, s.description())) { // every rank ended before the wait was over
            supervision.survivorsStopped(System.nanoTime() - s.startedAt(), true);
        }
    }

    /**
     * Ends the attempt when it can never progress: every rank still running has stayed blocked in the same wait, by
     * its heartbeats, and no data reached any rank, for the deadlock window ({@link SupervisorTimeouts#deadlockWindow}).
     */
    private void checkDeadlock(DeadlockDetector deadlocks) {
        JobState.Blocked[] now = new JobState.Blocked[np];
        long bytes = 0;
        for (int r = 0; r < np; r++) {
            Outcome o = outcomes.get(r);
            ControlMessage.Progress p = progress.get(r);
            if (o == Outcome.FINISHED || o == Outcome.RUNNING && leaving.get(r) == 1 && replacing.get(r) < 0) {
                now[r] = JobState.FINISHED; // ended, or past the final barrier and waiting to leave
            } else if (o == Outcome.RUNNING && p != null && p.blockedEpoch() != 0) {
                now[r] = new JobState.Blocked(p.blockedEpoch(), p.waiting());
            }
            if (p != null) {
                bytes += p.bytesRead();
            }
        }
        String deadlock = deadlocks.check(now, bytes);
        if (deadlock != null) {
            violation = deadlock;
            fail(-1, null, 1, deadlock);
        }
    }

    /** SIGKILLs every rank process still running and waits until each is gone. */
    private void killSurvivors() throws InterruptedException {
        for (int r = 0; r < np; r++) {
            Process p = processes.get(r);
            if (p != null) {
                p.destroyForcibly();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(KILL_WAIT_MILLIS);
        for (int r = 0; r < np; r++) {
            Process p = processes.get(r);
            if (p != null && !p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                abandoned.add(r);
            }
        }
    }

    /** Waits (briefly) until the control messages each rank sent before it ended have been read. */
    private void awaitReaders() {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_WAIT_MILLIS);
        try {
            for (int r = 0; r < np; r++) {
                if (channels.get(r) != null) {
                    readersDone.get(r).await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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

    /** Authenticates a new control connection, tells the rank its checkpoint setup, then reads its messages. */
    private void serve(SocketChannel sc) {
        ControlChannel ch;
        try {
            ch = new ControlChannel(sc);
        } catch (IOException e) {
            return;
        }
        ScheduledFuture<?> deadline;
        try {
            deadline = timer.schedule(ch::close, TcpJob.HELLO_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException attemptOver) {
            ch.close();
            return;
        }
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
        if (r < 0 || r >= np || replacing.get(r) >= 0 || !channels.compareAndSet(r, null, ch)) {
            refuse(ch, "rank " + r + " is not a rank of this job or has already joined");
            return;
        }
        CountDownLatch done = readersDone.get(r);
        synchronized (dataAddresses) {
            dataAddresses[r] = h.dataAddress();
        }
        if (aloneSetups.get(r) != null) {
            rejoined(r, ch);
        } else {
            try {
                ch.send(checkpointSetup(r)); // before the table, which follows the last hello
            } catch (IOException e) {
                // the reader below sees the broken connection
            }
            detector.watch(r);
            if (joined.incrementAndGet() == np) {
                allJoined();
            }
        }
        try {
            read(r, ch);
        } finally {
            done.countDown();
        }
    }

    /**
     * The new process of a rank restarted alone has said hello on {@code ch}: it gets its setup, the table of the
     * others' addresses as they are now, and what the coordinator sent it meanwhile; then it is watched.
     */
    private void rejoined(int r, ControlChannel ch) {
        List<InetSocketAddress> table = new ArrayList<>();
        synchronized (dataAddresses) {
            for (int x = 0; x < np; x++) {
                // Port 0 for a rank that is dead and waits for its new process: that one connects to this one.
                table.add(x != r && replacing.get(x) >= 0
                        ? new InetSocketAddress(InetAddress.getLoopbackAddress(), 0) : dataAddresses[x]);
            }
        }
        synchronized (heldForJoin) {
            try {
                ch.send(aloneSetups.get(r));
                ch.send(new ControlMessage.Table(table));
                for (byte[] m : heldForJoin.get(r)) {
                    ch.send(new ControlMessage.Policy(m));
                }
            } catch (IOException e) {
                // the reader sees the broken connection
            }
            heldForJoin.set(r, null);
        }
        detector.watch(r);
    }

    private ControlMessage.CheckpointSetup checkpointSetup(int rank) {
        return checkpointSetup(supervision.setupFor(rank, RankLink.NONE, injections));
    }

    private ControlMessage.CheckpointSetup checkpointSetup(RankSetup s) {
        String store = supervision.checkpointing() ? supervision.storeDir().toAbsolutePath().toString() : null;
        return new ControlMessage.CheckpointSetup(s.settings(), store, supervision.fingerprint(), s.firstCheckpointId(),
                s.restoreFrom(), s.killAtPoint(), s.killDuringWriteOf(), s.incarnation(),
                supervision.restartsRanksAlone());
    }

    /** Every rank has said hello: the coordinator starts, timed failures are armed, and the ranks get the table. */
    private void allJoined() {
        coordinator = supervision.coordinator(new CoordinatorLoop.Ranks() {
            @Override
            public void send(int rank, byte[] message) {
                synchronized (heldForJoin) {
                    List<byte[]> held = heldForJoin.get(rank);
                    if (held != null) {
                        held.add(message); // for a new process that has not joined yet
                        return;
                    }
                }
                sendTo(rank, new ControlMessage.Policy(message));
            }

            @Override
            public void fail(String reason) {
                violation = reason;
                TcpAttempt.this.fail(-1, null, 1, reason);
            }

            @Override
            public void stopped(int rank) {
                SurvivorStop s = stoppedEarly(rank);
                if (s != null && s.stopped(rank)) {
                    broadcast(new ControlMessage.PeerDied(rank, "it stopped for the restart"), rank);
                }
            }
        });
        supervision.attemptStarted();
        scheduleTimedFailures();
        broadcast(new ControlMessage.Table(List.of(dataAddresses)), -1);
    }

    private void refuse(ControlChannel ch, String why) {
        err.println("snaprun: refused a control connection from " + ch.peer() + ": " + why);
        ch.close();
    }

    private void read(int r, ControlChannel ch) {
        try {
            ControlMessage m;
            while ((m = ch.receive(ControlChannel.MAX_FRAME)) != null && channels.get(r) == ch) {
                detector.heard(r);
                handle(r, m, ch);
            }
        } catch (IOException e) {
            // the rank is gone or spoke nonsense; its process exit tells which
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (outcomes.get(r) == Outcome.RUNNING && channels.get(r) == ch) {
            Process p = processes.get(r);
            try {
                timer.schedule(() -> {
                    if (channels.get(r) == ch && outcomes.get(r) == Outcome.RUNNING && p.isAlive()) {
                        detector.died(r, "its control connection to snaprun closed");
                    }
                }, STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException attemptOver) {
                // the attempt has ended and its ranks were stopped: this connection closing is no news
            }
        }
    }

    private void handle(int r, ControlMessage m, ControlChannel from) throws InterruptedException {
        CoordinatorLoop c = coordinator;
        boolean forOthers = m instanceof ControlMessage.Policy || m instanceof ControlMessage.OutputMark;
        if (replacing.get(r) >= 0 && !forOthers) {
            return; // what a dead incarnation still said about itself: its restart alone is under way
        }
        if (m instanceof ControlMessage.Policy p) {
            if (c != null) {
                c.onRankMessage(r, p.message());
            }
        } else if (m instanceof ControlMessage.Restored x) {
            supervision.restored(r, x.id(), x.point(), x.nanos());
        } else if (m instanceof ControlMessage.OutputMark o) {
            RankOutput ro = rankOut;
            if (o.id() == ControlMessage.OutputMark.RESUMED) {
                ro.resumed(r, o.bytes());
            } else {
                ro.captured(r, o.id(), o.bytes());
            }
        } else if (m instanceof ControlMessage.Leaving) {
            if (leaving(r, from)) {
                broadcast(new ControlMessage.Leave(), -1);
            }
        } else if (m instanceof ControlMessage.Finalizing) {
            if (c != null) {
                c.onRankFinished(r);
            }
        } else if (m instanceof ControlMessage.KillRequest k) {
            // The rank dies now, even in an attempt already failing (a survivor that runs on to its next safe point
            // may reach its own injection), and the failure report names it: it has struck.
            if (!job.isAborted()) {
                List<FailurePlan.Injection> mine = injectionsOf.get(r);
                supervision.failures().struck(mine == null ? injections : mine, r, k.atSafePoint());
            }
            kill(r, k.reason());
        } else if (m instanceof ControlMessage.Progress p) {
            progress.set(r, p);
        } else if (m instanceof ControlMessage.Ready) {
            ready.set(r, 1);
        } else if (m instanceof ControlMessage.CannotRestartAlone no) {
            cannotAlone.compareAndSet(r, null, no.why());
        } else if (m instanceof ControlMessage.Finished) {
            ended(r, Outcome.FINISHED);
        } else if (m instanceof ControlMessage.Failed f) {
            reportedFailure(r, Cause.FAILED, f.report());
        } else if (m instanceof ControlMessage.Crashed x) {
            reportedFailure(r, Cause.CRASHED, x.report());
        } else if (m instanceof ControlMessage.Abort a) {
            ended(r, Outcome.ABORTED);
            fail(r, Cause.ABORTED, a.code(), a.reason());
        }
    }

    /**
     * A rank reported its own failure. The first report to arrive decides, unless a death it may follow from is
     * noticed within {@link #SETTLE_MILLIS}: then the death wins. Later reports are consequences and only recorded.
     */
    private void reportedFailure(int r, Cause cause, String report) throws InterruptedException {
        String[] lines = report.split("\n", 3);
        String why = lines.length > 1 ? lines[1].strip() : report;
        if (cause == Cause.CRASHED && restartsAlone(r)) {
            detector.retire(r);
            beginAlone(r, "rank " + r + " crashed: " + why, why);
            return;
        }
        ended(r, Outcome.FAILED);
        reasons.compareAndSet(r, null, why);
        causes.compareAndSet(r, null, cause);
        if (!firstReport.compareAndSet(-1, r)) {
            return;
        }
        if (!job.isAborted()) {
            Thread.sleep(SETTLE_MILLIS);
        }
        declareExited(r);
        fail(r, cause, 1, report);
    }

    /**
     * Declares dead every rank other than {@code reporter} whose process has already exited without reporting: a
     * failure a rank reports may follow from such a death (its operations with the dead rank failed), and the death,
     * not the consequence, is what ends the attempt.
     */
    private void declareExited(int reporter) {
        try {
            for (int x = 0; x < np; x++) {
                if (x != reporter && processes.get(x) != null && !processes.get(x).isAlive()) {
                    declareIfDied(x, processes.get(x).exitValue());
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
            readersDone.get(r).await(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        }
        if (outcomes.get(r) == Outcome.RUNNING) {
            detector.died(r, TcpJob.describeExit(status, channels.get(r) != null));
        }
    }

    private void ended(int r, Outcome how) {
        outcomes.compareAndSet(r, Outcome.RUNNING, how);
        detector.retire(r);
    }

    // ------------------------------------------------------------------ supervision

    /**
     * Runs on its own thread per rank process: waits for process {@code p}, incarnation {@code incarnation} of rank
     * {@code r}, to exit and decides whether that was a death. Its exit counts as the rank's last unless a restart
     * alone replaces it.
     */
    private void watchExit(int r, Process p, int incarnation) {
        try {
            int status = p.waitFor();
            if (incarnations.get(r) == incarnation && replacing.get(r) != incarnation) {
                declareIfDied(r, status);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            // replacing first: a restart sets the new incarnation before it clears replacing
            int replaced = replacing.get(r);
            if (replaced != incarnation && incarnations.get(r) == incarnation) {
                countExit(r);
            }
        }
    }

    /** Rank {@code r}'s last process has exited (counted once). */
    private void countExit(int r) {
        if (exitCounted.compareAndSet(r, 0, 1)) {
            exited.countDown();
        }
    }

    private void scheduleTimedFailures() {
        for (FailurePlan.Injection i : injections) {
            if (i.after != null) {
                timer.schedule(() -> {
                    if (outcomes.get(i.rank) == Outcome.RUNNING && !job.isAborted() && stopping == null) {
                        supervision.failures().struck(i);
                        kill(i.rank, "injected failure after " + i.after.toMillis() + " ms");
                    }
                }, i.after.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Failure injection: SIGKILLs rank {@code r}'s process, wherever it is, unless its program has already ended. */
    private void kill(int r, String reason) {
        if (outcomes.get(r) != Outcome.RUNNING) {
            return;
        }
        killedBy.compareAndSet(r, null, reason);
        detector.died(r, "it was killed (" + reason + ")");
    }

    /**
     * The detector's verdict: the process is killed for sure, and the rank restarts alone ({@link #restartsAlone})
     * or the attempt ends. With {@code --checkpoint none} that ends the job, and the survivors are told so operations
     * pending on the dead rank fail.
     */
    private void rankDied(int r, String reason) {
        Process p = processes.get(r);
        if (p != null) {
            p.destroyForcibly();
        }
        String k = killedBy.get(r);
        reasons.compareAndSet(r, null, k != null ? "killed: " + k : reason);
        String description = k != null ? "rank " + r + " was killed (" + k + ")"
                : "rank " + r + " died: " + reason + (supervision.checkpointing() ? ""
                        : "; with --checkpoint " + options.checkpoint() + " the job ends");
        causes.compareAndSet(r, null, Cause.DIED);
        if (restartsAlone(r)) {
            beginAlone(r, description, k != null ? "killed: " + k : reason);
            return;
        }
        if (stopping != null) {
            broadcast(new ControlMessage.PeerDied(r, reason), r); // a survivor ended while the others stop
            return;
        }
        if (startStopping(r, description)) {
            broadcast(new ControlMessage.PeerDied(r, reason), r);
            coordinator.onRankFailed(r);
            countEarlyStops();
            return;
        }
        if (!job.abort(r, 1, description)) {
            return;
        }
        abortedAt = System.nanoTime();
        broadcast(new ControlMessage.PeerDied(r, reason), r);
    }

    // ------------------------------------------------------------------ restarting one rank alone

    /**
     * Whether rank {@code r}, which died or crashed, restarts alone while the others run on: when the policy does that,
     * nothing is ending the attempt, every other rank is running and past its start (or restarting alone itself), and
     * its policy did not say it cannot. Marks its current process as being replaced if so.
     */
    private synchronized boolean restartsAlone(int r) {
        if (!supervision.restartsRanksAlone() || stopping != null || job.isAborted() || violation != null
                || coordinator == null || replacing.get(r) >= 0) {
            return false;
        }
        for (int x = 0; x < np; x++) {
            boolean restarting = replacing.get(x) >= 0;
            if (x != r && outcomes.get(x) != Outcome.RUNNING && !restarting) {
                // Its process is gone, with the message log the restarted rank would need.
                supervision.announce("rank " + r + " failed after rank " + x + " had ended; the whole job restarts");
                return false;
            }
            if (ready.get(x) == 0 && !restarting && incarnations.get(x) == 0) {
                // It may be inside an exchange every rank takes part in (the start, a restore); a rank restarted
                // alone has none.
                supervision.announce("rank " + r + " failed while rank " + x + " was still starting; the whole "
                        + "job restarts");
                return false;
            }
        }
        if (released) {
            // The others leave the job, taking with them the logs its restart would need.
            supervision.announce("rank " + r + " failed after every rank had passed MPI.Finalize's final barrier; "
                    + "the whole job restarts");
            return false;
        }
        String why = cannotAlone.get(r);
        if (why != null) {
            supervision.announce("rank " + r + " cannot restart alone (" + why + "); the whole job restarts");
            return false;
        }
        replacing.set(r, incarnations.get(r));
        leaving.set(r, 0); // its next process passes the final barrier anew
        progress.set(r, null); // its last heartbeat's wait is not a wait any more
        return true;
    }

    /**
     * Rank {@code r} has passed the final barrier and waits to leave (it said so on {@code from}); returns true when,
     * with it, every rank's current process has, and all are to be let go together ({@link ControlMessage.Leave}).
     * Until then a rank that dies restarts alone, and the others are still there to send it again what it needs.
     */
    private synchronized boolean leaving(int r, ControlChannel from) {
        if (replacing.get(r) >= 0 || channels.get(r) != from || released) {
            return false; // a dead incarnation's
        }
        leaving.set(r, 1);
        for (int x = 0; x < np; x++) {
            if (leaving.get(x) == 0 || replacing.get(x) >= 0) {
                return false;
            }
        }
        released = true;
        return true;
    }

    /** Restarts rank {@code r} alone ({@link #restartAlone}) on a thread of its own. */
    private void beginAlone(int r, String description, String reason) {
        long detectedAt = System.nanoTime();
        Thread t = RankControl.daemon(() -> restartAlone(r, description, reason, detectedAt), "snaprun-restart-" + r);
        synchronized (restarters) {
            restarters.add(t);
        }
        t.start();
    }

    /** The threads of restarts alone begun in this attempt. */
    private final List<Thread> restarters = new ArrayList<>();

    /** Waits for the restarts alone under way to end (they end soon once the attempt is aborted). */
    private void awaitRestarters() throws InterruptedException {
        List<Thread> all;
        synchronized (restarters) {
            all = List.copyOf(restarters);
        }
        for (Thread t : all) {
            t.join(KILL_WAIT_MILLIS + PUMP_WAIT_MILLIS + 2 * STOP_WAIT_MILLIS + TcpJob.STARTUP_TIMEOUT.toMillis());
        }
    }

    /** Whether the attempt is ending, so that nothing more restarts alone in it. */
    private boolean ending() {
        return job.isAborted() || stopping != null;
    }

    /**
     * Replaces the dead process of rank {@code r} with a new incarnation while the others run on: makes sure the old
     * process is gone and everything it sent has been read and handed on, plans where the new one starts, tells the
     * coordinator, and starts it; waits (holding {@link #startingAlone}) until it has joined. When the rank cannot
     * restart alone after all (no restart left, its checkpoints cannot be used, the attempt ended meanwhile) the
     * attempt ends with its death instead.
     */
    private void restartAlone(int r, String description, String reason, long detectedAt) {
        synchronized (startingAlone) {
            try {
                Process old = processes.get(r);
                old.destroyForcibly();
                if (!old.waitFor(KILL_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                    abandoned.add(r);
                    endAlone(r, description);
                    return;
                }
                // What the dead process had sent on its control connection is read and handled; then nothing more is.
                readersDone.get(r).await(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
                ControlChannel oldChannel = channels.get(r);
                if (oldChannel != null) {
                    oldChannel.close();
                    readersDone.get(r).await(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
                }
                Thread[] oldPumps = pumpsOf.get(r);
                long pumpDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(PUMP_WAIT_MILLIS);
                for (Thread t : oldPumps) {
                    t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(pumpDeadline - System.nanoTime())));
                }
                if (ending()) {
                    endAlone(r, description);
                    return;
                }
                // Everything the coordinator answers the dead incarnation goes to it, not to the new one.
                coordinator.sync();
                if (ending()) {
                    endAlone(r, description);
                    return;
                }
                Supervision.Alone alone = supervision.restartAlone(r, reason, detectedAt);
                if (alone == null) { // said why; a whole restart may still be possible, and the supervisor decides
                    endAlone(r, description);
                    return;
                }
                int inc = incarnations.get(r) + 1;
                List<FailurePlan.Injection> pending = supervision.failures().forAttempt();
                RankSetup setup = supervision.setupAlone(r, alone, inc, RankLink.NONE, pending);
                synchronized (heldForJoin) {
                    heldForJoin.set(r, new ArrayList<>());
                }
                channels.set(r, null);
                injectionsOf.set(r, pending);
                aloneSetups.set(r, checkpointSetup(setup));
                readersDone.set(r, new CountDownLatch(1));
                outcomes.set(r, Outcome.RUNNING);
                causes.set(r, null);
                reasons.set(r, null);
                killedBy.set(r, null);
                progress.set(r, null);
                ready.set(r, 0);
                rankOut.restartRank(r, alone.from());
                incarnations.set(r, inc);
                replacing.set(r, -1); // a new death of the rank is the new incarnation's
                coordinator.onRankRestarting(r, inc);
                launch(r, (InetSocketAddress) server.getLocalAddress(), inc);
                supervision.startedAlone(r);
                long deadline = System.nanoTime() + TcpJob.STARTUP_TIMEOUT.toNanos();
                Process started = processes.get(r);
                while (channels.get(r) == null && started.isAlive() && !job.isAborted()
                        && System.nanoTime() < deadline) {
                    Thread.sleep(POLL_MILLIS);
                }
                if (channels.get(r) == null && !job.isAborted()) {
                    fail(r, Cause.DIED, 1, "the new process of rank " + r + (started.isAlive() ? " did not join "
                            + "the job within " + TcpJob.STARTUP_TIMEOUT.toSeconds() + " s of being started"
                            : " ended before it joined the job (exit status " + started.exitValue() + ")"));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (replacing.get(r) >= 0) {
                    endAlone(r, description);
                }
            } catch (IOException | RuntimeException e) {
                if (!ending()) {
                    violation = "rank " + r + " could not be restarted alone: " + e;
                    fail(-1, null, 1, violation);
                }
            }
        }
    }

    /**
     * Rank {@code r} does not restart alone after all: the attempt ends with its death (a whole restart may cure it,
     * as for any death) and its process counts as exited.
     */
    private void endAlone(int r, String description) {
        outcomes.compareAndSet(r, Outcome.RUNNING, Outcome.FAILED);
        causes.set(r, Cause.DIED);
        replacing.set(r, -1);
        if (stopping == null && job.abort(r, 1, description)) {
            abortedAt = System.nanoTime();
            broadcast(new ControlMessage.Stop("the job was aborted: " + description), r);
        }
        countExit(r);
    }

    /**
     * For a policy that stops survivors at safe points: begins the end of the attempt after rank {@code r} died,
     * with the others running on. Returns false when the attempt is ending already or the policy does not.
     */
    private synchronized boolean startStopping(int r, String description) {
        if (stopping != null || job.isAborted() || coordinator == null || !supervision.checkpointing()
                || !supervision.policy().stopsSurvivorsAtSafePoints()) {
            return false;
        }
        abortedAt = System.nanoTime();
        stopping = new SurvivorStop(np, r, description, abortedAt);
        return true;
    }

    /** After the survivor stop began: counts and announces the ranks that had stopped for it before it began. */
    private void countEarlyStops() {
        BitSet early;
        synchronized (this) {
            early = (BitSet) earlyStops.clone();
        }
        for (int e = early.nextSetBit(0); e >= 0; e = early.nextSetBit(e + 1)) {
            if (stopping.stopped(e)) {
                broadcast(new ControlMessage.PeerDied(e, "it stopped for the restart"), e);
            }
        }
    }

    /**
     * The survivor stop under way, or null after noting that rank {@code rank} stopped before the launcher learnt
     * of the death it stopped for (its connection to the dead rank broke first): the stop, once begun, counts it.
     */
    private synchronized SurvivorStop stoppedEarly(int rank) {
        if (stopping == null) {
            earlyStops.set(rank);
        }
        return stopping;
    }

    /** Ends the attempt with rank {@code r}'s failure ({@code r} is -1 for the launcher's own), unless it has ended. */
    private void fail(int r, Cause cause, int code, String reason) {
        if (r >= 0 && cause != null) {
            causes.compareAndSet(r, null, cause);
        }
        if (r >= 0 && stopping != null) {
            // A survivor ended while the others stop for the restart (an operation with a gone rank failed).
            broadcast(new ControlMessage.PeerDied(r, "it ended while the others stopped for the restart"), r);
            return;
        }
        if (job.abort(r, code, reason)) {
            abortedAt = System.nanoTime();
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
            if (channels.get(r) == null && incarnations.get(r) == 0 && replacing.get(r) < 0) {
                missing.add(r);
            }
        }
        if (!missing.isEmpty()) {
            fail(missing.get(0), null, 1, "rank(s) " + missing + " did not join the job within "
                    + TcpJob.STARTUP_TIMEOUT.toSeconds() + " s of being started");
        }
    }

    /** Sends {@code m} to every rank still connected except {@code except}; a rank that cannot take it is skipped. */
    private void broadcast(ControlMessage m, int except) {
        for (int r = 0; r < np; r++) {
            if (r != except && outcomes.get(r) == Outcome.RUNNING) {
                sendTo(r, m);
            }
        }
    }

    private void sendTo(int r, ControlMessage m) {
        ControlChannel ch = channels.get(r);
        if (ch != null && ch.isOpen()) {
            try {
                ch.send(m);
            } catch (IOException e) {
                // its reader sees the broken connection and its exit watcher the process's end
            }
        }
    }

    /** Terminates every rank process still running, then kills those that ignore it. Used by the shutdown hook too. */
    void killAll() {
        List<Process> alive = new ArrayList<>();
        for (int r = 0; r < np; r++) {
            Process p = processes.get(r);
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
                    p.waitFor(KILL_WAIT_MILLIS, TimeUnit.MILLISECONDS);
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

    // ------------------------------------------------------------------ outcome

    boolean succeeded() {
        return !job.isAborted();
    }

    /** The rank that ended the attempt, or -1 when the launcher did (start-up, contract violation). */
    int failedRank() {
        return job.abortRank();
    }

    long abortedAt() {
        return abortedAt;
    }

    /** Whether a restart can cure the failure: a rank process died or ended with an Error, not a bug it would repeat. */
    boolean restartable() {
        int r = job.abortRank();
        if (violation != null || r < 0 || supervision.gaveUp()) { // gave up: a restart alone found none left
            return false;
        }
        Cause c = causes.get(r);
        return c == Cause.DIED || c == Cause.CRASHED;
    }

    /**
     * The rank that ended the attempt and every other rank an injected failure killed in it, in rank order (failures that struck
     * at the same moment: each is named, and the restart cures them all).
     */
    List<FailedRank> failedRanks() {
        int first = job.abortRank();
        List<FailedRank> failed = new java.util.ArrayList<>(List.of(new FailedRank(first, shortReason())));
        for (int r = 0; r < np; r++) {
            String k = killedBy.get(r);
            if (r != first && k != null) {
                failed.add(new FailedRank(r, "killed: " + k));
            }
        }
        failed.sort(java.util.Comparator.comparingInt(FailedRank::rank));
        return failed;
    }

    /** One line on why the attempt failed, for the restart message. */
    String shortReason() {
        int r = job.abortRank();
        String s = r >= 0 ? reasons.get(r) : null;
        return s != null ? s : job.abortReason();
    }

    JobResult result(Duration wall) {
        JobResult.RankFailure f = new JobResult.RankFailure(job.abortRank(), job.abortReason(), null);
        List<Integer> left;
        synchronized (abandoned) {
            left = List.copyOf(abandoned);
        }
        return new JobResult(JobResult.exitStatusOf(job.abortCode()), List.of(f), wall, left);
    }
}
