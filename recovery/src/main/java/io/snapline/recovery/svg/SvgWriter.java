package io.snapline.recovery.svg;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;

/**
 * Writes SVG markup: elements with attributes (escaped, numbers with one decimal), text content, {@code <title>}
 * tooltips, nesting, and the bounding box of everything drawn so far (so a document's view box can be sized to its
 * contents). One writer per document; not thread-safe.
 *
 * <p>Attributes are given as name/value pairs: {@code writer.empty("line", "x1", 10.0, "y1", 20, "class", "edge")}.
 * A {@code double} is written with one decimal, an integer as is, anything else as escaped text; a null value leaves
 * the attribute out.
 */
public final class SvgWriter {
    /** The width of a label's character, in em, for {@link #textWidth}: generous for sans-serif. */
    public static final double CHAR_WIDTH_EM = 0.62;

    private final StringBuilder out;
    private final Deque<String> open = new ArrayDeque<>();
    private double minX = Double.POSITIVE_INFINITY;
    private double minY = Double.POSITIVE_INFINITY;
    private double maxX = Double.NEGATIVE_INFINITY;
    private double maxY = Double.NEGATIVE_INFINITY;

    public SvgWriter(int capacity) {
        this.out = new StringBuilder(capacity);
    }

    /** Opens element {@code tag}; close it with {@link #end()}. */
    public SvgWriter start(String tag, Object... attributes) {
        indent().append('<').append(tag);
        attributes(attributes);
        out.append(">\n");
        open.push(tag);
        return this;
    }

    /** Closes the innermost open element. */
    public SvgWriter end() {
        String tag = open.pop();
        indent().append("</").append(tag).append(">\n");
        return this;
    }

    /** An element without content. */
    public SvgWriter empty(String tag, Object... attributes) {
        indent().append('<').append(tag);
        attributes(attributes);
        out.append("/>\n");
        return this;
    }

    /** An element without content but a {@code <title>} tooltip ({@code title} null: none). */
    public SvgWriter titled(String tag, String title, Object... attributes) {
        if (title == null) {
            return empty(tag, attributes);
        }
        indent().append('<').append(tag);
        attributes(attributes);
        out.append("><title>").append(escape(title)).append("</title></").append(tag).append(">\n");
        return this;
    }

    /** An element holding {@code text}. */
    public SvgWriter text(String tag, String text, Object... attributes) {
        indent().append('<').append(tag);
        attributes(attributes);
        out.append('>').append(escape(text)).append("</").append(tag).append(">\n");
        return this;
    }

    /** Markup written as is (a style sheet, marker definitions). */
    public SvgWriter raw(String markup) {
        out.append(markup);
        return this;
    }

    /** Extends the bounding box to cover the rectangle from ({@code x1}, {@code y1}) to ({@code x2}, {@code y2}). */
    public SvgWriter cover(double x1, double y1, double x2, double y2) {
        minX = Math.min(minX, Math.min(x1, x2));
        maxX = Math.max(maxX, Math.max(x1, x2));
        minY = Math.min(minY, Math.min(y1, y2));
        maxY = Math.max(maxY, Math.max(y1, y2));
        return this;
    }

    /** The bounding box so far: {minX, minY, maxX, maxY}; all zero when nothing was covered. */
    public double[] bounds() {
        return minX > maxX ? new double[4] : new double[] {minX, minY, maxX, maxY};
    }

    /** The markup so far. */
    @Override
    public String toString() {
        return out.toString();
    }

    /** The width {@code text} is taken to have at {@code fontSize} pixels ({@link #CHAR_WIDTH_EM} per character). */
    public static double textWidth(String text, double fontSize) {
        return text.length() * CHAR_WIDTH_EM * fontSize;
    }

    /** {@code v} with one decimal, as SVG numbers are written here. */
    public static String number(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** {@code s} escaped for XML text and attribute values; control characters become spaces. */
    public static String escape(String s) {
        StringBuilder escaped = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&apos;");
                default -> escaped.append(c < 0x20 && c != '\t' ? ' ' : c);
            }
        }
        return escaped.toString();
    }

    private StringBuilder indent() {
        for (int i = 0; i < open.size(); i++) {
            out.append("  ");
        }
        return out;
    }

    private void attributes(Object[] attributes) {
        if (attributes.length % 2 != 0) {
            throw new IllegalArgumentException("attributes come in name/value pairs, got " + attributes.length
                    + " items");
        }
        for (int i = 0; i < attributes.length; i += 2) {
            Object value = attributes[i + 1];
            if (value == null) {
                continue;
            }
            out.append(' ').append(attributes[i]).append("=\"");
            if (value instanceof Double d) {
                out.append(number(d));
            } else if (value instanceof Float f) {
                out.append(number(f));
            } else if (value instanceof Integer || value instanceof Long) {
                out.append(value);
            } else {
                out.append(escape(value.toString()));
            }
            out.append('"');
        }
    }
}
