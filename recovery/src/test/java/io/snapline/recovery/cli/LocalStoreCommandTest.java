package io.snapline.recovery.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.recovery.io.LocalJob;
import io.snapline.recovery.io.StoreHistory;
import io.snapline.runtime.checkpoint.store.FileCheckpointStore;
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

/** {@code snapline recovery-line --store DIR} on a store of local checkpoints. */
class LocalStoreCommandTest {
    @TempDir
    Path dir;

    /**
     * Rank 0 checkpoints 1..3, rank 1 1..2, rank 2 1..4; the messages leave the restart line at [2, 1, 3]; then
     * the line is recorded and everything below it is deleted, as the policy's garbage collection does.
     */
    private void writeStore() {
        try (FileCheckpointStore store = new FileCheckpointStore(dir)) {
            LocalJob job = new LocalJob(3, store);
            job.deliver(0, 1);
            job.checkpoint(0);
            job.checkpoint(1);
            job.checkpoint(2);
            job.deliver(2, 0);
            job.checkpoint(0);
            job.checkpoint(2);
            LocalJob.Sent y = job.send(1, 2);
            job.checkpoint(2);
            job.receive(y);
            job.checkpoint(1);
            job.send(0, 1);
            job.checkpoint(0);
            job.send(2, 0);
            job.checkpoint(2);
            store.writeRecoveryLine(new long[] {2, 1, 3});
            store.deleteLocal(0, 1);
            store.deleteLocal(2, 1);
            store.deleteLocal(2, 2);
        }
    }

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void shouldPrintTheRestartLineInLocalNumbersWhenTheStoreHoldsLocalCheckpoints() {
        writeStore();

        CliRun run = run("recovery-line", "--store", dir.toString(), "--failed", "0,1,2", "--strong");

        assertEquals(0, run.status(), run.err());
        assertEquals("""
                snapline: the store holds local checkpoints (independent checkpointing): rank 0 2..3, rank 1 1..2, \
                rank 2 3..4 (0 = the rank's start); checkpoint index i of a rank is its i-th usable one, the id \
                column its local number
                snapline: local checkpoints below [2, 1, 3] were deleted (the line the last restart or garbage \
                collection recorded)
                snapline: a restart of every rank now would use local checkpoints [2, 1, 3] (the maximum strongly \
                consistent line)
                """, run.err());
        assertTrue(run.out().startsWith("maximum strongly consistent line: {rank 0:0, rank 1:0, rank 2:0} — strongly "
                + "consistent\nfailed: rank 0, rank 1, rank 2\n"), run.out());
        // the id column names the local checkpoints the ranks restore
        assertTrue(run.out().contains("\n0     rank 0     yes     restore   rank 0:0    2            2               "),
                run.out());
        assertFalse(run.out().contains("back to the start"), "checkpoint index 0 is local checkpoint 1, 2 or 3 there");
        assertTrue(run.out().contains("\n1     rank 1     yes     restore   rank 1:0    1  "), run.out());
        assertTrue(run.out().contains("\n2     rank 2     yes     restore   rank 2:0    3  "), run.out());
    }

    @Test
    void shouldDrawTheLocalCheckpointsWhenSvgIsGiven() throws Exception {
        writeStore();
        Path svg = dir.resolve("line.svg");

        CliRun run = run("recovery-line", "--store", dir.toString(), "--failed", "0,1,2", "--strong", "--svg",
                svg.toString());

        assertEquals(0, run.status(), run.err());
        Document doc = DocumentBuilderFactory.newDefaultInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(Files.readAllBytes(svg)));
        assertEquals("svg", doc.getDocumentElement().getTagName());
        List<String> ids = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        NodeList rects = doc.getElementsByTagName("rect");
        for (int i = 0; i < rects.getLength(); i++) {
            ids.add(((Element) rects.item(i)).getAttribute("data-id"));
        }
        NodeList texts = doc.getElementsByTagName("text");
        for (int i = 0; i < texts.getLength(); i++) {
            Element t = (Element) texts.item(i);
            if (t.getAttribute("class").equals("checkpoint-label")) {
                labels.add(t.getTextContent());
            }
        }
        assertEquals(List.of("2", "3", "1", "2", "3", "4"), ids);
        assertEquals(List.of("#2", "#3", "#1", "#2", "#3", "#4"), labels);
        NodeList lines = doc.getElementsByTagName("polyline");
        assertEquals(1, lines.getLength());
        assertEquals("maximum strongly consistent line", ((Element) lines.item(0)).getAttribute("data-line"));
    }

    @Test
    void shouldReadLocalCheckpointsWhenTheStoreHasNoGlobalOnes() {
        writeStore();

        StoreHistory.Read read = StoreHistory.read(dir);

        assertEquals(List.of(), read.checkpointIds());
        assertTrue(read.local().isPresent());
        assertEquals(3, read.history().rankCount());
        assertEquals(List.of(List.of(2L, 3L), List.of(1L, 2L), List.of(3L, 4L)),
                read.local().get().read().localIndexes());
        assertEquals(List.of(2L, 1L, 3L), read.local().get().read().floors());
    }

    @Test
    void shouldNameTheDamagedFileAndSayWhyARestartWouldStartOverWhenARanksFloorIsMissing() throws Exception {
        writeStore();
        Path file = dir.resolve("local/rank-00001/ckpt-00000000000000000001.piece");
        Files.delete(file);

        CliRun run = run("recovery-line", "--store", dir.toString(), "--strong");

        assertEquals(0, run.status(), run.err());
        assertTrue(run.err().contains("snapline: warning: rank 1's local checkpoint 1: " + file + " (local checkpoint) "
                + "is missing; it is the oldest checkpoint the store keeps for rank 1 (older ones were deleted), so rank "
                + "1 cannot restart from it"), run.err());
        assertTrue(run.err().contains("snapline: a restart of every rank now would use local checkpoints [0, 0, 0] "
                + "(the maximum strongly consistent line; the beginning: it is the only consistent recovery line over "
                + "the verified local checkpoints, since 1 of them cannot be used (rank 1's local checkpoint 1: " + file
                + " (local checkpoint) is missing)"), run.err());
        assertTrue(run.out().startsWith("what a failure of one rank would cost (the maximum strongly consistent line "
                + "after it)"), run.out());
    }
}
