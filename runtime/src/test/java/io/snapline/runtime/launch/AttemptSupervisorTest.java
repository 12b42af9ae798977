package io.snapline.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.engine.JobState;
import io.snapline.runtime.launch.AttemptSupervisor.RankState;
import io.snapline.runtime.launch.AttemptSupervisor.Rules;
import io.snapline.runtime.launch.AttemptSupervisor.State;
import io.snapline.runtime.launch.SupervisorAction.Abort;
import io.snapline.runtime.launch.SupervisorAction.Announce;
import io.snapline.runtime.launch.SupervisorAction.CheckDeaths;
import io.snapline.runtime.launch.SupervisorAction.Kill;
import io.snapline.runtime.launch.SupervisorAction.Release;
import io.snapline.runtime.launch.SupervisorAction.RestartAlone;
import io.snapline.runtime.launch.SupervisorAction.StopStragglers;
import io.snapline.runtime.launch.SupervisorAction.StopSurvivors;
import io.snapline.runtime.launch.SupervisorAction.StruckAtRequest;
import io.snapline.runtime.launch.SupervisorAction.StruckTimed;
import io.snapline.runtime.launch.SupervisorAction.SurvivorsStopped;
import io.snapline.runtime.launch.SupervisorAction.TellPeers;
import io.snapline.runtime.launch.SupervisorEvent.Aborted;
import io.snapline.runtime.launch.SupervisorEvent.AttemptStarted;
import io.snapline.runtime.launch.SupervisorEvent.CannotRestartAlone;
import io.snapline.runtime.launch.SupervisorEvent.DeathsChecked;
import io.snapline.runtime.launch.SupervisorEvent.Died;
import io.snapline.runtime.launch.SupervisorEvent.Exited;
import io.snapline.runtime.launch.SupervisorEvent.Failed;
import io.snapline.runtime.launch.SupervisorEvent.Finished;
import io.snapline.runtime.launch.SupervisorEvent.Interrupted;
import io.snapline.runtime.launch.SupervisorEvent.Joined;
import io.snapline.runtime.launch.SupervisorEvent.KillRequested;
import io.snapline.runtime.launch.SupervisorEvent.Leaving;
import io.snapline.runtime.launch.SupervisorEvent.NotReplaced;
import io.snapline.runtime.launch.SupervisorEvent.Ready;
import io.snapline.runtime.launch.SupervisorEvent.Replaced;
import io.snapline.runtime.launch.SupervisorEvent.StoppedForRestart;
import io.snapline.runtime.launch.SupervisorEvent.Violation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The supervisor's transitions, driven by hand with a fake clock (milliseconds here, nanoseconds inside). */
class AttemptSupervisorTest {
    private static final Rules NONE = new Rules(false, false, false, false);
    private static final Rules RESTART = new Rules(true, false, false, false);
    private static final Rules STOP_AT_SAFE_POINTS = new Rules(true, false, true, false);
    private static final Rules ALONE_SHM = new Rules(true, true, false, false);
    private static final Rules ALONE_TCP = new Rules(true, true, false, true);

    private long nowMillis;
    private final List<SupervisorAction> actions = new ArrayList<>();
    private JobState.Blocked[] waits;
    private long progress;
    private AttemptSupervisor s;

    private AttemptSupervisor start(int np, Rules rules, String... timedFailures) {
        waits = new JobState.Blocked[np];
        List<FailurePlan.Injection> injections = new FailurePlan(java.util.Arrays.stream(timedFailures)
                .map(FailureSpec::parse).toList(), np).forAttempt();
        s = new AttemptSupervisor(np, SupervisorTimeouts.DEFAULTS, rules, injections, new AttemptSupervisor.Waits() {
            @Override
            public JobState.Blocked[] blocked() {
                return waits.clone();
            }

            @Override
            public long progress() {
                return progress;
            }
        }, nanos());
        return s;
    }

    /** Starts {@code np} ranks, every one joined and past its start. */
    private AttemptSupervisor running(int np, Rules rules, String... timedFailures) {
        start(np, rules, timedFailures);
        for (int r = 0; r < np; r++) {
            on(r, new Joined());
        }
        on(-1, new AttemptStarted());
        for (int r = 0; r < np; r++) {
            on(r, new Ready());
        }
        actions.clear();
        return s;
    }

