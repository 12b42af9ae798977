package io.snapline.recovery;

import io.snapline.recovery.model.Checkpoint;
import io.snapline.recovery.model.History;
import io.snapline.recovery.model.HistoryBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.snapline.recovery.Histories.MS;
import static io.snapline.recovery.Histories.P;
import static io.snapline.recovery.Histories.Q;
import static io.snapline.recovery.Histories.R;
import static io.snapline.recovery.RecoveryLine.KEEP_RUNNING;
import static io.snapline.recovery.SnapshotFigureTest.labels;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecoveryAnalyzerTest {

    @Test
    void shouldRollEveryRankBackToTheStartWhenMessagesAlternateAfterEachCheckpoint() {
        RecoveryAnalyzer analyzer = new RecoveryAnalyzer(Histories.domino());

        assertEquals(RecoveryLine.of(0, 0), analyzer.recoveryLine(Consistency.CONSISTENT, P));
        assertEquals(RecoveryLine.of(0, 0), analyzer.recoveryLine(Consistency.CONSISTENT, Q));
        List<RollbackDistance> distances = analyzer.rollbackDistances(RecoveryLine.of(0, 0), P);
        RollbackDistance p = distances.get(P);
        RollbackDistance q = distances.get(Q);
        assertTrue(p.restartsFromBeginning() && q.restartsFromBeginning());
        assertEquals(3, p.intervalsLost());          // two closed intervals and the open one
        assertEquals(2, p.forcedCheckpoints());      // P1 and P2 rolled past on top of the lost open interval
        assertEquals(15 * MS, p.lostNanos());
        assertEquals(0.015, p.lostSeconds(), 1e-12);
        assertEquals(3, q.forcedCheckpoints());      // Q did not fail: all of its work is forced away
        assertFalse(q.failed());
    }

    @Test
    void shouldMarkEveryLaterCheckpointUselessWhenTheDominoEffectHolds() {
        RecoveryAnalyzer analyzer = new RecoveryAnalyzer(Histories.domino());
        assertEquals(List.of("P1", "P2", "Q1", "Q2"), names(analyzer.history(), analyzer.uselessCheckpoints()));
    }

    @Test
    void shouldMarkCheckpointUselessWhenANonCausalZigzagReturnsToIt() {
        // Q sends m2 before receiving m1 in the same interval: m1 -> m2 is a zigzag, not a causal chain.
        History history = new HistoryBuilder("P", "Q")
            .send(Q, "m2", P, 1 * MS).receive(P, "m2", 2 * MS)
            .checkpoint(P, 3 * MS)
            .send(P, "m1", Q, 4 * MS).receive(Q, "m1", 5 * MS)
            .build();
        RecoveryAnalyzer analyzer = new RecoveryAnalyzer(history);
        assertEquals(List.of("P1"), names(history, analyzer.uselessCheckpoints()));
        // P1 cannot be in a consistent line: including it forces Q to have sent m2, hence to have received m1.
        assertEquals(Consistency.INCONSISTENT, analyzer.analyse(RecoveryLine.of(1, KEEP_RUNNING)).consistency());
        assertEquals(RecoveryLine.of(0, 0), analyzer.recoveryLine(Consistency.CONSISTENT, P));
    }

    @Test
    void shouldKeepCheckpointUsefulWhenACheckpointBreaksTheZigzag() {
        History history = new HistoryBuilder("P", "Q")
            .send(Q, "m2", P, 1 * MS).receive(P, "m2", 2 * MS)
            .checkpoint(P, 3 * MS).checkpoint(Q, 3 * MS)
            .send(P, "m1", Q, 4 * MS).receive(Q, "m1", 5 * MS)
            .build();
        RecoveryAnalyzer analyzer = new RecoveryAnalyzer(history);
        assertEquals(List.of(), analyzer.uselessCheckpoints());
        assertEquals(RecoveryLine.of(1, 1), analyzer.recoveryLine(Consistency.CONSISTENT, P));
        // m1 was sent in P's lost interval, and Q received it after Q1: Q rolls back to Q1 with it.
    }

    @Test
    void shouldFollowAZigzagThroughAThirdRankWhenMarkingUselessCheckpoints() {
        // P -m1-> Q; Q sent m2 to R earlier in the same interval; R relays m3 to P, received before P1.
        History history = new HistoryBuilder("P", "Q", "R")
            .send(Q, "m2", R, 1 * MS).receive(R, "m2", 2 * MS)
            .send(R, "m3", P, 3 * MS).receive(P, "m3", 4 * MS)
            .checkpoint(P, 5 * MS)
            .send(P, "m1", Q, 6 * MS).receive(Q, "m1", 7 * MS)
            .checkpoint(R, 8 * MS)
            .build();
        RecoveryAnalyzer analyzer = new RecoveryAnalyzer(history);
        assertEquals(List.of("P1"), names(history, analyzer.uselessCheckpoints()));
    }

    @Test
    void shouldCombineBothRollbacksWhenTwoRanksFailTogether() {
        RecoveryAnalyzer analyzer = new RecoveryAnalyzer(Histories.twoPairs());

        RecoveryLine one = analyzer.recoveryLine(Consistency.CONSISTENT, 1);
        RecoveryLine three = analyzer.recoveryLine(Consistency.CONSISTENT, 3);
        RecoveryLine both = analyzer.recoveryLine(Consistency.CONSISTENT, 1, 3);
        assertEquals(RecoveryLine.of(2, 2, KEEP_RUNNING, KEEP_RUNNING), one);
        assertEquals(RecoveryLine.of(KEEP_RUNNING, KEEP_RUNNING, 0, 1), three);
        assertEquals(RecoveryLine.of(2, 2, 0, 1), both);

        List<RollbackDistance> distances = analyzer.rollbackDistances(both, 1, 3);
        assertEquals(new RollbackDistance(2, false, 0, 3, 50 * MS, 3), distances.get(2));
        assertEquals(new RollbackDistance(3, true, 1, 2, 38 * MS, 1), distances.get(3));
        assertEquals(new RollbackDistance(1, true, 2, 1, 5 * MS, 0), distances.get(1));
    }

    @Test
    void shouldPlanReplayOfInTransitMessagesWhenRestartingTheLine() {
        RecoveryAnalyzer analyzer = new RecoveryAnalyzer(Histories.twoPairs());
        RecoveryLine line = analyzer.recoveryLine(Consistency.CONSISTENT, 1, 3);

        RestartPlan plan = analyzer.restartPlan(line);
        assertEquals(List.of("f"), labels(plan.replay()));     // r0 sent f before its line, r2 rolls back past it
        assertEquals(List.of(), plan.suppress());
        assertEquals(new RestartPlan.RankAction(2, 0, 0), plan.actions().get(2));
        assertEquals(new RestartPlan.RankAction(3, 1, 1), plan.actions().get(3));
    }

    @Test
    void shouldRollSendersBackWhenAStronglyConsistentLineIsRequested() {
        RecoveryAnalyzer analyzer = new RecoveryAnalyzer(Histories.twoPairs());
        RecoveryLine strong = analyzer.recoveryLine(Consistency.STRONGLY_CONSISTENT, 1, 3);
        // f in transit pulls r0 back to its start, which makes a (r1 -> r0) in transit, which pulls r1 back to r1's 1.
        assertEquals(RecoveryLine.of(0, 1, 0, 1), strong);
        assertEquals(Consistency.STRONGLY_CONSISTENT, analyzer.analyse(strong).consistency());
    }

    @Test
    void shouldSuppressResentOrphansWhenOnlyTheFailedRankRollsBack() {
        // Local recovery under message logging: Q restores Q2 alone; y is re-sent and R must not see it twice.
        RecoveryAnalyzer analyzer = new RecoveryAnalyzer(Histories.snapshotFigure());
        RecoveryLine local = RecoveryLine.of(KEEP_RUNNING, 2, KEEP_RUNNING);
        assertEquals(List.of("y"), labels(analyzer.analyse(local).orphans()));
        RestartPlan plan = analyzer.restartPlan(local);
        assertEquals(List.of("y"), labels(plan.suppress()));
        assertEquals(List.of(), plan.replay());
        assertTrue(plan.actions().get(P).keepsRunning());
        assertEquals(-1, plan.actions().get(P).checkpointId());
    }

    @Test
    void shouldSuppressUnreceivedResendsWhenTheReceiverKeepsRunning() {
        History history = new HistoryBuilder("P", "Q")
            .checkpoint(P, 1 * MS).send(P, "late", Q, 2 * MS).end(P, 3 * MS).end(Q, 3 * MS).build();
        RecoveryAnalyzer analyzer = new RecoveryAnalyzer(history);
        RecoveryLine line = analyzer.recoveryLine(Consistency.CONSISTENT, P);
        assertEquals(RecoveryLine.of(1, KEEP_RUNNING), line);
        assertEquals(List.of("late"), labels(analyzer.restartPlan(line).suppress()));
        // A strongly consistent line cannot keep the send of a message that was never received: P goes back to P1.
        assertEquals(RecoveryLine.of(1, KEEP_RUNNING), analyzer.recoveryLine(Consistency.STRONGLY_CONSISTENT));
    }

    @Test
    void shouldKeepEveryoneRunningWhenNothingFailed() {
        RecoveryAnalyzer analyzer = new RecoveryAnalyzer(Histories.twoPairs());
        RecoveryLine line = analyzer.recoveryLine(Consistency.CONSISTENT);
        assertEquals(RecoveryLine.of(KEEP_RUNNING, KEEP_RUNNING, KEEP_RUNNING, KEEP_RUNNING), line);
        assertEquals(0, analyzer.rollbackDistances(line).get(0).intervalsLost());
    }

    @Test
    void shouldRejectLinesAndFailuresThatDoNotFitTheHistory() {
        RecoveryAnalyzer analyzer = new RecoveryAnalyzer(Histories.snapshotFigure());
        RecoveryException ranks = assertThrows(RecoveryException.class, () -> analyzer.analyse(RecoveryLine.of(1, 1)));
        assertEquals("the line names 2 rank(s) but the history has 3; give one checkpoint (or keep) per rank",
            ranks.getMessage());
        RecoveryException checkpoint = assertThrows(RecoveryException.class,
            () -> analyzer.analyse(RecoveryLine.of(1, 3, 1)));
        assertEquals("rank 1 (Q) has no checkpoint 3; its checkpoints are 0..2", checkpoint.getMessage());
        RecoveryException failed = assertThrows(RecoveryException.class,
            () -> analyzer.recoveryLine(Consistency.CONSISTENT, 3));
        assertEquals("failed rank 3 does not exist; ranks are 0..2", failed.getMessage());
        RecoveryException keeps = assertThrows(RecoveryException.class,
            () -> analyzer.report(RecoveryLine.of(KEEP_RUNNING, 1, 1), P));
        assertTrue(keeps.getMessage().startsWith("rank 0 (P) failed, so the line must restore"), keeps.getMessage());
        assertThrows(RecoveryException.class, () -> analyzer.recoveryLine(Consistency.INCONSISTENT, R));
    }

    static List<String> names(History history, List<Checkpoint> checkpoints) {
        return checkpoints.stream().map(c -> history.rank(c.rank()).checkpointLabel(c.index())).toList();
    }
}
