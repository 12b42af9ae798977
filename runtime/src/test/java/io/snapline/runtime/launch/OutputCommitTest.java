package io.snapline.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.checkpoint.RestartPoint;
import io.snapline.runtime.checkpoint.RestoreFrom;
import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.Manifest;
import io.snapline.runtime.checkpoint.store.PieceRef;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class OutputCommitTest {
    private final ByteArrayOutputStream shown = new ByteArrayOutputStream();
    private final List<String> warnings = new ArrayList<>();
    private OutputCommit commit = new OutputCommit(new PrintStream(shown, true, StandardCharsets.UTF_8), 2,
            warnings::add);

    private String shown() {
        return shown.toString(StandardCharsets.UTF_8);
    }

    private static final byte[] NO_PREFIX = new byte[0];

    /** Rank {@code rank} prints {@code text} (whole lines) in attempt {@code attempt}. */
    private void print(int attempt, int rank, String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        commit.line(attempt, rank, NO_PREFIX, b, b.length);
    }

    /** Both ranks capture checkpoint {@code id} in attempt 1 after printing these many bytes, and it commits. */
    private void checkpointCommits(long id, long rank0, long rank1) {
        commit.mark(1, 0, id, rank0);
        commit.mark(1, 1, id, rank1);
        commit.committed(id);
    }

    private static RestartPoint checkpoint(long id, int ranks) {
        List<PieceRef> pieces = new ArrayList<>();
        for (int r = 0; r < ranks; r++) {
            pieces.add(new PieceRef(r, "rank-" + r + ".piece", 1024, 0));
        }
        return RestartPoint.global(new Manifest(CheckpointId.of(id), ranks, pieces));
    }

    @Test
    void shouldHoldLinesUntilTheCheckpointAfterThemCommitsAndKeepTheirOrder() {
        commit.startAttempt(1, RestartPoint.fresh(2));
        print(1, 0, "a0\n");
        print(1, 1, "a1\n");
        commit.mark(1, 0, 1, 3);
        print(1, 0, "b0\n"); // after rank 0's capture
        commit.mark(1, 1, 1, 3);
        assertEquals("", shown());

        commit.committed(1);

        assertEquals("a0\na1\n", shown());
        commit.releaseAll();
        assertEquals("a0\na1\nb0\n", shown());
    }

    @Test
    void shouldDropWhatARestartTakesBackAndWhatTheRestoredSetupCodePrintsAgain() {
        commit.startAttempt(1, RestartPoint.fresh(2));
        print(1, 0, "banner\n");
        print(1, 0, "step 1\n");
        checkpointCommits(1, 14, 0);
        print(1, 0, "step 2\n"); // after checkpoint 1: the failure takes it back
        print(1, 0, "result\n");
        assertEquals("banner\nstep 1\n", shown());

        commit.startAttempt(2, checkpoint(1, 2));
        print(2, 0, "banner\n"); // setup code, run again before the state is back
        commit.resumed(2, 0, 7);
        commit.resumed(2, 1, 0);
        print(2, 0, "step 2\n");
        print(2, 0, "result\n");
        commit.releaseAll();

        assertEquals("banner\nstep 1\nstep 2\nresult\n", shown());
        assertTrue(warnings.isEmpty(), warnings.toString());
    }

    @Test
    void shouldPlaceLinesThatComeBeforeTheRestoredProgramSaysWhereItResumed() {
        commit.startAttempt(1, RestartPoint.fresh(2));
        print(1, 0, "banner\n");
        checkpointCommits(1, 7, 0);
        commit.startAttempt(2, checkpoint(1, 2));
        print(2, 0, "banner\n");
        print(2, 0, "after\n"); // on tcp the pipe may be ahead of the control channel
        commit.resumed(2, 0, 7);
        commit.releaseAll();

        assertEquals("banner\nafter\n", shown());
    }

    @Test
    void shouldNotShowAgainWhatWasShownBeforeARestartWentBackPastIt() {
        commit.startAttempt(1, RestartPoint.fresh(2));
        print(1, 0, "one\n");
        print(1, 0, "two\n");
        checkpointCommits(5, 8, 0);
        assertEquals("one\ntwo\n", shown());

        // Checkpoint 5 turned out damaged: the restart falls back to the beginning.
        commit.startAttempt(2, RestartPoint.fresh(2));
        print(2, 0, "one\n");
        print(2, 0, "two\n");
        print(2, 0, "three\n");
        commit.releaseAll();

        assertEquals("one\ntwo\nthree\n", shown());
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).contains("rank 0 goes back to the beginning"), warnings.toString());
    }

    @Test
    void shouldKeepThePartOfALinePrintedBeforeTheCheckpointThatCutsIt() {
        commit.startAttempt(1, RestartPoint.fresh(2));
        checkpointCommits(1, 4, 0); // the rank had printed "sum " when it checkpointed
        print(1, 0, "sum 41\n");
        commit.startAttempt(2, checkpoint(1, 2));
        commit.resumed(2, 0, 0);
        print(2, 0, "42\n");
        commit.releaseAll();

        assertEquals("sum 42\n", shown());
    }

    @Test
    void shouldReleaseALocalCheckpointsOutputWhenTheRecoveryLineReachesIt() {
        commit.startAttempt(1, RestartPoint.fresh(2));
        print(1, 0, "x\n");
        commit.mark(1, 0, 1, 2);
        print(1, 1, "y\n");
        commit.mark(1, 1, 1, 2);
        print(1, 1, "z\n");

        commit.localLine(new long[] {1, 0});
        assertEquals("x\n", shown());
        commit.localLine(new long[] {1, 1});
        assertEquals("x\ny\n", shown());
    }

    @Test
    void shouldShowOutputBeyondTheLimitWithAWarningAndNotShowItAgainAfterARestart() {
        commit = new OutputCommit(new PrintStream(shown, true, StandardCharsets.UTF_8), 1, 8, warnings::add);
        commit.startAttempt(1, RestartPoint.fresh(1));
        print(1, 0, "12345\n");
        print(1, 0, "67890\n");
        assertEquals("12345\n", shown());
        assertEquals(1, warnings.size());

        commit.startAttempt(2, RestartPoint.fresh(1));
        print(2, 0, "12345\n");
        print(2, 0, "67890\n");
        commit.releaseAll();

        assertEquals("12345\n67890\n", shown());
    }

    @Test
    void shouldCommitAMarkThatComesAfterItsCheckpointCommitted() {
        commit.startAttempt(1, RestartPoint.fresh(2));
        print(1, 1, "y\n");
        commit.mark(1, 0, 3, 0);
        commit.committed(3);
        commit.mark(1, 1, 3, 2);

        assertEquals("y\n", shown());
    }

    @Test
    void shouldShowWithAWarningTheLinesOfARestoredRankThatNeverTookItsStateBack() {
        commit.startAttempt(1, RestartPoint.fresh(2));
        checkpointCommits(1, 0, 0);
        commit.startAttempt(2, checkpoint(1, 2));
        print(2, 1, "ended early\n");
        commit.resumed(2, 0, 0);
        commit.releaseAll();

        assertEquals("ended early\n", shown());
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("rank 1 ended without taking back"), warnings.toString());
    }

    @Test
    void shouldWriteLinesStraightThroughOnceTheJobIsOver() {
        commit.startAttempt(1, RestartPoint.fresh(2));
        print(1, 0, "held\n");
        commit.releaseAll();
        print(1, 1, "late\n");

        assertEquals("held\nlate\n", shown());
    }

    @Test
    void shouldShowALateCommittedLineOfTheAttemptBeforeAndDropItsLateUncommittedOnes() {
        commit.startAttempt(1, RestartPoint.fresh(2));
        checkpointCommits(1, 7, 0); // "before\n" was printed before the capture, but its pipe is slow
        commit.startAttempt(2, checkpoint(1, 2));
        print(1, 0, "before\n");
        print(1, 0, "after\n");
        commit.resumed(2, 0, 0);
        print(2, 0, "again\n");
        commit.releaseAll();

        assertEquals("before\nagain\n", shown());
    }

    @Test
    void shouldKeepALineCutByACheckpointWholeBetweenOtherRanksLines() {
        byte[] tag0 = "[0] ".getBytes(StandardCharsets.UTF_8);
        byte[] tag1 = "[1] ".getBytes(StandardCharsets.UTF_8);
        commit.startAttempt(1, RestartPoint.fresh(2));
        commit.mark(1, 0, 1, 4); // rank 0 had printed "sum " (on tcp its pipe has it already)
        commit.mark(1, 1, 1, 4);
        byte[] one = "one\n".getBytes(StandardCharsets.UTF_8);
        commit.line(1, 1, tag1, one, one.length);
        byte[] cut = "sum 41\n".getBytes(StandardCharsets.UTF_8);
        commit.line(1, 0, tag0, cut, cut.length);
        commit.committed(1);
        commit.startAttempt(2, checkpoint(1, 2));
        commit.resumed(2, 0, 0);
        commit.resumed(2, 1, 0);
        byte[] two = "two\n".getBytes(StandardCharsets.UTF_8);
        commit.line(2, 1, tag1, two, two.length);
        byte[] rest = "42\n".getBytes(StandardCharsets.UTF_8);
        commit.line(2, 0, tag0, rest, rest.length);
        commit.releaseAll();

        assertEquals("[1] one\n[1] two\n[0] sum 42\n", shown());
    }

    @Test
    void shouldTakeOutTheNewlineAddedToAKilledRanksUnfinishedLineWhenItsRestartContinuesIt() {
        commit.startAttempt(1, RestartPoint.fresh(2));
        byte[] unfinished = "x = \n".getBytes(StandardCharsets.UTF_8); // the launcher ended it when the rank died
        commit.line(1, 0, NO_PREFIX, unfinished, 4);
        checkpointCommits(1, 4, 0);
        commit.startAttempt(2, checkpoint(1, 2));
        commit.resumed(2, 0, 0);
        print(2, 0, "7\n");
        commit.releaseAll();

        assertEquals("x = 7\n", shown());
    }

    @Test
    void shouldShowOnlyCommittedOutputWhenTheJobEndsResumableAndCountTheRest() {
        commit.startAttempt(1, RestartPoint.fresh(2));
        print(1, 0, "uncommitted\n");
        print(1, 1, "committed\n");
        checkpointCommits(1, 0, 10);
        assertEquals("", shown()); // rank 0's older line comes first

        long withheld = commit.releaseCommitted(null);
        print(1, 0, "later\n");

        assertEquals("committed\n", shown());
        assertEquals("uncommitted\n".length(), withheld);
    }

    @Test
    void shouldShowTheCoveredStartOfALineWhenTheJobEndsResumableAndCountOnlyItsRest() {
        commit.startAttempt(1, RestartPoint.fresh(2));
        print(1, 0, "x = 42\n");
        checkpointCommits(1, 4, 0);

        long withheld = commit.releaseCommitted(null);

        assertEquals("x = \n", shown());
        assertEquals(3, withheld);
    }

    @Test
    void shouldCoverWhatTheResumeWillRestoreWhenTheJobEndsResumable() {
        commit.startAttempt(1, RestartPoint.fresh(2));
        print(1, 0, "a\n");
        print(1, 0, "b\n");
        commit.mark(1, 0, 3, 2);
        commit.mark(1, 1, 3, 0);
        // The recovery line was not recorded yet when the job gave up; a resume restores checkpoint 3.

        long withheld = commit.releaseCommitted(checkpoint(3, 2));

        assertEquals("a\n", shown());
        assertEquals(2, withheld);
    }

    @Test
    void shouldTakeBackOnlyTheOutputOfARankRestartedAloneAndDropWhatItsSetupPrintsAgain() {
        commit.startAttempt(1, RestartPoint.fresh(2));
        print(1, 0, "r0 setup\n");
        print(1, 1, "r1 setup\n");
        print(1, 0, "r0 step 1\n");
        print(1, 1, "r1 step 1\n");
        commit.mark(1, 0, 1, 19);
        commit.mark(1, 1, 1, 19);
        print(1, 0, "r0 step 2\n");
        print(1, 1, "r1 step 2\n"); // rank 1 dies after this: its restart takes it back
        commit.localLine(new long[] {1, 1});
        assertEquals("r0 setup\nr1 setup\nr0 step 1\nr1 step 1\n", shown());

        commit.restartRank(1, 1, RestoreFrom.local(1));
        print(1, 1, "r1 setup\n"); // its setup code, run again before its state is back
        commit.resumed(1, 1, 9);
        print(1, 1, "r1 step 2\n");
        print(1, 0, "r0 step 3\n");
        print(1, 1, "r1 step 3\n");
        commit.releaseAll();

        assertEquals("r0 setup\nr1 setup\nr0 step 1\nr1 step 1\nr0 step 2\nr1 step 2\nr0 step 3\nr1 step 3\n",
                shown(), "each line once; rank 0's, which did not restart, all kept");
        assertTrue(warnings.isEmpty(), warnings.toString());
    }
}
