package io.snapline.benchmarks.bench;

import io.snapline.recovery.svg.SvgWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A horizontal bar chart as a standalone SVG, drawn with the shared {@link SvgWriter}: bars in groups (a heading per
 * group), a label left of each bar and its value right of it, a linear axis from 0 (or from the smallest negative
 * value) to the largest value. Build, then {@link #render()}.
 */
final class BarChart {
    private static final double WIDTH = 860;
    private static final double LABEL = 300;
    private static final double VALUE = 110;
    private static final double BAR = 16;
    private static final double GAP = 6;
    private static final double HEADING = 24;
    private static final double TOP = 56;
    private static final String[] COLOURS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
        "#e377c2", "#7f7f7f"};

    /** One bar; {@code colourKey} picks its colour, so that the same policy has the same colour in every group. */
    record Bar(String label, double value, String shown, String colourKey) {
    }

    private record Group(String heading, List<Bar> bars) {
    }

    private final String title;
    private final String subtitle;
    private final List<Group> groups = new ArrayList<>();
    private final List<String> colourKeys = new ArrayList<>();

    BarChart(String title, String subtitle) {
        this.title = title;
        this.subtitle = subtitle;
    }

    /** Starts a group of bars under {@code heading}. */
    BarChart group(String heading) {
        groups.add(new Group(heading, new ArrayList<>()));
        return this;
    }

    /** Adds a bar to the current group. */
    BarChart bar(String label, double value, String shown, String colourKey) {
        if (groups.isEmpty()) {
            throw new IllegalStateException("start a group before adding bars");
        }
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("bar " + label + " has no finite value: " + value);
        }
        groups.get(groups.size() - 1).bars().add(new Bar(label, value, shown, colourKey));
        if (!colourKeys.contains(colourKey)) {
            colourKeys.add(colourKey);
        }
        return this;
    }

    boolean isEmpty() {
        return groups.stream().allMatch(g -> g.bars().isEmpty());
    }

    String render() {
        double min = 0;
        double max = 0;
        int bars = 0;
        int headings = 0;
        for (Group g : groups) {
            if (!g.bars().isEmpty()) {
                headings++;
            }
            for (Bar b : g.bars()) {
                min = Math.min(min, b.value());
                max = Math.max(max, b.value());
                bars++;
            }
        }
        if (max == min) {
            max = min + 1;
        }
        double height = TOP + headings * HEADING + bars * (BAR + GAP) + 40;
        double plotLeft = LABEL;
        double plotRight = WIDTH - VALUE;
        double lo = min;
        double span = max - min;
        java.util.function.DoubleUnaryOperator x = v -> plotLeft + (v - lo) / span * (plotRight - plotLeft);
        SvgWriter s = new SvgWriter(8192);
        s.start("svg", "xmlns", "http://www.w3.org/2000/svg", "width", (int) WIDTH, "height", (int) height,
                "viewBox", "0 0 " + (int) WIDTH + " " + (int) height, "font-family", "sans-serif", "font-size", 12);
        s.empty("rect", "width", (int) WIDTH, "height", (int) height, "fill", "white");
        s.text("text", title, "x", 12, "y", 22, "font-size", 14, "font-weight", "bold");
        s.text("text", subtitle, "x", 12, "y", 40, "font-size", 11, "fill", "#444");
        double y = TOP;
        for (Group g : groups) {
            if (g.bars().isEmpty()) {
                continue;
            }
            s.text("text", g.heading(), "x", 12, "y", y + 16, "font-weight", "bold");
            y += HEADING;
            for (Bar b : g.bars()) {
                double x0 = x.applyAsDouble(Math.min(0, b.value()));
                double x1 = x.applyAsDouble(Math.max(0, b.value()));
                s.text("text", b.label(), "x", plotLeft - 8, "y", y + BAR - 4, "text-anchor", "end");
                s.titled("rect", b.label() + ": " + b.shown(), "x", x0, "y", y, "width", Math.max(1.0, x1 - x0),
                        "height", BAR, "fill", COLOURS[colourKeys.indexOf(b.colourKey()) % COLOURS.length]);
                s.text("text", b.shown(), "x", x1 + 6, "y", y + BAR - 4);
                y += BAR + GAP;
            }
        }
        double zero = x.applyAsDouble(0);
        s.empty("line", "x1", zero, "y1", TOP, "x2", zero, "y2", y, "stroke", "black");
        s.text("text", "0", "x", zero, "y", y + 16, "text-anchor", "middle");
        s.text("text", format(max), "x", plotRight, "y", y + 16, "text-anchor", "middle");
        s.end();
        return s.toString();
    }

    private static String format(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.3g", v);
    }
}