    private long nanos() {
        return nowMillis * 1_000_000L;
    }

    private List<SupervisorAction> on(int rank, SupervisorEvent e) {
        List<SupervisorAction> a = s.onEvent(rank, e, nanos());
        actions.addAll(a);
        return a;
    }

    /** The clock reads {@code millis}; a check for deaths finds none unless {@link #checkDeathsByHand}. */
    private List<SupervisorAction> at(long millis) {
        nowMillis = millis;
        List<SupervisorAction> a = new ArrayList<>(s.tick(nanos()));
        actions.addAll(a);
        if (!checkDeathsByHand && a.contains(new CheckDeaths())) {
            a.addAll(on(-1, new DeathsChecked()));
        }
        return a;
    }

    private boolean checkDeathsByHand;

    private void exitAll(int... ranks) {
        for (int r : ranks) {
            on(r, new Exited(s.incarnation(r)));
        }
    }

    private static Died killedBySignal(int r) {
        return new Died("rank " + r + " died: its process was killed by signal 9", "its process was killed by signal 9",
                null);
    }

    private static Failed exception(int r) {
        return new Failed("rank " + r + " failed: java.lang.IllegalStateException: bad input",
                "java.lang.IllegalStateException: bad input", new IllegalStateException("bad input"));
    }

    @SuppressWarnings("unchecked")
    private <T extends SupervisorAction> List<T> of(Class<T> type, List<SupervisorAction> from) {
        return (List<T>) from.stream().filter(type::isInstance).toList();
    }

    // ------------------------------------------------------------------ ending in order

    @Test
    void shouldSucceedWhenEveryRankFinishesAndExits() {
        running(3, RESTART);
        for (int r = 0; r < 3; r++) {
            on(r, new Finished());
        }
        assertEquals(State.RUNNING, s.state(), "ranks that finished but have not exited keep the attempt running");
        exitAll(0, 1, 2);
        assertEquals(State.ENDED, s.state());
        assertTrue(s.succeeded());
        assertNull(s.failure());
        assertTrue(actions.isEmpty(), "nothing to do for an attempt that succeeds: " + actions);
    }

    @Test
    void shouldTakeAnExitWithoutAReportAsADeathWhenTheRankWasRunning() {
        running(2, NONE);
        on(0, new Finished());
        exitAll(0, 1);
        assertEquals(State.ENDED, s.state(), "every rank has exited");
        assertEquals(1, s.failure().rank(), "rank 1 vanished without a word: its death ended the attempt");
        assertTrue(s.restartable());
    }

    // ------------------------------------------------------------------ a death, no restart alone

    @Test
    void shouldAbortAtOnceAndTellThePeersWhenARankDiesUnderAPolicyThatRestartsTheJob() {
        running(3, RESTART);
        on(1, killedBySignal(1));
        assertEquals(State.ABORTING, s.state());
        assertEquals(RankState.DEAD, s.state(1));
        Abort abort = of(Abort.class, actions).get(0);
        assertEquals(1, abort.rank());
        assertEquals(1, abort.code());
        assertTrue(abort.restartable(), "a death is curable by a restart");
        assertEquals(1, of(TellPeers.class, actions).get(0).rank());
        exitAll(0, 1, 2);
        assertEquals(State.ENDED, s.state());
        assertFalse(s.succeeded());
        assertTrue(s.restartable());
        assertEquals(List.of(new FailedRank(1, "its process was killed by signal 9")), s.failedRanks());
    }

    @Test
    void shouldNameTheKillAndEveryOtherKilledRankWhenInjectedFailuresStrikeTogether() {
        running(4, RESTART);
        on(2, new KillRequested("injected failure at safe point 3", true));
        on(0, new KillRequested("injected failure at safe point 3", true));
        assertEquals(List.of(new StruckAtRequest(2, true), new Kill(2, "injected failure at safe point 3"),
                new StruckAtRequest(0, true), new Kill(0, "injected failure at safe point 3")), actions);
        on(2, new Died("rank 2 failed: RankKilledError", "RankKilledError", new Error("killed")));
        on(0, killedBySignal(0));
        assertEquals(2, s.failure().rank(), "the first death ends the attempt");
        assertEquals("rank 2 was killed (injected failure at safe point 3)", s.failure().description());
        assertNull(s.failure().error(), "a kill is no error of the program");
        assertEquals(List.of(new FailedRank(0, "killed: injected failure at safe point 3"),
                new FailedRank(2, "killed: injected failure at safe point 3")), s.failedRanks());
    }

