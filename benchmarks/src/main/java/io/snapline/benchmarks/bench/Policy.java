package io.snapline.benchmarks.bench;

import java.util.List;

/**
 * A checkpoint policy as {@code --policies} names it: {@code none}, {@code coordinated}, {@code coordinated-nb},
 * {@code independent} (pessimistic logging) or {@code independent/MODE} with a logging mode ({@code pessimistic},
 * {@code causal}, {@code none}).
 *
 * @param name  as given, and as tables show it
 * @param flags the launcher flags that select it
 */
public record Policy(String name, List<String> flags) {
    /** The failure-free baseline every other policy's overhead is measured against. */
    static final Policy NONE = new Policy("none", List.of("--checkpoint", "none"));

    public Policy {
        flags = List.of(flags.toArray(new String[0]));
    }

    /**
     * Reads a {@code --policies} item. The launcher checks the policy names (it knows which are installed) when the
     * matrix is validated; here only the {@code independent/MODE} form is taken apart.
     */
    static Policy parse(String spec) {
        String s = spec.trim();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("--policies: an empty policy name; e.g. --policies "
                    + "none,coordinated,coordinated-nb,independent/pessimistic");
        }
        int slash = s.indexOf('/');
        if (slash < 0) {
            return new Policy(s, List.of("--checkpoint", s));
        }
        String base = s.substring(0, slash);
        String logging = s.substring(slash + 1);
        if (!base.equals("independent") || logging.isEmpty()) {
            throw new IllegalArgumentException("--policies: '" + s + "': only independent takes a logging mode, as "
                    + "independent/pessimistic, independent/causal or independent/none");
        }
        return new Policy(s, List.of("--checkpoint", base, "--logging", logging));
    }

    boolean isNone() {
        return name.equals("none");
    }
}
