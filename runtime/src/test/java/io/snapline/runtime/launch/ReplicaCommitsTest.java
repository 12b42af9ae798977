package io.snapline.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.checkpoint.store.CheckpointFormatDescriptor;
import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.Manifest;
import io.snapline.runtime.checkpoint.store.PieceRef;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The commit rule of a store with host copies, driven by scripted reports. */
class ReplicaCommitsTest {
    private final ReplicaCommits<String> rule = new ReplicaCommits<>(3);

    private static CheckpointId id(long v) {
        return CheckpointId.of(v);
    }

    /** Rank {@code rank}'s piece of checkpoint {@code id}: a size and CRC32C of its own. */
    private static PieceRef piece(long id, int rank) {
        return new PieceRef(rank, CheckpointFormatDescriptor.pieceFileName(rank),
                CheckpointFormatDescriptor.PIECE_HEADER_SIZE + 10 * id + rank, (int) (1000 * id + rank));
    }

    private static Manifest manifest(long id) {
        List<PieceRef> pieces = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            pieces.add(piece(id, r));
        }
        return new Manifest(id(id), 3, pieces);
    }

    /** The policy completed checkpoint {@code id}, held as {@code commit}. */
    private ReplicaCommits.Decision<String> completed(long id, String commit) {
        return rule.completed(manifest(id), commit);
    }

    /** Rank {@code rank} reports the very piece of checkpoint {@code id} that its manifest names. */
    private ReplicaCommits.Decision<String> written(int rank, long id) {
        PieceRef p = piece(id, rank);
        return rule.replicaWritten(rank, id(id), p.size(), p.crc32c());
    }

    @Test
    void shouldCommitOnlyOnceEveryRanksPieceIsInTheReplica() {
        assertEquals(List.of(), completed(1, "c1").commit());
        assertTrue(rule.isHeld(id(1)));
        assertEquals(List.of(), written(0, 1).commit());
        assertEquals(List.of(), written(2, 1).commit());
        assertEquals(List.of(), written(2, 1).commit(), "a rank reporting twice is still one rank");
        assertTrue(rule.isHeld(id(1)));

        ReplicaCommits.Decision<String> last = written(1, 1);

        assertEquals(List.of("c1"), last.commit());
        assertEquals(List.of(), last.givenUp());
        assertFalse(rule.isHeld(id(1)));
    }

    @Test
    void shouldCommitWhenTheLastReportCameBeforeThePolicyCompletedTheCheckpoint() {
        written(0, 4);
        written(1, 4);
        written(2, 4);
        assertEquals(List.of("c4"), completed(4, "c4").commit());
    }

    @Test
    void shouldNeverCommitACheckpointTheReplicaDoesNotHoldWhole() {
        completed(1, "c1");
        written(0, 1);
        written(1, 1);
        completed(2, "c2");
        written(0, 2);
        written(1, 2);
        // rank 2's replica writes are behind: neither checkpoint commits, however long the others wait
        assertTrue(rule.isHeld(id(1)));
        assertTrue(rule.isHeld(id(2)));
        assertEquals(List.of("c1"), written(2, 1).commit());
        assertTrue(rule.isHeld(id(2)));
        assertEquals(List.of("c2"), written(2, 2).commit());
    }

    @Test
    void shouldCommitInOrderAndGiveUpAnOlderCheckpointARankSkipped() {
        completed(1, "c1");
        completed(2, "c2");
        completed(3, "c3");
        written(0, 1);
        written(2, 1);
        for (int r = 0; r < 3; r++) {
            written(r, 2);
        }
        // Ranks write their replica pieces in order: a rank that has checkpoint 2 there and not 1 skipped 1 (its
        // write failed or it never wrote it), so 1 can never commit, and 2 commits without waiting for it.
        assertFalse(rule.isHeld(id(2)));
        assertFalse(rule.isHeld(id(1)));
        assertTrue(rule.isHeld(id(3)));
        assertEquals(List.of(), written(1, 1).commit(), "a late report of a given-up checkpoint");
    }

    @Test
    void shouldSayWhichCheckpointsADecisionCommitsAndGivesUp() {
        completed(1, "c1");
        completed(2, "c2");
        written(0, 1);
        written(0, 2);
        written(1, 2);

        ReplicaCommits.Decision<String> d = written(2, 2);

        assertEquals(List.of("c2"), d.commit());
        assertEquals(List.of(id(1)), d.givenUp());
    }

    @Test
    void shouldNeverCountAReportOfAnotherPieceThanTheManifestNames() {
        completed(1, "c1");
        written(0, 1);
        written(1, 1);
        PieceRef p = piece(1, 2);
        // rank 2's piece of checkpoint 1 in the replica is not the one the manifest names: another CRC32C, or another
        // size (a rank process of an earlier attempt wrote it under the same id)
        assertEquals(List.of(), rule.replicaWritten(2, id(1), p.size(), p.crc32c() + 1).commit());
        assertEquals(List.of(), rule.replicaWritten(2, id(1), p.size() + 1, p.crc32c()).commit());
        assertTrue(rule.isHeld(id(1)));

        // and a newer checkpoint in the replica whole gives checkpoint 1 up rather than committing it
        completed(2, "c2");
        for (int r = 0; r < 3; r++) {
            written(r, 2);
        }
        assertFalse(rule.isHeld(id(1)));
        assertEquals(List.of(), written(2, 1).commit(), "a matching report too late to commit checkpoint 1");
    }

    @Test
    void shouldCommitOnceTheLastMismatchedReportIsReplacedByTheManifestsPiece() {
        completed(1, "c1");
        written(0, 1);
        written(1, 1);
        PieceRef p = piece(1, 2);
        assertEquals(List.of(), rule.replicaWritten(2, id(1), p.size(), p.crc32c() ^ 1).commit());

        assertEquals(List.of("c1"), written(2, 1).commit());
    }

    @Test
    void shouldRefuseReportsOfUnknownRanksAndCheckpointsCompletedOutOfOrder() {
        IllegalArgumentException rank = assertThrows(IllegalArgumentException.class,
                () -> written(3, 1));
        assertEquals("rank 3 reported a replica write, but the job has ranks 0..2", rank.getMessage());

        completed(2, "c2");
        for (int r = 0; r < 3; r++) {
            written(r, 2);
        }
        IllegalStateException late = assertThrows(IllegalStateException.class, () -> completed(2, "again"));
        assertEquals("checkpoint 2 completed after checkpoint 2 was committed or given up; checkpoints complete in the "
                + "order of their ids", late.getMessage());
        completed(3, "c3");
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> completed(3, "c3"));
        assertEquals("checkpoint 3 completed twice", twice.getMessage());
    }
}
