package io.snapline.benchmarks.bench;

import java.nio.file.Path;
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
     * The launcher's arguments for a run of this cell in {@code runDir}, the one list both checked before the bench
     * and run: {@code -np}, {@code -dev}, the policy, its options, the bench's interval (for policies that
     * checkpoint, unless the options say when: {@code --interval T}, {@code --every N} or their {@code =} forms), the
     * failure, the run report {@code runDir/report.json}, the store {@code runDir/store} (policies that checkpoint),
     * then {@code -cp}, {@code --}, the program's main class and arguments.
     */
    List<String> launcherArgs(String interval, Path runDir) {
        List<String> args = new ArrayList<>(List.of("-np", Integer.toString(ranks), "-dev", device));
        args.addAll(policy.flags());
        if (!policy.isNone()) {
            args.addAll(options);
            if (!saysWhen(options)) {
                args.addAll(List.of("--interval", interval));
            }
        }
        if (failure != null) {
            args.addAll(List.of("--inject-failure", failure));
        }
        args.addAll(List.of("--report", reportIn(runDir).toString()));
        if (!policy.isNone()) {
            args.addAll(List.of("--store", runDir.resolve("store").toString()));
        }
        args.addAll(List.of("-cp", program.classPath(), "--", program.mainClass()));
        args.addAll(program.args());
        return args;
    }

    /** Whether {@code options} say when to checkpoint: {@code --interval}, {@code --every}, or {@code --interval=T}. */
    private static boolean saysWhen(List<String> options) {
        for (String o : options) {
            for (String flag : List.of("--interval", "--every")) {
                if (o.equals(flag) || o.startsWith(flag + "=")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Where a run in {@code runDir} writes its run report. */
    static Path reportIn(Path runDir) {
        return runDir.resolve("report.json");
    }
}
