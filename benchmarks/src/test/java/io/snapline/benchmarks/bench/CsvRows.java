package io.snapline.benchmarks.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the report's CSV for tests: one map per row, column name to field. */
final class CsvRows {
    private CsvRows() {
    }

    static List<Map<String, String>> read(String csv) {
        List<String> lines = csv.lines().toList();
        List<String> header = Arrays.asList(fields(lines.get(0)));
        List<Map<String, String>> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = fields(line);
            if (f.length != header.size()) {
                throw new AssertionError(header.size() + " columns expected, " + f.length + " in: " + line);
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < f.length; i++) {
                row.put(header.get(i), f[i]);
            }
            rows.add(row);
        }
        return rows;
    }

    /** The fields of a CSV line; a field in double quotes may hold commas and doubled quotes. */
    static String[] fields(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted && c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                f.append('"');
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                fields.add(f.toString());
                f.setLength(0);
            } else {
                f.append(c);
            }
        }
        fields.add(f.toString());
        return fields.toArray(new String[0]);
    }
}
