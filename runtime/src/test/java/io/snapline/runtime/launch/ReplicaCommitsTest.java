package io.snapline.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.checkpoint.store.CheckpointId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The commit rule of a store with host copies, driven by scripted reports. */
class ReplicaCommitsTest {
    private final ReplicaCommits<String> rule = new ReplicaCommits<>(3);

    private static CheckpointId id(long v) {
        return CheckpointId.of(v);
    }

    @Test
    void shouldCommitOnlyOnceEveryRanksPieceIsInTheReplica() {
        assertEquals(List.of(), rule.completed(id(1), "c1").commit());
        assertTrue(rule.isHeld(id(1)));
        assertEquals(List.of(), rule.replicaWritten(0, id(1)).commit());
        assertEquals(List.of(), rule.replicaWritten(2, id(1)).commit());
        assertEquals(List.of(), rule.replicaWritten(2, id(1)).commit(), "a rank reporting twice is still one rank");
        assertTrue(rule.isHeld(id(1)));

        ReplicaCommits.Decision<String> last = rule.replicaWritten(1, id(1));

        assertEquals(List.of("c1"), last.commit());
        assertEquals(List.of(), last.givenUp());
        assertFalse(rule.isHeld(id(1)));
    }

    @Test
    void shouldCommitWhenTheLastReportCameBeforeThePolicyCompletedTheCheckpoint() {
        rule.replicaWritten(0, id(4));
        rule.replicaWritten(1, id(4));
        rule.replicaWritten(2, id(4));
        assertEquals(List.of("c4"), rule.completed(id(4), "c4").commit());
    }

    @Test
    void shouldNeverCommitACheckpointTheReplicaDoesNotHoldWhole() {
        rule.completed(id(1), "c1");
        rule.replicaWritten(0, id(1));
        rule.replicaWritten(1, id(1));
        rule.completed(id(2), "c2");
        rule.replicaWritten(0, id(2));
        rule.replicaWritten(1, id(2));
        // rank 2's replica writes are behind: neither checkpoint commits, however long the others wait
        assertTrue(rule.isHeld(id(1)));
        assertTrue(rule.isHeld(id(2)));
        assertEquals(List.of("c1"), rule.replicaWritten(2, id(1)).commit());
        assertTrue(rule.isHeld(id(2)));
        assertEquals(List.of("c2"), rule.replicaWritten(2, id(2)).commit());
    }

    @Test
    void shouldCommitInOrderAndGiveUpAnOlderCheckpointARankSkipped() {
        rule.completed(id(1), "c1");
        rule.completed(id(2), "c2");
        rule.completed(id(3), "c3");
        rule.replicaWritten(0, id(1));
        rule.replicaWritten(2, id(1));
        for (int r = 0; r < 3; r++) {
            rule.replicaWritten(r, id(2));
        }
        // Ranks write their replica pieces in order: a rank that has checkpoint 2 there and not 1 skipped 1 (its
        // write failed or it never wrote it), so 1 can never commit, and 2 commits without waiting for it.
        assertFalse(rule.isHeld(id(2)));
        assertFalse(rule.isHeld(id(1)));
        assertTrue(rule.isHeld(id(3)));
        assertEquals(List.of(), rule.replicaWritten(1, id(1)).commit(), "a late report of a given-up checkpoint");
    }

    @Test
    void shouldSayWhichCheckpointsADecisionCommitsAndGivesUp() {
        rule.completed(id(1), "c1");
        rule.completed(id(2), "c2");
        rule.replicaWritten(0, id(1));
        rule.replicaWritten(0, id(2));
        rule.replicaWritten(1, id(2));

        ReplicaCommits.Decision<String> d = rule.replicaWritten(2, id(2));

        assertEquals(List.of("c2"), d.commit());
        assertEquals(List.of(id(1)), d.givenUp());
    }

    @Test
    void shouldRefuseReportsOfUnknownRanksAndCheckpointsCompletedOutOfOrder() {
        IllegalArgumentException rank = assertThrows(IllegalArgumentException.class,
                () -> rule.replicaWritten(3, id(1)));
        assertEquals("rank 3 reported a replica write, but the job has ranks 0..2", rank.getMessage());

        rule.completed(id(2), "c2");
        for (int r = 0; r < 3; r++) {
            rule.replicaWritten(r, id(2));
        }
        IllegalStateException late = assertThrows(IllegalStateException.class, () -> rule.completed(id(2), "again"));
        assertEquals("checkpoint 2 completed after checkpoint 2 was committed or given up; checkpoints complete in the "
                + "order of their ids", late.getMessage());
        rule.completed(id(3), "c3");
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> rule.completed(id(3), "c3"));
        assertEquals("checkpoint 3 completed twice", twice.getMessage());
    }
}