    @Test
    void shouldKillAndCountAsStruckWhenAKillIsRequestedInAnAttemptAlreadyAborting() {
        running(3, RESTART);
        on(0, killedBySignal(0));
        actions.clear();
        on(2, new KillRequested("injected failure at safe point 5", true));
        assertEquals(List.of(new StruckAtRequest(2, true), new Kill(2, "injected failure at safe point 5")), actions,
                "the rank dies all the same and is named in this attempt's failure: its injection does not strike "
                        + "again in the next attempt");
        assertEquals(0, s.failure().rank());
    }

    @Test
    void shouldIgnoreAKillOfARankWhoseProgramHasEnded() {
        running(2, RESTART);
        on(1, new Finished());
        on(1, new KillRequested("injected failure during checkpoint 2", false));
        assertEquals(List.of(new StruckAtRequest(1, false)), actions);
        assertNull(s.killedFor(1));
    }

    @Test
    void shouldCountAKilledRankThatEndsWithAnExceptionAsADeath() {
        running(2, RESTART);
        on(1, new KillRequested("injected failure at safe point 1", true));
        on(1, exception(1));
        assertEquals(State.ABORTING, s.state(), "no settle time for a death");
        assertTrue(s.restartable());
        assertEquals("rank 1 was killed (injected failure at safe point 1)", s.failure().description());
    }

    // ------------------------------------------------------------------ the program's own failure

    @Test
    void shouldWaitTheSettleTimeBeforeAReportedFailureEndsTheAttempt() {
        running(3, RESTART);
        on(1, exception(1));
        assertEquals(State.RUNNING, s.state(), "a death this failure followed from may still be noticed");
        assertEquals(RankState.FAILED, s.state(1));
        at(99);
        assertEquals(State.RUNNING, s.state());
        at(100);
        assertEquals(State.ABORTING, s.state());
        assertFalse(s.restartable(), "a restart would repeat the program's own failure");
        assertEquals(new Abort(1, 1, "rank 1 failed: java.lang.IllegalStateException: bad input", false),
                of(Abort.class, actions).get(0));
        assertEquals("java.lang.IllegalStateException: bad input", s.shortReason());
    }

    @Test
    void shouldLetADeathWinWhenItIsNoticedWithinTheSettleTimeOfAFailureItCaused() {
        running(3, RESTART);
        on(2, exception(2)); // its send to rank 0 broke
        at(50);
        on(0, killedBySignal(0));
        at(200);
        assertEquals(0, s.failure().rank());
        assertTrue(s.restartable());
        assertEquals(1, of(Abort.class, actions).size());
    }

    @Test
    void shouldLetADeathFoundByTheCheckForDeathsWinOverTheReportedFailure() {
        running(3, RESTART);
        checkDeathsByHand = true;
        on(2, exception(2));
        at(100);
        assertEquals(List.of(new CheckDeaths()), actions, "the device looks for processes that exited silently");
        at(150);
        assertEquals(1, actions.size(), "asked once");
        assertEquals(State.RUNNING, s.state(), "the failure waits for the check");
        on(0, new Died("rank 0 died: its process was killed by signal 9", "its process was killed by signal 9",
                null));
        on(-1, new DeathsChecked());
        assertEquals(0, s.failure().rank());
        assertTrue(s.restartable());
        assertEquals(1, of(Abort.class, actions).size());
    }

    @Test
    void shouldNotCountTheWaitOfAFailedRankTowardsADeadlock() {
        running(3, RESTART);
        checkDeathsByHand = true;
        on(2, exception(2));
        waits[0] = new JobState.Blocked(7, "Recv from 2");
        waits[1] = new JobState.Blocked(8, "Recv from 2");
        waits[2] = new JobState.Blocked(9, "Recv from 0"); // its last heartbeat, before it failed
        for (long t = 500; t <= 5_000; t += 500) {
            at(t);
        }
        assertNull(s.failure(), "only the reported failure may end this attempt");
    }

