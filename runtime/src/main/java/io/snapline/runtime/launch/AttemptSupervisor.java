package io.snapline.runtime.launch;

import io.snapline.runtime.engine.DeadlockDetector;
import io.snapline.runtime.engine.JobState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The supervision of one attempt (one run of every rank, from the beginning or from a checkpoint) as a transition
 * table: what the devices tell it ({@link SupervisorEvent}, through {@link #onEvent}) and the passing of time
 * ({@link #tick}) change the state of a rank or of the attempt in one place, {@link #state}, which records why; what
 * follows goes back to the device as {@link SupervisorAction}s. It starts, watches and stops nothing itself: the
 * device does ({@code shm}: threads; {@code tcp}: processes; the cluster: processes on agents). Time is an argument,
 * so tests drive it with a fake clock. Thread-safe (one lock); a device runs the returned actions outside it.
 *
 * <h2>A rank</h2>
 *
 * <pre>
 *   STARTING --Ready--> RUNNING --Leaving--> LEAVING        (tcp: held past MPI.Finalize's final barrier)
 *   STARTING, RUNNING, LEAVING --Finished--> FINISHED
 *                              --Failed, Aborted--> FAILED  (the program's own doing: a restart would repeat it)
 *                              --Died--> DEAD               (killed, an Error, a process gone or silent: curable)
 *                              --Died--> RESTARTING_ALONE --Replaced--> STARTING (next incarnation)
 *                                                         --NotReplaced--> DEAD
 * </pre>
 *
 * A rank that was killed at the supervisor's word ({@link SupervisorAction.Kill}) dies, whatever it ends with. Its
 * thread or process has {@link SupervisorEvent.Exited exited} once the device says so; the attempt is over when every
 * rank's last incarnation has.
 *
 * <h2>The attempt</h2>
 *
 * <pre>
 *   STARTING --AttemptStarted--> RUNNING --a death, survivors stop at safe points--> STOPPING_SURVIVORS
 *   STARTING, RUNNING, STOPPING_SURVIVORS --abort--> ABORTING --grace over--> STOPPING_STRAGGLERS
 *   RUNNING (every rank exited, none failed) --> ENDED (succeeded)
 *   ABORTING, STOPPING_STRAGGLERS (every rank exited, or the second grace over) --> ENDED (failed)
 * </pre>
 *
 * The decisions, as {@code ShmJob} and {@code TcpAttempt} made them before they shared this class:
 * <ul>
 *   <li><b>A death restarts only the rank</b> when the policy restarts ranks alone, the attempt is RUNNING (started,
 *       not stopping, not aborting, no violation), every rank not restarting alone and never restarted is past its
 *       start, the ranks were not yet let go from the final barrier, the rank's policy did not say it cannot, and,
 *       where a rank's message log goes with its process ({@link Rules#aloneNeedsEveryRank}: {@code tcp}), no other
 *       rank has ended. Otherwise the whole attempt ends with it; the reason is announced. Ranks that die at once, or
 *       while another restarts alone, each restart alone.</li>
 *   <li><b>Otherwise a death</b> under a policy that stops survivors at safe points begins STOPPING_SURVIVORS (the
 *       others run on until each has stopped, ended, or {@link SupervisorTimeouts#survivorStop} passed; ranks that
 *       stopped before the death was known count), else aborts the attempt at once. Either way, a restart cures
 *       it.</li>
 *   <li><b>A reported failure</b> (uncaught exception) ends the attempt after {@link SupervisorTimeouts#settle} and
 *       the device's check for deaths not yet noticed ({@link SupervisorAction.CheckDeaths}: a process that exited
 *       without a word), unless a death it may follow from comes first; later reports are only recorded.
 *       {@code Abort(code)} ends it at once with that code. Neither is curable by a restart.</li>
 *   <li><b>While the survivors stop</b>, every rank that ends is gone for the others (they are told), and nothing
 *       else ends the attempt; a rank that stopped is told too.</li>
 *   <li><b>An injected failure</b> a rank asks for strikes (counts as struck) unless the attempt is aborting: a
 *       survivor running on to its next safe point may reach its own. The rank is killed all the same. A timed one
 *       strikes when due, counted from {@link SupervisorEvent.AttemptStarted}, only while the attempt is RUNNING and
 *       the rank alive; one that falls due while its rank restarts alone waits for the new incarnation.</li>
 *   <li><b>The deadlock window</b>: every {@link SupervisorTimeouts#deadlockCheck} while STARTING or RUNNING, the
 *       ranks' waits are sampled ({@link Waits}); when every running rank has stayed in the same wait, with nothing
 *       moving, for {@link SupervisorTimeouts#deadlockWindow}, the attempt is aborted (not curable).</li>
 *   <li><b>The abort grace</b>: after an abort the ranks get {@link SupervisorTimeouts#abortGrace} to end; then the
 *       device stops those left ({@link SupervisorAction.StopStragglers}) and the attempt ends when they are gone or
 *       after one more grace period. Whether the device kills at once after a curable abort is its own business
 *       ({@link SupervisorAction.Abort#restartable}: {@code tcp} does).</li>
 *   <li><b>Start-up</b>: ranks that have not joined within {@link SupervisorTimeouts#startup} abort the attempt.</li>
 *   <li><b>The outcome</b>: the first failure that ends the attempt is reported (a death that began a survivor stop
 *       included); a restart can cure it when it was a death and no restart alone gave up. Every other rank killed
 *       at the supervisor's word is named beside it.</li>
 * </ul>
 * Where the two devices differed, this class follows one rule: a rank ended by an {@link Error} is a death on
 * {@code tcp} as on {@code shm} (no settle time; survivors stop at safe points where the policy says so); a rank that
 * could not restart alone ends like any death (survivor stop included) on both; ranks that stopped before the death
 * was known count on both; a rank that ends while the survivors stop is gone for the others on both; the settle time
 * for reported failures applies to both; a timed failure never strikes a rank between two incarnations; the others
 * are told a death's short reason on both; a new process of a rank restarted alone that does not join in time is a
 * death like any other (on {@code tcp} it aborted the attempt). What the devices still do differently is theirs:
 * {@link Rules#aloneNeedsEveryRank}, and how they wake and stop the ranks after an abort ({@code shm} wakes every rank
 * and gives it the grace; {@code tcp} tells the others of a death and kills them at once when a restart follows,
 * else asks them to stop).
 */
final class AttemptSupervisor {
    /** Every change of state, and why ({@code snaprun -v}). */
    private static final System.Logger LOG = System.getLogger("io.snapline.supervisor");

    /** A rank's state. */
    enum RankState { STARTING, RUNNING, LEAVING, FINISHED, FAILED, DEAD, RESTARTING_ALONE }

    /** The attempt's state. */
    enum State { STARTING, RUNNING, STOPPING_SURVIVORS, ABORTING, STOPPING_STRAGGLERS, ENDED }

    /** How the failure that ended the attempt came about. */
    private enum Cause { DIED, FAILED, ABORTED, VIOLATION }

    /**
     * What the job's policy and the device decide for the attempt.
     *
     * @param checkpointing       the job has a checkpoint policy that restarts
     * @param restartsRanksAlone  a rank that dies restarts alone while the others run on
     * @param stopsSurvivors      after a death the survivors run on to a safe point to stop for the restart
     * @param aloneNeedsEveryRank a rank restarts alone only while no other rank has ended (its message log is gone)
     */
    record Rules(boolean checkpointing, boolean restartsRanksAlone, boolean stopsSurvivors,
            boolean aloneNeedsEveryRank) {
    }

    /** The ranks' waits, sampled for the deadlock window; supplied by the device. */
    interface Waits {
        /** Per rank: {@link JobState#FINISHED}, the wait it is blocked in, or null while it runs. */
        JobState.Blocked[] blocked();

        /** A count that grows while messages move without the ranks taking part (bytes read); else 0. */
        long progress();
    }

    /** One rank of the attempt. */
    private static final class Rank {
        RankState state = RankState.STARTING;
        String why = "started";
        boolean joined;
        boolean ready;
        boolean exited;
        int incarnation;
        /** Why the supervisor had it killed (the current incarnation), or null. */
        String killedFor;
        /** When the supervisor had it killed: the moment of its death, which the kill only makes known later. */
        long killedAt;
        String cannotAlone;
        /** Why it ended, in short, for the restart line (the first word counts). */
        String reason;
        /** What the others are told of its death. */
        String peerReason;
        /** What its death says, while it restarts alone. */
        String deathDescription;
        Throwable deathError;
        /** It stopped for the restart before the survivor stop began. */
        boolean stoppedEarly;

        boolean alive() {
            return state == RankState.STARTING || state == RankState.RUNNING || state == RankState.LEAVING;
        }

        boolean ended() {
            return state == RankState.FINISHED || state == RankState.FAILED || state == RankState.DEAD;
        }
    }

    /** The failure that ends the attempt. */
    private record Failure(int rank, int code, String description, Throwable error, Cause cause) {
    }

    /** A timed injected failure, armed when the attempt starts. */
    private static final class Timed {
        final FailurePlan.Injection injection;
        long dueAt;
        boolean done;

        Timed(FailurePlan.Injection injection) {
            this.injection = injection;
        }
    }

    private final int np;
    private final SupervisorTimeouts timeouts;
    private final Rules rules;
    private final Waits waits;
    private final Rank[] ranks;
    private final List<Timed> timed = new ArrayList<>();
    private final DeadlockDetector deadlocks;
    private final long createdAt;
    private State state = State.STARTING;
    private String why = "the ranks are starting";
    private Failure failure;
    /** A reported failure waiting for its settle time, then for the device's check of deaths, to end the attempt. */
    private Failure pending;
    private long pendingAt;
    /** The device checks for deaths not yet noticed ({@link SupervisorAction.CheckDeaths}). */
    private boolean checkingDeaths;
    /** When the failure that ends the attempt was noticed (a death that began the survivor stop included). */
    private long failedAt;
    private boolean gaveUp;
    private boolean released;
    private SurvivorStop stop;
    private long nextDeadlockCheck;
    /** When the current grace period (ABORTING, STOPPING_STRAGGLERS) ends. */
    private long graceEnds;

    /**
     * @param np        number of ranks
     * @param timeouts  the time limits
     * @param rules     what the policy and the device decide
     * @param timedFailures the timed injected failures planned for this attempt (others are ignored here)
     * @param waits     the ranks' waits for the deadlock window
     * @param nowNanos  the current time
     */
    AttemptSupervisor(int np, SupervisorTimeouts timeouts, Rules rules, List<FailurePlan.Injection> timedFailures,
            Waits waits, long nowNanos) {
        this.np = np;
        this.timeouts = timeouts;
        this.rules = rules;
        this.waits = waits;
        this.ranks = new Rank[np];
        for (int r = 0; r < np; r++) {
            ranks[r] = new Rank();
        }
        for (FailurePlan.Injection i : timedFailures) {
            if (i.after != null) {
                timed.add(new Timed(i));
            }
        }
        this.deadlocks = new DeadlockDetector(timeouts.deadlockChecks());
        this.createdAt = nowNanos;
        this.nextDeadlockCheck = nowNanos + timeouts.deadlockCheck().toNanos();
    }

    // ------------------------------------------------------------------ events

    /** Rank {@code rank} (-1: the attempt) says {@code event} at {@code nowNanos}; returns what the device does. */
    synchronized List<SupervisorAction> onEvent(int rank, SupervisorEvent event, long nowNanos) {
        List<SupervisorAction> out = new ArrayList<>();
        if (rank < -1 || rank >= np) {
            throw new IllegalArgumentException("rank " + rank + " is not a rank of this attempt of " + np);
        }
        if (rank < 0 && !(event instanceof SupervisorEvent.AttemptStarted || event instanceof SupervisorEvent.Violation
                || event instanceof SupervisorEvent.Interrupted || event instanceof SupervisorEvent.DeathsChecked
                || event instanceof SupervisorEvent.Cancelled)) {
            throw illegal(rank, event, "this event needs a rank");
        }
        if (state == State.ENDED) {
            return out; // the ranks are gone; what is still said changes nothing
        }
        Rank k = rank >= 0 ? ranks[rank] : null;
        if (event instanceof SupervisorEvent.AttemptStarted) {
            if (state == State.STARTING) {
                state(State.RUNNING, "every rank joined");
                for (Timed t : timed) {
                    t.dueAt = nowNanos + t.injection.after.toNanos();
                }
            }
        } else if (event instanceof SupervisorEvent.Joined) {
            k.joined = true;
        } else if (event instanceof SupervisorEvent.Ready) {
            k.ready = true;
            if (k.state == RankState.STARTING) {
                state(rank, RankState.RUNNING, "past its start");
            }
        } else if (event instanceof SupervisorEvent.CannotRestartAlone e) {
            if (k.cannotAlone == null) {
                k.cannotAlone = e.why();
            }
        } else if (event instanceof SupervisorEvent.Leaving) {
            leaving(rank, out);
        } else if (event instanceof SupervisorEvent.Finished) {
            if (k.alive()) {
                state(rank, RankState.FINISHED, "its main returned");
                goneWhileStopping(rank, out);
            }
        } else if (event instanceof SupervisorEvent.KillRequested e) {
            // Struck whenever it was asked for: a kill that lands in an attempt already aborting still kills the rank
            // and is named in this attempt's failure, so it must not strike again in the next attempt.
            out.add(new SupervisorAction.StruckAtRequest(rank, e.atSafePoint()));
            kill(rank, e.reason(), nowNanos, out);
        } else if (event instanceof SupervisorEvent.Died e) {
            died(rank, e.description(), e.reason(), e.error(), nowNanos, out);
        } else if (event instanceof SupervisorEvent.Failed e) {
            if (k.killedFor != null) {
                died(rank, e.description(), e.reason(), e.error(), nowNanos, out);
            } else {
                failed(rank, e, nowNanos, out);
            }
        } else if (event instanceof SupervisorEvent.Aborted e) {
            if (k.alive()) {
                state(rank, RankState.FAILED, "it called Abort");
                k.reason = e.reason();
            }
            if (!goneWhileStopping(rank, out)) {
                abort(new Failure(rank, e.code(), e.reason(), null, Cause.ABORTED), nowNanos, out);
            }
        } else if (event instanceof SupervisorEvent.StoppedForRestart) {
            if (stop == null) {
                k.stoppedEarly = true;
            } else if (stop.stopped(rank)) {
                out.add(new SupervisorAction.TellPeers(rank, "it stopped for the restart"));
            }
        } else if (event instanceof SupervisorEvent.Exited e) {
            exited(rank, e.incarnation(), nowNanos, out);
        } else if (event instanceof SupervisorEvent.Replaced) {
            replaced(rank, event);
        } else if (event instanceof SupervisorEvent.NotReplaced e) {
            notReplaced(rank, e.gaveUp(), nowNanos, out);
        } else if (event instanceof SupervisorEvent.Violation e) {
            abort(new Failure(rank, 1, e.reason(), null, Cause.VIOLATION), nowNanos, out);
        } else if (event instanceof SupervisorEvent.DeathsChecked) {
            checkingDeaths = false;
            if (pending != null) { // no death came first
                Failure f = pending;
                pending = null;
                abort(f, nowNanos, out);
            }
        } else if (event instanceof SupervisorEvent.Cancelled c) {
            abort(new Failure(-1, JobResult.CANCELLED, c.reason(), null, Cause.VIOLATION), nowNanos, out);
        } else if (event instanceof SupervisorEvent.Interrupted) {
            abort(new Failure(-1, 130, "the launcher was interrupted", null, Cause.VIOLATION), nowNanos, out);
        }
        end(nowNanos, out);
        return out;
    }

    /**
     * The passing of time: timed failures, the settle time of a reported failure, start-up, the survivor stop, the
     * deadlock window and the grace periods. Call it at least every {@link SupervisorTimeouts#deadlockCheck}.
     */
    synchronized List<SupervisorAction> tick(long nowNanos) {
        List<SupervisorAction> out = new ArrayList<>();
        if (state == State.RUNNING) {
            for (Timed t : timed) {
                Rank k = ranks[t.injection.rank];
                if (!t.done && nowNanos - t.dueAt >= 0 && k.alive()) {
                    t.done = true;
                    out.add(new SupervisorAction.StruckTimed(t.injection));
                    kill(t.injection.rank, "injected failure after " + t.injection.after.toMillis() + " ms", t.dueAt,
                            out); // ranks due together die together
                }
            }
        }
        if (pending != null && !checkingDeaths && nowNanos - pendingAt >= timeouts.settle().toNanos()) {
            checkingDeaths = true;
            out.add(new SupervisorAction.CheckDeaths());
        }
        if (state == State.STARTING && nowNanos - createdAt >= timeouts.startup().toNanos()) {
            List<Integer> missing = new ArrayList<>();
            for (int r = 0; r < np; r++) {
                if (!ranks[r].joined && ranks[r].incarnation == 0 && ranks[r].alive()) {
                    missing.add(r);
                }
            }
            if (!missing.isEmpty()) {
                abort(new Failure(missing.get(0), 1, "rank(s) " + missing + " did not join the job within "
                        + timeouts.startup().toSeconds() + " s of being started", null, Cause.FAILED), nowNanos, out);
            }
        }
        if (state == State.STOPPING_SURVIVORS && stop.over(this::runsOn, nowNanos)) {
            out.add(new SupervisorAction.SurvivorsStopped(nowNanos - stop.startedAt(), stop.allStopped(this::runsOn)));
            abort(failure, nowNanos, out);
        }
        if ((state == State.STARTING || state == State.RUNNING) && nowNanos - nextDeadlockCheck >= 0) {
            nextDeadlockCheck = nowNanos + timeouts.deadlockCheck().toNanos();
            String deadlock = deadlocks.check(sampleWaits(), waits.progress());
            if (deadlock != null) {
                abort(new Failure(-1, 1, deadlock, null, Cause.VIOLATION), nowNanos, out);
            }
        }
        if (state == State.ABORTING && nowNanos - graceEnds >= 0) {
            graceEnds = nowNanos + timeouts.abortGrace().toNanos();
            state(State.STOPPING_STRAGGLERS, "ranks still running " + timeouts.abortGrace().toMillis()
                    + " ms after the abort");
            out.add(new SupervisorAction.StopStragglers());
        } else if (state == State.STOPPING_STRAGGLERS && nowNanos - graceEnds >= 0) {
            state(State.ENDED, "stopped ranks did not vanish within " + timeouts.abortGrace().toMillis() + " ms");
        }
        end(nowNanos, out);
        return out;
    }

    // ------------------------------------------------------------------ decisions

    private void died(int rank, String description, String reason, Throwable error, long now,
            List<SupervisorAction> out) {
        Rank k = ranks[rank];
        if (!k.alive()) {
            return; // it ended in order, or its death is known already
        }
        String peers = reason; // what the others are told
        if (k.killedFor != null) {
            description = "rank " + rank + " was killed (" + k.killedFor + ")";
            reason = "killed: " + k.killedFor;
            peers = "it was killed (" + k.killedFor + ")";
            error = null;
        }
        k.reason = reason;
        k.peerReason = peers;
        if (restartsAlone(rank, out)) {
            k.deathDescription = description;
            k.deathError = error;
            state(rank, RankState.RESTARTING_ALONE, description);
            // A rank the supervisor killed died when it was killed: ranks killed together fail at once, whenever
            // each death becomes known.
            out.add(new SupervisorAction.RestartAlone(rank, description, reason, k.killedFor != null ? k.killedAt
                    : now));
            return;
        }
        state(rank, RankState.DEAD, description);
        deathEnds(rank, description, error, now, out);
    }

    /** What follows the death of a rank that does not restart alone: a survivor stop, or the abort. */
    private void deathEnds(int rank, String description, Throwable error, long now,
            List<SupervisorAction> out) {
        if (goneWhileStopping(rank, out)) {
            return;
        }
        Failure f = new Failure(rank, 1, description, error, Cause.DIED);
        if (state == State.RUNNING && rules.checkpointing() && rules.stopsSurvivors()) {
            failure = f;
            failedAt = now;
            pending = null; // a reported failure that may follow from this death
            stop = new SurvivorStop(np, rank, description, now, timeouts.survivorStop().toNanos());
            state(State.STOPPING_SURVIVORS, description);
            out.add(new SupervisorAction.TellPeers(rank, ranks[rank].peerReason));
            out.add(new SupervisorAction.StopSurvivors(rank));
            for (int r = 0; r < np; r++) {
                if (ranks[r].stoppedEarly && stop.stopped(r)) {
                    out.add(new SupervisorAction.TellPeers(r, "it stopped for the restart"));
                }
            }
            return;
        }
        if (abort(f, now, out)) {
            out.add(new SupervisorAction.TellPeers(rank, ranks[rank].peerReason));
        }
    }

    private void failed(int rank, SupervisorEvent.Failed e, long now, List<SupervisorAction> out) {
        Rank k = ranks[rank];
        if (!k.alive()) {
            return;
        }
        k.reason = e.reason();
        state(rank, RankState.FAILED, e.description());
        if (goneWhileStopping(rank, out) || failure != null || pending != null) {
            return; // a consequence of what ends the attempt: only recorded
        }
        pending = new Failure(rank, 1, e.description(), e.error(), Cause.FAILED);
        pendingAt = now;
        if (timeouts.settle().isZero()) {
            checkingDeaths = true;
            out.add(new SupervisorAction.CheckDeaths());
        }
    }

    private void replaced(int rank, SupervisorEvent event) {
        Rank k = ranks[rank];
        if (k.state != RankState.RESTARTING_ALONE) {
            throw illegal(rank, event, "it is not restarting alone");
        }
        k.incarnation++;
        k.ready = false;
        k.joined = false;
        k.exited = false;
        k.killedFor = null;
        k.reason = null;
        state(rank, RankState.STARTING, "incarnation " + k.incarnation + " started");
    }

    /** A rank that would have restarted alone will not: it ends as a death that does not restart alone would. */
    private void notReplaced(int rank, boolean gaveUp, long now, List<SupervisorAction> out) {
        Rank k = ranks[rank];
        if (k.state != RankState.RESTARTING_ALONE) {
            throw illegal(rank, new SupervisorEvent.NotReplaced(gaveUp), "it is not restarting alone");
        }
        state(rank, RankState.DEAD, k.deathDescription);
        k.exited = true;
        if (state == State.ABORTING || state == State.STOPPING_STRAGGLERS) {
            return;
        }
        if (gaveUp) {
            this.gaveUp = true;
            abort(new Failure(rank, 1, k.deathDescription, k.deathError, Cause.DIED), now, out);
            return;
        }
        deathEnds(rank, k.deathDescription, k.deathError, now, out);
    }

    /** Whether rank {@code rank}, which died, restarts alone; announces why not where that is news. */
    private boolean restartsAlone(int rank, List<SupervisorAction> out) {
        if (!rules.restartsRanksAlone() || state != State.RUNNING) {
            return false;
        }
        for (int x = 0; x < np; x++) {
            Rank o = ranks[x];
            boolean restarting = o.state == RankState.RESTARTING_ALONE;
            if (rules.aloneNeedsEveryRank() && x != rank && o.ended()) {
                out.add(new SupervisorAction.Announce("rank " + rank + " failed after rank " + x
                        + " had ended; the whole job restarts"));
                return false;
            }
            if (!o.ready && !restarting && o.incarnation == 0 && !(o.ended() && o.exited)) {
                // It may be inside an exchange every rank takes part in (the start, a restore); a rank restarted
                // alone has none.
                out.add(new SupervisorAction.Announce("rank " + rank + " failed while rank " + x
                        + " was still starting; the whole job restarts"));
                return false;
            }
        }
        if (released) {
            out.add(new SupervisorAction.Announce("rank " + rank + " failed after every rank had passed "
                    + "MPI.Finalize's final barrier; the whole job restarts"));
            return false;
        }
        if (ranks[rank].cannotAlone != null) {
            out.add(new SupervisorAction.Announce("rank " + rank + " cannot restart alone (" + ranks[rank].cannotAlone
                    + "); the whole job restarts"));
            return false;
        }
        return true;
    }

    private void leaving(int rank, List<SupervisorAction> out) {
        Rank k = ranks[rank];
        if (released || k.state != RankState.RUNNING && k.state != RankState.STARTING) {
            return;
        }
        state(rank, RankState.LEAVING, "past the final barrier");
        for (Rank o : ranks) {
            if (o.state != RankState.LEAVING) {
                return;
            }
        }
        released = true;
        out.add(new SupervisorAction.Release());
    }

    private void kill(int rank, String reason, long now, List<SupervisorAction> out) {
        Rank k = ranks[rank];
        if (!k.alive()) {
            return; // its program has ended (or it is dead already)
        }
        if (k.killedFor == null) {
            k.killedFor = reason;
            k.killedAt = now;
        }
        out.add(new SupervisorAction.Kill(rank, reason));
    }

    /** While the survivors stop, a rank that ends is gone for the others and ends nothing; returns whether so. */
    private boolean goneWhileStopping(int rank, List<SupervisorAction> out) {
        if (state != State.STOPPING_SURVIVORS) {
            return false;
        }
        if (rank != stop.deadRank()) {
            out.add(new SupervisorAction.TellPeers(rank, "it ended while the others stopped for the restart"));
        }
        return true;
    }

    /** Aborts the attempt with {@code f} unless it is aborted already; returns whether this call did. */
    private boolean abort(Failure f, long now, List<SupervisorAction> out) {
        if (state == State.ABORTING || state == State.STOPPING_STRAGGLERS || state == State.ENDED) {
            return false;
        }
        if (state != State.STOPPING_SURVIVORS || f.cause() == Cause.VIOLATION) {
            failure = f; // a survivor stop ends with the death that began it, unless the launcher's own failure
            failedAt = state == State.STOPPING_SURVIVORS ? failedAt : now;
        }
        pending = null;
        graceEnds = now + timeouts.abortGrace().toNanos();
        state(State.ABORTING, f.description());
        out.add(new SupervisorAction.Abort(f.rank(), f.code(), f.description(), restartable()));
        return true;
    }

    private void exited(int rank, int incarnation, long now, List<SupervisorAction> out) {
        Rank k = ranks[rank];
        if (incarnation != k.incarnation || k.state == RankState.RESTARTING_ALONE) {
            return; // a dead incarnation's: its replacement is under way
        }
        if (k.alive() && (state == State.ABORTING || state == State.STOPPING_STRAGGLERS)) {
            state(rank, RankState.FAILED, "it ended after the abort");
        } else if (k.alive()) {
            died(rank, "rank " + rank + " ended without saying how", "it ended without saying how", null, now, out);
            if (k.state == RankState.RESTARTING_ALONE) {
                return;
            }
        }
        k.exited = true;
    }

    /** Ends the attempt once every rank's last incarnation has exited. */
    private void end(long now, List<SupervisorAction> out) {
        if (state == State.ENDED) {
            return;
        }
        for (Rank k : ranks) {
            if (!k.exited) {
                return;
            }
        }
        if (state == State.STOPPING_SURVIVORS) {
            out.add(new SupervisorAction.SurvivorsStopped(now - stop.startedAt(), true));
            abort(failure, now, out);
        } else if (pending != null) {
            Failure f = pending;
            pending = null;
            abort(f, now, out);
        }
        state(State.ENDED, failure == null ? "every rank finished" : "every rank has ended");
    }

    /** A survivor the stop waits for: alive (not held past the final barrier) and not exited. */
    private boolean runsOn(int rank) {
        Rank k = ranks[rank];
        return (k.state == RankState.STARTING || k.state == RankState.RUNNING) && !k.exited;
    }

    private JobState.Blocked[] sampleWaits() {
        JobState.Blocked[] now = waits.blocked().clone();
        for (int r = 0; r < np; r++) {
            RankState s = ranks[r].state;
            if (s == RankState.FINISHED || s == RankState.LEAVING) {
                now[r] = JobState.FINISHED;
            } else if (!ranks[r].alive()) {
                now[r] = null; // failed, dead or between two incarnations: no wait of its counts
            }
        }
        return now;
    }

    // ------------------------------------------------------------------ the one place state changes

    private void state(State next, String reason) {
        if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
            LOG.log(System.Logger.Level.DEBUG, "attempt " + state + " -> " + next + ": " + reason);
        }
        state = next;
        why = reason;
    }

    private void state(int rank, RankState next, String reason) {
        if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
            LOG.log(System.Logger.Level.DEBUG, "rank " + rank + " " + ranks[rank].state + " -> " + next + ": "
                    + reason);
        }
        ranks[rank].state = next;
        ranks[rank].why = reason;
    }

    private IllegalStateException illegal(int rank, SupervisorEvent event, String why) {
        return new IllegalStateException("supervisor: " + event + " for rank " + rank + " in state "
                + (rank >= 0 ? ranks[rank].state : state) + " of an attempt " + state + ": " + why);
    }

    // ------------------------------------------------------------------ queries

    synchronized State state() {
        return state;
    }

    /** Why the attempt is in its state. */
    synchronized String why() {
        return why;
    }

    synchronized RankState state(int rank) {
        return ranks[rank].state;
    }

    /** Whether rank {@code rank}'s current incarnation runs (starting, running or held past the final barrier). */
    synchronized boolean alive(int rank) {
        return ranks[rank].alive();
    }

    synchronized int incarnation(int rank) {
        return ranks[rank].incarnation;
    }

    /** Why the supervisor had rank {@code rank} killed, or null. */
    synchronized String killedFor(int rank) {
        return ranks[rank].killedFor;
    }

    /** Whether the thread or process of rank {@code rank}'s last incarnation has ended. */
    synchronized boolean exited(int rank) {
        return ranks[rank].exited;
    }

    /** Whether the attempt has been aborted (its ranks are being stopped, or are gone). */
    synchronized boolean aborting() {
        return state == State.ABORTING || state == State.STOPPING_STRAGGLERS || state == State.ENDED && failure != null;
    }

    synchronized boolean ended() {
        return state == State.ENDED;
    }

    /** Whether nothing more restarts alone in this attempt: it is stopping or aborting. */
    synchronized boolean ending() {
        return state != State.STARTING && state != State.RUNNING;
    }

    synchronized boolean succeeded() {
        return state == State.ENDED && failure == null;
    }

    /** Whether a restart can cure the failure: a rank died, and no restart alone gave up. */
    synchronized boolean restartable() {
        return failure != null && failure.cause() == Cause.DIED && failure.rank() >= 0 && !gaveUp;
    }

    /** The failure that ended the attempt (rank -1: the launcher's), or null. */
    synchronized JobResult.RankFailure failure() {
        return failure == null ? null : new JobResult.RankFailure(failure.rank(), failure.description(),
                failure.error());
    }

    /** The abort code of the failure (1 unless a rank called {@code Abort}, 130 when interrupted). */
    synchronized int code() {
        return failure == null ? 0 : failure.code();
    }

    /** When the failure that ended the attempt was noticed. */
    synchronized long failedAt() {
        return failedAt;
    }

    /** One line on why the attempt failed, for the restart line. */
    synchronized String shortReason() {
        if (failure == null) {
            return null;
        }
        String r = failure.rank() >= 0 ? ranks[failure.rank()].reason : null;
        return r != null ? r : failure.description();
    }

    /**
     * The rank that ended the attempt and every other rank killed at the supervisor's word in it, in rank order
     * (failures that struck at the same moment: each is named, and the restart cures them all).
     */
    synchronized List<FailedRank> failedRanks() {
        List<FailedRank> failed = new ArrayList<>(List.of(new FailedRank(failure.rank(), shortReason())));
        for (int r = 0; r < np; r++) {
            String k = ranks[r].killedFor;
            if (r != failure.rank() && k != null) {
                failed.add(new FailedRank(r, "killed: " + k));
            }
        }
        failed.sort(Comparator.comparingInt(FailedRank::rank));
        return failed;
    }
}
