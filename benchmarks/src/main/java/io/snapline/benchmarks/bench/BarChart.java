package io.snapline.benchmarks.bench;

import io.snapline.recovery.svg.SvgWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A horizontal bar chart as a standalone SVG, drawn with the shared {@link SvgWriter}: bars in groups (a heading per
 * group), a label left of each bar and its value right of it, a linear axis from 0 (or from the smallest negative
 * value) to the largest value. A chart made with part names stacks each bar from positive parts, one colour and a
 * legend entry per part. Build, then {@link #render()}.
 */
final class BarChart {
    private static final double WIDTH = 860;
    private static final double LABEL = 300;
    /** The least room right of the bars for their values; more when a value's text is longer. */
    private static final double VALUE = 110;
    private static final double BAR = 16;
    private static final double GAP = 6;
    private static final double HEADING = 24;
    private static final double TOP = 56;
    private static final String[] COLOURS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
        "#e377c2", "#7f7f7f"};

    /**
     * One bar of {@code parts} (one value, or the stacked parts); {@code colourKey} picks the colour of a bar of one
     * part, so that the same policy has the same colour in every group.
     */
    record Bar(String label, double[] parts, String shown, String colourKey) {
        double value() {
            double sum = 0;
            for (double p : parts) {
                sum += p;
            }
            return sum;
        }
    }

    private record Group(String heading, List<Bar> bars) {
    }

    private final String title;
    private final String subtitle;
    private final List<Group> groups = new ArrayList<>();
    private final List<String> colourKeys = new ArrayList<>();
    private final List<String> partNames;

    BarChart(String title, String subtitle) {
        this(title, subtitle, List.of());
    }

    /** A chart of stacked bars, each made of the parts {@code partNames} names, in that order. */
    BarChart(String title, String subtitle, List<String> partNames) {
        this.title = title;
        this.subtitle = subtitle;
        this.partNames = List.copyOf(partNames);
    }

    /** Starts a group of bars under {@code heading}. */
    BarChart group(String heading) {
        groups.add(new Group(heading, new ArrayList<>()));
        return this;
    }

    /** Adds a bar to the current group. */
    BarChart bar(String label, double value, String shown, String colourKey) {
        if (!partNames.isEmpty()) {
            throw new IllegalStateException("a chart of stacked bars takes parts: use stacked()");
        }
        add(new Bar(label, new double[] {value}, shown, colourKey));
        if (!colourKeys.contains(colourKey)) {
            colourKeys.add(colourKey);
        }
        return this;
    }

    /** Adds a stacked bar of {@code parts} (not negative, one per part name) to the current group. */
    BarChart stacked(String label, double[] parts, String shown) {
        if (parts.length != partNames.size()) {
            throw new IllegalArgumentException("bar " + label + " needs " + partNames.size() + " parts, got "
                    + parts.length);
        }
        for (double p : parts) {
            if (p < 0) {
                throw new IllegalArgumentException("bar " + label + " has a negative part: " + p);
            }
        }
        return add(new Bar(label, parts.clone(), shown, null));
    }

    private BarChart add(Bar bar) {
        if (groups.isEmpty()) {
            throw new IllegalStateException("start a group before adding bars");
        }
        for (double p : bar.parts()) {
            if (!Double.isFinite(p)) {
                throw new IllegalArgumentException("bar " + bar.label() + " has no finite value: " + p);
            }
        }
        groups.get(groups.size() - 1).bars().add(bar);
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
        double height = TOP + headings * HEADING + bars * (BAR + GAP) + 40 + (partNames.isEmpty() ? 0 : 24);
        double plotLeft = LABEL;
        double shownWidth = VALUE;
        for (Group g : groups) {
            for (Bar b : g.bars()) {
                shownWidth = Math.max(shownWidth, SvgWriter.textWidth(b.shown(), 12) + 12);
            }
        }
        double plotRight = WIDTH - Math.min(shownWidth, WIDTH / 3);
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
                s.text("text", b.label(), "x", plotLeft - 8, "y", y + BAR - 4, "text-anchor", "end");
                double from = 0;
                for (int i = 0; i < b.parts().length; i++) {
                    double to = from + b.parts()[i];
                    double x0 = x.applyAsDouble(Math.min(from, to));
                    double x1 = x.applyAsDouble(Math.max(from, to));
                    String colour = partNames.isEmpty() ? COLOURS[colourKeys.indexOf(b.colourKey()) % COLOURS.length]
                            : COLOURS[i % COLOURS.length];
                    s.titled("rect", b.label() + ": " + (partNames.isEmpty() ? b.shown() : partNames.get(i)),
                            "x", x0, "y", y, "width", Math.max(1.0, x1 - x0), "height", BAR, "fill", colour);
                    from = to;
                }
                s.text("text", b.shown(), "x", x.applyAsDouble(Math.max(0, b.value())) + 6, "y", y + BAR - 4);
                y += BAR + GAP;
            }
        }
        double zero = x.applyAsDouble(0);
        s.empty("line", "x1", zero, "y1", TOP, "x2", zero, "y2", y, "stroke", "black");
        s.text("text", "0", "x", zero, "y", y + 16, "text-anchor", "middle");
        s.text("text", format(max), "x", plotRight, "y", y + 16, "text-anchor", "middle");
        double lx = plotLeft;
        for (int i = 0; i < partNames.size(); i++) {
            s.empty("rect", "x", lx, "y", y + 30, "width", 12, "height", 12, "fill", COLOURS[i % COLOURS.length]);
            s.text("text", partNames.get(i), "x", lx + 18, "y", y + 40);
            lx += 30 + SvgWriter.textWidth(partNames.get(i), 12);
        }
        s.end();
        return s.toString();
    }

    private static String format(double v) {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : "%.3g", v);
    }
}