    @Test
    void shouldOnlyRecordFailuresThatFollowTheFirst() {
        running(3, RESTART);
        on(0, exception(0));
        on(2, exception(2));
        at(100);
        assertEquals(0, s.failure().rank());
        assertEquals(RankState.FAILED, s.state(2));
        assertEquals(1, of(Abort.class, actions).size());
    }

    @Test
    void shouldEndWithTheRankFailureWhenAnotherRankFinishesMeanwhile() {
        running(2, RESTART);
        on(0, exception(0));
        on(1, new Finished());
        exitAll(1, 0);
        assertEquals(State.ENDED, s.state(), "every rank exited: the pending failure ends the attempt at once");
        assertEquals(0, s.failure().rank());
        assertFalse(s.restartable());
    }

    @Test
    void shouldEndAtOnceWithTheCodeWhenARankCallsAbort() {
        running(2, RESTART);
        on(1, new Aborted(3, "rank 1 called Abort(3)"));
        assertEquals(State.ABORTING, s.state());
        assertEquals(3, s.code());
        assertFalse(s.restartable());
    }

    @Test
    void shouldEndWithStatus130WhenTheLauncherIsInterrupted() {
        running(2, RESTART);
        on(-1, new Interrupted());
        assertEquals(130, s.code());
        assertEquals(-1, s.failure().rank());
        assertFalse(s.restartable());
    }

    @Test
    void shouldEndWithTheCancelledStatusAndNoRestartWhenTheJobIsCancelled() {
        running(2, RESTART);
        on(-1, new SupervisorEvent.Cancelled("the job was cancelled by snapline cancel (by x)"));
        assertEquals(State.ABORTING, s.state());
        assertEquals(JobResult.CANCELLED, s.code());
        assertEquals("the job was cancelled by snapline cancel (by x)", s.failure().description());
        assertFalse(s.restartable());
    }

    @Test
    void shouldRefuseAnEventForNoRank() {
        running(2, RESTART);
        assertThrows(IllegalStateException.class, () -> s.onEvent(-1, new Finished(), nanos()));
        assertThrows(IllegalArgumentException.class, () -> s.onEvent(2, new Finished(), nanos()));
    }

    // ------------------------------------------------------------------ the abort grace

    @Test
    void shouldStopTheStragglersAfterTheGraceAndEndAfterASecondOne() {
        running(2, RESTART);
        on(0, exception(0));
        at(100);
        exitAll(0);
        at(2_099);
        assertEquals(State.ABORTING, s.state());
        assertTrue(of(StopStragglers.class, actions).isEmpty());
        at(2_100);
        assertEquals(State.STOPPING_STRAGGLERS, s.state());
        assertEquals(1, of(StopStragglers.class, actions).size());
        at(4_100);
        assertEquals(State.ENDED, s.state(), "rank 1 is abandoned: " + s.why());
    }

    @Test
    void shouldEndAsSoonAsTheLastStragglerIsGone() {
        running(2, RESTART);
        on(0, killedBySignal(0));
        at(2_000);
        exitAll(0, 1);
        assertEquals(State.ENDED, s.state());
    }

    // ------------------------------------------------------------------ start-up

    @Test
    void shouldAbortWhenARankHasNotJoinedWithinTheStartupTimeout() {
        start(3, RESTART);
        on(0, new Joined());
        on(2, new Joined());
        at(59_999);
        assertEquals(State.STARTING, s.state());
        at(60_000);
        assertEquals(State.ABORTING, s.state());
        assertEquals("rank(s) [1] did not join the job within 60 s of being started", s.failure().description());
        assertFalse(s.restartable());
    }

    @Test
    void shouldAbortWithoutSurvivorStopOrRestartAloneWhenARankDiesBeforeTheAttemptStarted() {
        start(2, new Rules(true, true, true, false));
        on(0, killedBySignal(0));
        assertEquals(State.ABORTING, s.state());
        assertTrue(of(RestartAlone.class, actions).isEmpty());
    }

