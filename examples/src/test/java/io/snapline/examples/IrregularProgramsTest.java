package io.snapline.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.testing.MpiRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The programs that are hard on checkpointing — {@link MasterWorker} (wildcard receives, {@code Iprobe},
 * {@code Waitany}, a master passing safe points faster than its workers), {@link Pipeline} (stages at different
 * rates) and {@link MixedOperations} (much of the API at once, ranks at different speeds) — under every restarting
 * policy, with failures of the first rank, of another one, of two at once and during a checkpoint. Every run must
 * end with the failure-free output; the non-determinism of arrival orders is what the repetitions are for: each of
 * the first two programs runs under each policy 12 times here on shm (3 per kind of failure) and twice on tcp (a tcp
 * run starts a JVM per rank, and again per restart, so it costs ten shm runs: two kinds of failure per policy, in
 * turn, so that each kind runs under at least two policies for each program; the pipeline, which runs under causal
 * logging as under pessimistic, not under causal there); the mixed program twice per policy on shm and once under
 * two policies on tcp; every program 80 times under {@code -Plong} (20 per kind) on each device.
 */
class IrregularProgramsTest {
    @TempDir
    Path tmp;

    /** A policy and its schedule. */
    record Policy(String name, List<String> flags) {
    }

    static final List<Policy> POLICIES = List.of(
            new Policy("coordinated", List.of("--checkpoint", "coordinated", "--interval", "20ms")),
            new Policy("coordinated-nb", List.of("--checkpoint", "coordinated-nb", "--interval", "20ms")),
            new Policy("independent", List.of("--checkpoint", "independent", "--logging", "none", "--every", "15")),
            new Policy("independent-pessimistic", List.of("--checkpoint", "independent", "--logging", "pessimistic",
                    "--interval", "20ms")),
            new Policy("independent-causal", List.of("--checkpoint", "independent", "--logging", "causal",
                    "--interval", "20ms")));

    /** Failures to inject: one name, the --inject-failure values. */
    record Failures(String name, List<String> specs) {
    }

    /**
     * The last kind of failure kills rank {@code other} while it writes its piece of checkpoint {@code checkpoint}.
     * Both programs use the first: under coordinated-nb a stage's piece is complete only once it has received what
     * the stage before it had sent when that one checkpointed, and on tcp (a 4 MiB window per sender) the first stage
     * runs so far ahead that later checkpoints are often still open when the run ends; and a worker the master hands
     * few of the 120 tasks (a loaded machine) passes too few safe points for a second checkpoint under
     * {@code --every 15}.
     */
    static List<Failures> failures(int first, int other, int third, int point, int checkpoint) {
        return List.of(
                new Failures("rank " + first, List.of("rank=" + first + ",point=" + point)),
                new Failures("rank " + other, List.of("rank=" + other + ",point=" + point / 2)),
                new Failures("ranks " + other + " and " + third + " at once", List.of("rank=" + other + ",point=" + point / 2,
                        "rank=" + third + ",point=" + point / 2)),
                new Failures("during a checkpoint", List.of("rank=" + other + ",during-checkpoint=" + checkpoint)));
    }

    @TestFactory
    @Timeout(value = 900, unit = TimeUnit.SECONDS)
    Stream<DynamicTest> shouldPrintTheFailureFreeOutputUnderEveryPolicyWhateverFails() {
        return matrix(MpiRun.device().equals("tcp") ? 1 : 3);
    }

    @Tag("long")
    @TestFactory
    @Timeout(value = 7200, unit = TimeUnit.SECONDS)
    Stream<DynamicTest> shouldPrintTheFailureFreeOutputUnderEveryPolicyWhateverFailsManyTimes() {
        return matrix(20);
    }

    /** One test per program and policy: each kind of failure {@code repetitions} times. */
    private Stream<DynamicTest> matrix(int repetitions) {
        List<DynamicTest> tests = new ArrayList<>();
        String[] farm = {"120", "200000"};
        String[] pipeline = {"1000", "16", "2000"};
        String[] mixed = {"600", "uneven"};
        boolean few = MpiRun.device().equals("tcp") && repetitions == 1;
        for (int i = 0; i < POLICIES.size(); i++) {
            Policy p = POLICIES.get(i);
            tests.add(cell("MasterWorker", p, kinds(failures(0, 2, 3, 40, 1), i, few), repetitions,
                    MasterWorker.class, farm));
            if (!(p.name().equals("independent-causal") && few)) {
                // The pipeline makes no non-deterministic call, so causal logging sends nothing ahead of its
                // messages and runs it as pessimistic does: on tcp, where a run costs ten shm runs, once is enough.
                tests.add(cell("Pipeline", p, kinds(failures(0, 1, 3, 100, 1), i, few), repetitions, Pipeline.class,
                        pipeline));
            }
            // The mixed program: here two kinds of failure per policy, once; on tcp one kind under two policies.
            boolean many = repetitions > 3;
            List<Failures> mixedKinds = many ? failures(0, 2, 3, 300, 1) : kinds(failures(0, 2, 3, 300, 1), i, true);
            if (!few || i == 1 || i == 3) {
                tests.add(cell("MixedOperations", p, few ? mixedKinds.subList(0, 1) : mixedKinds,
                        many ? repetitions : 1, MixedOperations.class, mixed));
            }
        }
        return tests.stream();
    }

    /** Every kind of failure, or with {@code few} two of them, chosen in turn by the policy's index {@code i}. */
    private static List<Failures> kinds(List<Failures> all, int i, boolean few) {
        return few ? List.of(all.get(i % all.size()), all.get((i + 2) % all.size())) : all;
    }

    /** Each program's failure-free output, run once per program and arguments. */
    private static final java.util.Map<String, List<String>> CLEAN = new java.util.concurrent.ConcurrentHashMap<>();

    private DynamicTest cell(String program, Policy p, List<Failures> failures, int repetitions, Class<?> main,
            String... args) {
        return DynamicTest.dynamicTest(program + " under " + p.name(), () -> {
            List<String> clean = CLEAN.computeIfAbsent(program + List.of(args), k -> MpiRun.ok(4, main, args).lines());
            assertFalse(clean.isEmpty());
            for (int i = 0; i < repetitions; i++) {
                for (Failures f : failures) {
                    List<String> flags = new ArrayList<>(p.flags());
                    flags.addAll(List.of("--store", tmp.resolve(program + "-" + p.name() + "-" + System.nanoTime())
                            .toString(), "--max-restarts", "4"));
                    for (String s : f.specs()) {
                        flags.add("--inject-failure");
                        flags.add(s);
                    }
                    MpiRun.Outcome o = MpiRun.run(4, flags, main, args);
                    String what = program + " under " + p.name() + ", failing " + f.name() + ", run " + (i + 1) + "\n";
                    assertTrue(o.result().succeeded(), what + o.err() + o.result().failures());
                    assertEquals(clean, o.lines(), what + o.err());
                    assertFalse(o.err().contains("restarts: 0\n"), "the failure did not strike: " + what + o.err());
                }
            }
        });
    }
}
