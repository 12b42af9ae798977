package io.snapline.recovery.simulate;

import io.snapline.recovery.svg.SvgWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * An SVG plot of expected waste against the checkpoint interval (logarithmic), simulated, with Daly's closed form
 * where it holds, and a marker at each formula's choice and at the simulated optimum.
 */
public final class WastePlot {
    private static final double W = 760;
    private static final double H = 440;
    private static final double LEFT = 70;
    private static final double RIGHT = 30;
    private static final double TOP = 64;
    private static final double BOTTOM = 60;

    /** A marked interval: a formula's choice or the optimum. */
    public record Mark(String label, double interval, String color) {
    }

    private WastePlot() {
    }

    /**
     * The plot of {@code points} (simulated), {@code closedForm} (expected wall time by interval, or null) and
     * {@code marks}, titled {@code title} with {@code subtitle} (the parameters) below it.
     */
    public static String svg(String title, String subtitle, Model model, List<Intervals.Point> points,
            java.util.function.DoubleUnaryOperator closedForm, List<Mark> marks) {
        List<Intervals.Point> ok = new ArrayList<>();
        for (Intervals.Point p : points) {
            if (p.estimate().allFinished()) {
                ok.add(p);
            }
        }
        if (ok.isEmpty()) {
            throw new IllegalArgumentException("no interval of the plot finished every run; nothing to draw");
        }
        double xMin = ok.get(0).interval();
        double xMax = ok.get(ok.size() - 1).interval();
        for (Mark m : marks) {
            xMin = Math.min(xMin, m.interval());
            xMax = Math.max(xMax, m.interval());
        }
        if (xMax <= xMin) {
            xMax = xMin * 10;
        }
        double yMax = 0;
        for (Intervals.Point p : ok) {
            yMax = Math.max(yMax, p.estimate().waste());
        }
        yMax = Math.min(1, niceCeiling(yMax * 1.1));
        double lx = Math.log(xMin);
        double ux = Math.log(xMax);
        double yTop = yMax;
        java.util.function.DoubleUnaryOperator x = t -> LEFT + (Math.log(t) - lx) / (ux - lx) * (W - LEFT - RIGHT);
        java.util.function.DoubleUnaryOperator y = v -> TOP + (1 - v / yTop) * (H - TOP - BOTTOM);

        SvgWriter s = new SvgWriter(16_384);
        s.start("svg", "xmlns", "http://www.w3.org/2000/svg", "viewBox", "0 0 " + (int) W + " " + (int) H,
                "font-family", "sans-serif", "font-size", 12);
        s.empty("rect", "x", 0, "y", 0, "width", (int) W, "height", (int) H, "fill", "white");
        s.text("text", title, "x", LEFT, "y", 22.0, "font-size", 14, "font-weight", "bold");
        s.text("text", subtitle, "x", LEFT, "y", 40.0, "font-size", 11, "fill", "#444");
        // axes, ticks
        s.empty("line", "x1", LEFT, "y1", H - BOTTOM, "x2", W - RIGHT, "y2", H - BOTTOM, "stroke", "black");
        s.empty("line", "x1", LEFT, "y1", TOP, "x2", LEFT, "y2", H - BOTTOM, "stroke", "black");
        for (double t = Math.pow(10, Math.floor(Math.log10(xMin))); t <= xMax * 1.0001; t *= 10) {
            for (int k = 1; k < 10; k++) {
                double v = t * k;
                if (v < xMin * 0.9999 || v > xMax * 1.0001) {
                    continue;
                }
                double px = x.applyAsDouble(v);
                s.empty("line", "x1", px, "y1", H - BOTTOM, "x2", px, "y2", H - BOTTOM + (k == 1 ? 6 : 3),
                        "stroke", "black");
                if (k == 1 || (k == 3 && ux - lx < Math.log(1e3))) {
                    s.text("text", seconds(v), "x", px, "y", H - BOTTOM + 20, "text-anchor", "middle");
                }
            }
        }
        for (int i = 0; i <= 5; i++) {
            double v = yTop * i / 5;
            double py = y.applyAsDouble(v);
            s.empty("line", "x1", LEFT - 5, "y1", py, "x2", W - RIGHT, "y2", py, "stroke", i == 0 ? "black" : "#ddd");
            s.text("text", String.format(Locale.ROOT, "%.0f%%", 100 * v), "x", LEFT - 8, "y", py + 4,
                    "text-anchor", "end");
        }
        s.text("text", "checkpoint interval (work between checkpoints)", "x", (LEFT + W - RIGHT) / 2,
                "y", H - 18, "text-anchor", "middle");
        s.text("text", "waste", "x", 18.0, "y", (TOP + H - BOTTOM) / 2, "text-anchor", "middle",
                "transform", "rotate(-90 18 " + SvgWriter.number((TOP + H - BOTTOM) / 2) + ")");
        if (closedForm != null) {
            StringBuilder d = new StringBuilder();
            for (int i = 0; i <= 200; i++) {
                double t = Math.exp(lx + (ux - lx) * i / 200);
                double wall = closedForm.applyAsDouble(t);
                double waste = (wall - model.work()) / wall;
                if (waste > yTop || !(waste >= 0)) {
                    continue;
                }
                d.append(d.length() == 0 ? "M" : " L").append(SvgWriter.number(x.applyAsDouble(t))).append(' ')
                        .append(SvgWriter.number(y.applyAsDouble(waste)));
            }
            if (d.length() > 0) {
                s.empty("path", "d", d.toString(), "fill", "none", "stroke", "#888", "stroke-dasharray", "6 4");
            }
        }
        StringBuilder d = new StringBuilder();
        for (Intervals.Point p : ok) {
            double px = x.applyAsDouble(p.interval());
            double py = y.applyAsDouble(Math.min(yTop, p.estimate().waste()));
            d.append(d.length() == 0 ? "M" : " L").append(SvgWriter.number(px)).append(' ')
                    .append(SvgWriter.number(py));
            s.titled("circle", String.format(Locale.ROOT, "interval %s: waste %.2f%%", seconds(p.interval()),
                    100 * p.estimate().waste()), "cx", px, "cy", py, "r", 2.5, "fill", "#1f5fa8");
        }
        s.empty("path", "d", d.toString(), "fill", "none", "stroke", "#1f5fa8", "stroke-width", 1.5);
        int row = 0;
        for (Mark m : marks) {
            double px = x.applyAsDouble(m.interval());
            s.empty("line", "x1", px, "y1", TOP, "x2", px, "y2", H - BOTTOM, "stroke", m.color(),
                    "stroke-dasharray", "3 3");
            s.text("text", m.label() + " " + seconds(m.interval()), "x", px + 4, "y", TOP + 14 + 14 * row++,
                    "fill", m.color());
        }
        // legend
        double ly = H - BOTTOM - 16;
        s.empty("line", "x1", W - RIGHT - 210, "y1", ly - 4, "x2", W - RIGHT - 190, "y2", ly - 4, "stroke",
                "#1f5fa8", "stroke-width", 1.5);
        s.text("text", "simulated", "x", W - RIGHT - 185, "y", ly);
        if (closedForm != null) {
            s.empty("line", "x1", W - RIGHT - 120, "y1", ly - 4, "x2", W - RIGHT - 100, "y2", ly - 4, "stroke",
                    "#888", "stroke-dasharray", "6 4");
            s.text("text", "Daly's form", "x", W - RIGHT - 95, "y", ly);
        }
        s.end();
        return s.toString();
    }

    private static double niceCeiling(double v) {
        if (v <= 0) {
            return 0.01;
        }
        double e = Math.pow(10, Math.floor(Math.log10(v)));
        for (double k : new double[] {1, 2, 2.5, 5, 10}) {
            if (k * e >= v) {
                return k * e;
            }
        }
        return 10 * e;
    }

    /** A duration in seconds for an axis: {@code 30 s}, {@code 12 min}, {@code 3.5 h}, {@code 2 d}. */
    static String seconds(double s) {
        if (s < 120) {
            return trim(s) + " s";
        }
        if (s < 7200) {
            return trim(s / 60) + " min";
        }
        if (s < 172_800) {
            return trim(s / 3600) + " h";
        }
        return trim(s / 86_400) + " d";
    }

    private static String trim(double v) {
        return v >= 10 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }
}
