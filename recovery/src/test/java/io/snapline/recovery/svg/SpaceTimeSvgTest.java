package io.snapline.recovery.svg;

import io.snapline.recovery.RecoveryAnalyzer;
import io.snapline.recovery.RecoveryLine;
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

class SpaceTimeSvgTest {

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
        // Line b passes through P2 (t=50 of 0..90 on a 720-wide plot from x=70), Q2 (t=40) and R2 (t=45).
        assertEquals("470.0,64 470.0,90 390.0,170 430.0,250 430.0,276",
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
        assertEquals(0, byClass(doc, "polyline", "recovery-line").size());
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
}
