package io.snapline.runtime.launch;

import io.snapline.runtime.checkpoint.CheckpointPolicy;
import io.snapline.runtime.checkpoint.CoordinatorServices;
import io.snapline.runtime.checkpoint.NonePolicy;
import io.snapline.runtime.checkpoint.PolicyCoordinator;
import io.snapline.runtime.checkpoint.PolicyOption;
import io.snapline.runtime.checkpoint.PolicySettings;
import io.snapline.runtime.checkpoint.RankPolicy;
import io.snapline.runtime.checkpoint.RankServices;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Policies the launcher has never heard of, for parsing tests: {@code stepper} declares {@code --every N} and
 * refuses it with {@code --interval}; {@code logger} declares {@code --logging MODE} (a or b) and the switch
 * {@code --fast}; with {@code none} they stand in for the installed policies. They run nothing.
 */
final class FixturePolicies {
    private FixturePolicies() {
    }

    static final Map<String, CheckpointPolicy> INSTALLED = new TreeMap<>(Map.of(
            "none", new NonePolicy(),
            "stepper", new Fixture("stepper", List.of(new PolicyOption("--every", "N", "every N safe points"))) {
                @Override
                public void validate(PolicySettings s) {
                    if (s.count("--every", 1, 0) > 0 && s.interval() != null) {
                        throw new IllegalArgumentException("give either --interval or --every, not both");
                    }
                }
            },
            "logger", new Fixture("logger", List.of(new PolicyOption("--logging", "MODE", "a or b"),
                    new PolicyOption("--fast", null, "go fast"))) {
                @Override
                public void validate(PolicySettings s) {
                    String mode = s.option("--logging");
                    if (mode != null && !List.of("a", "b").contains(mode)) {
                        throw new IllegalArgumentException("--logging must be a or b, got '" + mode + "'");
                    }
                }
            }));

    /** A policy called {@code name} with {@code options} and no checks of its own. */
    static CheckpointPolicy policy(String name, PolicyOption... options) {
        return new Fixture(name, List.of(options));
    }

    /** A policy that only has a name and options. */
    private static class Fixture implements CheckpointPolicy {
        private final String name;
        private final List<PolicyOption> options;

        Fixture(String name, List<PolicyOption> options) {
            this.name = name;
            this.options = options;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public String description() {
            return "the " + name + " fixture";
        }

        @Override
        public List<PolicyOption> options() {
            return options;
        }

        @Override
        public RankPolicy forRank(RankServices services) {
            throw new UnsupportedOperationException("a parsing fixture runs no rank");
        }

        @Override
        public PolicyCoordinator coordinator(CoordinatorServices services) {
            throw new UnsupportedOperationException("a parsing fixture runs no job");
        }
    }
}
