package io.snapline.recovery;

import io.snapline.recovery.model.History;
import io.snapline.recovery.model.Message;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.snapline.recovery.Histories.SNAPSHOT_A;
import static io.snapline.recovery.Histories.SNAPSHOT_B;
import static io.snapline.recovery.Histories.SNAPSHOT_C;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The textbook figure: snapshot a is consistent, b strongly consistent, c inconsistent. */
class SnapshotFigureTest {
    private final History figure = Histories.snapshotFigure();
    private final RecoveryAnalyzer analyzer = new RecoveryAnalyzer(figure);

    @Test
    void shouldClassifySnapshotAConsistentWhenXCrossesLeftToRight() {
        LineAnalysis a = analyzer.analyse(SNAPSHOT_A);
        assertEquals(Consistency.CONSISTENT, a.consistency());
        assertEquals(List.of("x"), labels(a.inTransit()));
        assertEquals(List.of(), a.orphans());
    }

    @Test
    void shouldClassifySnapshotBStronglyConsistentWhenNothingCrosses() {
        LineAnalysis b = analyzer.analyse(SNAPSHOT_B);
        assertEquals(Consistency.STRONGLY_CONSISTENT, b.consistency());
        assertEquals(List.of(), b.inTransit());
        assertEquals(List.of(), b.orphans());
    }

    @Test
    void shouldClassifySnapshotCInconsistentWhenYCrossesRightToLeft() {
        LineAnalysis c = analyzer.analyse(SNAPSHOT_C);
        assertEquals(Consistency.INCONSISTENT, c.consistency());
        assertEquals(List.of("y"), labels(c.orphans()));
        assertEquals(List.of(), c.inTransit());
    }

    @Test
    void shouldFindNoUselessCheckpointWhenNoZigzagClosesOnItself() {
        assertEquals(List.of(), analyzer.uselessCheckpoints());
    }

    @Test
    void shouldRollBackToSnapshotBWhenQFails() {
        // Q loses y's send, so R must undo y's receive and z's send, so P must undo z's receive.
        assertEquals(SNAPSHOT_B, analyzer.recoveryLine(Consistency.CONSISTENT, Histories.Q));
        assertEquals(SNAPSHOT_B, analyzer.recoveryLine(Consistency.STRONGLY_CONSISTENT, Histories.Q));
    }

    @Test
    void shouldRollBackToSnapshotBWhenEveryRankFails() {
        assertEquals(SNAPSHOT_B, analyzer.recoveryLine(Consistency.CONSISTENT, 0, 1, 2));
    }

    @Test
    void shouldLetOthersKeepRunningWhenOnlyRFails() {
        RecoveryLine line = analyzer.recoveryLine(Consistency.CONSISTENT, Histories.R);
        assertEquals(RecoveryLine.of(RecoveryLine.KEEP_RUNNING, RecoveryLine.KEEP_RUNNING, 3), line);
        assertTrue(line.notEarlierThan(SNAPSHOT_B));
    }

    static List<String> labels(List<Message> messages) {
        return messages.stream().map(Message::label).toList();
    }
}
