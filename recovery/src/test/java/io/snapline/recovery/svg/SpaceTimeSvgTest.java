package io.snapline.recovery.svg;

import io.snapline.recovery.LoggedRecovery;
import io.snapline.recovery.RecoveryAnalyzer;
import io.snapline.recovery.RecoveryLine;
import io.snapline.recovery.model.Checkpoint;
import io.snapline.recovery.model.History;
import io.snapline.recovery.model.HistoryBuilder;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SpaceTimeSvgTest {
    private static final String SVG = "http://www.w3.org/2000/svg";

    @Test
    void shouldDrawTimelinesCheckpointsMessagesAndLinesWhenRenderingTheFigure() throws Exception {
        History figure = new HistoryBuilder("P", "Q", "R")
            .send(0, "x", 1, 10).checkpoint(1, 15).checkpoint(2, 15).checkpoint(0, 20).receive(1, "x", 30)
            .checkpoint(1, 40).checkpoint(2, 45).checkpoint(0, 50).send(2, "z", 0, 55).send(1, "y", 2, 60)
            .receive(0, "z", 60).receive(2, "y", 65).checkpoint(0, 70).checkpoint(2, 75)
            .end(0, 90).end(1, 90).end(2, 90).build();
        String svg = SpaceTimeSvg.of(figure).failed(1)
            .line("a", RecoveryLine.of(1, 1, 1)).line("b", RecoveryLine.of(2, 2, 2)).line("c", RecoveryLine.of(3, 2, 3))
            .render();

        Document doc = parse(svg);
        assertEquals("svg", doc.getDocumentElement().getLocalName());
        assertEquals(3, byClass(doc, "line", "timeline").size());
        assertEquals(11, byClass(doc, "rect", "checkpoint").size());
        assertEquals(List.of("x"), attribute(byClass(doc, "line", "in-transit"), "data-message"));
        assertEquals(List.of("y"), attribute(byClass(doc, "line", "orphan"), "data-message"));
        assertEquals(List.of("x", "z", "y"), attribute(byClass(doc, "line", "message"), "data-message"));
        assertEquals(List.of("a", "b", "c"), attribute(byClass(doc, "polyline", "recovery-line"), "data-line"));
        assertEquals(List.of("1"), attribute(byClass(doc, "path", "failure"), "data-rank"));
        // Line b passes through P2 (t=50 of 0..90 on a 720-wide plot), Q2 (t=40) and R2 (t=45).
        double left = Double.parseDouble(byClass(doc, "line", "timeline").get(0).getAttribute("x1"));
        assertEquals(String.format(java.util.Locale.ROOT, "%.1f,64 %.1f,90 %.1f,170 %.1f,250 %.1f,276", left + 400,
            left + 400, left + 320, left + 360, left + 360),
            byClass(doc, "polyline", "recovery-line").get(1).getAttribute("points"));
        assertEquals(List.of("P", "Q", "R"), text(byClass(doc, "text", "rank-label")));
    }

    @Test
    void shouldGreyOutUselessCheckpointsAndEscapeLabelsWhenTheHistoryHasZCycles() throws Exception {
        History history = new HistoryBuilder("P<1>", "Q&")
            .send(1, "m\"2", 0, 1).receive(0, "m\"2", 2).checkpoint(0, 3).send(0, "m1", 1, 4).receive(1, "m1", 5)
            .send(0, "lost", 1, 6).build();
        RecoveryAnalyzer analyzer = new RecoveryAnalyzer(history);
        Document doc = parse(SpaceTimeSvg.of(history).useless(analyzer.uselessCheckpoints()).render());
        assertEquals(List.of("P<1>1"), attribute(byClass(doc, "rect", "useless"), "data-checkpoint"));
        assertEquals(List.of("lost"), attribute(byClass(doc, "line", "unreceived"), "data-message"));
        assertEquals(List.of("P<1>", "Q&"), text(byClass(doc, "text", "rank-label")));
        assertEquals(List.of("m\"2", "m1", "lost"), text(byClass(doc, "text", "message-label")));
        String lost = title(byClass(doc, "line", "unreceived").get(0));
        assertTrue(lost.startsWith("lost: P<1> (interval 1) to Q& (not received), seq "), lost);
        assertEquals(0, byClass(doc, "polyline", "recovery-line").size());
    }

    /**
     * P and Q fail and restart alone under message logging, R keeps running: Q gets "logged" again from P's
     * restored log and "fromR" from R's, and "resent" from P's re-execution (P's checkpoint is before the send, Q's
     * before the receive); P's re-executed sends "held" (Q's checkpoint holds it) and "toR" are suppressed.
     */
    private static History loggedHistory() {
        return new HistoryBuilder("P", "Q", "R")
            .send(0, "logged", 1, 5).checkpoint(0, 10)
            .send(0, "held", 1, 20).receive(1, "held", 25).checkpoint(1, 30).receive(1, "logged", 35)
            .send(0, "resent", 1, 40).receive(1, "resent", 45)
            .send(0, "toR", 2, 42).receive(2, "toR", 43)
            .send(2, "fromR", 1, 44).receive(1, "fromR", 46)
            .end(0, 50).end(1, 50).end(2, 50).build();
    }

    @Test
    void shouldDrawWhatTheFailedRanksGetAgainWithALegendWhenMessagesAreLogged() throws Exception {
        History history = loggedHistory();
        List<LoggedRecovery.Restart> restarts = LoggedRecovery.plan(history, LoggedRecovery.newest(history, 0, 1));

        String svg = SpaceTimeSvg.of(history).failed(0, 1).logged(restarts).render();

        Document doc = parse(svg);
        assertReadable(doc);
        assertEquals(List.of("logged", "fromR"), attribute(messages(doc, "replayed"), "data-message"));
        assertEquals(List.of("resent"), attribute(messages(doc, "resent"), "data-message"));
        assertEquals(List.of("held", "toR"), attribute(messages(doc, "suppressed"), "data-message"));
        for (Element replayed : messages(doc, "replayed")) {
            assertEquals("url(#arrow-replayed)", replayed.getAttribute("marker-end"));
            assertTrue(title(replayed).endsWith("; the restarted receiver gets it again from the sender's log"),
                title(replayed));
        }
        assertTrue(svg.contains(".message.replayed, .legend-sample.replayed { stroke: #e377c2; stroke-width: 2; "
            + "stroke-dasharray: 7 4; }"), "replayed messages are dashed in their own colour");
        List<Element> restored = byClass(doc, "rect", "restored").stream().filter(e -> e.hasAttribute("data-rank"))
            .toList();
        assertEquals(List.of("0", "1"), attribute(restored, "data-rank"));
        assertEquals(List.of("P1", "Q1"), attribute(restored, "data-checkpoint"));
        assertEquals(0, byClass(doc, "polyline", "recovery-line").size(), "nobody rolls back along a line");
        assertEquals(List.of(
            "with message logging, P and Q restart alone, each from a checkpoint of its own; the other ranks keep "
                + "running and do not roll back",
            "replayed from the senders' logs",
            "sent again by a failed sender as it re-executes",
            "re-executed send the receiver already holds (suppressed)",
            "the checkpoint a failed rank restores"), text(byClass(doc, "text", "legend-text")));
        assertEquals(4, byClass(doc, "g", "legend").get(0).getElementsByTagNameNS(SVG, "line").getLength()
            + byClass(doc, "g", "legend").get(0).getElementsByTagNameNS(SVG, "rect").getLength());
    }

    @Test
    void shouldGroupTheReplayedMessagesApartWhenArrowsStandForGroups() throws Exception {
        History dense = random(6, 40, 250, 3);
        // rank 2 restores a checkpoint half way, so that it gets many messages again
        LoggedRecovery.Restart restart = LoggedRecovery.plan(dense, RecoveryLine.of(-1, -1, 5, -1, -1, -1)).get(0);

        Document doc = parse(SpaceTimeSvg.of(dense).failed(2).logged(List.of(restart)).maxArrows(40).render());

        assertReadable(doc);
        int replayed = 0;
        for (Element arrow : byClass(doc, "line", "replayed")) {
            replayed += arrow.hasAttribute("data-count") ? Integer.parseInt(arrow.getAttribute("data-count"))
                : arrow.hasAttribute("data-message") ? 1 : 0;
        }
        assertTrue(restart.replays() > 20, "rank 2 gets " + restart.replays() + " messages again");
        assertFalse(byClass(doc, "line", "aggregate").isEmpty(), "arrows stand for groups");
        assertEquals(restart.replays(), replayed);
    }

    @Test
    void shouldDrawTheLoggedKindsOverTheLinesKindsWhenBothAreDrawn() throws Exception {
        History history = loggedHistory();
        List<LoggedRecovery.Restart> restarts = LoggedRecovery.plan(history, LoggedRecovery.newest(history, 1));

        // the line {P keeps running, Q1, R keeps running} makes "logged" and "fromR" in transit, "resent" too
        Document doc = parse(SpaceTimeSvg.of(history).failed(1).line("a", RecoveryLine.of(-1, 1, -1))
            .logged(restarts).render());

        assertEquals(List.of("logged", "resent", "fromR"), attribute(messages(doc, "replayed"), "data-message"));
        assertEquals(List.of(), byClass(doc, "line", "in-transit"));
        assertEquals(List.of("a"), attribute(byClass(doc, "polyline", "recovery-line"), "data-line"));
    }

    @Test
    void shouldDrawNothingOfLogsWhenNoLoggedRestartIsGiven() throws Exception {
        History history = loggedHistory();
        RecoveryLine line = new RecoveryAnalyzer(history).recoveryLine(io.snapline.recovery.Consistency.CONSISTENT, 1);

        String plain = SpaceTimeSvg.of(history).failed(1).line("max", line).render();

        assertEquals(plain, SpaceTimeSvg.of(history).failed(1).line("max", line).logged(List.of()).render());
        Document doc = parse(plain);
        for (String logged : List.of("replayed", "resent", "suppressed", "restored", "legend", "legend-sample",
            "legend-text")) {
            for (String tag : List.of("line", "rect", "g", "text")) {
                assertEquals(List.of(), byClass(doc, tag, logged), logged);
            }
        }
        assertFalse(plain.contains("arrow-replayed"), plain);
        assertFalse(plain.contains(".message.replayed"), plain);
    }

    /** The message arrows of class {@code kind} (not the legend's samples). */
    private static List<Element> messages(Document doc, String kind) {
        return byClass(doc, "line", kind).stream().filter(e -> e.hasAttribute("data-message")).toList();
    }

    static Document parse(String svg) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    static List<Element> byClass(Document doc, String tag, String cssClass) {
        NodeList nodes = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", tag);
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            Element e = (Element) nodes.item(i);
            if (List.of(e.getAttribute("class").split(" ")).contains(cssClass)) {
                out.add(e);
            }
        }
        return out;
    }

    static List<String> attribute(List<Element> elements, String name) {
        return elements.stream().map(e -> e.getAttribute(name)).toList();
    }

    static List<String> text(List<Element> elements) {
        return elements.stream().map(Element::getTextContent).toList();
    }

    static String title(Element e) {
        NodeList titles = e.getElementsByTagNameNS("http://www.w3.org/2000/svg", "title");
        return titles.getLength() == 0 ? null : titles.item(0).getTextContent();
    }

    /** A history of {@code ranks} ranks with {@code checkpoints} each and {@code messages} random timed messages. */
    static History random(int ranks, int checkpoints, int messages, long seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        String[] names = new String[ranks];
        for (int r = 0; r < ranks; r++) {
            names[r] = "rank " + r;
        }
        HistoryBuilder b = new HistoryBuilder(names);
        long span = 1_000_000L * checkpoints;
        List<long[]> events = new ArrayList<>();
        for (int r = 0; r < ranks; r++) {
            for (int c = 1; c < checkpoints; c++) {
                events.add(new long[] {c * 1_000_000L + r * 1000L, 0, r});
            }
        }
        for (int m = 0; m < messages; m++) {
            long t = 1 + random.nextLong(span - 200_000);
            int from = random.nextInt(ranks);
            int to = (from + 1 + random.nextInt(ranks - 1)) % ranks;
            events.add(new long[] {t, 1, from, to, m});
            events.add(new long[] {t + 1 + random.nextLong(100_000), 2, to, m});
        }
        events.sort(java.util.Comparator.comparingLong((long[] e) -> e[0]).thenComparingLong(e -> e[1]));
        for (long[] e : events) {
            switch ((int) e[1]) {
                case 0 -> b.checkpoint((int) e[2], e[0]);
                case 1 -> b.send((int) e[2], "m" + e[4], (int) e[3], e[0]);
                default -> b.receive((int) e[2], "m" + e[3], e[0]);
            }
        }
        for (int r = 0; r < ranks; r++) {
            b.end(r, span);
        }
        return b.build();
    }

    /** Every drawn element's box: lines, rectangles, polylines, paths, and texts as {@code textBox} estimates them. */
    static List<double[]> boxes(Document doc, String tag) {
        List<double[]> out = new ArrayList<>();
        NodeList nodes = doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", tag);
        for (int i = 0; i < nodes.getLength(); i++) {
            Element e = (Element) nodes.item(i);
            if (e.getParentNode() instanceof Element p && p.getLocalName().equals("marker")) {
                continue;
            }
            switch (tag) {
                case "line" -> out.add(new double[] {d(e, "x1"), d(e, "y1"), d(e, "x2"), d(e, "y2")});
                case "rect" -> out.add(new double[] {d(e, "x"), d(e, "y"), d(e, "x") + d(e, "width"),
                    d(e, "y") + d(e, "height")});
                case "polyline", "path" -> {
                    String[] numbers = (tag.equals("path") ? e.getAttribute("d") : e.getAttribute("points"))
                        .replaceAll("[A-Za-z]", " ").trim().split("[ ,]+");
                    for (int k = 0; k + 1 < numbers.length; k += 2) {
                        double x = Double.parseDouble(numbers[k]);
                        double y = Double.parseDouble(numbers[k + 1]);
                        out.add(new double[] {x, y, x, y});
                    }
                }
                case "text" -> {
                    if (e.getParentNode() instanceof Element p && p.getLocalName().equals("svg")) {
                        continue;
                    }
                    String anchor = e.getAttribute("text-anchor").isEmpty() ? "start" : e.getAttribute("text-anchor");
                    out.add(SpaceTimeSvg.textBox(d(e, "x"), d(e, "y"), e.getTextContent(), d(e, "font-size"), anchor));
                }
                default -> throw new AssertionError(tag);
            }
        }
        return out;
    }

    private static double d(Element e, String attribute) {
        return Double.parseDouble(e.getAttribute(attribute));
    }

    /** Asserts that no two labels overlap and that everything lies inside the view box. */
    static void assertReadable(Document doc) {
        String[] v = doc.getDocumentElement().getAttribute("viewBox").split(" ");
        double x0 = Double.parseDouble(v[0]);
        double y0 = Double.parseDouble(v[1]);
        double x1 = x0 + Double.parseDouble(v[2]);
        double y1 = y0 + Double.parseDouble(v[3]);
        for (String tag : List.of("line", "rect", "polyline", "path", "text")) {
            for (double[] b : boxes(doc, tag)) {
                assertTrue(b[0] >= x0 && b[2] <= x1 && b[1] >= y0 && b[3] <= y1, tag + " " + java.util.Arrays
                    .toString(b) + " outside the view box " + String.join(" ", v));
            }
        }
        List<double[]> labels = boxes(doc, "text");
        for (int i = 0; i < labels.size(); i++) {
            for (int j = i + 1; j < labels.size(); j++) {
                double[] a = labels.get(i);
                double[] b = labels.get(j);
                assertFalse(a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3], "labels overlap: "
                    + java.util.Arrays.toString(a) + " and " + java.util.Arrays.toString(b));
            }
        }
    }

    @Test
    void shouldKeepLabelsApartAndEverythingInsideTheViewBoxWhenTheHistoryIsDense() throws Exception {
        History dense = random(6, 40, 250, 3);
        RecoveryAnalyzer analyzer = new RecoveryAnalyzer(dense);
        Document doc = parse(SpaceTimeSvg.of(dense).failed(2, 5)
            .line("after rank 2", analyzer.recoveryLine(io.snapline.recovery.Consistency.CONSISTENT, 2))
            .line("after ranks 2 and 5", analyzer.recoveryLine(io.snapline.recovery.Consistency.CONSISTENT, 2, 5))
            .line("strong", analyzer.recoveryLine(io.snapline.recovery.Consistency.STRONGLY_CONSISTENT, 2, 5))
            .render());

        assertReadable(doc);
        assertEquals(250, byClass(doc, "line", "message").size(), "one arrow per message");
        int labelled = byClass(doc, "text", "message-label").size();
        assertTrue(labelled > 0 && labelled < 250, "some message labels are left out: " + labelled);
        for (Element arrow : byClass(doc, "line", "message")) {
            assertTrue(title(arrow).startsWith(arrow.getAttribute("data-message") + ": rank "), title(arrow));
        }
        assertEquals(3, byClass(doc, "text", "line-label").size(), "every line keeps its label");
        assertEquals(6 * 40, byClass(doc, "rect", "checkpoint").size());
    }

    @Test
    void shouldRunEveryArrowFromTheSendToTheReceiveWhenEventsAreTimed() throws Exception {
        History h = random(4, 5, 60, 11);
        Document doc = parse(SpaceTimeSvg.of(h).render());

        Element timeline = byClass(doc, "line", "timeline").get(0);
        double xStart = Double.parseDouble(timeline.getAttribute("x1"));
        double xEnd = Double.parseDouble(timeline.getAttribute("x2"));
        long t0 = h.rank(0).checkpoint(0).timeNanos();
        long t1 = h.rank(0).endTimeNanos();
        java.util.Map<String, io.snapline.recovery.model.Message> byName = new java.util.HashMap<>();
        h.messages().forEach(m -> byName.put(m.label(), m));
        List<Element> arrows = byClass(doc, "line", "message");
        assertEquals(60, arrows.size());
        for (Element a : arrows) {
            io.snapline.recovery.model.Message m = byName.get(a.getAttribute("data-message"));
            double send = xStart + (m.sendTime() - t0) * (xEnd - xStart) / (t1 - t0);
            double receive = xStart + (m.receiveTime() - t0) * (xEnd - xStart) / (t1 - t0);
            // within the rounding of the drawn numbers (one decimal, here and in the timeline's ends)
            assertEquals(send, Double.parseDouble(a.getAttribute("x1")), 0.15, m.toString());
            assertEquals(receive, Double.parseDouble(a.getAttribute("x2")), 0.15, m.toString());
            assertEquals(50 + 40 + 80 * m.sender(), Double.parseDouble(a.getAttribute("y1")), 0.01);
            assertEquals(50 + 40 + 80 * m.receiver(), Double.parseDouble(a.getAttribute("y2")), 0.01);
        }
    }

    @Test
    void shouldNotDrawAReceiveBeforeItsSendWhenEventsHaveNoTimes() throws Exception {
        // Both sends and receives untimed: P sends in its interval 1, Q receives in its interval 0, which ends later.
        History h = new History(List.of(
            new io.snapline.recovery.model.RankHistory(0, "P", List.of(new Checkpoint(0, 0, 0, 0),
                new Checkpoint(0, 1, 1, 10)), 100),
            new io.snapline.recovery.model.RankHistory(1, "Q", List.of(new Checkpoint(1, 0, 0, 0),
                new Checkpoint(1, 1, 1, 90)), 100)),
            List.of(io.snapline.recovery.model.Message.of(0, 1, 1, 0, 1),
                io.snapline.recovery.model.Message.of(0, 1, 1, 0, 2),
                io.snapline.recovery.model.Message.of(0, 0, 1, 1, 3)));
        Document doc = parse(SpaceTimeSvg.of(h).render());

        for (Element a : byClass(doc, "line", "message")) {
            assertTrue(Double.parseDouble(a.getAttribute("x1")) <= Double.parseDouble(a.getAttribute("x2")),
                a.getAttribute("data-message") + " runs backwards");
        }
        assertReadable(doc);
    }

    @Test
    void shouldBoundTheDocumentWhenTheHistoryHasManyMessages() throws Exception {
        History big = random(8, 12, 100_000, 5);
        String svg = SpaceTimeSvg.of(big).render();
        Document doc = parse(svg);

        assertTrue(svg.length() < 200_000, "a bounded document: " + svg.length() + " characters");
        List<Element> arrows = byClass(doc, "line", "message");
        assertTrue(arrows.size() <= SpaceTimeSvg.DEFAULT_ARROWS, arrows.size() + " arrows");
        long drawn = arrows.stream().mapToLong(a -> Long.parseLong(a.getAttribute("data-count"))).sum();
        List<Element> notes = byClass(doc, "text", "note");
        assertEquals(1, notes.size());
        assertTrue(notes.get(0).getTextContent().startsWith("100000 messages "), notes.get(0).getTextContent());
        assertTrue(drawn <= 100_000 && drawn > 0, "each arrow counts its messages: " + drawn);
        assertReadable(doc);

        String every = SpaceTimeSvg.of(random(3, 4, 400, 5)).maxArrows(Integer.MAX_VALUE).render();
        assertEquals(400, byClass(parse(every), "line", "message").size(), "every message when asked");
    }

    @Test
    void shouldDrawTimelinesOfPositiveLengthWhenTheStoreKeepsOnlyItsNewestCheckpoints() throws Exception {
        // A store whose garbage collection kept only checkpoint 4 of each rank, taken a few milliseconds apart.
        List<List<io.snapline.recovery.io.LocalHistory.Entry>> entries = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            byte[] record = io.snapline.recovery.io.LocalJob.record(3, 1_700_000_000_000L + 5 * r, new long[3],
                List.of(), List.of());
            entries.add(List.of(new io.snapline.recovery.io.LocalHistory.Entry(4,
                io.snapline.runtime.checkpoint.DependencyRecord.decode(record))));
        }
        History h = io.snapline.recovery.io.LocalHistory.build(3, new long[] {4, 4, 4}, entries).history();

        Document doc = parse(SpaceTimeSvg.of(h).render());

        List<Element> timelines = byClass(doc, "line", "timeline");
        assertEquals(3, timelines.size());
        for (Element t : timelines) {
            double x1 = Double.parseDouble(t.getAttribute("x1"));
            double x2 = Double.parseDouble(t.getAttribute("x2"));
            // from its checkpoint to the present, which lies a millisecond (all the store tells) after the newest
            assertTrue(x2 - x1 > 50, "rank " + t.getAttribute("data-rank") + " from " + x1 + " to " + x2);
        }
        List<Element> marks = byClass(doc, "rect", "checkpoint");
        assertTrue(Double.parseDouble(marks.get(0).getAttribute("x")) < Double.parseDouble(marks.get(2)
            .getAttribute("x")), "rank 2 checkpointed 10 ms after rank 0");
        assertReadable(doc);
    }
}
