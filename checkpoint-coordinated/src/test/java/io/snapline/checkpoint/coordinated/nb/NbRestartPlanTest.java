package io.snapline.checkpoint.coordinated.nb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.snapline.checkpoint.coordinated.nb.NbCheckpointRecord.Late;
import java.util.List;
import org.junit.jupiter.api.Test;

class NbRestartPlanTest {

    private static NbCheckpointRecord record(int rank, int epoch, long[] sent, long[] accepted, Late... late) {
        return new NbCheckpointRecord(rank, epoch, sent, accepted, sent, List.of(late));
    }

    @Test
    void shouldComputeSuppressionAndReinjectionWhenChannelsHaveLateAndEarlyMessages() {
        // 0 sent 3 to 1 before its checkpoint, 1 had accepted 1: seqs 2, 3 are late at 1.
        // 1 sent 2 to 0 before its checkpoint, 0 had accepted 4: seqs 3, 4 were early at 0.
        NbCheckpointRecord r0 = record(0, 2, new long[] {0, 3}, new long[] {0, 4});
        NbCheckpointRecord r1 = record(1, 2, new long[] {2, 0}, new long[] {1, 0}, new Late(0, 2), new Late(0, 3));
        RestartPlan plan = RestartPlan.of(List.of(r1, r0));
        assertEquals(2, plan.epoch());
        RestartPlan.RankPlan p0 = plan.rank(0);
        assertArrayEquals(new long[] {0, 3}, p0.sentUpTo());
        assertArrayEquals(new long[] {0, 4}, p0.acceptedUpTo());
        assertArrayEquals(new long[] {0, 1}, p0.suppressUpTo());
        assertEquals(List.of(), p0.reinject());
        RestartPlan.RankPlan p1 = plan.rank(1);
        assertArrayEquals(new long[] {3, 0}, p1.acceptedUpTo());
        assertArrayEquals(new long[] {4, 0}, p1.suppressUpTo());
        assertEquals(List.of(new Late(0, 2), new Late(0, 3)), p1.reinject());
    }

    @Test
    void shouldBoundEachRanksReplayByWhatItsPeersSentWhenAllHadTakenTheCheckpoint() {
        // When every rank had taken checkpoint 1, rank 0 had sent 5 messages to rank 1 and rank 1 had sent 9 to 0.
        NbCheckpointRecord r0 = new NbCheckpointRecord(0, 1, new long[] {0, 2}, new long[] {0, 4},
                new long[] {0, 5}, List.of());
        NbCheckpointRecord r1 = new NbCheckpointRecord(1, 1, new long[] {4, 0}, new long[] {2, 0},
                new long[] {9, 0}, List.of());
        RestartPlan plan = RestartPlan.of(List.of(r0, r1));
        assertArrayEquals(new long[] {0, 9}, plan.rank(0).reproducibleUpTo());
        assertArrayEquals(new long[] {5, 0}, plan.rank(1).reproducibleUpTo());
    }

    @Test
    void shouldRejectARecordWhoseCountersWhenAllTookAreBelowThoseAtItsCheckpoint() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new NbCheckpointRecord(0, 1, new long[] {0, 3}, new long[2], new long[] {0, 2}, List.of()));
        assertEquals("record of rank 0 sent 3 messages to rank 1 before its checkpoint but only 2 when all had taken"
                + " it; counters only grow", e.getMessage());
    }

    @Test
    void shouldRejectRecordsWhenEpochsOrSizesDiffer() {
        NbCheckpointRecord a = record(0, 1, new long[2], new long[2]);
        IllegalArgumentException epochs = assertThrows(IllegalArgumentException.class,
                () -> RestartPlan.of(List.of(a, record(1, 2, new long[2], new long[2]))));
        assertEquals("record of rank 1 is for checkpoint 2 but the record of rank 0 is for checkpoint 1; a restart"
                + " uses the pieces of one committed checkpoint", epochs.getMessage());
        IllegalArgumentException sizes = assertThrows(IllegalArgumentException.class,
                () -> RestartPlan.of(List.of(a, record(1, 1, new long[3], new long[3]))));
        assertEquals("record of rank 1 is for a job of 3 ranks, but 2 records were given; pass exactly one record"
                + " per rank of one job", sizes.getMessage());
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> RestartPlan.of(List.of(a, a)));
        assertEquals("two records for rank 0 of checkpoint 1; pass exactly one record per rank",
                twice.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RestartPlan.of(List.of()));
    }

    @Test
    void shouldRejectIncompleteCheckpointWhenLateMessagesAreMissing() {
        NbCheckpointRecord r0 = record(0, 1, new long[] {0, 3}, new long[] {0, 0});
        NbCheckpointRecord r1 = record(1, 1, new long[] {0, 0}, new long[] {1, 0}, new Late(0, 2));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RestartPlan.of(List.of(r0, r1)));
        assertEquals("record of rank 1 for checkpoint 1 is incomplete: from rank 0 it logged late seqs [2] but"
                + " expected seqs 2..3 (rank 0 sent up to 3, rank 1 had accepted up to 1); use a committed"
                + " checkpoint", e.getMessage());
    }

    @Test
    void shouldRejectUnsortedLateMessagesWhenBuildingRecord() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> record(1, 1, new long[2], new long[2], new Late(0, 3), new Late(0, 2)));
        assertEquals("record of rank 1 lists late messages out of order: Late[from=0, seq=3] before"
                + " Late[from=0, seq=2]; sort by rank, then seq, without repeats", e.getMessage());
    }
}
