package io.snapline.benchmarks.bench;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The cells of a bench and the order they run in. Every cell's failure-free {@code none} cell is part of the matrix
 * (it is the reference of overhead and output). {@code none} runs without options and without failures (a failure
 * under {@code none} ends the job, by design).
 *
 * @param cells   the cells, each once, in the order they were listed
 * @param repeat  how many times each cell runs
 */
public record Matrix(List<Cell> cells, int repeat) {
    /** One run: a cell and which repetition of it (from 1). */
    public record Trial(Cell cell, int repetition) {
    }

    public Matrix {
        cells = List.copyOf(cells);
        if (repeat < 1) {
            throw new IllegalArgumentException("--repeat must be at least 1, got " + repeat);
        }
    }

    /**
     * The product of the dimensions. {@code options} are the option sets to try besides running a policy without
     * any; {@code failures} the failures to inject besides running failure-free ({@code null} stands for the
     * failure-free run and is always included).
     */
    static Matrix product(List<Program> programs, List<Policy> policies, List<List<String>> options,
            List<Integer> ranks, List<String> devices, List<String> failures, int repeat) {
        List<List<String>> optionSets = new ArrayList<>();
        optionSets.add(List.of());
        optionSets.addAll(options);
        List<String> failureSet = new ArrayList<>();
        failureSet.add(null);
        failureSet.addAll(failures);
        Set<Cell> cells = new LinkedHashSet<>();
        for (Program program : programs) {
            for (int n : ranks) {
                for (String device : devices) {
                    cells.add(new Cell(program, Policy.NONE, List.of(), n, device, null));
                    for (String failure : failureSet) {
                        for (Policy policy : policies) {
                            if (policy.isNone()) {
                                continue;
                            }
                            for (List<String> o : optionSets) {
                                cells.add(new Cell(program, policy, o, n, device, failure));
                            }
                        }
                    }
                }
            }
        }
        return new Matrix(new ArrayList<>(cells), repeat);
    }

    /** This matrix with {@code more} cells after its own (and their baselines, if missing). */
    Matrix with(List<Cell> more) {
        Set<Cell> all = new LinkedHashSet<>(cells);
        for (Cell c : more) {
            all.add(c.baseline());
            all.add(c);
        }
        return new Matrix(new ArrayList<>(all), repeat);
    }

    /**
     * The order of the runs: every cell once, in order, then every cell again, and so on ({@code A B C A B C}, not
     * {@code A A B B C C}), so that a slow spell of a noisy machine is shared out among the cells instead of landing
     * on one of them.
     */
    public List<Trial> schedule() {
        List<Trial> order = new ArrayList<>(cells.size() * repeat);
        for (int r = 1; r <= repeat; r++) {
            for (Cell c : cells) {
                order.add(new Trial(c, r));
            }
        }
        return order;
    }
}
