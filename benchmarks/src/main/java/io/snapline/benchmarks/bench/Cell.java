package io.snapline.benchmarks.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * One cell of the matrix: a program under a policy with some launcher options, on some ranks of a device, with or
 * without an injected failure.
 *
 * @param program the program and its arguments
 * @param policy  the checkpoint policy
 * @param options extra launcher flags of the policy ({@code --async}, {@code --compress lz4}); empty for none
 * @param ranks   {@code -np}
 * @param device  {@code shm} or {@code tcp}
 * @param failure an {@code --inject-failure} value, or null for a failure-free run
 */
public record Cell(Program program, Policy policy, List<String> options, int ranks, String device, String failure) {
    public Cell {
        options = List.copyOf(options);
    }

    /** The failure-free {@code none} cell of the same program, ranks and device: the reference of this one. */
    Cell baseline() {
        return new Cell(program, Policy.NONE, List.of(), ranks, device, null);
    }

    boolean isBaseline() {
        return policy.isNone() && options.isEmpty() && failure == null;
    }

    /** The same cell without its failure: the run a failure's cost is measured against. */
    Cell withoutFailure() {
        return new Cell(program, policy, options, ranks, device, null);
    }

    /** The options as one word list, {@code -} for none. */
    String optionsLabel() {
        return options.isEmpty() ? "-" : String.join(" ", options);
    }

    /** {@code Heat2D 256 2000 · coordinated --async · 4 ranks shm · fail rank=1,point=50}. */
    String label() {
        return program.label() + " · " + policy.name() + (options.isEmpty() ? "" : " " + String.join(" ", options))
                + " · " + ranks + " ranks " + device + (failure == null ? "" : " · fail " + failure);
    }

    /**
     * The launcher's flags for this cell, before the program: {@code -np}, {@code -dev}, the policy, its options,
     * the bench's interval (for policies that checkpoint, unless the options say when: {@code --interval} or
     * {@code --every}), the failure and the report file.
     */
    List<String> launcherFlags(String interval, String reportFile) {
        List<String> flags = new ArrayList<>(List.of("-np", Integer.toString(ranks), "-dev", device));
        flags.addAll(policy.flags());
        if (!policy.isNone()) {
            flags.addAll(options);
            if (!options.contains("--interval") && !options.contains("--every")) {
                flags.addAll(List.of("--interval", interval));
            }
        }
        if (failure != null) {
            flags.addAll(List.of("--inject-failure", failure));
        }
        flags.addAll(List.of("--report", reportFile));
        return flags;
    }
}
