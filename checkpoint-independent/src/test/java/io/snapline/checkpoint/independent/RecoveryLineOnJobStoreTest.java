package io.snapline.checkpoint.independent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.recovery.cli.SnaplineCli;
import io.snapline.runtime.checkpoint.store.FileCheckpointStore;
import io.snapline.runtime.testing.MpiRun;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import picocli.CommandLine;

/**
 * {@code snapline recovery-line --store DIR} on the store of a real {@code independent} job that died (no restart
 * left): it prints the line a restart would use and the line below which checkpoints were deleted, and draws the
 * space-time diagram.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RecoveryLineOnJobStoreTest {
    @TempDir
    Path tmp;

    private record Run(int status, String out, String err) {
    }

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = SnaplineCli.commandLine();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int status = cli.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void shouldPrintTheLineAndDrawTheDiagramOfAJobsLocalCheckpoints() throws Exception {
        Path store = tmp.resolve("store");
        MpiRun.Outcome job = MpiRun.run(4, List.of("--checkpoint", "independent", "--logging", "none", "--every", "10",
                "--store",
                store.toString(), "--max-restarts", "1", "--inject-failure", "rank=0,point=35",
                "--inject-failure", "rank=2,point=130"), IndependentRestartTest.Pairs.class, "60", "3", "1");
        // The pairs (0, 1) and (2, 3) never talk to each other, so either failure may strike first: that one
        // restarts the job, the other one ends it. Or both strike in the same attempt, and one restart cures both.
        if (job.err().contains("ranks 0 and 2 failed")) {
            assertEquals(0, job.result().exitCode(), job.err());
        } else {
            assertEquals(1, job.result().exitCode(), job.err());
            assertTrue(Pattern.compile("rank (0|2) failed \\(killed: injected failure at safe point (35|130)\\); "
                    + "not restarting: the job has used all 1 restart\\(s\\)").matcher(job.err()).find(), job.err());
        }
        Matcher used = Pattern.compile("restarting all 4 ranks from recovery line \\[([0-9, ]+)\\]").matcher(job.err());
        assertTrue(used.find(), job.err());

        Path svg = tmp.resolve("line.svg");
        Run run = cli("recovery-line", "--store", store.toString(), "--failed", "0,1,2,3", "--strong", "--svg",
                svg.toString());

        assertEquals(0, run.status(), run.err());
        // The restart recorded its line; garbage collection after it recorded later ones, below which it deleted.
        Matcher floor = Pattern.compile("local checkpoints below \\[([0-9, ]+)\\] were deleted").matcher(run.err());
        assertTrue(floor.find(), run.err());
        String[] restart = used.group(1).split(", ");
        String[] deleted = floor.group(1).split(", ");
        for (int r = 0; r < 4; r++) {
            assertTrue(Long.parseLong(deleted[r]) >= Long.parseLong(restart[r]), run.err());
        }
        Matcher now = Pattern.compile("a restart of every rank now would use local checkpoints \\[(\\d+), (\\d+), "
                + "(\\d+), (\\d+)\\]").matcher(run.err());
        assertTrue(now.find(), run.err());
        // A pair's checkpoints need not share an index (a restart continues each rank's own numbering), but ranks 2
        // and 3, with three safe points per step, have taken many more than ranks 0 and 1, with one.
        for (int r = 3; r <= 4; r++) {
            assertTrue(Long.parseLong(now.group(r)) > Long.parseLong(now.group(r - 2)) + 3, run.err());
        }
        assertTrue(run.out().contains("orphan messages (received before the line, sent after it): none"), run.out());
        assertTrue(run.out().contains("maximum strongly consistent line"), run.out());
        assertTrue(run.out().contains("in-transit messages to replay (sent before the line, received after it or "
                + "never): none"), run.out());

        Document doc = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(svg.toFile());
        assertEquals("svg", doc.getDocumentElement().getTagName());
        String text = Files.readString(svg);
        for (int r = 0; r < 4; r++) {
            assertTrue(text.contains(">rank " + r + "<"), "a timeline for rank " + r);
        }
        assertTrue(text.contains("data-id=\"" + now.group(3) + "\""), "rank 2's checkpoint on the line is drawn");
    }

    @Test
    void shouldSayThatARestartOfALoggedJobTakesEveryRankToItsNewestCheckpoint() throws Exception {
        Path store = tmp.resolve("logged");
        MpiRun.Outcome job = MpiRun.run(4, List.of("--checkpoint", "independent", "--logging", "pessimistic",
                "--every", "10", "--store", store.toString()), IndependentRestartTest.Pairs.class, "60", "3", "0");
        assertEquals(0, job.result().exitCode(), job.err());
        long[] newest = new long[4];
        try (FileCheckpointStore s = new FileCheckpointStore(store)) {
            for (int r = 0; r < 4; r++) {
                List<Long> kept = s.localIndexes(r);
                assertEquals(1, kept.size(), "one checkpoint per rank: " + kept);
                newest[r] = kept.get(0);
            }
        }

        Run run = cli("recovery-line", "--store", store.toString());

        assertEquals(0, run.status(), run.err());
        assertTrue(run.err().contains("these checkpoints were taken with --logging pessimistic: a rank that fails "
                + "restarts alone from its own newest checkpoint while the others keep running"), run.err());
        assertTrue(run.err().contains("a restart of the whole job (--resume, a setup that cannot be repeated "
                + "alone) takes every rank to its own newest checkpoint, " + java.util.Arrays.toString(newest)
                + ", and replays"), run.err());
        assertTrue(!run.err().contains("a restart of every rank now would use"), run.err());

        Run plan = cli("recovery-line", "--store", store.toString(), "--failed", "2");
        assertEquals(0, plan.status(), plan.err());
        // the store keeps one checkpoint per rank, whose records list no message between checkpoints: nothing to count
        assertTrue(plan.err().contains("for a failure of rank 2, rank 2 restores its checkpoint " + newest[2]
                + " and gets 0 message(s) again from the senders' logs, re-executing 0 send(s) the others already "
                + "hold (suppressed); the others keep running (also when several fail at once; "
                + "docs/checkpointing.md); the store keeps one checkpoint per rank, so its dependency records list no "
                + "message between checkpoints and the counts are 0"), plan.err());
    }
}
