package io.snapline.runtime.launch;

import io.snapline.runtime.checkpoint.RankAgent;
import io.snapline.runtime.checkpoint.RankLink;
import io.snapline.runtime.checkpoint.RankSetup;
import io.snapline.runtime.device.shm.ShmDevice;
import io.snapline.runtime.engine.DeadlockDetector;
import io.snapline.runtime.engine.EagerWindow;
import io.snapline.runtime.engine.Endpoint;
import io.snapline.runtime.engine.JobAbortedException;
import io.snapline.runtime.engine.JobState;
import io.snapline.runtime.engine.Mailbox;
import io.snapline.runtime.engine.RankKilledError;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Runs a job on the {@code shm} device: every rank is a thread of this JVM with its own class loader, started with
 * MPJ Express's argument convention ({@code rank, size, device} before the program's own arguments).
 *
 * <p>The first rank to fail (uncaught throwable or {@code Abort}) aborts the attempt: every rank waiting inside the
 * runtime wakes with {@link JobAbortedException}, rank threads are interrupted, and the ranks get {@link #GRACE} to
 * unwind; ranks still running after that (busy in their own code) are stopped. With a checkpoint policy, a rank that
 * died (killed, or ended by an {@link Error}) restarts the job: every rank starts again in a fresh class loader and
 * restores the newest committed checkpoint. While the job runs, {@code System.out} and {@code System.err} are routed
 * through {@link RankOutput}, so one job at a time may run in a JVM.
 */
public final class ShmJob {
    /** How long ranks may take to unwind after an abort before they are stopped. */
    static final Duration GRACE = Duration.ofSeconds(2);
    /** Consecutive half-second checks with every running rank blocked in the same wait before a deadlock is declared. */
    static final int DEADLOCK_CHECKS = 4;
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
            if (!a.job.isAborted()) {
                JobResult ok = new JobResult(0, List.of(), Duration.ofNanos(System.nanoTime() - start));
                return supervision.finish(ok);
            }
            if (!supervision.restartAfter(a.failedRanks(), a.restartable(), a.abortedAt)) {
                JobResult failed = a.result(Duration.ofNanos(System.nanoTime() - start));
                return supervision.finish(failed);
            }
        }
    }

    /** One run of every rank, from the beginning or from a checkpoint. */
    private final class Attempt {
        final int np = options.np();
        final JobState job = new JobState(np);
        final Thread[] threads = new Thread[np];
        final ThreadGroup[] groups = new ThreadGroup[np];
        final AtomicIntegerArray done = new AtomicIntegerArray(np);
        final CountDownLatch finished = new CountDownLatch(np);
        final AtomicReference<JobResult.RankFailure> firstFailure = new AtomicReference<>();
        final AtomicReferenceArray<String> killed = new AtomicReferenceArray<>(np);
        final RankAgent[] agents = new RankAgent[np];
        final List<FailurePlan.Injection> injections = supervision.failures().forAttempt();
        /** Per rank: the injections its current incarnation was started with. */
        final AtomicReferenceArray<List<FailurePlan.Injection>> injectionsOf = new AtomicReferenceArray<>(np);
        final List<Integer> abandoned = new ArrayList<>();
        volatile String violation;
        volatile long abortedAt;
        volatile SurvivorStop stopping;
        Endpoint[] endpoints;
        Mailbox[] mailboxes;
        ShmDevice device;
        ProgramClasses program;
        RankOutput rankOut;
        RankOutput rankErr;
        CoordinatorLoop coordinator;
        /** Per rank: its incarnation in this attempt (see {@link RankSetup#incarnation}). */
        final int[] incarnation = new int[np];
        /** Per rank: why its policy said it cannot restart alone, or null. */
        final AtomicReferenceArray<String> cannotAlone = new AtomicReferenceArray<>(np);
        /** Per rank: where a rank that died and restarts alone starts again, set by {@link #fail}. */
        final AtomicReferenceArray<Death> restartingAlone = new AtomicReferenceArray<>(np);
        /** Ranks between their death and their new incarnation's restore (each restarts alone). */
        final java.util.Set<Integer> recovering = java.util.concurrent.ConcurrentHashMap.newKeySet();
        /** Every class loader of the attempt, restarted ranks' included, closed at its end. */
        final List<RankClassLoader> allLoaders = new java.util.concurrent.CopyOnWriteArrayList<>();
        /** The group of the thread that runs the attempt. */
        final ThreadGroup launcherGroup = Thread.currentThread().getThreadGroup();
        /** Per rank: 1 once its incarnation is past its start ({@link RankLink#ready}). */
        final AtomicIntegerArray ready = new AtomicIntegerArray(np);
        /** A rank that would have restarted alone found no restart left: the job ends. */
        volatile boolean gaveUp;

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
            java.util.Timer timer = new java.util.Timer("snapline-failure-injection", true);
            System.setOut(new PrintStream(rankOut, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(rankErr, true, StandardCharsets.UTF_8));
            try {
                for (int r = 0; r < np; r++) {
                    prepareRank(r, supervision.setupFor(r, link(r), injections));
                }
                coordinator = supervision.coordinator(new CoordinatorLoop.Ranks() {
                    @Override
                    public void send(int rank, byte[] message) {
                        agents[rank].onControl(message);
                    }

                    @Override
                    public void fail(String reason) {
                        violation = reason;
                        abort(-1, 1, reason);
                    }

                    @Override
                    public void stopped(int rank) {
                        SurvivorStop s = stopping;
                        if (s != null && s.stopped(rank)) {
                            gone(rank, "it stopped for the restart");
                        }
                    }
                });
                scheduleTimedFailures(timer);
                supervision.attemptStarted();
                for (Thread t : threads) {
                    t.start();
                }
                awaitEnd();
            } finally {
                timer.cancel();
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

        /**
         * Makes rank {@code r}'s agent, class loader and thread (not started) for {@code setup}, on
         * {@link #endpoints}[r]. Threads the rank starts (a policy's writer, the program's own) join its group, so that
         * a kill can stop them all, as the death of a process would.
         */
        private void prepareRank(int r, RankSetup setup) {
            RankClassLoader loader = new RankClassLoader(r, program);
            allLoaders.add(loader);
            agents[r] = new RankAgent(endpoints[r], loader, setup);
            RankRegistry.bind(loader, new RankContext(endpoints[r], "shm", 3, loader, agents[r]));
            groups[r] = new ThreadGroup("snapline-rank-" + r);
            threads[r] = new Thread(groups[r], () -> runRank(r, loader, rankOut, rankErr), "snapline-rank-" + r, 0);
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
                    recovering.remove(rank);
                }

                @Override
                public void finished() {
                    coordinator.onRankFinished(rank);
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
                    ready.set(rank, 1);
                }

                @Override
                public void cannotRestartAlone(String why) {
                    cannotAlone.compareAndSet(rank, null, why);
                }

                @Override
                public void requestKill(boolean atSafePoint, String reason) {
                    // The rank dies now, even in an attempt already failing (a survivor that runs on to its next
                    // safe point may reach its own injection), and the failure report names it: it has struck.
                    if (!job.isAborted()) {
                        List<FailurePlan.Injection> mine = injectionsOf.get(rank);
                        supervision.failures().struck(mine == null ? injections : mine, rank, atSafePoint);
                    }
                    Thread killer = new Thread(() -> kill(rank, reason), "snapline-killer-" + rank);
                    killer.setDaemon(true);
                    killer.start();
                }
            };
        }

        private void scheduleTimedFailures(java.util.Timer timer) {
            for (FailurePlan.Injection i : injections) {
                if (i.after != null) {
                    timer.schedule(new java.util.TimerTask() {
                        @Override
                        public void run() {
                            if (done.get(i.rank) == 0 && !job.isAborted() && stopping == null) {
                                supervision.failures().struck(i);
                                kill(i.rank, "injected failure after " + i.after.toMillis() + " ms");
                            }
                        }
                    }, i.after.toMillis());
                }
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
         * thread has ended, those still running after {@link #GRACE} are stopped.
         */
        private synchronized void kill(int rank, String reason) {
            if (done.get(rank) != 0) {
                return;
            }
            killed.set(rank, reason);
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
         * {@code group} {@link #GRACE} to end and stops those still running (busy in the program's own code).
         */
        private void endLeftovers(Thread program, ThreadGroup group) {
            try {
                program.join();
                stopLeftovers(group, System.nanoTime() + GRACE.toNanos());
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

        /**
         * Starts a new incarnation of rank {@code rank}, whose previous one died and has ended (its thread is the
         * caller, about to end), from {@code alone}: the dead one's other threads are given {@link #GRACE} to end,
         * its mailbox is emptied for the new one, the coordinator is told, and the new thread starts. Runs on a
         * thread of its own.
         */
        private void restartAlone(int rank, Death death, Thread dead) {
            try {
                long deadline = System.nanoTime() + GRACE.toNanos();
                dead.join(GRACE.toMillis());
                stopLeftovers(groups[rank], deadline);
                if (job.isAborted() || stopping != null) { // another failure ends the attempt meanwhile
                    restartingAlone.set(rank, null);
                    recovering.remove(rank);
                    if (stopping != null) {
                        gone(rank, "it ended while the others stopped for the restart");
                    }
                    rankEnded(rank);
                    return;
                }
                // Everything the coordinator answers the dead incarnation reaches it, not the new one.
                coordinator.sync();
                // Planned now, with the dead incarnation's writer gone: nothing it wrote changes the store any more.
                Supervision.Alone alone = supervision.restartAlone(rank, death.reason(), death.detectedAt());
                if (alone == null) {
                    recovering.remove(rank);
                    restartingAlone.set(rank, null);
                    if (supervision.gaveUp()) { // no restart left: the job ends with this failure
                        gaveUp = true;
                        if (job.abort(rank, 1, death.description())) {
                            abortedAt = System.nanoTime();
                            firstFailure.set(new JobResult.RankFailure(rank, death.description(), death.error()));
                        }
                    } else {
                        ended(rank, killed.get(rank), death.error() != null ? death.error()
                                : new RankKilledError(death.description()), death.description());
                    }
                    rankEnded(rank);
                    return;
                }
                int inc;
                synchronized (this) { // the rank's objects are replaced; a kill (another thread) sees them whole
                    inc = ++incarnation[rank];
                    ready.set(rank, 0);
                    // Drops what the dead incarnation had and, until the new one's policy decides, whatever comes.
                    mailboxes[rank].restartReceiver(DROP_ALL);
                    endpoints[rank] = new Endpoint(rank, device, mailboxes[rank], job);
                    killed.set(rank, null);
                    rankOut.restartRank(rank, alone.from());
                    List<FailurePlan.Injection> pending = supervision.failures().forAttempt();
                    injectionsOf.set(rank, pending);
                    prepareRank(rank, supervision.setupAlone(rank, alone, inc, link(rank), pending));
                    job.restarted(rank);
                }
                coordinator.onRankRestarting(rank, inc);
                restartingAlone.set(rank, null);
                supervision.startedAlone(rank);
                if (alone.from() == null) {
                    recovering.remove(rank);
                }
                threads[rank].start();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                rankEnded(rank);
            } catch (RuntimeException | Error e) {
                violation = "rank " + rank + " could not be restarted alone: " + e;
                abort(rank, 1, violation);
                rankEnded(rank);
            }
        }

        /**
         * Waits until every rank has ended, or, after an abort, until the survivors have had their grace period
         * (then stops those still running). Every half second it checks for a deadlock (all running ranks blocked
         * in the same waits) and aborts the attempt if so.
         */
        private void awaitEnd() {
            DeadlockDetector deadlocks = new DeadlockDetector(DEADLOCK_CHECKS);
            long ticks = 0;
            try {
                while (!finished.await(POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                    SurvivorStop s = stopping;
                    if (s != null && !job.isAborted()) {
                        long now = System.nanoTime();
                        if (!s.over(r -> done.get(r) == 0, now)) {
                            continue; // survivors run on to their next safe point; no deadlock check meanwhile
                        }
                        supervision.survivorsStopped(now - s.startedAt(), s.allStopped(r -> done.get(r) == 0));
                        job.abort(s.deadRank(), 1, s.description());
                    }
                    if (job.isAborted()) {
                        for (int r = 0; r < np; r++) {
                            if (done.get(r) == 0) {
                                threads[r].interrupt();
                            }
                        }
                        if (!finished.await(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                            stopStragglers();
                        }
                        return;
                    }
                    if (++ticks % 10 == 0) {
                        String deadlock = deadlocks.check(job.snapshotBlocked());
                        if (deadlock != null) {
                            violation = deadlock;
                            abort(-1, 1, deadlock);
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                violation = "the launcher was interrupted";
                abort(-1, 130, "the launcher was interrupted");
            }
            SurvivorStop s = stopping;
            if (s != null && job.abort(s.deadRank(), 1, s.description())) { // every rank ended before the wait was over
                supervision.survivorsStopped(System.nanoTime() - s.startedAt(), true);
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
        private void stopStragglers() throws InterruptedException {
            for (int r = 0; r < np; r++) {
                if (done.get(r) == 0) {
                    abandoned.add(r);
                    threads[r].stop();
                }
            }
            finished.await(GRACE.toMillis(), TimeUnit.MILLISECONDS);
        }


        private void abort(int rank, int code, String reason) {
            if (job.abort(rank, code, reason)) {
                abortedAt = System.nanoTime();
            }
        }

        JobResult.RankFailure failure() {
            JobResult.RankFailure f = firstFailure.get();
            if (f == null || f.rank() != job.abortRank()) {
                f = new JobResult.RankFailure(job.abortRank(), job.abortReason(), null);
            }
            return f;
        }

        /** Whether a restart can cure the failure: a rank died (killed, or an Error), not a bug it would repeat. */
        boolean restartable() {
            if (violation != null || gaveUp) {
                return false;
            }
            JobResult.RankFailure f = firstFailure.get();
            if (f == null || f.rank() < 0) {
                return false;
            }
            if (killed.get(f.rank()) != null) {
                return true;
            }
            return f.error() instanceof Error && !(f.error() instanceof RankAbortError);
        }

        /**
         * The rank that ended the attempt and every other rank an injected failure killed in it, in rank order (failures that
         * struck at the same moment: each is named, and the restart cures them all).
         */
        List<FailedRank> failedRanks() {
            JobResult.RankFailure f = failure();
            List<FailedRank> failed = new ArrayList<>(List.of(new FailedRank(f.rank(), shortReason(f))));
            for (int r = 0; r < np; r++) {
                String k = killed.get(r);
                if (r != f.rank() && k != null) {
                    failed.add(new FailedRank(r, "killed: " + k));
                }
            }
            failed.sort(java.util.Comparator.comparingInt(FailedRank::rank));
            return failed;
        }

        String shortReason(JobResult.RankFailure f) {
            String k = f.rank() >= 0 ? killed.get(f.rank()) : null;
            if (k != null) {
                return "killed: " + k;
            }
            return f.error() != null ? f.error().toString() : f.description();
        }

        JobResult result(Duration wall) {
            JobResult.RankFailure f = failure();
            return new JobResult(JobResult.exitStatusOf(job.abortCode()), List.of(f), wall, List.copyOf(abandoned));
        }

        private void runRank(int rank, ClassLoader loader, RankOutput out, RankOutput err) {
            RankOutput.enterRank(rank);
            try {
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
                    fail(rank, new IllegalArgumentException(options.mainClass()
                            + " has no public static void main(String[])", e));
                } catch (ReflectiveOperationException | RuntimeException | Error e) {
                    fail(rank, e);
                }
            } catch (Error e) {
                fail(rank, e); // a kill that landed while the failure was being recorded
            } finally {
                closeAgent(rank);
                Death alone = restartingAlone.get(rank);
                if (alone == null) {
                    job.finished(rank);
                }
                if (stopping != null) {
                    gone(rank, "it ended while the others stopped for the restart");
                }
                out.flushPartialLine();
                err.flushPartialLine();
                RankOutput.leaveRank();
                if (alone != null) {
                    Thread dead = Thread.currentThread();
                    // In the launcher's group, not the dead rank's, whose threads it ends.
                    Thread t = new Thread(launcherGroup, () -> restartAlone(rank, alone, dead),
                            "snapline-restart-" + rank);
                    t.setDaemon(true);
                    t.start();
                } else {
                    rankEnded(rank);
                }
            }
        }

        /** Rank {@code rank} has ended for good in this attempt. */
        private void rankEnded(int rank) {
            job.finished(rank);
            done.set(rank, 1);
            finished.countDown();
        }

        /**
         * Ends the rank's checkpoint writer before the rank counts as ended, so that nothing of this attempt writes to
         * the store once the job returns or the next attempt restores from it.
         */
        private void closeAgent(int rank) {
            try {
                agents[rank].close();
            } catch (RuntimeException | Error e) {
                fail(rank, e);
            }
        }

        /**
         * Whether rank {@code rank}, dead ({@code killedFor}, or {@code t}), restarts alone while the others run on:
         * when the policy does that, the rank died (not a bug it would repeat), nothing else is ending the attempt,
         * every rank that is not restarting alone itself is past its start, and its policy did not say it cannot.
         * Ranks that fail at once, or while another restarts alone, each restart alone. Marks it recovering if so.
         */
        private synchronized boolean restartsAlone(int rank, String killedFor, Throwable t) {
            if (!supervision.restartsRanksAlone() || stopping != null || job.isAborted() || violation != null) {
                return false;
            }
            if (killedFor == null && !(t instanceof Error && !(t instanceof RankAbortError)
                    && !(t instanceof RankKilledError))) {
                return false;
            }
            for (int r = 0; r < np; r++) {
                if (ready.get(r) == 0 && done.get(r) == 0 && !recovering.contains(r) && incarnation[r] == 0) {
                    // It may be inside an exchange every rank takes part in (the start, a restore): the others would
                    // wait for the dead rank there. A rank restarted alone has none, also while it starts from the
                    // beginning.
                    supervision.announce("rank " + rank + " failed while rank " + r + " was still starting; the whole "
                            + "job restarts");
                    return false;
                }
            }
            String why = cannotAlone.get(rank);
            if (why != null) {
                supervision.announce("rank " + rank + " cannot restart alone (" + why + "); the whole job restarts");
                return false;
            }
            recovering.add(rank);
            return true;
        }

        /** Whether the death of a rank (killed, or ended by an Error) lets the others run on to a safe point. */
        private boolean stopsSurvivors(String killedFor, Throwable t) {
            return supervision.checkpointing() && supervision.policy().stopsSurvivorsAtSafePoints()
                    && (killedFor != null || t instanceof Error && !(t instanceof RankAbortError));
        }

        /**
         * Begins the end of the attempt after rank {@code rank} died: the others run on while the policy stops them
         * at safe points. Returns false if the attempt is ending already.
         */
        private synchronized boolean startStopping(int rank, String description, Throwable error) {
            if (stopping != null || job.isAborted()) {
                return false;
            }
            abortedAt = System.nanoTime();
            firstFailure.set(new JobResult.RankFailure(rank, description, error));
            stopping = new SurvivorStop(np, rank, description, abortedAt);
            gone(rank, description);
            coordinator.onRankFailed(rank);
            return true;
        }

        private void fail(int rank, Throwable t) {
            if (t instanceof RankAbortError) {
                return;
            }
            String k = killed.get(rank);
            if (k == null && job.isAborted() && isConsequence(t)) {
                return;
            }
            String description = k != null ? "rank " + rank + " was killed (" + k + ")" : "rank " + rank + " failed: " + t;
            if (restartsAlone(rank, k, t)) {
                restartingAlone.set(rank, new Death(description, k != null ? "killed: " + k : t.toString(),
                        k != null ? null : t, System.nanoTime()));
                return; // the rank's thread ends, and a new incarnation starts (see runRank)
            }
            ended(rank, k, t, description);
        }

        /**
         * What follows the death of rank {@code rank} ({@code description}) when it does not restart alone: the others
         * stop at safe points for a restart, or the attempt ends now.
         */
        private void ended(int rank, String k, Throwable t, String description) {
            if (stopping != null) {
                gone(rank, "it ended while the others stopped for the restart");
                return; // a consequence of the death that began the stop, or a kill meanwhile (struck next attempt)
            }
            if (stopsSurvivors(k, t) && startStopping(rank, description, k != null ? null : t)) {
                return;
            }
            if (job.abort(rank, 1, description)) {
                abortedAt = System.nanoTime();
                firstFailure.set(new JobResult.RankFailure(rank, description, k != null ? null : t));
            }
        }
    }

    /**
     * A rank's death that restarts it alone: what the attempt's end would say of it, why it died (for the restart
     * line), the error that ended it (null when killed), and when.
     */
    private record Death(String description, String reason, Throwable error, long detectedAt) {
    }

    /** What a rank restarting alone accepts until its new incarnation's policy decides: nothing. */
    private static final io.snapline.runtime.engine.ChannelHook DROP_ALL = new io.snapline.runtime.engine.ChannelHook() {
        @Override
        public boolean beforeSend(io.snapline.runtime.engine.Message m) {
            return true;
        }

        @Override
        public int onAccept(io.snapline.runtime.engine.Message m) {
            return DROP;
        }

        @Override
        public void log(io.snapline.runtime.engine.Message m, byte[] payload) {
        }
    };

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

    /** Whether {@code t} is only the echo of an abort elsewhere: the runtime's wake-up or the launcher's interrupt. */
    private static boolean isConsequence(Throwable t) {
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

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // the loaders read only local class files; nothing is left open
        }
    }
}
