package io.snapline.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.testing.MpiRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A program that prints all along ({@link Chatty}) under every restarting policy, killed in the middle of the run and
 * after rank 0 has printed its result and ended: every rank's lines, in order, and the banner must be exactly those
 * of a failure-free run. Without holding output until it is committed, the lines printed between the checkpoint a
 * restart goes back to and the failure came out twice, and so did the banner and rank 0's result.
 */
class HeldOutputTest {
    private static final String[] ARGS = {"300", "200"};

    @TempDir
    Path tmp;

    @TestFactory
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    Stream<DynamicTest> shouldPrintEveryLineOnceWhateverFailsAndWhenever() {
        List<List<String>> policies = List.of(
                List.of("--checkpoint", "coordinated", "--every", "20"),
                List.of("--checkpoint", "coordinated", "--interval", "15ms"),
                List.of("--checkpoint", "coordinated-nb", "--interval", "15ms"),
                List.of("--checkpoint", "independent", "--logging", "none", "--every", "20"));
        List<List<String>> failures = List.of(
                List.of("rank=1,point=150"),
                List.of("rank=2,point=450"), // in the tail: rank 0 has printed its result and may have ended
                List.of("rank=0,point=100", "rank=3,point=420"));
        // On tcp (a JVM per rank) one kind of failure per policy: the ranks count their own output there, which
        // every policy reports the same way.
        boolean tcp = MpiRun.device().equals("tcp");
        List<DynamicTest> tests = new ArrayList<>();
        for (int i = 0; i < policies.size(); i++) {
            for (int j = 0; j < failures.size(); j++) {
                if (tcp && j != i % failures.size()) {
                    continue;
                }
                List<String> p = policies.get(i);
                List<String> f = failures.get(j);
                tests.add(DynamicTest.dynamicTest(String.join(" ", p) + " failing " + f, () -> assertSameOutput(p, f)));
            }
        }
        return tests.stream();
    }

    @TestFactory
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    Stream<DynamicTest> shouldPrintTheRestOfTheOutputOnceWhenAJobThatGaveUpIsResumed() {
        Stream<List<String>> policies = Stream.of(List.of("--checkpoint", "coordinated", "--every", "20"),
                List.of("--checkpoint", "coordinated-nb", "--interval", "15ms"),
                List.of("--checkpoint", "independent", "--logging", "none", "--every", "20"));
        return policies.skip(MpiRun.device().equals("tcp") ? 2 : 0) // on tcp one policy: the path is the same
                .map(p -> DynamicTest.dynamicTest(String.join(" ", p), () -> assertGaveUpAndResumed(p)));
    }

    /**
     * A run that uses up its restarts shows only what its newest checkpoint covers; the resumed run prints the rest,
     * so that the two together print each rank's lines once, in order.
     */
    private void assertGaveUpAndResumed(List<String> policy) {
        MpiRun.Outcome clean = MpiRun.ok(4, Chatty.class, ARGS);
        String store;
        MpiRun.Outcome gaveUp;
        int runs = 0;
        boolean nothingCommitted;
        do { // under --interval a fast run can reach the failure before its first checkpoint: run it again
            store = tmp.resolve("store-" + System.nanoTime()).toString();
            List<String> flags = new ArrayList<>(policy);
            flags.addAll(List.of("--store", store, "--max-restarts", "0", "--inject-failure", "rank=2,point=420"));
            gaveUp = MpiRun.run(4, flags, Chatty.class, ARGS);
            nothingCommitted = gaveUp.err().contains("no checkpoint was committed");
            if (nothingCommitted) { // a rerun prints everything again, so nothing may be shown now
                assertEquals(List.of(), gaveUp.lines(), gaveUp.err());
                assertTrue(gaveUp.err().contains("of output is not shown: no checkpoint covers it"), gaveUp.err());
            }
        } while (nothingCommitted && ++runs < 10);
        assertFalse(nothingCommitted, "no run committed a checkpoint before the failure:\n" + gaveUp.err());
        assertFalse(gaveUp.result().succeeded(), gaveUp.err());
        assertTrue(gaveUp.err().contains("not restarting: the job has used all 0 restart(s)"), gaveUp.err());
        assertFalse(gaveUp.err().contains("may not all be shown"), gaveUp.err());

        List<String> resume = new ArrayList<>(policy);
        resume.addAll(List.of("--resume", store));
        MpiRun.Outcome resumed = MpiRun.run(4, resume, Chatty.class, ARGS);
        assertTrue(resumed.result().succeeded(), gaveUp.err() + resumed.err() + resumed.result().failures());

        List<String> both = new ArrayList<>(gaveUp.lines());
        both.addAll(resumed.lines());
        assertSameLinesByRank(clean.lines(), both, gaveUp.err() + "\n--- resumed:\n" + resumed.err());
    }

    private void assertSameOutput(List<String> policy, List<String> failures) {
        MpiRun.Outcome clean = MpiRun.ok(4, Chatty.class, ARGS);
        List<String> flags = new ArrayList<>(policy);
        flags.addAll(List.of("--store", tmp.resolve("store-" + System.nanoTime()).toString(), "--max-restarts", "3"));
        for (String f : failures) {
            flags.add("--inject-failure");
            flags.add(f);
        }
        MpiRun.Outcome o = MpiRun.run(4, flags, Chatty.class, ARGS);
        assertTrue(o.result().succeeded(), o.err() + o.result().failures());
        assertFalse(o.err().contains("restarts: 0\n"), "the failure did not strike:\n" + o.err());
        assertSameLinesByRank(clean.lines(), o.lines(), o.err());
    }

    private static void assertSameLinesByRank(List<String> expected, List<String> actual, String why) {
        Map<Integer, List<String>> want = byRank(expected);
        Map<Integer, List<String>> got = byRank(actual);
        assertEquals(want.keySet(), got.keySet(), why);
        for (Integer r : want.keySet()) {
            assertEquals(want.get(r), got.get(r), (r < 0 ? "the banner" : "rank " + r + "'s lines") + "\n" + why);
        }
    }

    /** Each rank's lines in the order they came; the banner under -1. */
    private static Map<Integer, List<String>> byRank(List<String> lines) {
        Map<Integer, List<String>> m = new TreeMap<>();
        for (String l : lines) {
            int rank = l.startsWith("rank ") ? Integer.parseInt(l.split(" ")[1]) : -1;
            m.computeIfAbsent(rank, k -> new ArrayList<>()).add(l);
        }
        return m;
    }
}