    // ------------------------------------------------------------------ the deadlock window

    @Test
    void shouldDeclareADeadlockOnlyOnceEveryRankStayedInTheSameWaitForTheWindow() {
        running(2, RESTART);
        waits[0] = new JobState.Blocked(7, "Recv from 1");
        waits[1] = new JobState.Blocked(9, "Recv from 0");
        for (long t = 500; t <= 2_000; t += 500) {
            at(t);
            assertEquals(State.RUNNING, s.state(), "at " + t + " ms");
        }
        at(2_500); // 2 s after the first sample at 500 ms
        assertEquals(State.ABORTING, s.state());
        assertTrue(s.failure().description().startsWith("deadlock"), s.failure().description());
        assertFalse(s.restartable());
    }

    @Test
    void shouldNotDeclareADeadlockWhileMessagesMoveOrARankRuns() {
        running(3, RESTART);
        on(2, new Finished()); // a finished rank waits for nothing
        waits[0] = new JobState.Blocked(7, "Recv from 1");
        for (long t = 500; t <= 5_000; t += 500) {
            at(t);
        }
        assertEquals(State.RUNNING, s.state(), "rank 1 runs");
        waits[1] = new JobState.Blocked(9, "Recv from 0");
        for (long t = 5_500; t <= 10_000; t += 500) {
            progress += 10;
            at(t);
        }
        assertEquals(State.RUNNING, s.state(), "bytes keep arriving");
    }

    @Test
    void shouldCheckForDeadlocksAtTheCheckPeriodHoweverOftenItTicks() {
        running(2, RESTART);
        waits[0] = new JobState.Blocked(7, "Recv from 1");
        waits[1] = new JobState.Blocked(9, "Recv from 0");
        for (long t = 50; t <= 2_450; t += 50) {
            at(t);
        }
        assertEquals(State.RUNNING, s.state(), "4 unchanged checks after the first at 500 ms end at 2500 ms");
        at(2_500);
        assertEquals(State.ABORTING, s.state());
    }

    // ------------------------------------------------------------------ timed failures

    @Test
    void shouldStrikeATimedFailureWhenDueCountedFromTheAttemptStart() {
        start(2, RESTART, "rank=1,after=1s");
        on(0, new Joined());
        on(1, new Joined());
        at(5_000); // the ranks took long to join
        assertTrue(actions.isEmpty(), "the delay counts from the attempt's start");
        on(-1, new AttemptStarted());
        at(5_999);
        assertTrue(of(Kill.class, actions).isEmpty());
        at(6_000);
        assertEquals(1, of(StruckTimed.class, actions).size());
        assertEquals(List.of(new Kill(1, "injected failure after 1000 ms")), of(Kill.class, actions));
        at(7_000);
        assertEquals(1, of(Kill.class, actions).size(), "once");
    }

    @Test
    void shouldNotStrikeATimedFailureOnceTheAttemptIsEndingOrTheRankHasEnded() {
        running(3, RESTART, "rank=1,after=1s", "rank=2,after=1s");
        on(2, new Finished());
        on(0, exception(0));
        at(100);
        at(1_000);
        assertTrue(of(Kill.class, actions).isEmpty(), actions.toString());
    }

    @Test
    void shouldLetATimedFailureWaitForTheNextIncarnationOfARankRestartingAlone() {
        running(2, ALONE_SHM, "rank=1,after=1s");
        on(1, killedBySignal(1));
        at(1_000);
        assertTrue(of(Kill.class, actions).isEmpty(), "no rank to kill between two incarnations");
        on(1, new Replaced());
        at(1_050);
        assertEquals(List.of(new Kill(1, "injected failure after 1000 ms")), of(Kill.class, actions));
    }

    // ------------------------------------------------------------------ restarting one rank alone

