package io.snapline.recovery.io;

import io.snapline.recovery.RecoveryException;
import io.snapline.recovery.model.History;
import io.snapline.recovery.model.HistoryBuilder;
import io.snapline.recovery.model.Message;
import io.snapline.runtime.json.JsonText;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HistoryJsonTest {
    private static final long MS = 1_000_000L;

    @Test
    void shouldReadTheDocumentedFigureWhenIntervalsComeFromTimes() {
        History figure = HistoryJson.read(Path.of("..", "docs", "recovery", "snapshot-figure.json"));
        History built = new HistoryBuilder("P", "Q", "R")
            .send(0, "x", 1, 10 * MS).checkpoint(1, 15 * MS).checkpoint(2, 15 * MS).checkpoint(0, 20 * MS)
            .receive(1, "x", 30 * MS).checkpoint(1, 40 * MS).checkpoint(2, 45 * MS).checkpoint(0, 50 * MS)
            .send(2, "z", 0, 55 * MS).send(1, "y", 2, 60 * MS).receive(0, "z", 60 * MS).receive(2, "y", 65 * MS)
            .checkpoint(0, 70 * MS).checkpoint(2, 75 * MS).end(0, 90 * MS).end(1, 90 * MS).end(2, 90 * MS)
            .build();
        assertEquals(built.ranks(), figure.ranks());
        assertEquals(byName(built.messages()), byName(figure.messages()));
    }

    @Test
    void shouldRoundTripWhenWritingAndReadingAHistory() {
        History history = HistoryJson.parse("""
            {"ranks": [{"checkpoints": [0, {"time": 5, "id": 42}]}, {"name": "Q", "checkpoints": [1]}],
             "messages": [{"from": 0, "to": "Q", "sendInterval": 1},
                          {"from": 1, "to": 0, "sendInterval": 0, "receiveInterval": 1, "seq": 9, "name": "q\\"1"}]}
            """);
        assertEquals("r0", history.rank(0).name());
        assertEquals(42, history.rank(0).checkpoint(1).id());
        assertEquals(5, history.rank(0).endTimeNanos());      // no end: its latest checkpoint
        assertFalse(history.messages().get(0).received());
        assertEquals(0, history.messages().get(0).seq());
        assertEquals(new Message(1, 0, 0, 1, 9, Message.NO_TIME, Message.NO_TIME, "q\"1"), history.messages().get(1));
        assertEquals(history, HistoryJson.parse(HistoryJson.write(history)));
    }

    @Test
    void shouldNameTheProblemWhenTheFileIsMalformed() {
        assertEquals("JSON syntax error at line 2, column 11: Unexpected close marker '}': expected ']'",
            error("{\"ranks\": [\n {\"x\": 1} }"));
        assertEquals("JSON syntax error at line 1, column 22: Duplicate field 'ranks'",
            error("{\"ranks\": [], \"ranks\": []}"));
        String after = error("{\"ranks\": []} {}");
        assertTrue(after.startsWith("JSON syntax error at line 1, column ") && after.contains("Trailing token"), after);
        assertEquals("the history: expected a JSON object, found nothing", error(""));
        assertEquals("rank 0: unknown member \"checkpoint\"; known members are [checkpoints, end, name]",
            error("{\"ranks\": [{\"checkpoint\": [0]}]}"));
        assertEquals("message 0: give \"sendInterval\" or \"sendTime\" to place the send",
            error("{\"ranks\": [{\"checkpoints\": [0]}], \"messages\": [{\"from\": 0, \"to\": 0}]}"));
        assertEquals("message 0 \"to\": no rank is named \"Z\"; ranks are [P]",
            error("{\"ranks\": [{\"name\": \"P\", \"checkpoints\": [0]}], \"messages\": [{\"from\": 0, \"to\": \"Z\","
                + " \"sendInterval\": 0}]}"));
        assertEquals("timeUnit \"h\" is not one of ns, us, ms, s", error("{\"timeUnit\": \"h\", \"ranks\": []}"));
        assertEquals("a history needs at least one rank", error("{\"ranks\": []}"));
        assertTrue(error("{\"ranks\": [{\"checkpoints\": [0]}], \"messages\": [{\"from\": 0, \"to\": 0,"
            + " \"sendInterval\": 3}]}").contains("send interval 3 does not exist on rank 0"));
    }

    /** A history as the writer before Jackson wrote it (every checkpoint list and object spread over lines). */
    private static final String EARLIER = """
        {
          "format": "snapline-history/1",
          "timeUnit": "ns",
          "ranks": [
            {
              "name": "P",
              "checkpoints": [
                0,
                {
                  "time": 5,
                  "id": 42
                }
              ],
              "end": 90
            },
            {
              "name": "Q \\"2\\"",
              "checkpoints": [1, 30],
              "end": 30
            }
          ],
          "messages": [
            {
              "from": 0,
              "to": 1,
              "sendInterval": 1,
              "seq": 0
            },
            {
              "name": "q\\\\1",
              "from": 1,
              "to": 0,
              "sendInterval": 0,
              "receiveInterval": 1,
              "seq": 9,
              "sendTime": 10,
              "receiveTime": 20
            }
          ]
        }
        """;

    @Test
    void shouldReadAHistoryWrittenByEarlierBuildsAndWriteTheSameMembersBack() throws Exception {
        History history = HistoryJson.parse(EARLIER);
        assertEquals("Q \"2\"", history.rank(1).name());
        assertEquals(42, history.rank(0).checkpoint(1).id());
        assertEquals(90, history.rank(0).endTimeNanos());
        assertFalse(history.messages().get(0).received());
        assertEquals(new Message(1, 0, 0, 1, 9, 10, 20, "q\\1"), history.messages().get(1));

        String written = HistoryJson.write(history);
        assertEquals(JsonText.parse(EARLIER), JsonText.parse(written));
        assertEquals(history, HistoryJson.parse(written));
        assertTrue(written.startsWith("{\n  \"format\": \"snapline-history/1\",\n  \"timeUnit\": \"ns\",\n"), written);
        assertTrue(written.contains("      \"checkpoints\": [1, 30],\n"), "lists of numbers on one line: " + written);
    }

    private static String error(String json) {
        return assertThrows(RecoveryException.class, () -> HistoryJson.parse(json)).getMessage();
    }

    /** Messages in a canonical order, since the file lists them differently from the builder. */
    private static List<Message> byName(List<Message> messages) {
        return messages.stream().sorted(java.util.Comparator.comparing(Message::label)).toList();
    }
}
