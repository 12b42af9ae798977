package io.snapline.recovery.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.snapline.recovery.io.LocalJob;
import io.snapline.runtime.checkpoint.store.FileCheckpointStore;
import io.snapline.runtime.checkpoint.store.JobFingerprint;
import io.snapline.runtime.json.JsonText;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** {@code snapline recovery-line --store DIR} on a store of local checkpoints taken with message logging. */
class LoggedStoreCommandTest {
    @TempDir
    Path dir;

    /**
     * Rank 0 checkpoints 1..3, rank 1 only 1, rank 2 1..2, under {@code --logging pessimistic}. Rank 1 received a
     * before its checkpoint 1; b (from rank 0) and c (from rank 2) were sent to it before the senders' checkpoint 2
     * and not received by its checkpoint; after that checkpoint it sent d, which rank 0 received before its
     * checkpoint 3.
     */
    private void writeStore(String logging) {
        JobFingerprint job = JobFingerprint.of("demo.Main", List.of(), "sha256:" + "ab".repeat(32), "independent",
                "logging=" + logging, 3);
        try (FileCheckpointStore store = new FileCheckpointStore(dir, job)) {
            LocalJob run = new LocalJob(3, store);
            run.deliver(0, 1);
            run.checkpoint(0);
            run.checkpoint(1);
            run.checkpoint(2);
            LocalJob.Sent b = run.send(0, 1);
            run.send(2, 1);
            run.checkpoint(0);
            run.checkpoint(2);
            run.receive(b);
            run.deliver(1, 0);
            run.checkpoint(0);
        }
    }

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    /** The stderr note of a store of 3 ranks whose newest checkpoints are [3, 1, 2], with the plan {@code plan}. */
    private static String note(String plan) {
        return "snapline: the store holds local checkpoints (independent checkpointing): rank 0 0..3, rank 1 0..1, "
                + "rank 2 0..2 (0 = the rank's start); checkpoint index i of a rank is its i-th usable one, the id "
                + "column its local number\n"
                + "snapline: these checkpoints were taken with --logging pessimistic: " + plan + " (also when "
                + "several fail at once; docs/checkpointing.md)" + (plan.startsWith("for a failure") ? "; the counts "
                + "are of the messages the dependency records in the store list (what a rank sent between its oldest "
                + "and newest checkpoint there, or since, when a receiver's later checkpoint recorded it; anything else "
                + "it sent before or since is logged too, but not counted)" : "")
                + "; a restart of the whole job (--resume, a setup that cannot be repeated alone) takes every "
                + "rank to its own newest checkpoint, [3, 1, 2], and replays its logged messages and events from "
                + "there; the recovery lines below come from the dependency records alone, as if nothing were "
                + "logged\n";
    }

    @Test
    void shouldSayWhatTheFailedRankRestoresAndGetsAgainWhenTheStoreLoggedMessages() {
        writeStore("pessimistic");

        CliRun run = run("recovery-line", "--store", dir.toString(), "--failed", "1");

        assertEquals(0, run.status(), run.err());
        assertEquals(note("for a failure of rank 1, rank 1 restores its checkpoint 1 and gets 2 message(s) again "
                + "from the senders' logs, re-executing 1 send(s) the others already hold (suppressed); the others "
                + "keep running"), run.err());
        // the report itself still comes from the dependency records alone: rank 0 would roll back for d
        assertTrue(run.out().startsWith("maximum consistent line: {rank 0:2, rank 1:1, rank 2 keeps running}"),
                run.out());
    }

    @Test
    void shouldSayWhatEachFailedRankRestoresAndGetsAgainWhenSeveralFail() {
        writeStore("pessimistic");

        CliRun run = run("recovery-line", "--store", dir.toString(), "--failed", "1,0");

        assertEquals(0, run.status(), run.err());
        assertEquals(note("for a failure of ranks [0, 1], rank 0 restores its checkpoint 3 and gets 0 message(s) "
                + "again from the senders' logs, re-executing 0 send(s) the others already hold (suppressed); rank 1 "
                + "restores its checkpoint 1 and gets 2 message(s) again from the senders' logs, re-executing 1 "
                + "send(s) the others already hold (suppressed); the others keep running"), run.err());
    }

    @Test
    void shouldPrintWhatEachRanksFailureAloneCostsWithTheLogsWhenNoFailureIsGiven() {
        writeStore("pessimistic");

        CliRun run = run("recovery-line", "--store", dir.toString());

        assertEquals(0, run.status(), run.err());
        assertEquals(note("a rank that fails restarts alone from its own newest checkpoint while the others keep "
                + "running"), run.err());
        assertTrue(run.out().startsWith("""
                what a failure of one rank would cost with the message logs (--logging pessimistic or causal): it restores its \
                own newest checkpoint and gets again what that checkpoint had not received; the other ranks keep \
                running; the counts are of the messages the dependency records in the store list (what a rank sent \
                between its oldest and newest checkpoint there, or since, when a receiver's later checkpoint recorded \
                it; anything else it sent before or since is logged too, but not counted)

                failed     restores                                 gets again     re-executed sends suppressed
                rank 0     its checkpoint 3                         0              0
                rank 1     its checkpoint 1                         2              1
                rank 2     its checkpoint 2                         0              0

                as if nothing were logged, what a failure of one rank would cost (the maximum consistent line after \
                it); --failed RANKS gives the full report of a failure, --line analyses a line of your own
                """), run.out());
    }

