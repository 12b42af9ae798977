package io.snapline.benchmarks;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * The figures of one benchmark run by key ({@code snapline.pingpong.8}, {@code raw.handoff.8}, ...): nanoseconds per
 * operation, except bytes per message for {@code *.alloc.*} keys; and the reason for every figure that could not be
 * measured.
 */
final class Measurements {
    private final Map<String, Double> values = new LinkedHashMap<>();
    private final Map<String, String> unavailable = new LinkedHashMap<>();

    void put(String key, double value) {
        boolean bytes = key.contains(".alloc.");
        if (Double.isNaN(value) || Double.isInfinite(value) || (bytes ? value < 0 : value <= 0)) {
            throw new BenchmarkException(key + " measured " + value + "; the timer or the loop is broken");
        }
        values.put(key, value);
    }

    void unavailable(String key, String reason) {
        unavailable.put(key, reason);
    }

    /** The figure, or empty when it was not measured. */
    OptionalDouble get(String key) {
        Double v = values.get(key);
        return v == null ? OptionalDouble.empty() : OptionalDouble.of(v);
    }

    /** Why {@code key} was not measured: the reason a rank gave, or a generic one. */
    String whyMissing(String key) {
        return unavailable.getOrDefault(key, "not measured");
    }

    Set<String> keys() {
        return Set.copyOf(values.keySet());
    }

    /** Figures of several rounds merged: the median of each key over the rounds that measured it. */
    static Measurements medianOf(List<Measurements> rounds) {
        Measurements merged = new Measurements();
        Set<String> keys = new LinkedHashSet<>();
        for (Measurements r : rounds) {
            keys.addAll(r.values.keySet());
            r.unavailable.forEach(merged.unavailable::putIfAbsent);
        }
        for (String k : keys) {
            List<Double> v = new ArrayList<>();
            for (Measurements r : rounds) {
                if (r.values.containsKey(k)) {
                    v.add(r.values.get(k));
                }
            }
            v.sort(null);
            int mid = v.size() / 2;
            merged.put(k, v.size() % 2 == 1 ? v.get(mid) : (v.get(mid - 1) + v.get(mid)) / 2);
        }
        return merged;
    }
}
