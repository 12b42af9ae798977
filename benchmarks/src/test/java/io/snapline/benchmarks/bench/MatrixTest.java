package io.snapline.benchmarks.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cells of a matrix and the order they run in. */
class MatrixTest {
    private static final Program HEAT = Program.parse("Heat2D:64 10", null);
    private static final Program RING = Program.parse("Ring:3", null);
    private static final Policy COORDINATED = Policy.parse("coordinated");
    private static final Path RUN = Path.of("work", "cell1-run1");

    @Test
    void shouldRunEveryCellOnceBeforeAnyCellRunsAgainWhenRepeated() {
        Matrix m = Matrix.product(List.of(HEAT, RING), List.of(Policy.NONE, COORDINATED), List.of(), List.of(2),
                List.of("shm"), List.of(), 3);
        Cell heatNone = new Cell(HEAT, Policy.NONE, List.of(), 2, "shm", null);
        Cell heatCoord = new Cell(HEAT, COORDINATED, List.of(), 2, "shm", null);
        Cell ringNone = new Cell(RING, Policy.NONE, List.of(), 2, "shm", null);
        Cell ringCoord = new Cell(RING, COORDINATED, List.of(), 2, "shm", null);
        assertEquals(List.of(heatNone, heatCoord, ringNone, ringCoord), m.cells());

        List<String> order = m.schedule().stream()
                .map(t -> t.cell().program().name() + "/" + t.cell().policy().name() + "#" + t.repetition()).toList();

        assertEquals(List.of(
                "Heat2D/none#1", "Heat2D/coordinated#1", "Ring/none#1", "Ring/coordinated#1",
                "Heat2D/none#2", "Heat2D/coordinated#2", "Ring/none#2", "Ring/coordinated#2",
                "Heat2D/none#3", "Heat2D/coordinated#3", "Ring/none#3", "Ring/coordinated#3"), order);
    }

    @Test
    void shouldRunNoneOnceWithoutOptionsOrFailuresWhenOtherPoliciesHaveThem() {
        Matrix m = Matrix.product(List.of(HEAT), List.of(Policy.NONE, COORDINATED), List.of(List.of("--async")),
                List.of(2, 4), List.of("shm"), List.of("rank=1,point=5"), 1);

        List<String> cells = m.cells().stream().map(Cell::label).toList();

        assertEquals(List.of(
                "Heat2D 64 10 · none · 2 ranks shm",
                "Heat2D 64 10 · coordinated · 2 ranks shm",
                "Heat2D 64 10 · coordinated --async · 2 ranks shm",
                "Heat2D 64 10 · coordinated · 2 ranks shm · fail rank=1,point=5",
                "Heat2D 64 10 · coordinated --async · 2 ranks shm · fail rank=1,point=5",
                "Heat2D 64 10 · none · 4 ranks shm",
                "Heat2D 64 10 · coordinated · 4 ranks shm",
                "Heat2D 64 10 · coordinated --async · 4 ranks shm",
                "Heat2D 64 10 · coordinated · 4 ranks shm · fail rank=1,point=5",
                "Heat2D 64 10 · coordinated --async · 4 ranks shm · fail rank=1,point=5"), cells);
    }

    @Test
    void shouldGiveTheLauncherThePolicyItsOptionsTheIntervalTheFailureAndTheStoreWhenACellRuns() {
        Cell c = new Cell(HEAT, Policy.parse("independent/causal"), List.of("--compress", "lz4"), 4, "tcp",
                "rank=2,after=1s");

        assertEquals(List.of("-np", "4", "-dev", "tcp", "--checkpoint", "independent", "--logging", "causal",
                "--compress", "lz4", "--interval", "300ms", "--inject-failure", "rank=2,after=1s",
                "--report", RUN.resolve("report.json").toString(), "--store", RUN.resolve("store").toString(),
                "-cp", HEAT.classPath(), "--", "io.snapline.examples.Heat2D", "64", "10"),
                c.launcherArgs("300ms", RUN));
        assertEquals(List.of("-np", "2", "-dev", "shm", "--checkpoint", "none",
                "--report", RUN.resolve("report.json").toString(), "-cp", HEAT.classPath(), "--",
                "io.snapline.examples.Heat2D", "64", "10"),
                new Cell(HEAT, Policy.NONE, List.of(), 2, "shm", null).launcherArgs("300ms", RUN));
    }

    @Test
    void shouldLeaveTheIntervalToTheOptionsWhenTheySayWhenToCheckpoint() {
        assertEquals(List.of("--checkpoint", "coordinated", "--every", "5", "--report"),
                policyFlags(new Cell(HEAT, COORDINATED, List.of("--every", "5"), 2, "shm", null)));
        assertEquals(List.of("--checkpoint", "coordinated", "--interval", "1s", "--report"),
                policyFlags(new Cell(HEAT, COORDINATED, List.of("--interval", "1s"), 2, "shm", null)));
        assertEquals(List.of("--checkpoint", "coordinated", "--interval=1s", "--report"),
                policyFlags(new Cell(HEAT, COORDINATED, List.of("--interval=1s"), 2, "shm", null)));
        assertEquals(List.of("--checkpoint", "coordinated", "--async", "--every=5", "--report"),
                policyFlags(new Cell(HEAT, COORDINATED, List.of("--async", "--every=5"), 2, "shm", null)));
        assertEquals(List.of("--checkpoint", "coordinated", "--intervals", "--interval", "300ms", "--report"),
                policyFlags(new Cell(HEAT, COORDINATED, List.of("--intervals"), 2, "shm", null)));
    }

    /** The cell's launcher arguments from the policy up to {@code --report}. */
    private static List<String> policyFlags(Cell c) {
        List<String> args = c.launcherArgs("300ms", RUN);
        return args.subList(args.indexOf("--checkpoint"), args.indexOf("--report") + 1);
    }

    @Test
    void shouldAddTheBaselineWhenACellIsAddedByHand() {
        Matrix m = Matrix.product(List.of(HEAT), List.of(Policy.NONE), List.of(), List.of(2), List.of("shm"),
                List.of(), 1);
        Cell failing = new Cell(RING, COORDINATED, List.of(), 3, "shm", "rank=1,point=2");

        assertEquals(List.of(m.cells().get(0), failing.baseline(), failing), m.with(List.of(failing)).cells());
    }

    @Test
    void shouldRefuseRepeatBelowOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Matrix(List.of(), 0));
        assertEquals("--repeat must be at least 1, got 0", e.getMessage());
    }
}