    @Test
    void shouldRestartOnlyTheRankWhenThePolicyRestartsRanksAlone() {
        running(3, ALONE_SHM);
        on(1, new KillRequested("injected failure at safe point 4", true));
        actions.clear();
        on(1, new Died("rank 1 failed: RankKilledError", "RankKilledError", new Error("killed")));
        assertEquals(List.of(new RestartAlone(1, "rank 1 was killed (injected failure at safe point 4)",
                "killed: injected failure at safe point 4", 0)), actions);
        assertEquals(State.RUNNING, s.state());
        assertEquals(RankState.RESTARTING_ALONE, s.state(1));
        exitAll(1); // the dead incarnation's end does not count
        on(1, new Replaced());
        assertEquals(1, s.incarnation(1));
        assertEquals(RankState.STARTING, s.state(1));
        assertNull(s.killedFor(1), "the new incarnation was not killed");
        on(1, new Exited(0));
        on(1, new Ready());
        for (int r = 0; r < 3; r++) {
            on(r, new Finished());
        }
        exitAll(0, 1, 2);
        assertTrue(s.succeeded());
    }

    @Test
    void shouldDateTheDeathOfAKilledRankAtItsKillNotWhenItBecameKnown() {
        running(3, ALONE_SHM, "rank=1,after=1s", "rank=2,after=1s");
        at(1_050); // both due at 1000 ms: one tick kills both
        assertEquals(2, of(Kill.class, actions).size());
        at(1_060);
        on(1, new Died("rank 1 failed: RankKilledError", "RankKilledError", new Error("killed")));
        at(1_900); // the other death becomes known much later (a slow rank)
        on(2, new Died("rank 2 failed: RankKilledError", "RankKilledError", new Error("killed")));
        assertEquals(List.of(1_000_000_000L, 1_000_000_000L), of(RestartAlone.class, actions).stream()
                .map(RestartAlone::detectedAt).toList(), "killed together, they died at once");
        on(0, new KillRequested("injected failure at safe point 9", true));
        at(2_500);
        on(0, new Died("rank 0 failed: RankKilledError", "RankKilledError", new Error("killed")));
        assertEquals(1_900_000_000L, of(RestartAlone.class, actions).get(2).detectedAt(),
                "a rank that asked to be killed died when it asked");
    }

    @Test
    void shouldRestartEachAloneWhenTwoRanksDieAtOnce() {
        running(3, ALONE_TCP);
        on(0, killedBySignal(0));
        on(2, killedBySignal(2));
        assertEquals(2, of(RestartAlone.class, actions).size());
        on(2, new Replaced());
        on(1, killedBySignal(1)); // while rank 0 is still restarting and rank 2 is not past its start again
        assertEquals(3, of(RestartAlone.class, actions).size(),
                "a restarted rank has no exchange with all at its start");
    }

    @Test
    void shouldRestartTheWholeJobWhenARankDiesWhileAnotherIsStillStarting() {
        start(3, ALONE_SHM);
        for (int r = 0; r < 3; r++) {
            on(r, new Joined());
        }
        on(-1, new AttemptStarted());
        on(0, new Ready());
        on(1, new Ready());
        on(1, killedBySignal(1));
        assertEquals(List.of(new Announce("rank 1 failed while rank 2 was still starting; the whole job restarts")),
                of(Announce.class, actions));
        assertEquals(State.ABORTING, s.state());
        assertTrue(s.restartable());
    }

    @Test
    void shouldRestartTheWholeJobWhenTheRankCannotRestartAlone() {
        running(2, ALONE_SHM);
        on(0, new CannotRestartAlone("its checkpoint is older than the log"));
        on(0, killedBySignal(0));
        assertEquals(List.of(new Announce("rank 0 cannot restart alone (its checkpoint is older than the log); the "
                + "whole job restarts")), of(Announce.class, actions));
        assertEquals(State.ABORTING, s.state());
    }

    @Test
    void shouldRestartTheWholeJobAfterAnotherRankEndedWhereLogsGoWithTheProcess() {
        running(3, ALONE_TCP);
        on(2, new Finished());
        on(0, killedBySignal(0));
        assertEquals(List.of(new Announce("rank 0 failed after rank 2 had ended; the whole job restarts")),
                of(Announce.class, actions));
        assertEquals(State.ABORTING, s.state());

        actions.clear();
        running(3, ALONE_SHM);
        on(2, new Finished());
        exitAll(2);
        on(0, killedBySignal(0));
        assertEquals(1, of(RestartAlone.class, actions).size(), "on shm the ended rank's log stays");
    }

