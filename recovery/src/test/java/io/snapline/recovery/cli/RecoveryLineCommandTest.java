package io.snapline.recovery.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.snapline.runtime.json.JsonText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecoveryLineCommandTest {
    private static final String FIGURE = Path.of("..", "docs", "recovery", "snapshot-figure.json").toString();

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    @Test
    void shouldPrintTheLineAndTheRollbacksWhenQFails() {
        CliRun run = run("recovery-line", "--history", FIGURE, "--failed", "Q");
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().startsWith("maximum consistent line: {P2, Q2, R2} — strongly consistent\nfailed: Q\n"),
            run.out());
        assertTrue(run.out().contains("\n1     Q          yes     restore   Q2          2            1               0.050"),
            run.out());
        assertTrue(run.out().contains("orphan messages (received before the line, sent after it): none"), run.out());
    }

    @Test
    void shouldClassifyProposedLinesAsJsonWhenAskedForMachines() throws Exception {
        CliRun run = run("recovery-line", "--history", FIGURE, "--line", "a=1,1,1", "--line", "c=3,2,3", "--json");
        assertEquals(0, run.status(), run.err());
        JsonNode top = JsonText.parse(run.out());
        JsonNode lines = top.get("lines");
        assertEquals("a", lines.get(0).get("name").asText());
        assertEquals("consistent", lines.get(0).get("consistency").asText());
        assertEquals("x", lines.get(0).get("inTransit").get(0).get("name").asText());
        assertEquals("inconsistent", lines.get(1).get("consistency").asText());
        assertEquals("y", lines.get(1).get("orphans").get(0).get("name").asText());
        assertEquals(JsonText.parse("[\"P\", \"Q\", \"R\"]"), top.get("history").get("ranks"));
    }

    @Test
    void shouldWriteTheDiagramWhenSvgIsGiven(@TempDir Path dir) throws Exception {
        Path svg = dir.resolve("line.svg");
        CliRun run = run("recovery-line", "--history", FIGURE, "--failed", "1", "--strong", "--svg", svg.toString());
        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().startsWith("maximum strongly consistent line: {P2, Q2, R2}"), run.out());
        String text = Files.readString(svg);
        assertTrue(text.contains("data-line=\"maximum strongly consistent line\""), text);
        assertTrue(text.contains("class=\"failure\" data-rank=\"1\""), text);
    }

    @Test
    void shouldExitTwoWithTheReasonWhenInputIsBad(@TempDir Path dir) throws Exception {
        CliRun store = run("recovery-line", "--store", dir.toString());
        assertEquals(2, store.status());
        assertTrue(store.err().contains("holds no committed checkpoint"), store.err());

        CliRun missing = run("recovery-line", "--history", dir.resolve("none.json").toString());
        assertEquals(2, missing.status());
        assertTrue(missing.err().startsWith("snapline recovery-line: cannot read history file "), missing.err());

        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"ranks\": [{\"checkpoints\": [0]}], \"messages\": [{\"from\": 0, \"to\": 4,"
            + " \"sendInterval\": 0}]}");
        CliRun invalid = run("recovery-line", "--history", broken.toString());
        assertEquals(2, invalid.status());
        assertTrue(invalid.err().contains("message 0 \"to\": rank 4 does not exist; ranks are 0..0"), invalid.err());

        CliRun failed = run("recovery-line", "--history", FIGURE, "--failed", "S");
        assertEquals(2, failed.status());
        assertTrue(failed.err().contains("--failed: \"S\" is neither a rank number nor a rank name"), failed.err());

        CliRun line = run("recovery-line", "--history", FIGURE, "--line", "1,1");
        assertEquals(2, line.status());
        assertTrue(line.err().contains("give 3 positions"), line.err());

        CliRun neither = run("recovery-line");
        assertEquals(2, neither.status());
        assertTrue(neither.err().contains("--history"), neither.err());

        CliRun both = run("recovery-line", "--history", FIGURE, "--store", dir.toString());
        assertEquals(2, both.status());
        assertTrue(both.err().contains("mutually exclusive"), both.err());
    }

    @Test
    void shouldSayWhatEachSingleFailureWouldCostWhenNoFailureIsGiven() {
        CliRun run = run("recovery-line", "--history", FIGURE);

        assertEquals(0, run.status(), run.err());
        assertEquals("""
            what a failure of one rank would cost (the maximum consistent line after it); --failed RANKS gives the \
            full report of a failure, --line analyses a line of your own

            failed     restores (every other rank keeps running)  intervals lost, by rank  lost work (s)
            P          P3                                         1, 0, 0                  0.020
            Q          P2, Q2, R2                                 2, 1, 2                  0.135
            R          R3                                         0, 0, 1                  0.015

            """, run.out());
    }

    /** Rank P sends {@code n} messages before Q's checkpoint 1 that Q receives after its last checkpoint. */
    private static Path crossing(Path dir, int n) throws Exception {
        StringBuilder messages = new StringBuilder();
        for (int i = 0; i < n; i++) {
            messages.append(i == 0 ? "" : ", ").append("{\"from\": \"P\", \"to\": \"Q\", \"sendTime\": ")
                .append(1 + i % 8).append(", \"receiveTime\": ").append(11 + i % 8).append("}");
        }
        Path file = dir.resolve("crossing.json");
        Files.writeString(file, "{\"format\": \"snapline-history/1\", \"timeUnit\": \"ms\", \"ranks\": ["
            + "{\"name\": \"P\", \"checkpoints\": [0, 20], \"end\": 30}, {\"name\": \"Q\", \"checkpoints\": "
            + "[0, 10], \"end\": 30}], \"messages\": [" + messages + "]}");
        return file;
    }

    @Test
    void shouldListTenMessagesAndCountTheRestWhenALineCrossesMany(@TempDir Path dir) throws Exception {
        Path history = crossing(dir, 500);

        CliRun run = run("recovery-line", "--history", history.toString(), "--failed", "Q");

        assertEquals(0, run.status(), run.err());
        assertTrue(run.out().contains("in-transit messages to replay (sent before the line, received after it or "
            + "never): 500\n"), run.out());
        assertTrue(run.out().contains("\n  ... and 490 more; by channel: P -> Q: 490 (--all lists every message)\n"),
            run.out());
        assertTrue(run.out().split("\n").length < 40, run.out().split("\n").length + " lines");

        CliRun all = run("recovery-line", "--history", history.toString(), "--failed", "Q", "--all");
        assertTrue(all.out().split("\n").length > 500, "--all lists every message");

        JsonNode json = JsonText.parse(run("recovery-line", "--history", history.toString(), "--failed", "Q",
            "--json").out());
        JsonNode line = json.get("lines").get(0);
        assertEquals(500, line.get("replayCount").asInt());
        assertEquals(500, line.get("replay").size(), "JSON lists up to 1000 messages");
    }
}
