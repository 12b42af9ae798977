package io.snapline.runtime.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.PrettyPrinter;
import com.fasterxml.jackson.core.util.Instantiatable;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The project's JSON files (run reports, histories, the recovery planner's output) read and written with Jackson,
 * laid out as they have always been: an object or array nested no deeper than a given depth is spread one member per
 * line (an array only when it holds objects or arrays), anything deeper sits on one line, so a list of records reads
 * one record per line. Thread-safe.
 */
public final class JsonText {
    /**
     * Reads and builds trees: a member twice in one object and text after the value are errors. Shared; do not
     * reconfigure.
     */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
            .build();

    private JsonText() {
    }

    /** Parses one JSON value (an object, an array or a scalar). */
    public static JsonNode parse(String text) throws JsonProcessingException {
        return MAPPER.readTree(text);
    }

    /**
     * {@code value} as JSON text ending in a newline: objects and arrays at nesting depth {@code depth} or less (the
     * root is at 0) one member per line, indented by two spaces a level, deeper ones on one line.
     */
    public static String write(JsonNode value, int depth) {
        try {
            return MAPPER.writer(new Layout(depth)).writeValueAsString(value) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e); // a tree always serializes
        }
    }

    /** The layout of {@link #write}; one instance per value written. */
    private static final class Layout implements PrettyPrinter, Instantiatable<Layout> {
        private final int depth;
        /**
         * The containers being written, outermost first: whether each is spread over lines; null for an array that
         * may be but has no value yet (it is, when its first value is an object or array).
         */
        private final List<Boolean> spread = new ArrayList<>();

        Layout(int depth) {
            this.depth = depth;
        }

        @Override
        public Layout createInstance() {
            return new Layout(depth);
        }

        @Override
        public void writeRootValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw('\n');
        }

        @Override
        public void writeStartObject(JsonGenerator g) throws IOException {
            firstInArray(g);
            spread.add(spread.size() <= depth);
            g.writeRaw('{');
        }

        @Override
        public void beforeObjectEntries(JsonGenerator g) throws IOException {
            if (spread()) {
                newLine(g, spread.size());
            }
        }

        @Override
        public void writeObjectFieldValueSeparator(JsonGenerator g) throws IOException {
            g.writeRaw(": ");
        }

        @Override
        public void writeObjectEntrySeparator(JsonGenerator g) throws IOException {
            separator(g);
        }

        @Override
        public void writeEndObject(JsonGenerator g, int entries) throws IOException {
            end(g, entries, '}');
        }

        @Override
        public void writeStartArray(JsonGenerator g) throws IOException {
            firstInArray(g);
            spread.add(spread.size() <= depth ? null : false);
            g.writeRaw('[');
        }

        @Override
        public void beforeArrayValues(JsonGenerator g) {
        }

        @Override
        public void writeArrayValueSeparator(JsonGenerator g) throws IOException {
            if (spread.get(spread.size() - 1) == null) { // its first value was a scalar
                spread.set(spread.size() - 1, false);
            }
            separator(g);
        }

        @Override
        public void writeEndArray(JsonGenerator g, int values) throws IOException {
            end(g, values, ']');
        }

        /** An object or array starts: the first value of an undecided array, which it spreads over lines. */
        private void firstInArray(JsonGenerator g) throws IOException {
            if (!spread.isEmpty() && spread.get(spread.size() - 1) == null) {
                spread.set(spread.size() - 1, true);
                newLine(g, spread.size());
            }
        }

        private void separator(JsonGenerator g) throws IOException {
            g.writeRaw(',');
            if (spread()) {
                newLine(g, spread.size());
            } else {
                g.writeRaw(' ');
            }
        }

        private void end(JsonGenerator g, int members, char close) throws IOException {
            boolean spreadOut = Boolean.TRUE.equals(spread.remove(spread.size() - 1));
            if (spreadOut && members > 0) {
                newLine(g, spread.size());
            }
            g.writeRaw(close);
        }

        private boolean spread() {
            return Boolean.TRUE.equals(spread.get(spread.size() - 1));
        }

        private static void newLine(JsonGenerator g, int level) throws IOException {
            g.writeRaw('\n');
            g.writeRaw("  ".repeat(level));
        }
    }
}