    @Test
    void shouldReleaseTheRanksOnceAllAreLeavingAndRestartTheWholeJobAfter() {
        running(2, ALONE_TCP);
        on(0, new Leaving());
        assertTrue(actions.isEmpty());
        on(1, new Died("rank 1 died: its process was killed by signal 9", "killed by signal 9", null));
        assertEquals(1, of(RestartAlone.class, actions).size(), "a rank inside MPI.Finalize restarts alone");
        on(1, new Replaced());
        on(1, new Ready());
        on(1, new Leaving());
        assertEquals(List.of(new Release()), of(Release.class, actions));
        on(0, killedBySignal(0));
        assertEquals(List.of(new Announce("rank 0 failed after every rank had passed MPI.Finalize's final barrier; "
                + "the whole job restarts")), of(Announce.class, actions));
    }

    @Test
    void shouldNotCountALeavingRankAsDeadlocked() {
        running(2, ALONE_TCP);
        on(0, new Leaving());
        waits[1] = new JobState.Blocked(9, "Recv from 0");
        for (long t = 500; t <= 5_000; t += 500) {
            progress++;
            at(t);
        }
        assertEquals(State.RUNNING, s.state());
    }

    @Test
    void shouldEndTheAttemptWithTheDeathWhenTheRankCannotBeReplacedAfterAll() {
        running(2, ALONE_SHM);
        on(1, killedBySignal(1));
        on(1, new NotReplaced(false));
        assertEquals(State.ABORTING, s.state());
        assertEquals(RankState.DEAD, s.state(1));
        assertTrue(s.restartable(), "a whole restart may still cure it");
        exitAll(0);
        assertEquals(State.ENDED, s.state(), "the rank that was not replaced counts as exited");
    }

    @Test
    void shouldNotRestartWhenARankRestartingAloneFoundNoRestartLeft() {
        running(2, ALONE_SHM);
        on(1, killedBySignal(1));
        on(1, new NotReplaced(true));
        assertEquals(State.ABORTING, s.state());
        assertFalse(s.restartable());
        assertEquals(new Abort(1, 1, "rank 1 died: its process was killed by signal 9", false),
                of(Abort.class, actions).get(0));
    }

    @Test
    void shouldEndQuietlyWhenTheAttemptAbortedWhileTheRankWasBeingReplaced() {
        running(3, ALONE_SHM);
        on(1, killedBySignal(1));
        on(2, new Aborted(5, "rank 2 called Abort(5)"));
        on(1, new NotReplaced(false));
        assertEquals(2, s.failure().rank());
        assertEquals(5, s.code());
        assertEquals(1, of(Abort.class, actions).size());
    }