    @Test
    void shouldCarryTheLoggedCountsInJsonWhenTheStoreLoggedMessages() throws Exception {
        writeStore("pessimistic");

        JsonNode failed = JsonText.parse(run("recovery-line", "--store", dir.toString(), "--failed", "0,1",
                "--json").out());
        JsonNode single = JsonText.parse(run("recovery-line", "--store", dir.toString(), "--json").out());

        String rank1 = "{\"rank\": 1, \"restores\": 1, \"checkpoint\": 1, \"replays\": 2, \"fromLogs\": 2, "
                + "\"resent\": 0, \"suppressed\": 1}";
        assertEquals(JsonText.parse("[{\"rank\": 0, \"restores\": 3, \"checkpoint\": 3, \"replays\": 0, "
                + "\"fromLogs\": 0, \"resent\": 0, \"suppressed\": 0}, " + rank1 + "]"), failed.get("logged"));
        JsonNode rows = single.get("singleFailures");
        assertEquals(3, rows.size());
        assertEquals(JsonText.parse(rank1), rows.get(1).get("logged"));
        assertFalse(single.has("logged"), "no failure given: the counts are in the rows");
    }

    @Test
    void shouldSayTheCountsAreZeroWhenTheStoreKeepsOneCheckpointPerRank() {
        writeStore("pessimistic");
        try (FileCheckpointStore store = new FileCheckpointStore(dir)) {
            // as message logging leaves a store once every rank's newest checkpoint is verified
            store.writeRecoveryLine(new long[] {3, 1, 2});
            store.deleteLocal(0, 1);
            store.deleteLocal(0, 2);
            store.deleteLocal(2, 1);
        }

        CliRun run = run("recovery-line", "--store", dir.toString(), "--failed", "1");

        assertEquals(0, run.status(), run.err());
        assertTrue(run.err().contains("for a failure of rank 1, rank 1 restores its checkpoint 1 and gets 0 "
                + "message(s) again from the senders' logs, re-executing 0 send(s) the others already hold "
                + "(suppressed); the others keep running (also when several fail at once; "
                + "docs/checkpointing.md); the store keeps one checkpoint per rank, so its dependency records list no "
                + "message between checkpoints and the counts are 0; a failed rank still gets again, from the "
                + "senders' logs, whatever its checkpoint had not received; a restart of the whole job"), run.err());
    }

    @Test
    void shouldPrintNothingOfLogsWhenTheStoreDidNotLogMessages() throws Exception {
        writeStore("none");

        CliRun text = run("recovery-line", "--store", dir.toString());
        JsonNode json = JsonText.parse(run("recovery-line", "--store", dir.toString(), "--failed", "1", "--json")
                .out());
        JsonNode rows = JsonText.parse(run("recovery-line", "--store", dir.toString(), "--json").out());

        assertEquals(0, text.status(), text.err());
        assertTrue(text.out().startsWith("what a failure of one rank would cost (the maximum consistent line after "
                + "it)"), text.out());
        assertFalse(text.err().contains("--logging pessimistic"), text.err());
        assertFalse(json.has("logged"), json.toString());
        assertFalse(rows.get("singleFailures").get(1).has("logged"));
    }

    @Test
    void shouldDrawTheRestartAloneWithTheReplayedMessagesWhenTheStoreLoggedMessages() throws Exception {
        writeStore("pessimistic");
        Path svg = dir.resolve("restart.svg");

        CliRun run = run("recovery-line", "--store", dir.toString(), "--failed", "1", "--svg", svg.toString());

        assertEquals(0, run.status(), run.err());
        Document doc = DocumentBuilderFactory.newDefaultInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(Files.readAllBytes(svg)));
        assertEquals(List.of("m0.2", "m2.1"), messages(doc, "replayed"));
        assertEquals(List.of("m1.1"), messages(doc, "suppressed"));
        assertEquals(List.of("1"), attribute(doc, "rect", "restored", "data-rank"));
        assertEquals(List.of("1"), attribute(doc, "path", "failure", "data-rank"));
        // the others keep running: the line computed from the records alone (rank 0 back to 0:2) is not drawn
        assertEquals(0, doc.getElementsByTagName("polyline").getLength());
        assertTrue(legend(doc).contains("replayed from the senders' logs"), legend(doc).toString());
        assertTrue(legend(doc).get(0).contains("rank 1 restarts alone"), legend(doc).toString());
        assertTrue(legend(doc).get(0).contains("the other ranks keep running and do not roll back"),
                legend(doc).toString());
    }

    private static List<String> messages(Document doc, String kind) {
        List<String> names = new ArrayList<>();
        NodeList lines = doc.getElementsByTagName("line");
        for (int i = 0; i < lines.getLength(); i++) {
            Element e = (Element) lines.item(i);
            List<String> classes = List.of(e.getAttribute("class").split(" "));
            if (classes.contains("message") && classes.contains(kind)) {
                names.add(e.getAttribute("data-message"));
            }
        }
        return names;
    }

    /** {@code name} of each {@code tag} of class {@code cls} that has it. */
    private static List<String> attribute(Document doc, String tag, String cls, String name) {
        List<String> values = new ArrayList<>();
        NodeList nodes = doc.getElementsByTagName(tag);
        for (int i = 0; i < nodes.getLength(); i++) {
            Element e = (Element) nodes.item(i);
            if (List.of(e.getAttribute("class").split(" ")).contains(cls) && e.hasAttribute(name)) {
                values.add(e.getAttribute(name));
            }
        }
        return values;
    }

    private static List<String> legend(Document doc) {
        List<String> texts = new ArrayList<>();
        NodeList nodes = doc.getElementsByTagName("text");
        for (int i = 0; i < nodes.getLength(); i++) {
            Element e = (Element) nodes.item(i);
            if (e.getAttribute("class").equals("legend-text")) {
                texts.add(e.getTextContent());
            }
        }
        return texts;
    }
}
