package io.snapline.benchmarks;

import java.util.ArrayList;
import java.util.List;

/** A Markdown (GitHub) table whose columns are padded so it also reads well as plain text. */
public final class MarkdownTable {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public MarkdownTable(String... header) {
        this.header = List.of(header);
    }

    public MarkdownTable row(String... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("a row needs " + header.size() + " cells, got " + cells.length);
        }
        List<String> escaped = new ArrayList<>();
        for (String c : cells) {
            escaped.add(c.replace("|", "\\|"));
        }
        rows.add(escaped);
        return this;
    }

    public String render() {
        int[] width = new int[header.size()];
        for (int c = 0; c < width.length; c++) {
            width[c] = Math.max(3, header.get(c).length());
            for (List<String> r : rows) {
                width[c] = Math.max(width[c], r.get(c).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        line(sb, header, width);
        List<String> rule = new ArrayList<>();
        for (int w : width) {
            rule.add("-".repeat(w));
        }
        line(sb, rule, width);
        for (List<String> r : rows) {
            line(sb, r, width);
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, List<String> cells, int[] width) {
        sb.append('|');
        for (int c = 0; c < width.length; c++) {
            String v = cells.get(c);
            sb.append(' ').append(v).append(" ".repeat(Math.max(0, width[c] - v.length()))).append(" |");
        }
        sb.append('\n');
    }
}
