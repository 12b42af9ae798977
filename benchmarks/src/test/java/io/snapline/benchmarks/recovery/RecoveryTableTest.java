package io.snapline.benchmarks.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class RecoveryTableTest {
    private static final long MIB = 1 << 20;

    private static ScaleResult result(int ranks, int messages, long validateNanos) {
        return new ScaleResult(new SyntheticHistory.Spec(ranks, 100, messages, 42), validateNanos, 250_000_000L,
                5_000_000L, 120_000L, 45_600_000L, 33_000_000L, 300 * MIB, 700 * MIB, 1024 * MIB, 10, 2_000, 102_400,
                7, 5);
    }

    @Test
    void shouldFormatTimesHeapAndVerdictWhenTargetSizeIsMeasured() {
        String table = RecoveryTable.times(List.of(result(1024, 1_000_000, 1_000_000_000L),
                result(1024, 4_000_000, 3_000_000_000L)));

        assertEquals(List.of("1,024 × 100 × 1,000,000", "1000 ms", "250 ms", "5.00 ms", "0.12 ms", "45.6 ms", "33.0 ms",
                "1255 ms", "300 MiB", "700 MiB (1024 MiB)", "met"), cells(line(table, "| 1,024 × 100 × 1,000,000 ")));
        // only the size carries a verdict
        assertEquals("—", cells(line(table, "| 1,024 × 100 × 4,000,000 ")).get(10));
    }

    @Test
    void shouldSayNotMetWhenTargetSizeIsTooSlow() {
        assertEquals("not met", RecoveryTable.verdict(result(1024, 1_000_000, 1_800_000_000L)));
    }

    @Test
    void shouldShowWhatTheLinesFound() {
        String table = RecoveryTable.lines(List.of(result(64, 1_000_000, 1)));
        assertEquals(List.of("64 × 100 × 1,000,000", "10 of 64", "2000", "102400", "7 of 6400"),
                cells(line(table, "| 64 × 100 ")));
    }

    @Test
    void shouldRoundTripResultThroughItsLine() {
        ScaleResult r = result(256, 100_000, 123_456_789L);
        assertEquals(r, ScaleResult.parse(r.toLine()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ScaleResult.parse("@recovery 1 2"));
        assertTrue(e.getMessage().startsWith("not a recovery result line"), e.getMessage());
    }

    @Test
    void shouldPlotOneLinePerPhaseWhenSeriesHasTwoSizes() {
        String svg = RecoveryTable.plot(List.of(result(1024, 4_000_000, 4_000_000_000L), result(64, 1_000_000, 1),
                result(1024, 100_000, 80_000_000L), result(1024, 1_000_000, 900_000_000L)), 1024);

        assertTrue(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""), svg);
        assertEquals(7, count(svg, "<polyline "));
        assertTrue(svg.contains("target ≤ 2 s"), svg);
        assertNull(RecoveryTable.plot(List.of(result(64, 1_000_000, 1)), 64));
    }

    @Test
    void shouldPlaceLargerValuesRightAndHigherOnLogAxes() {
        String svg = new LogLogPlot("t", "x", "y")
                .series(new LogLogPlot.Series("s", new double[] {1e5, 1e6, 1e7}, new double[] {10, 100, 1000}, false))
                .render();
        int from = svg.indexOf("points=\"") + 8;
        String points = svg.substring(from, svg.indexOf('"', from));
        double[][] xy = Arrays.stream(points.split(" "))
                .map(p -> Arrays.stream(p.split(",")).mapToDouble(Double::parseDouble).toArray()).toArray(double[][]::new);
        // one decade each way is the same distance on both axes
        assertEquals(LogLogPlot.LEFT, xy[0][0], 0.1);
        assertEquals(LogLogPlot.RIGHT, xy[2][0], 0.1);
        assertEquals(xy[1][0] - xy[0][0], xy[2][0] - xy[1][0], 0.1);
        assertEquals(LogLogPlot.BOTTOM, xy[0][1], 0.1);
        assertEquals(LogLogPlot.TOP, xy[2][1], 0.1);
        assertTrue(svg.contains(">100k<") && svg.contains(">10M<") && svg.contains(">1k<"), svg);
    }

    @Test
    void shouldWriteWellFormedSvgWithEscapedLabelsAndAMarker() throws Exception {
        String svg = new LogLogPlot("state < 1 GiB & more", "x <", "y >")
                .series(new LogLogPlot.Series("a & b", new double[] {1, 10}, new double[] {2, 20}, true))
                .marker(new LogLogPlot.Marker("target <5", 5, 5))
                .render();
        org.w3c.dom.Document d = javax.xml.parsers.DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new java.io.ByteArrayInputStream(svg.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertEquals("svg", d.getDocumentElement().getTagName());
        String text = d.getDocumentElement().getTextContent();
        assertTrue(text.contains("state < 1 GiB & more") && text.contains("a & b") && text.contains("target <5"),
                text);
        assertEquals(1, d.getElementsByTagName("polyline").getLength());
        assertEquals(2, d.getElementsByTagName("circle").getLength());
    }

    @Test
    void shouldRejectNonPositiveValueOnLogAxis() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new LogLogPlot.Series("s", new double[] {1, 10}, new double[] {5, 0}, false));
        assertEquals("series s: point 1 (10.0, 0.0) is not positive; a log axis cannot show it", e.getMessage());
    }

    @Test
    void shouldParseSizesWithoutDuplicatesWhenSeriesShareASize() {
        RecoveryOptions o = RecoveryOptions.parse("--ranks", "64,1024", "--messages", "1000,1000000", "--seed", "3");
        assertEquals(List.of(new SyntheticHistory.Spec(64, 100, 1_000_000, 3), new SyntheticHistory.Spec(1024, 100, 1_000_000, 3),
                new SyntheticHistory.Spec(1024, 100, 1000, 3)), o.sizes());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RecoveryOptions.parse("--xmx", "lots"));
        assertEquals("--xmx takes a heap size as java -Xmx does (e.g. 1g, 768m), got 'lots'", e.getMessage());
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    private static String line(String text, String prefix) {
        return Arrays.stream(text.split("\n")).filter(l -> l.startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starts with '" + prefix + "' in:\n" + text));
    }

    private static List<String> cells(String line) {
        String inner = line.substring(1, line.length() - 1);
        return Arrays.stream(inner.split(" \\|")).map(String::trim).toList();
    }
}
