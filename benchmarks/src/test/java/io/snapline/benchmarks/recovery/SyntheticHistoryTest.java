package io.snapline.benchmarks.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.recovery.Consistency;
import io.snapline.recovery.RecoveryAnalyzer;
import io.snapline.recovery.model.History;
import io.snapline.recovery.model.Message;
import io.snapline.recovery.model.RankHistory;
import org.junit.jupiter.api.Test;

class SyntheticHistoryTest {
    private static final SyntheticHistory.Spec SPEC = new SyntheticHistory.Spec(16, 10, 5_000, 7);

    @Test
    void shouldGenerateSameHistoryWhenSeedIsSame() {
        SyntheticHistory a = SyntheticHistory.generate(SPEC);
        SyntheticHistory b = SyntheticHistory.generate(SPEC);

        assertEquals(a.ranks(), b.ranks());
        assertEquals(a.messages(), b.messages());
    }

    @Test
    void shouldGenerateDifferentHistoryWhenSeedDiffers() {
        SyntheticHistory a = SyntheticHistory.generate(SPEC);
        SyntheticHistory b = SyntheticHistory.generate(new SyntheticHistory.Spec(16, 10, 5_000, 8));

        assertNotEquals(a.messages(), b.messages());
        assertNotEquals(a.ranks().get(0).checkpoint(1).timeNanos() + a.ranks().get(1).checkpoint(1).timeNanos(),
                b.ranks().get(0).checkpoint(1).timeNanos() + b.ranks().get(1).checkpoint(1).timeNanos());
    }

    @Test
    void shouldHaveRequestedSizeAndPassValidationWhenBuilt() {
        SyntheticHistory h = SyntheticHistory.generate(SPEC);
        History history = h.build(); // validates intervals against times

        assertEquals(16, history.rankCount());
        assertEquals(16 * 10, history.totalCheckpoints());
        assertEquals(5_000, history.messages().size());
        for (Message m : history.messages()) {
            assertNotEquals(m.sender(), m.receiver(), m.toString());
            assertTrue(m.hasSendTime(), m.toString());
            assertEquals(m.received(), m.hasReceiveTime(), m.toString());
        }
    }

    @Test
    void shouldSpreadCheckpointsEvenlyWithOnePhasePerRank() {
        for (RankHistory rank : SyntheticHistory.generate(SPEC).ranks()) {
            assertEquals(0, rank.checkpoint(0).timeNanos());
            long phase = rank.checkpoint(1).timeNanos() - SyntheticHistory.INTERVAL_NANOS;
            assertTrue(phase >= 0 && phase < SyntheticHistory.INTERVAL_NANOS / 2, "phase " + phase);
            for (int i = 2; i < rank.checkpointCount(); i++) {
                assertEquals(SyntheticHistory.INTERVAL_NANOS,
                        rank.checkpoint(i).timeNanos() - rank.checkpoint(i - 1).timeNanos());
            }
            assertEquals(SyntheticHistory.endNanos(10), rank.endTimeNanos());
        }
    }

    @Test
    void shouldNumberEachSendersMessagesFromZero() {
        long[] next = new long[SPEC.ranks()];
        for (Message m : SyntheticHistory.generate(SPEC).messages()) {
            assertEquals(next[m.sender()]++, m.seq());
        }
    }

    @Test
    void shouldPlaceTimesInIntervalsAroundPhasedCheckpoints() {
        long step = SyntheticHistory.INTERVAL_NANOS;
        assertEquals(0, SyntheticHistory.interval(0, 300, 10));
        assertEquals(0, SyntheticHistory.interval(step + 299, 300, 10));
        assertEquals(1, SyntheticHistory.interval(step + 300, 300, 10));
        assertEquals(9, SyntheticHistory.interval(9 * step + 300, 300, 10));
        assertEquals(9, SyntheticHistory.interval(10 * step, 300, 10));
    }

    @Test
    void shouldGiveAnalyzerRealWorkWhenPhasesDiffer() {
        // Some messages arrive in an interval with a lower index than they were sent in, so a failure cascades.
        SyntheticHistory h = SyntheticHistory.generate(new SyntheticHistory.Spec(32, 20, 20_000, 1));
        long backwards = h.messages().stream().filter(m -> m.received() && m.receiverInterval() < m.senderInterval()).count();
        assertTrue(backwards > 0, "no message goes backwards in interval index");
        RecoveryAnalyzer analyzer = new RecoveryAnalyzer(h.build());
        assertTrue(RecoveryScaleRun.depth(analyzer.history(), analyzer.recoveryLine(Consistency.CONSISTENT, 0)) > 1);
    }

    @Test
    void shouldRejectSpecWithOneRank() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new SyntheticHistory.Spec(1, 10, 10, 0));
        assertEquals("a synthetic history needs at least 2 ranks, got 1", e.getMessage());
    }
}
