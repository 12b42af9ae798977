package io.snapline.runtime.launch;

import io.snapline.runtime.checkpoint.PieceWritten;
import io.snapline.runtime.checkpoint.RankAgent;
import io.snapline.runtime.checkpoint.RankLink;
import io.snapline.runtime.checkpoint.RankSetup;
import io.snapline.runtime.device.shm.ShmDevice;
import io.snapline.runtime.engine.EagerWindow;
import io.snapline.runtime.engine.Endpoint;
import io.snapline.runtime.engine.JobAbortedException;
import io.snapline.runtime.engine.JobState;
import io.snapline.runtime.engine.Mailbox;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Runs a job on the {@code shm} device: every rank is a thread of this JVM with its own class loader, started with
 * MPJ Express's argument convention ({@code rank, size, device} before the program's own arguments).
 *
 * <p>The first rank to fail (uncaught throwable or {@code Abort}) aborts the attempt: every rank waiting inside the
 * runtime wakes with {@link JobAbortedException}, rank threads are interrupted, and the ranks get the abort grace
 * ({@link SupervisorTimeouts#abortGrace}) to unwind; ranks still running after that (busy in their own code) are
 * stopped. With a checkpoint policy, a rank that died (killed, or ended by an {@link Error}) restarts the job: every
 * rank starts again in a fresh class loader and restores the newest committed checkpoint. What follows a rank's end
 * is decided by the attempt's {@link AttemptSupervisor}, as on {@code tcp}. While the job runs, {@code System.out} and
 * {@code System.err} are routed through {@link RankOutput}, so one job at a time may run in a JVM.
 */
public final class ShmJob {
    /** The time limits of shm attempts (no flag sets any that shm uses). */
    static final SupervisorTimeouts TIMEOUTS = SupervisorTimeouts.DEFAULTS;
    /** How often the supervisor is told the time; well below its deadlock check period. */
    private static final long POLL_MILLIS = 50;

    static {
        // Threads still running past a grace period (a rank busy in its own code after an abort, or a killed rank's
        // leftovers) are stopped (Thread.stop) wherever they are. One stopped inside the first use of a JDK class (the
        // locale data behind number formatting, which progress lines use) leaves that class unusable for the rest of
        // the JVM, and the launcher with it: use those classes, and what a capture uses, once before any rank runs.
        io.snapline.runtime.checkpoint.RunReport.millis(1_500_000L);
        io.snapline.runtime.checkpoint.RunReport.size(1536);
        String.format(java.util.Locale.ROOT, "%.2f %d %s", 1.5, 1, "x");
        String.format("%.2f %,d", 1.5, 1000);
        try {
            io.snapline.runtime.checkpoint.RankAgent.warmUp();
        } catch (RuntimeException e) {
            // only a precaution: the job runs all the same
        }
    }

    private final LaunchOptions options;
    private final Supervision supervision;

    private ShmJob(LaunchOptions options, Supervision supervision) {
        this.options = options;
        this.supervision = supervision;
    }

    /** Runs the job described by {@code options}, with rank output going to {@code out} and {@code err}. */
    public static JobResult run(LaunchOptions options, PrintStream out, PrintStream err) {
        return run(options, Supervision.open(options, err), out, err);
    }

    static JobResult run(LaunchOptions options, Supervision supervision, PrintStream out, PrintStream err) {
        try {
            return new ShmJob(options, supervision).run(out, err);
        } finally {
            supervision.release(); // the ranks are gone: the store is free for the next job
        }
    }

    private JobResult run(PrintStream out, PrintStream err) {
        long start = System.nanoTime();
        while (true) {
            Attempt a = new Attempt();
            a.run(out, err);
            if (a.supervisor.succeeded()) {
                JobResult ok = new JobResult(0, List.of(), Duration.ofNanos(System.nanoTime() - start));
                return supervision.finish(ok);
            }
            if (!supervision.restartAfter(a.supervisor.failedRanks(), a.supervisor.restartable(),
                    a.supervisor.failedAt())) {
                JobResult failed = a.result(Duration.ofNanos(System.nanoTime() - start));
                return supervision.finish(failed);
            }
        }
    }

    /**
     * One run of every rank, from the beginning or from a checkpoint. What happens to the ranks is decided by its
     * {@link AttemptSupervisor}; this class starts, watches and stops the threads, and tells it what they do.
     */
    private final class Attempt {
        final int np = options.np();
        final JobState job = new JobState(np);
        final Thread[] threads = new Thread[np];
        final ThreadGroup[] groups = new ThreadGroup[np];
        final RankAgent[] agents = new RankAgent[np];
        final List<FailurePlan.Injection> injections = supervision.failures().forAttempt();
        /** Per rank: the injections its current incarnation was started with. */
        final AtomicReferenceArray<List<FailurePlan.Injection>> injectionsOf = new AtomicReferenceArray<>(np);
        final List<Integer> abandoned = new CopyOnWriteArrayList<>();
        final AttemptSupervisor supervisor = new AttemptSupervisor(np, TIMEOUTS, rules(), injections,
                new AttemptSupervisor.Waits() {
                    @Override
                    public JobState.Blocked[] blocked() {
                        return job.snapshotBlocked();
                    }

                    @Override
                    public long progress() {
                        return 0; // on shm only the ranks move messages
                    }
                }, System.nanoTime());
        /** Counted down once the supervisor says the attempt has ended. */
        final CountDownLatch over = new CountDownLatch(1);
        /**
         * The supervisor was told of an abort a rank made itself ({@code Abort} goes straight into the job state);
         * guarded by itself, so that no thread goes on before the supervisor knows.
         */
        final AtomicBoolean abortTold = new AtomicBoolean();
        Endpoint[] endpoints;
        Mailbox[] mailboxes;
        ShmDevice device;
        ProgramClasses program;
        RankOutput rankOut;
        RankOutput rankErr;
        CoordinatorLoop coordinator;
        /** Per rank: why and when a rank that restarts alone died, set by its death until it is replaced. */
        final AtomicReferenceArray<Death> restartingAlone = new AtomicReferenceArray<>(np);
        /** Every class loader of the attempt, restarted ranks' included, closed at its end. */
        final List<RankClassLoader> allLoaders = new CopyOnWriteArrayList<>();
        /** The group of the thread that runs the attempt. */
        final ThreadGroup launcherGroup = Thread.currentThread().getThreadGroup();

        void run(PrintStream out, PrintStream err) {
            program = new ProgramClasses(ProgramLoader.classPath(options));
            device = new ShmDevice(np);
            endpoints = new Endpoint[np];
            mailboxes = new Mailbox[np];
            long window = EagerWindow.forSharedHeap(np, Runtime.getRuntime().maxMemory());
            for (int r = 0; r < np; r++) {
                mailboxes[r] = new Mailbox(window);
                device.register(r, mailboxes[r]);
                endpoints[r] = new Endpoint(r, device, mailboxes[r], job);
            }
            rankOut = supervision.stdout(out);
            rankErr = new RankOutput(err, np, options.tagOutput());
            PrintStream savedOut = System.out;
            PrintStream savedErr = System.err;
            System.setOut(new PrintStream(rankOut, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(rankErr, true, StandardCharsets.UTF_8));
            try {
                for (int r = 0; r < np; r++) {
                    prepareRank(r, supervision.setupFor(r, link(r), injections), 0);
                }
                coordinator = supervision.coordinator(new CoordinatorLoop.Ranks() {
                    @Override
                    public void send(int rank, byte[] message) {
                        agents[rank].onControl(message);
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
                for (int r = 0; r < np; r++) {
                    on(r, new SupervisorEvent.Joined());
                }
                supervision.attemptStarted();
                on(-1, new SupervisorEvent.AttemptStarted());
                for (Thread t : threads) {
                    t.start();
                }
                awaitEnd();
            } finally {
                if (coordinator != null) {
                    coordinator.close();
                }
                System.out.flush();
                System.err.flush();
                System.setOut(savedOut);
                System.setErr(savedErr);
                for (RankClassLoader l : allLoaders) {
                    RankRegistry.unbind(l);
                    closeQuietly(l);
                }
                closeQuietly(program);
            }
        }

        private AttemptSupervisor.Rules rules() {
            return new AttemptSupervisor.Rules(supervision.checkpointing(), supervision.restartsRanksAlone(),
                    supervision.checkpointing() && supervision.policy().stopsSurvivorsAtSafePoints(), false);
        }

        /**
         * Makes rank {@code r}'s agent, class loader and thread (not started) for {@code setup}, incarnation
         * {@code incarnation}, on {@link #endpoints}[r]. Threads the rank starts (a policy's writer, the program's own)
         * join its group, so that a kill can stop them all, as the death of a process would.
         */
        private void prepareRank(int r, RankSetup setup, int incarnation) {
            RankClassLoader loader = new RankClassLoader(r, program);
            allLoaders.add(loader);
            agents[r] = new RankAgent(endpoints[r], loader, setup);
            RankRegistry.bind(loader, new RankContext(endpoints[r], "shm", 3, loader, agents[r]));
            groups[r] = new ThreadGroup("snapline-rank-" + r);
            threads[r] = new Thread(groups[r], () -> runRank(r, incarnation, loader, rankOut, rankErr),
                    "snapline-rank-" + r, 0);
            threads[r].setDaemon(true);
            threads[r].setContextClassLoader(loader);
            job.bindThread(r, threads[r]);
        }

        private RankLink link(int rank) {
            return new RankLink() {
                @Override
                public void toCoordinator(byte[] message) {
                    coordinator.onRankMessage(rank, message);
                }

                @Override
                public void restored(long id, long point, long nanos) {
                    supervision.restored(rank, id, point, nanos);
                }

                @Override
                public void finished() {
                    coordinator.onRankFinished(rank);
                }

                @Override
                public void written(PieceWritten written) {
                    supervision.report().pieceWritten(rank, written);
                }

                @Override
                public void deferred(io.snapline.runtime.checkpoint.CheckpointDeferred deferred) {
                    supervision.report().deferred(rank, deferred);
                }

                @Override
                public void captured(long id) {
                    rankOut.captured(rank, id);
                }

                @Override
                public void resumed() {
                    rankOut.resumed(rank);
                }

                @Override
                public void ready() {
                    on(rank, new SupervisorEvent.Ready());
                }

                @Override
                public void cannotRestartAlone(String why) {
                    on(rank, new SupervisorEvent.CannotRestartAlone(why));
                }

                @Override
                public void requestKill(boolean atSafePoint, String reason) {
                    on(rank, new SupervisorEvent.KillRequested(reason, atSafePoint));
                }
            };
        }

        // -------------------------------------------------------------- the supervisor

        /** Tells the supervisor {@code event} of rank {@code rank} (-1: the attempt) and does what it decides. */
        private void on(int rank, SupervisorEvent event) {
            tellAbort();
            act(supervisor.onEvent(rank, event, System.nanoTime()));
        }

        /**
         * A rank's {@code Abort} goes straight into the job state, which wakes every rank: the supervisor hears of it
         * before anything that follows from it. A thread that finds another telling it waits until that one has, so
         * that the aborting rank's own end (which follows) never reaches the supervisor first.
         */
        private void tellAbort() {
            if (!job.isAborted() || abortTold.get()) {
                return;
            }
            List<SupervisorAction> actions;
            synchronized (abortTold) {
                if (abortTold.get() || supervisor.aborting()) {
                    return;
                }
                int r = job.abortRank();
                actions = supervisor.onEvent(r, r >= 0 ? new SupervisorEvent.Aborted(job.abortCode(), job.abortReason())
                        : new SupervisorEvent.Violation(job.abortReason()), System.nanoTime());
                abortTold.set(true); // only now: a thread that sees it set goes on knowing the supervisor knows
            }
            act(actions);
        }

        private void act(List<SupervisorAction> actions) {
            for (SupervisorAction a : actions) {
                if (a instanceof SupervisorAction.Kill k) {
                    Thread killer = new Thread(() -> kill(k.rank(), k.reason()), "snapline-killer-" + k.rank());
                    killer.setDaemon(true);
                    killer.start(); // never the rank's own thread, which may have asked for it
                } else if (a instanceof SupervisorAction.StruckAtRequest s) {
                    supervision.struck(s, injections, injectionsOf.get(s.rank()));
                } else if (a instanceof SupervisorAction.StruckTimed s) {
                    supervision.struck(s, injections, null);
                } else if (a instanceof SupervisorAction.TellPeers t) {
                    gone(t.rank(), t.reason());
                } else if (a instanceof SupervisorAction.RestartAlone r) {
                    restartingAlone.set(r.rank(), new Death(r.reason(), r.detectedAt()));
                    if (Thread.currentThread() != threads[r.rank()]) {
                        beginAlone(r.rank(), threads[r.rank()]); // else its thread does, at its very end (runRank)
                    }
                } else if (a instanceof SupervisorAction.StopSurvivors s) {
                    coordinator.onRankFailed(s.rank());
                } else if (a instanceof SupervisorAction.SurvivorsStopped s) {
                    supervision.survivorsStopped(s.tookNanos(), s.allStopped());
                } else if (a instanceof SupervisorAction.Abort x) {
                    job.abort(x.rank(), x.code(), x.reason()); // wakes every rank waiting in the runtime
                    for (int r = 0; r < np; r++) {
                        if (!supervisor.exited(r) && threads[r] != Thread.currentThread()) {
                            threads[r].interrupt(); // a rank that ends this attempt is ending already
                        }
                    }
                } else if (a instanceof SupervisorAction.StopStragglers) {
                    stopStragglers();
                } else if (a instanceof SupervisorAction.Announce x) {
                    supervision.announce(x.what());
                } else if (a instanceof SupervisorAction.CheckDeaths) {
                    on(-1, new SupervisorEvent.DeathsChecked()); // a rank's thread always says how it ended
                }
                // Release: nothing holds a rank past MPI.Finalize on shm
            }
            if (supervisor.ended()) {
                over.countDown();
            }
        }

        /**
         * Kills rank {@code rank} for real, as the crash of its process would, but where its threads touch nothing
         * another rank shares: a rank's thread also runs code on other ranks' state (it takes the messages in a
         * parked receiver's rings, or those before its own message on the locked path, and runs the receiver's policy
         * hook under the receiver's mailbox lock), and a thread stopped there ({@code Thread.stop}) leaves a message
         * the receiver's hook has counted, or a receive it has completed, still in the ring: the receiver takes it a
         * second time. So the program thread ends at its next entry into the runtime or in the wait it is in
         * ({@link Endpoint#kill}), its other threads are interrupted (a checkpoint write stops) and, once the program
         * thread has ended, those still running after the abort grace are stopped.
         */
        private synchronized void kill(int rank, String reason) {
            if (supervisor.exited(rank)) {
                return;
            }
            killCooperatively(rank, reason);
            if (!supervision.restartsRanksAlone()) { // a rank restarting alone has its leftovers ended by restartAlone
                Thread program = threads[rank];
                ThreadGroup group = groups[rank];
                Thread reaper = new Thread(launcherGroup, () -> endLeftovers(program, group),
                        "snapline-reaper-" + rank);
                reaper.setDaemon(true);
                reaper.start();
            }
        }

        /**
         * Ends rank {@code rank} where it touches nothing another rank shares (see {@link #kill}): its program thread
         * ends at its next entry into the runtime or in the wait it is in; its other threads are interrupted (a
         * sleeping program thread wakes, and a checkpoint write stops) and report nothing more.
         */
        private void killCooperatively(int rank, String reason) {
            agents[rank].kill(reason);
            Thread[] all = new Thread[groups[rank].activeCount() + 8];
            int n = groups[rank].enumerate(all);
            for (int i = 0; i < n; i++) {
                if (all[i] != Thread.currentThread()) {
                    all[i].interrupt();
                }
            }
        }

        /**
         * Once {@code program}, a killed rank's program thread, has ended, gives the other threads of its
         * {@code group} the abort grace to end and stops those still running (busy in the program's own code).
         */
        private void endLeftovers(Thread program, ThreadGroup group) {
            try {
                program.join();
                stopLeftovers(group, System.nanoTime() + TIMEOUTS.abortGrace().toNanos());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Waits until {@code deadline} for the threads of {@code group} to end, then stops those still running. */
        @SuppressWarnings({"deprecation", "removal"})
        private void stopLeftovers(ThreadGroup group, long deadline) throws InterruptedException {
            while (group.activeCount() > 0 && System.nanoTime() < deadline) {
                Thread[] left = new Thread[group.activeCount() + 8];
                int n = group.enumerate(left);
                for (int i = 0; i < n; i++) {
                    left[i].join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                }
            }
            Thread[] left = new Thread[group.activeCount() + 8];
            int n = group.enumerate(left);
            for (int i = 0; i < n; i++) {
                if (left[i] != Thread.currentThread()) {
                    left[i].stop(); // busy in the program's own code past the grace period
                }
            }
        }

        /** Restarts rank {@code rank} alone ({@link #restartAlone}) on a thread of its own, once {@code dead} ends. */
        private void beginAlone(int rank, Thread dead) {
            Death death = restartingAlone.get(rank);
            // In the launcher's group, not the dead rank's, whose threads it ends.
            Thread t = new Thread(launcherGroup, () -> restartAlone(rank, death, dead), "snapline-restart-" + rank);
            t.setDaemon(true);
            t.start();
        }

        /**
         * Starts a new incarnation of rank {@code rank}, whose previous one died (its thread is {@code dead}, ended or
         * about to), from {@code death}: the dead one's other threads are given the abort grace to end, its mailbox is
         * emptied for the new one, the coordinator is told, and the new thread starts. Runs on a thread of its own.
         */
        private void restartAlone(int rank, Death death, Thread dead) {
            try {
                long grace = TIMEOUTS.abortGrace().toNanos();
                long deadline = System.nanoTime() + grace;
                dead.join(TimeUnit.NANOSECONDS.toMillis(grace));
                stopLeftovers(groups[rank], deadline);
                if (supervisor.ending()) { // another failure ends the attempt meanwhile
                    notReplaced(rank, false);
                    return;
                }
                // Everything the coordinator answers the dead incarnation reaches it, not the new one.
                coordinator.sync();
                // Planned now, with the dead incarnation's writer gone: nothing it wrote changes the store any more.
                Supervision.Alone alone = supervision.restartAlone(rank, death.reason(), death.detectedAt());
                if (alone == null) { // said why; with no restart left the job ends with this failure
                    notReplaced(rank, supervision.gaveUp());
                    return;
                }
                int inc;
                synchronized (this) { // the rank's objects are replaced; a kill (another thread) sees them whole
                    on(rank, new SupervisorEvent.Replaced());
                    inc = supervisor.incarnation(rank);
                    // Drops what the dead incarnation had and, until the new one's policy decides, whatever comes.
                    mailboxes[rank].restartReceiver(io.snapline.runtime.engine.ChannelHook.DROP_ALL);
                    endpoints[rank] = new Endpoint(rank, device, mailboxes[rank], job);
                    rankOut.restartRank(rank, alone.from());
                    List<FailurePlan.Injection> pending = supervision.failures().forAttempt();
                    injectionsOf.set(rank, pending);
                    prepareRank(rank, supervision.setupAlone(rank, alone, inc, link(rank), pending), inc);
                    job.restarted(rank);
                    restartingAlone.set(rank, null);
                }
                coordinator.onRankRestarting(rank, inc);
                supervision.startedAlone(rank);
                on(rank, new SupervisorEvent.Joined());
                threads[rank].start();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                notReplaced(rank, false);
            } catch (RuntimeException | Error e) {
                on(rank, new SupervisorEvent.Violation("rank " + rank + " could not be restarted alone: " + e));
                notReplaced(rank, false);
            }
        }

        /** Rank {@code rank} is not replaced after all: its death ends it in this attempt. */
        private void notReplaced(int rank, boolean gaveUp) {
            restartingAlone.set(rank, null);
            job.finished(rank);
            if (supervisor.state(rank) == AttemptSupervisor.RankState.RESTARTING_ALONE) {
                on(rank, new SupervisorEvent.NotReplaced(gaveUp));
            } else { // its new incarnation was made but did not start
                on(rank, new SupervisorEvent.Exited(supervisor.incarnation(rank)));
            }
        }

        /** Waits until the supervisor says the attempt has ended, telling it the time every {@link #POLL_MILLIS}. */
        private void awaitEnd() {
            try {
                while (!over.await(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                    tellAbort();
                    act(supervisor.tick(System.nanoTime()));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                on(-1, new SupervisorEvent.Interrupted());
            }
        }

        /**
         * Rank {@code rank} is gone for the rest of this attempt (died, ended or stopped for the restart): the others'
         * operations with it fail instead of waiting for it, so that they too end or stop.
         */
        private void gone(int rank, String reason) {
            for (int r = 0; r < np; r++) {
                if (r != rank) {
                    endpoints[r].peerFailed(rank, reason);
                }
            }
        }

        /** Ranks busy in their own code after the grace period are stopped, so they cannot outlive the attempt. */
        @SuppressWarnings({"deprecation", "removal"})
        private void stopStragglers() {
            for (int r = 0; r < np; r++) {
                if (!supervisor.exited(r)) {
                    abandoned.add(r);
                    threads[r].stop();
                }
            }
        }

        JobResult result(Duration wall) {
            return new JobResult(JobResult.exitStatusOf(supervisor.code()), List.of(supervisor.failure()), wall,
                    List.copyOf(abandoned));
        }

        private void runRank(int rank, int incarnation, ClassLoader loader, RankOutput out, RankOutput err) {
            RankOutput.enterRank(rank);
            boolean returned = false;
            try {
                try {
                    Method m = Class.forName(options.mainClass(), true, loader).getMethod("main", String[].class);
                    if (!Modifier.isStatic(m.getModifiers())) {
                        throw new IllegalStateException("main(String[]) of " + options.mainClass() + " is not static");
                    }
                    m.invoke(null, (Object) argv(rank));
                    returned = true;
                } catch (InvocationTargetException e) {
                    fail(rank, e.getCause());
                } catch (ClassNotFoundException e) {
                    fail(rank, new IllegalArgumentException("main class " + options.mainClass()
                            + " was not found on the class path", e));
                } catch (NoSuchMethodException e) {
                    fail(rank, new IllegalArgumentException(options.mainClass()
                            + " has no public static void main(String[])", e));
                } catch (ReflectiveOperationException | RuntimeException | Error e) {
                    fail(rank, e);
                }
            } catch (Error e) {
                fail(rank, e); // a kill that landed while the failure was being recorded
            } finally {
                if (closeAgent(rank) && returned) {
                    on(rank, new SupervisorEvent.Finished());
                }
                out.flushPartialLine();
                err.flushPartialLine();
                RankOutput.leaveRank();
                if (restartingAlone.get(rank) == null) {
                    job.finished(rank);
                    on(rank, new SupervisorEvent.Exited(incarnation)); // may restart a rank that said nothing alone
                }
                if (restartingAlone.get(rank) != null) {
                    beginAlone(rank, Thread.currentThread());
                }
            }
        }

        /**
         * Ends the rank's checkpoint writer before the rank counts as ended, so that nothing of this attempt writes to
         * the store once the job returns or the next attempt restores from it. Returns false if that failed.
         */
        private boolean closeAgent(int rank) {
            try {
                agents[rank].close();
                return true;
            } catch (RuntimeException | Error e) {
                fail(rank, e);
                return false;
            }
        }

        /**
         * Tells the supervisor how rank {@code rank} ended: a death (an {@link Error}, a kill) or its program's own
         * failure. Its own {@code Abort} is in the job state already ({@link #tellAbort}).
         */
        private void fail(int rank, Throwable t) {
            if (t instanceof RankAbortError) {
                tellAbort();
                return;
            }
            String description = "rank " + rank + " failed: " + t;
            if (t instanceof Error) {
                on(rank, new SupervisorEvent.Died(description, t.toString(), t));
            } else {
                on(rank, new SupervisorEvent.Failed(description, t.toString(), t));
            }
        }
    }

    /** A rank's death that restarts it alone: why it died (for the restart line), and when. */
    private record Death(String reason, long detectedAt) {
    }

    /** MPJ Express's convention: rank, size and device come before the program's own arguments. */
    private String[] argv(int rank) {
        List<String> programArgs = options.programArgs();
        String[] argv = new String[programArgs.size() + 3];
        argv[0] = Integer.toString(rank);
        argv[1] = Integer.toString(options.np());
        argv[2] = "shm";
        for (int i = 0; i < programArgs.size(); i++) {
            argv[i + 3] = programArgs.get(i);
        }
        return argv;
    }

    /** Describes a failure for the launcher's report, stack trace included; see {@link FailureReport}. */
    public static String describe(JobResult.RankFailure f) {
        return FailureReport.describe(f);
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // the loaders read only local class files; nothing is left open
        }
    }
}
