package io.snapline.benchmarks;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The figures of one benchmark run: nanoseconds per operation by key ({@code snapline.pingpong.8},
 * {@code raw.handoff.8}, ...), and the reason for every figure that could not be measured.
 */
final class Measurements {
    private final Map<String, Double> nanos = new LinkedHashMap<>();
    private final Map<String, String> unavailable = new LinkedHashMap<>();

    void put(String key, double nanosPerOp) {
        if (!(nanosPerOp > 0) || Double.isInfinite(nanosPerOp)) {
            throw new BenchmarkException(key + " measured " + nanosPerOp + " ns; the timer or the loop is broken");
        }
        nanos.put(key, nanosPerOp);
    }

    void unavailable(String key, String reason) {
        unavailable.put(key, reason);
    }

    /** Nanoseconds per operation, or empty when the figure was not measured. */
    OptionalDouble nanos(String key) {
        Double v = nanos.get(key);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /** Why {@code key} was not measured: the reason a rank gave, or a generic one. */
    String whyMissing(String key) {
        return unavailable.getOrDefault(key, "not measured");
    }

    Map<String, Double> all() {
        return Map.copyOf(nanos);
    }
}
