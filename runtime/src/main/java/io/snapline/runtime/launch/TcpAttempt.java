package io.snapline.runtime.launch;

import io.snapline.runtime.checkpoint.RankLink;
import io.snapline.runtime.checkpoint.RankSetup;
import io.snapline.runtime.cluster.NoRoomException;
import io.snapline.runtime.cluster.RemoteProcess;
import io.snapline.runtime.engine.JobState;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One run of every rank of a {@link TcpJob}, from the beginning or from a checkpoint: starts a JVM per rank
 * ({@link RankProcesses}), serves their control connections ({@link ControlServer}: hello, checkpoint setup, rank
 * table, reports, policy messages), runs the attempt's checkpoint coordinator ({@link CoordinatorLoop}) once every
 * rank has joined, and tells the attempt's {@link AttemptSupervisor} what the ranks say and do, carrying out what it
 * decides (kill a rank, tell the others of a death, restart a rank alone, abort, stop the stragglers). A death is
 * noticed when a process exits without having reported how it ended, when its control connection breaks, or when it
 * has been silent for the failure timeout ({@link FailureDetector}).
 *
 * <p>A rank restarted alone ({@link Supervision#restartsRanksAlone}) gets a new process as its next incarnation
 * ({@link #restartAlone}), started from its own checkpoint while the others run on. Their data planes keep their
 * listeners open for it, and it connects to each of them. New processes start one at a time, each once the one before
 * has joined, so that each finds in its table the ranks restarted before it. Ranks that have passed
 * {@code MPI.Finalize}'s final barrier are held there until all have ({@link ControlMessage.Leaving}), so that one
 * that dies inside {@code MPI.Finalize} still finds the others' logs.
 *
 * <p>After an abort the rank processes are stopped before {@link #run} returns: killed at once when the attempt ended
 * in a curable failure under a restarting policy (the next attempt re-runs them), otherwise given the abort grace to
 * end, then terminated, then killed. No rank process of the attempt outlives it.
 */
final class TcpAttempt {
    /** How often the supervisor is told the time; well below its deadlock check period. */
    private static final long POLL_MILLIS = 50;

    private final LaunchOptions options;
    private final Supervision supervision;
    private final int np;
    private final Duration failureTimeout;
    private final PrintStream err;
    private final AttemptSupervisor supervisor;
    private final ControlServer control;
    private final RankProcesses processes;
    private final RankStarter starter;
    private final FailureDetector detector;
    private final List<FailurePlan.Injection> injections;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(r -> RankControl.daemon(r, "snaprun-supervisor"));
    /** Counted down once the supervisor says the attempt has ended. */
    private final CountDownLatch over = new CountDownLatch(1);
    /** Ranks another rank lost its connection to, with why: declared dead at the next check for deaths. */
    private final Map<Integer, String> suspects = new java.util.concurrent.ConcurrentHashMap<>();
        /** Each rank's latest heartbeat report of its waits and traffic (null until its data plane is open). */
    private final AtomicReferenceArray<ControlMessage.Progress> progress;
    /** Per rank restarted alone: what its new process is told at its hello (null for the first process). */
    private final AtomicReferenceArray<ControlMessage.CheckpointSetup> aloneSetups;
    /** Per rank restarted alone: the failures planned for its new process's attempt. */
    private final AtomicReferenceArray<List<FailurePlan.Injection>> injectionsOf;
    private final AtomicInteger joined = new AtomicInteger();
    /** Held by a restart alone from the new process's start until it has joined. */
    private final Object startingAlone = new Object();
    /** The threads of restarts alone and of stopping the ranks (guarded by itself). */
    private final List<Thread> helpers = new ArrayList<>();
    private volatile CoordinatorLoop coordinator;
    /** The ranks' stdout in this attempt; set before any rank starts. */
    private volatile RankOutput rankOut;
    private volatile RankOutput rankErr;
    private volatile InetSocketAddress controlAddress;

    TcpAttempt(LaunchOptions options, Supervision supervision, SupervisorTimeouts timeouts, byte[] token,
            RankStarter starter, PrintStream err) {
        this.options = options;
        this.supervision = supervision;
        this.np = options.np();
        this.failureTimeout = timeouts.failure();
        this.err = err;
        this.progress = new AtomicReferenceArray<>(np);
        this.aloneSetups = new AtomicReferenceArray<>(np);
        this.injectionsOf = new AtomicReferenceArray<>(np);
        this.injections = supervision.failures().forAttempt();
        this.supervisor = new AttemptSupervisor(np, timeouts, new AttemptSupervisor.Rules(supervision.checkpointing(),
                supervision.restartsRanksAlone(), supervision.checkpointing()
                        && supervision.policy().stopsSurvivorsAtSafePoints(), true), injections, new Waits(),
                System.nanoTime());
        this.control = new ControlServer(np, token, err, timer, new Connections());
        this.starter = starter;
        this.processes = new RankProcesses(options, supervision, failureTimeout, token, starter, this::exited);
        this.detector = new FailureDetector(np, failureTimeout, System::nanoTime, this::rankDied);
    }

    /** Runs the attempt until every rank process has exited; rank output goes to {@code out} and the job's err. */
    void run(PrintStream out) {
        rankOut = supervision.stdout(out);
        rankErr = new RankOutput(err, np, options.tagOutput());
        try {
            controlAddress = control.open(starter.controlAddress());
            for (int r = 0; r < np && !supervisor.ending(); r++) {
                processes.start(r, 0, controlAddress, rankOut, rankErr);
            }
            long period = TcpJob.heartbeatPeriod(failureTimeout).toMillis();
            timer.scheduleAtFixedRate(this::heartbeat, period, period, TimeUnit.MILLISECONDS);
            awaitEnd();
            awaitHelpers(); // none plans, starts or stops anything once the attempt has ended
            processes.awaitPumps();
        } catch (NoRoomException e) {
            on(-1, new SupervisorEvent.Violation(noRoom(e)));
        } catch (IOException e) {
            on(-1, new SupervisorEvent.Violation("cannot start the job: " + e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            on(-1, new SupervisorEvent.Interrupted());
        } finally {
            timer.shutdownNow();
            processes.killAll();
            control.awaitReaders(RankProcesses.STOP_WAIT_MILLIS);
            CoordinatorLoop c = coordinator;
            if (c != null) {
                c.close(); // after the readers: what the ranks sent before they ended still reaches it
            }
            control.close();
        }
    }

    /** Waits until the supervisor says the attempt has ended, telling it the time every {@link #POLL_MILLIS}. */
    private void awaitEnd() throws InterruptedException {
        while (!over.await(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
            act(supervisor.tick(System.nanoTime()));
        }
    }

    private void heartbeat() {
        try {
            broadcast(new ControlMessage.Heartbeat(), -1);
            detector.check();
        } catch (RuntimeException | Error e) {
            // A periodic task that throws is never run again: the ranks would hear nothing and silent ranks would go
            // unnoticed. The attempt ends, saying why.
            on(-1, new SupervisorEvent.Violation("snaprun's heartbeat to the ranks failed: " + e));
        }
    }

    // ------------------------------------------------------------------ the supervisor

    /** Tells the supervisor {@code event} of rank {@code rank} (-1: the attempt) and does what it decides. */
    private void on(int rank, SupervisorEvent event) {
        act(supervisor.onEvent(rank, event, System.nanoTime()));
    }

    private void act(List<SupervisorAction> actions) {
        for (SupervisorAction a : actions) {
            if (a instanceof SupervisorAction.Kill k) {
                if (!detector.died(k.rank(), "it was killed (" + k.reason() + ")")) {
                    processes.kill(k.rank()); // a new process not yet watched: its exit says it died
                }
            } else if (a instanceof SupervisorAction.StruckAtRequest s) {
                supervision.struck(s, injections, injectionsOf.get(s.rank()));
            } else if (a instanceof SupervisorAction.StruckTimed s) {
                supervision.struck(s, injections, null);
            } else if (a instanceof SupervisorAction.TellPeers t) {
                broadcast(new ControlMessage.PeerDied(t.rank(), t.reason()), t.rank());
            } else if (a instanceof SupervisorAction.RestartAlone r) {
                progress.set(r.rank(), null); // its last heartbeat's wait is not a wait any more
                helper(() -> restartAlone(r.rank(), r.reason(), r.detectedAt()), "snaprun-restart-" + r.rank());
            } else if (a instanceof SupervisorAction.StopSurvivors s) {
                coordinator.onRankFailed(s.rank());
            } else if (a instanceof SupervisorAction.SurvivorsStopped s) {
                supervision.survivorsStopped(s.tookNanos(), s.allStopped());
            } else if (a instanceof SupervisorAction.Release) {
                broadcast(new ControlMessage.Leave(), -1);
            } else if (a instanceof SupervisorAction.Abort x) {
                if (!x.restartable()) {
                    // After a death the others were told of it (PeerDied) and end as their operations with it fail.
                    broadcast(new ControlMessage.Stop("the job was aborted: " + x.reason()), x.rank());
                } else if (supervision.checkpointing()) {
                    helper(this::killSurvivors, "snaprun-kill-survivors"); // the next attempt re-runs them
                }
            } else if (a instanceof SupervisorAction.StopStragglers) {
                helper(processes::stopStragglers, "snaprun-stop-stragglers");
            } else if (a instanceof SupervisorAction.Announce x) {
                supervision.announce(x.what());
            } else if (a instanceof SupervisorAction.CheckDeaths) {
                helper(this::checkDeaths, "snaprun-check-deaths");
            }
        }
        if (supervisor.ended()) {
            over.countDown();
        }
    }

    /** Runs {@code task} on a thread of its own, which the attempt waits for before it returns. */
    private void helper(Runnable task, String name) {
        Thread t = RankControl.daemon(task, name);
        synchronized (helpers) {
            helpers.add(t);
        }
        t.start();
    }

    /** Waits for the helpers under way to end (they end soon once the attempt has ended). */
    private void awaitHelpers() throws InterruptedException {
        List<Thread> all;
        synchronized (helpers) {
            all = List.copyOf(helpers);
        }
        for (Thread t : all) {
            t.join(RankProcesses.KILL_WAIT_MILLIS + RankProcesses.PUMP_WAIT_MILLIS
                    + 2 * RankProcesses.STOP_WAIT_MILLIS + TcpJob.STARTUP_TIMEOUT.toMillis());
        }
    }

    private void killSurvivors() {
        try {
            processes.killSurvivors();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Declares dead every rank whose process has already exited without reporting, then every rank another one lost
     * its connection to ({@link #peerUnreachable}): a failure a rank reports may follow from such a death (its
     * operations with the dead rank failed), and the death, not the consequence, is what ends the attempt.
     */
    private void checkDeaths() {
        try {
            for (int x = 0; x < np; x++) {
                Process p = processes.process(x);
                if (p != null && !p.isAlive()) {
                    declareIfDied(x, supervisor.incarnation(x), p, p.exitValue());
                }
            }
            for (var suspect : Map.copyOf(suspects).entrySet()) {
                int x = suspect.getKey();
                if (supervisor.alive(x)) {
                    // What it said just before its connections broke (a failure of its own, an Abort) comes first.
                    control.awaitReader(x, RankProcesses.STOP_WAIT_MILLIS);
                    if (supervisor.alive(x)) {
                        detector.died(x, suspect.getValue());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            on(-1, new SupervisorEvent.DeathsChecked());
        }
    }

    /** The process of incarnation {@code incarnation} of rank {@code r} has exited with {@code status}. */
    private void exited(int r, int incarnation, Process p, int status) {
        try {
            declareIfDied(r, incarnation, p, status);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            on(r, new SupervisorEvent.Exited(incarnation));
        }
    }

    /** Declares incarnation {@code incarnation} of rank {@code r}, exited with {@code status}, dead unless it said. */
    private void declareIfDied(int r, int incarnation, Process p, int status) throws InterruptedException {
        if (supervisor.incarnation(r) != incarnation || !supervisor.alive(r)) {
            return;
        }
        control.awaitReader(r, RankProcesses.STOP_WAIT_MILLIS); // a report written just before exiting
        if (supervisor.incarnation(r) == incarnation && supervisor.alive(r)) {
            String lost = p instanceof RemoteProcess remote ? remote.lostReason() : null;
            detector.died(r, lost != null ? lost : TcpJob.describeExit(status, control.channel(r) != null));
        }
    }

    /** The detector's verdict: the process is killed for sure, and the supervisor decides what follows. */
    private void rankDied(int r, String reason) {
        processes.kill(r);
        on(r, new SupervisorEvent.Died("rank " + r + " died: " + reason + (supervision.checkpointing() ? ""
                : "; with --checkpoint " + options.checkpoint() + " the job ends"), reason, null));
    }

    /** Sends {@code m} to every rank still running except {@code except}; a rank that cannot take it is skipped. */
    private void broadcast(ControlMessage m, int except) {
        for (int r = 0; r < np; r++) {
            if (r != except && supervisor.alive(r)) {
                control.sendIfJoined(r, m);
            }
        }
    }

    // ------------------------------------------------------------------ control connections

    /** What the ranks say on their control connections. */
    private final class Connections implements ControlServer.Handler {
        @Override
        public boolean admits(int rank) {
            return supervisor.state(rank) != AttemptSupervisor.RankState.RESTARTING_ALONE;
        }

        @Override
        public void joined(int r, ControlChannel ch) {
            ControlMessage.CheckpointSetup alone = aloneSetups.get(r);
            if (alone != null) {
                // Port 0 for a rank that is dead and waits for its new process: that one connects to this one.
                control.greet(r, ch, List.of(alone, new ControlMessage.Table(control.table(x -> x != r
                        && supervisor.state(x) == AttemptSupervisor.RankState.RESTARTING_ALONE))));
                detector.watch(r);
                on(r, new SupervisorEvent.Joined());
                return;
            }
            try {
                ch.send(checkpointSetup(supervision.setupFor(r, RankLink.NONE, injections))); // before the table
            } catch (IOException e) {
                // the reader sees the broken connection
            }
            detector.watch(r);
            on(r, new SupervisorEvent.Joined());
            if (joined.incrementAndGet() == np) {
                allJoined();
            }
        }

        @Override
        public void message(int r, ControlMessage m, ControlChannel from) throws InterruptedException {
            detector.heard(r);
            handle(r, m);
        }

        @Override
        public void closed(int r, ControlChannel ch) {
            if (!supervisor.alive(r)) {
                return;
            }
            Process p = processes.process(r);
            try {
                timer.schedule(() -> {
                    if (control.channel(r) == ch && supervisor.alive(r) && p.isAlive()) {
                        detector.died(r, "its control connection to snaprun closed");
                    }
                }, RankProcesses.STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException attemptOver) {
                // the attempt has ended and its ranks were stopped: this connection closing is no news
            }
        }
    }

    private ControlMessage.CheckpointSetup checkpointSetup(RankSetup s) {
        String store = supervision.checkpointing() ? supervision.storeLocation() : null;
        return new ControlMessage.CheckpointSetup(s.settings(), store, supervision.fingerprint(), s.firstCheckpointId(),
                s.restoreFrom(), s.killAtPoint(), s.killDuringWriteOf(), s.incarnation(),
                supervision.restartsRanksAlone());
    }

    /** Every rank has said hello: the coordinator starts, timed failures count, and the ranks get the table. */
    private void allJoined() {
        coordinator = supervision.coordinator(new CoordinatorLoop.Ranks() {
            @Override
            public void send(int rank, byte[] message) {
                control.send(rank, new ControlMessage.Policy(message));
            }

            @Override
            public void fail(String reason) {
                on(-1, new SupervisorEvent.Violation(reason));
            }

            @Override
            public void stopped(int rank) {
                on(rank, new SupervisorEvent.StoppedForRestart());
            }
        });
        supervision.attemptStarted();
        on(-1, new SupervisorEvent.AttemptStarted());
        broadcast(new ControlMessage.Table(control.table(x -> false)), -1);
    }

    private void handle(int r, ControlMessage m) {
        CoordinatorLoop c = coordinator;
        boolean forOthers = m instanceof ControlMessage.Policy || m instanceof ControlMessage.OutputMark
                || m instanceof ControlMessage.PieceWritten || m instanceof ControlMessage.CheckpointDeferred;
        if (supervisor.state(r) == AttemptSupervisor.RankState.RESTARTING_ALONE && !forOthers) {
            return; // what a dead incarnation still said about itself: its restart alone is under way
        }
        if (m instanceof ControlMessage.Policy p) {
            if (c != null) {
                c.onRankMessage(r, p.message());
            }
        } else if (m instanceof ControlMessage.PieceWritten w) {
            supervision.report().pieceWritten(r, w.written());
        } else if (m instanceof ControlMessage.CheckpointDeferred d) {
            supervision.report().deferred(r, d.deferred());
        } else if (m instanceof ControlMessage.ReplicaWritten w) {
            if (c != null) {
                c.onReplicaWritten(r, w.id(), w.size(), w.crc32c());
            }
        } else if (m instanceof ControlMessage.ReplicaFailed f) {
            supervision.replicaFailed(r, f.why());
        } else if (m instanceof ControlMessage.PieceRead p) {
            supervision.pieceRead(r, p.id(), p.fastFailure());
        } else if (m instanceof ControlMessage.Restored x) {
            supervision.restored(r, x.id(), x.point(), x.nanos());
        } else if (m instanceof ControlMessage.OutputMark o) {
            if (o.id() == ControlMessage.OutputMark.RESUMED) {
                rankOut.resumed(r, o.bytes());
            } else {
                rankOut.captured(r, o.id(), o.bytes());
            }
        } else if (m instanceof ControlMessage.Leaving) {
            on(r, new SupervisorEvent.Leaving());
        } else if (m instanceof ControlMessage.Finalizing) {
            if (c != null) {
                c.onRankFinished(r);
            }
        } else if (m instanceof ControlMessage.KillRequest k) {
            on(r, new SupervisorEvent.KillRequested(k.reason(), k.atSafePoint()));
        } else if (m instanceof ControlMessage.Progress p) {
            progress.set(r, p);
        } else if (m instanceof ControlMessage.Ready) {
            on(r, new SupervisorEvent.Ready());
        } else if (m instanceof ControlMessage.CannotRestartAlone no) {
            on(r, new SupervisorEvent.CannotRestartAlone(no.why()));
        } else if (m instanceof ControlMessage.Finished) {
            detector.retire(r);
            on(r, new SupervisorEvent.Finished());
        } else if (m instanceof ControlMessage.PeerUnreachable u) {
            peerUnreachable(r, u.rank(), u.reason());
        } else if (m instanceof ControlMessage.Failed f) {
            detector.retire(r);
            on(r, new SupervisorEvent.Failed(f.report(), why(f.report()), null));
        } else if (m instanceof ControlMessage.Crashed x) {
            detector.retire(r);
            on(r, new SupervisorEvent.Died(x.report(), why(x.report()), null));
        } else if (m instanceof ControlMessage.Abort a) {
            detector.retire(r);
            on(r, new SupervisorEvent.Aborted(a.code(), a.reason()));
        }
    }

    /**
     * Rank {@code r}'s connection to {@code peer} broke without a goodbye: {@code peer} is suspected dead, whether or
     * not its process still looks alive from here (a process on a hung host does). The next check for deaths (the one
     * a reported failure waits for) declares it dead, and so killed for good, unless its exit is seen first, which
     * says more. Ignored when either rank is already gone or ended.
     */
    private void peerUnreachable(int r, int peer, String reason) {
        if (peer < 0 || peer >= np || peer == r || !supervisor.alive(peer) || !supervisor.alive(r)) {
            return;
        }
        suspects.putIfAbsent(peer, "rank " + r + " lost its connection to it (" + reason + ")");
    }

    /** The line of a rank's failure report that says what the failure was. */
    private static String why(String report) {
        String[] lines = report.split("\n", 3);
        return lines.length > 1 ? lines[1].strip() : report;
    }

    // ------------------------------------------------------------------ restarting one rank alone

    /**
     * Replaces the dead process of rank {@code r} with a new incarnation while the others run on: makes sure the old
     * process is gone and everything it sent has been read and handed on, plans where the new one starts, tells the
     * coordinator, and starts it; waits (holding {@link #startingAlone}) until it has joined. When the rank cannot
     * restart alone after all (no restart left, its checkpoints cannot be used, the attempt ended meanwhile) the
     * supervisor hears so, and the attempt ends with its death.
     */
    private void restartAlone(int r, String reason, long detectedAt) {
        synchronized (startingAlone) {
            try {
                if (!processes.killAndDrain(r)) {
                    notReplaced(r);
                    return;
                }
                // What the dead process had sent on its control connection is read and handled; then nothing more is.
                control.retire(r, RankProcesses.STOP_WAIT_MILLIS);
                if (supervisor.ending()) {
                    notReplaced(r);
                    return;
                }
                // Everything the coordinator answers the dead incarnation goes to it, not to the new one.
                coordinator.sync();
                if (supervisor.ending()) {
                    notReplaced(r);
                    return;
                }
                Supervision.Alone alone = supervision.restartAlone(r, reason, detectedAt);
                if (alone == null) { // said why; a whole restart may still be possible, and the supervisor decides
                    notReplaced(r);
                    return;
                }
                int inc = supervisor.incarnation(r) + 1;
                List<FailurePlan.Injection> pending = supervision.failures().forAttempt();
                RankSetup setup = supervision.setupAlone(r, alone, inc, RankLink.NONE, pending);
                control.hold(r);
                injectionsOf.set(r, pending);
                aloneSetups.set(r, checkpointSetup(setup));
                progress.set(r, null);
                rankOut.restartRank(r, alone.from());
                on(r, new SupervisorEvent.Replaced()); // a new death of the rank is the new incarnation's
                coordinator.onRankRestarting(r, inc);
                processes.start(r, inc, controlAddress, rankOut, rankErr);
                supervision.startedAlone(r);
                long deadline = System.nanoTime() + TcpJob.STARTUP_TIMEOUT.toNanos();
                while (control.channel(r) == null && processes.alive(r) && !supervisor.aborting()
                        && System.nanoTime() < deadline) {
                    Thread.sleep(POLL_MILLIS);
                }
                if (control.channel(r) == null && processes.alive(r) && !supervisor.aborting()) {
                    detector.died(r, "its new process did not join the job within "
                            + TcpJob.STARTUP_TIMEOUT.toSeconds() + " s of being started");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                notReplaced(r);
            } catch (NoRoomException e) {
                if (!supervisor.ending()) {
                    on(-1, new SupervisorEvent.Violation(noRoom(e)));
                }
                notReplaced(r);
            } catch (IOException | RuntimeException | Error e) { // an Error too: the rank would wait to be replaced
                if (!supervisor.ending()) {
                    on(-1, new SupervisorEvent.Violation("rank " + r + " could not be restarted alone: " + e));
                }
                notReplaced(r);
            }
        }
    }

    /** Rank {@code r} is not replaced (after all): the supervisor decides what its death ends. */
    private void notReplaced(int r) {
        if (supervisor.state(r) == AttemptSupervisor.RankState.RESTARTING_ALONE) {
            on(r, new SupervisorEvent.NotReplaced(supervision.gaveUp()));
        }
    }

    /** The ranks' waits for the deadlock window, from their heartbeats: only their own progress threads move data. */
    private final class Waits implements AttemptSupervisor.Waits {
        @Override
        public JobState.Blocked[] blocked() {
            JobState.Blocked[] now = new JobState.Blocked[np];
            for (int r = 0; r < np; r++) {
                ControlMessage.Progress p = progress.get(r);
                if (p != null && p.blockedEpoch() != 0) {
                    now[r] = new JobState.Blocked(p.blockedEpoch(), p.waiting());
                }
            }
            return now;
        }

        @Override
        public long progress() {
            long bytes = 0;
            for (int r = 0; r < np; r++) {
                ControlMessage.Progress p = progress.get(r);
                if (p != null) {
                    bytes += p.bytesRead();
                }
            }
            return bytes;
        }
    }

    /** Ranks that must run again have nowhere to run: the job ends, saying how to resume it once there is room. */
    private String noRoom(NoRoomException e) {
        supervision.endsResumable();
        return e.getMessage() + "; start agents or free slots, then resume the job";
    }

    /** The job was cancelled ({@code reason} says by whom): the attempt ends, its ranks stopped. */
    void cancel(String reason) {
        on(-1, new SupervisorEvent.Cancelled(reason));
    }

    /** Terminates every rank process still running, then kills those that ignore it. Used by the shutdown hook. */
    void killAll() {
        processes.killAll();
    }

    // ------------------------------------------------------------------ outcome

    boolean succeeded() {
        return supervisor.succeeded();
    }

    long abortedAt() {
        return supervisor.failedAt();
    }

    /** Whether a restart can cure the failure: a rank process died or ended with an Error, not its own bug. */
    boolean restartable() {
        return supervisor.restartable();
    }

    /** The rank that ended the attempt and every other rank killed in it, in rank order. */
    List<FailedRank> failedRanks() {
        return supervisor.failedRanks();
    }

    JobResult result(Duration wall) {
        JobResult.RankFailure f = supervisor.failure();
        return new JobResult(JobResult.exitStatusOf(supervisor.code()), List.of(new JobResult.RankFailure(f.rank(),
                f.description(), null)), wall, processes.abandoned());
    }
}
