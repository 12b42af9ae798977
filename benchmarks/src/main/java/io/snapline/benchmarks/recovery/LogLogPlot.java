package io.snapline.benchmarks.recovery;

import io.snapline.recovery.svg.SvgWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A small line chart with logarithmic axes, written as a standalone SVG with the shared {@link SvgWriter}: one polyline with dots per series, decade
 * grid lines, a legend, and optional labelled markers (e.g. a target). Axis ranges are whole decades around the
 * data. Values must be positive. Not thread-safe; build, then {@link #render()}.
 */
public final class LogLogPlot {
    static final int WIDTH = 720;
    static final int HEIGHT = 420;
    static final int LEFT = 70;
    static final int RIGHT = 500;
    static final int TOP = 40;
    static final int BOTTOM = 360;
    private static final String[] COLOURS = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
        "#e377c2", "#7f7f7f"};

    /** One series: points {@code (x[i], y[i])} joined in order. */
    public record Series(String name, double[] x, double[] y, boolean bold) {
        public Series {
            if (x.length != y.length || x.length == 0) {
                throw new IllegalArgumentException("series " + name + " needs as many x as y values, at least one");
            }
            for (int i = 0; i < x.length; i++) {
                if (!(x[i] > 0) || !(y[i] > 0)) {
                    throw new IllegalArgumentException("series " + name + ": point " + i + " (" + x[i] + ", " + y[i]
                            + ") is not positive; a log axis cannot show it");
                }
            }
        }
    }

    /** A labelled point drawn as a cross, e.g. the target. */
    public record Marker(String label, double x, double y) {
    }

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final List<Series> series = new ArrayList<>();
    private final List<Marker> markers = new ArrayList<>();

    public LogLogPlot(String title, String xLabel, String yLabel) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
    }

    public LogLogPlot series(Series s) {
        series.add(s);
        return this;
    }

    public LogLogPlot marker(Marker m) {
        if (!(m.x() > 0) || !(m.y() > 0)) {
            throw new IllegalArgumentException("marker " + m.label() + " is not positive; a log axis cannot show it");
        }
        markers.add(m);
        return this;
    }

    public String render() {
        if (series.isEmpty()) {
            throw new IllegalStateException("nothing to plot: add a series first");
        }
        double[] xr = decades(true);
        double[] yr = decades(false);
        SvgWriter svg = new SvgWriter(8192);
        svg.start("svg", "xmlns", "http://www.w3.org/2000/svg", "width", WIDTH, "height", HEIGHT, "viewBox",
                "0 0 " + WIDTH + " " + HEIGHT, "font-family", "sans-serif", "font-size", 12);
        svg.empty("rect", "width", WIDTH, "height", HEIGHT, "fill", "white");
        svg.text("text", title, "x", LEFT, "y", 22, "font-size", 14);
        for (int d = (int) xr[0]; d <= (int) xr[1]; d++) {
            double px = px(d, xr);
            svg.empty("line", "x1", px, "y1", TOP, "x2", px, "y2", BOTTOM, "stroke", "#ddd");
            svg.text("text", tick(d), "x", px, "y", BOTTOM + 16, "text-anchor", "middle");
        }
        for (int d = (int) yr[0]; d <= (int) yr[1]; d++) {
            double py = py(d, yr);
            svg.empty("line", "x1", LEFT, "y1", py, "x2", RIGHT, "y2", py, "stroke", "#ddd");
            svg.text("text", tick(d), "x", LEFT - 6, "y", py + 4, "text-anchor", "end");
        }
        svg.empty("rect", "x", LEFT, "y", TOP, "width", RIGHT - LEFT, "height", BOTTOM - TOP, "fill", "none",
                "stroke", "black");
        svg.text("text", xLabel, "x", (LEFT + RIGHT) / 2, "y", BOTTOM + 36, "text-anchor", "middle");
        svg.text("text", yLabel, "x", 16, "y", (TOP + BOTTOM) / 2, "text-anchor", "middle", "transform",
                "rotate(-90 16 " + (TOP + BOTTOM) / 2 + ")");
        for (int i = 0; i < series.size(); i++) {
            series(svg, series.get(i), COLOURS[i % COLOURS.length], i, xr, yr);
        }
        for (Marker m : markers) {
            double px = px(Math.log10(m.x()), xr);
            double py = py(Math.log10(m.y()), yr);
            svg.empty("path", "d", "M" + SvgWriter.number(px - 5) + " " + SvgWriter.number(py - 5)
                    + "l10 10m0 -10l-10 10", "stroke", "red", "stroke-width", 2);
            svg.text("text", m.label(), "x", px + 8, "y", py - 8, "fill", "red");
        }
        return svg.end().toString();
    }

    private void series(SvgWriter svg, Series s, String colour, int index, double[] xr, double[] yr) {
        StringBuilder points = new StringBuilder();
        for (int p = 0; p < s.x().length; p++) {
            double px = px(Math.log10(s.x()[p]), xr);
            double py = py(Math.log10(s.y()[p]), yr);
            points.append(p == 0 ? "" : " ").append(SvgWriter.number(px)).append(',').append(SvgWriter.number(py));
            svg.empty("circle", "cx", px, "cy", py, "r", 3, "fill", colour);
        }
        String width = s.bold() ? "3" : "1.5";
        svg.empty("polyline", "points", points.toString(), "fill", "none", "stroke", colour, "stroke-width", width);
        int ly = TOP + 10 + 18 * index;
        svg.empty("line", "x1", RIGHT + 12, "y1", ly, "x2", RIGHT + 32, "y2", ly, "stroke", colour, "stroke-width",
                width);
        svg.text("text", s.name(), "x", RIGHT + 38, "y", ly + 4);
    }

    /** The whole decades {@code [floor(log10 min), ceil(log10 max)]} around every x (or y) value, at least one wide. */
    private double[] decades(boolean x) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (double v : x ? s.x() : s.y()) {
                lo = Math.min(lo, Math.log10(v));
                hi = Math.max(hi, Math.log10(v));
            }
        }
        for (Marker m : markers) {
            double v = Math.log10(x ? m.x() : m.y());
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        double a = Math.floor(lo);
        double b = Math.max(a + 1, Math.ceil(hi));
        return new double[] {a, b};
    }

    static double px(double log, double[] range) {
        return LEFT + (log - range[0]) / (range[1] - range[0]) * (RIGHT - LEFT);
    }

    static double py(double log, double[] range) {
        return BOTTOM - (log - range[0]) / (range[1] - range[0]) * (BOTTOM - TOP);
    }

    /** 10^d as a short label: 0.01, 0.1, 1, 10, 100, 1k, 10k, 100k, 1M, 10M, ... */
    static String tick(int d) {
        if (d < 0) {
            return String.format(Locale.ROOT, "%." + (-d) + "f", Math.pow(10, d));
        }
        String[] suffix = {"", "k", "M", "G"};
        int group = Math.min(d / 3, suffix.length - 1);
        return (long) Math.pow(10, d - 3 * group) + suffix[group];
    }
}