    @Test
    void shouldRefuseAReplacementOfARankThatIsNotRestartingAlone() {
        running(2, ALONE_SHM);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> on(0, new Replaced()));
        assertTrue(e.getMessage().contains("rank 0") && e.getMessage().contains("RUNNING"), e.getMessage());
    }

    // ------------------------------------------------------------------ survivors stop at safe points

    @Test
    void shouldLetTheSurvivorsStopAtSafePointsAndThenAbort() {
        running(3, STOP_AT_SAFE_POINTS);
        nowMillis = 1_000;
        on(1, killedBySignal(1));
        assertEquals(State.STOPPING_SURVIVORS, s.state());
        assertEquals(List.of(new TellPeers(1, "its process was killed by signal 9"), new StopSurvivors(1)),
                actions);
        actions.clear();
        on(0, new StoppedForRestart());
        assertEquals(List.of(new TellPeers(0, "it stopped for the restart")), actions);
        at(1_100);
        assertEquals(State.STOPPING_SURVIVORS, s.state(), "rank 2 runs on to its safe point");
        on(2, new StoppedForRestart());
        at(1_150);
        assertEquals(new SurvivorsStopped(150_000_000L, true), of(SurvivorsStopped.class, actions).get(0));
        assertEquals(State.ABORTING, s.state());
        assertEquals(new Abort(1, 1, "rank 1 died: its process was killed by signal 9", true),
                of(Abort.class, actions).get(0));
        assertEquals(1_000_000_000L, s.failedAt(), "the failure dates from the death");
    }

    @Test
    void shouldStopWaitingForTheSurvivorsAfterTheirTimeout() {
        running(2, STOP_AT_SAFE_POINTS);
        on(0, killedBySignal(0));
        at(1_999);
        assertEquals(State.STOPPING_SURVIVORS, s.state());
        at(2_000);
        assertEquals(new SurvivorsStopped(2_000_000_000L, false), of(SurvivorsStopped.class, actions).get(0));
        assertEquals(State.ABORTING, s.state());
    }

    @Test
    void shouldCountASurvivorThatStoppedBeforeTheDeathWasKnown() {
        running(3, STOP_AT_SAFE_POINTS);
        on(2, new StoppedForRestart()); // its connection to rank 0 broke first
        on(0, killedBySignal(0));
        assertTrue(actions.contains(new TellPeers(2, "it stopped for the restart")), actions.toString());
        on(1, new StoppedForRestart());
        at(10);
        assertEquals(State.ABORTING, s.state());
    }

    @Test
    void shouldOnlyTellThePeersWhenARankEndsWhileTheSurvivorsStop() {
        running(4, STOP_AT_SAFE_POINTS);
        on(0, killedBySignal(0));
        actions.clear();
        on(1, exception(1)); // its receive from rank 0 failed
        on(2, new Finished());
        on(3, killedBySignal(3));
        assertEquals(List.of(new TellPeers(1, "it ended while the others stopped for the restart"),
                new TellPeers(2, "it ended while the others stopped for the restart"),
                new TellPeers(3, "it ended while the others stopped for the restart")), actions);
        assertEquals(State.STOPPING_SURVIVORS, s.state());
        at(200);
        assertEquals(0, s.failure().rank(), "the death that began the stop ends the attempt");
        assertTrue(s.restartable());
    }

    @Test
    void shouldAbortWithTheDeathWhenEverySurvivorExitedBeforeTheWaitWasOver() {
        running(2, STOP_AT_SAFE_POINTS);
        on(0, killedBySignal(0));
        nowMillis = 300;
        exitAll(0, 1);
        assertEquals(State.ENDED, s.state());
        assertEquals(new SurvivorsStopped(300_000_000L, true), of(SurvivorsStopped.class, actions).get(0));
        assertTrue(s.restartable());
    }

    @Test
    void shouldEndWithTheViolationWhenTheCoordinatorFailsWhileTheSurvivorsStop() {
        running(2, STOP_AT_SAFE_POINTS);
        on(0, killedBySignal(0));
        on(-1, new Violation("coordinator: checkpoint 3 committed twice"));
        assertEquals(State.ABORTING, s.state());
        assertEquals(-1, s.failure().rank());
        assertFalse(s.restartable(), "a broken contract is not cured by a restart");
    }

    @Test
    void shouldStopTheSurvivorsWhenARankCannotBeReplacedAfterAll() {
        running(3, new Rules(true, true, true, false));
        on(1, killedBySignal(1));
        assertEquals(State.RUNNING, s.state());
        on(1, new NotReplaced(false));
        assertEquals(State.STOPPING_SURVIVORS, s.state());
        assertEquals(1, of(StopSurvivors.class, actions).size());
    }

    @Test
    void shouldTakeTheTimeoutsFromTheFlags() {
        LaunchOptions o = LaunchOptions.parse(new String[] {"-np", "2", "-dev", "tcp", "--failure-timeout", "750ms",
                "-cp", ".", "Main"});
        SupervisorTimeouts t = SupervisorTimeouts.from(o);
        assertEquals(Duration.ofMillis(750), t.failure());
        assertEquals(SupervisorTimeouts.DEFAULTS.checkpoint(), t.checkpoint(), "no --checkpoint-timeout");
        assertEquals(SupervisorTimeouts.DEFAULTS.abortGrace(), t.abortGrace());
        assertEquals(4, t.deadlockChecks());
        assertThrows(IllegalArgumentException.class, () -> new SupervisorTimeouts(Duration.ofMillis(100),
                Duration.ofMillis(500), t.failure(), t.abortGrace(), t.survivorStop(), t.settle(), t.startup(),
                t.checkpoint()));
    }
}
