package io.snapline.runtime.launch;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A parsed {@code --inject-failure} value. Forms: {@code rank=R,after=5s}, {@code rank=R,point=K},
 * {@code rank=R,during-checkpoint=K} and {@code random,seed=S,count=C}.
 */
public record FailureSpec(Kind kind, int rank, Duration after, long point, long seed, int count) {
    /** When the failure strikes. */
    public enum Kind { AFTER_TIME, AT_POINT, DURING_CHECKPOINT, RANDOM }

    public static FailureSpec parse(String text) {
        Map<String, String> kv = new LinkedHashMap<>();
        boolean random = false;
        for (String part : text.split(",", -1)) {
            String p = part.trim();
            if (p.equals("random")) {
                random = true;
                continue;
            }
            int eq = p.indexOf('=');
            if (eq <= 0 || eq == p.length() - 1) {
                throw bad(text, "'" + p + "' is not key=value");
            }
            String key = p.substring(0, eq);
            if (kv.put(key, p.substring(eq + 1)) != null) {
                throw bad(text, "'" + key + "' given twice");
            }
        }
        if (random) {
            requireKeys(text, kv, "seed", "count");
            int count = positiveInt(text, "count", kv.get("count"));
            return new FailureSpec(Kind.RANDOM, -1, null, 0, parseLong(text, "seed", kv.get("seed")), count);
        }
        if (!kv.containsKey("rank") || kv.size() != 2) {
            throw bad(text, "expected rank=R with exactly one of after=, point=, during-checkpoint=");
        }
        int rank = nonNegativeInt(text, "rank", kv.get("rank"));
        if (kv.containsKey("after")) {
            return new FailureSpec(Kind.AFTER_TIME, rank, LaunchOptions.parseDuration("--inject-failure after", kv.get("after")), 0, 0, 1);
        }
        if (kv.containsKey("point")) {
            return new FailureSpec(Kind.AT_POINT, rank, null, positiveInt(text, "point", kv.get("point")), 0, 1);
        }
        if (kv.containsKey("during-checkpoint")) {
            return new FailureSpec(Kind.DURING_CHECKPOINT, rank, null,
                    positiveInt(text, "during-checkpoint", kv.get("during-checkpoint")), 0, 1);
        }
        throw bad(text, "unknown key; expected after=, point= or during-checkpoint=");
    }

    private static void requireKeys(String text, Map<String, String> kv, String... keys) {
        for (String k : keys) {
            if (!kv.containsKey(k)) {
                throw bad(text, "random needs " + k + "=");
            }
        }
        if (kv.size() != keys.length) {
            throw bad(text, "random takes only seed= and count=");
        }
    }

    private static long parseLong(String text, String key, String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw bad(text, key + " must be an integer, was '" + v + "'");
        }
    }

    private static int nonNegativeInt(String text, String key, String v) {
        long x = parseLong(text, key, v);
        if (x < 0 || x > Integer.MAX_VALUE) {
            throw bad(text, key + " must be a non-negative integer, was '" + v + "'");
        }
        return (int) x;
    }

    private static int positiveInt(String text, String key, String v) {
        int x = nonNegativeInt(text, key, v);
        if (x == 0) {
            throw bad(text, key + " must be at least 1");
        }
        return x;
    }

    private static UsageException bad(String text, String why) {
        return new UsageException("--inject-failure '" + text + "': " + why
                + " (forms: rank=R,after=5s | rank=R,point=K | rank=R,during-checkpoint=K | random,seed=S,count=C)");
    }
}
