package io.snapline.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.testing.MpiRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A task farm whose master polls with {@code Iprobe} and {@code Test} and waits for any or some of several requests
 * ({@link PollingFarm}; {@link MasterWorkerWildcardCases} adds {@link MasterWorker}), run under {@code --checkpoint coordinated-nb} with failures of the
 * master, of a worker, of two ranks and during a checkpoint, {@link #repeats()} times each: every run must print
 * exactly what a failure-free run prints (each farm checks, too, that the master's record of who did what matches
 * every worker's own tally). A restarted rank replays the choices it recorded after its checkpoint, so it re-sends
 * the messages other ranks' checkpoints already hold.
 */
abstract class WildcardRestartCases {
    private static final String[] POLLING_FARM = {"600", "5000"};
    /** Failure-free output, by program (it does not depend on the order results come in). */
    private static final Map<Class<?>, List<String>> CLEAN = new ConcurrentHashMap<>();

    @TempDir
    Path stores;

    /** How many times each case runs. */
    abstract int repeats();

    /** The policy and its schedule. */
    List<String> policy() {
        return List.of("--checkpoint", "coordinated-nb", "--interval", "40ms");
    }

    @Test
    void shouldPrintTheFailureFreeResultWhenTheMasterOfAPollingFarmFails() {
        assertAlwaysFailureFree(PollingFarm.class, POLLING_FARM, "rank=0,point=120");
    }

    @Test
    void shouldPrintTheFailureFreeResultWhenAWorkerOfAPollingFarmFails() {
        assertAlwaysFailureFree(PollingFarm.class, POLLING_FARM, "rank=2,point=80");
    }

    @Test
    void shouldPrintTheFailureFreeResultWhenTwoRanksOfAPollingFarmFail() {
        assertAlwaysFailureFree(PollingFarm.class, POLLING_FARM, "rank=0,point=120", "rank=1,point=80");
    }

    @Test
    void shouldPrintTheFailureFreeResultWhenTheMasterOfAPollingFarmFailsDuringACheckpoint() {
        assertAlwaysFailureFree(PollingFarm.class, POLLING_FARM, "rank=0,during-checkpoint=2");
    }

    void assertAlwaysFailureFree(Class<?> farm, String[] args, String... failures) {
        List<String> clean = CLEAN.computeIfAbsent(farm, f -> MpiRun.ok(4, f, args).lines());
        assertFalse(clean.isEmpty());
        int fromCheckpoint = 0;
        for (int run = 1; run <= repeats(); run++) {
            List<String> flags = new ArrayList<>(policy());
            flags.addAll(List.of("--store", stores.resolve("run-" + run).toString(), "--max-restarts",
                    Integer.toString(failures.length)));
            for (String f : failures) {
                flags.add("--inject-failure");
                flags.add(f);
            }
            MpiRun.Outcome o = MpiRun.run(4, flags, farm, args);
            String what = farm.getSimpleName() + " run " + run + " of " + repeats() + " with " + List.of(failures);
            assertTrue(o.result().succeeded(), what + ":\n" + o.err() + o.result().failures());
            assertEquals(clean, o.lines(), what + ":\n" + o.err());
            java.util.regex.Matcher restarts = java.util.regex.Pattern.compile("restarts: (\\d+)\n").matcher(o.err());
            assertTrue(restarts.find(), o.err());
            int n = Integer.parseInt(restarts.group(1));
            assertTrue(n >= 1 && n <= failures.length, what + ": 1.." + failures.length + " restarts expected:\n"
                    + o.err());
            fromCheckpoint += o.err().contains("restarting all 4 ranks from checkpoint ")
                    || o.err().contains("restarting all 4 ranks from recovery line [")
                    || o.err().contains(" alone from its local checkpoint ") ? 1 : 0;
        }
        // Where checkpoints fall depends on timing, but a case whose runs all restarted from the beginning would
        // replay nothing and prove nothing.
        assertTrue(fromCheckpoint > 0, "no run of " + farm.getSimpleName() + " with " + List.of(failures)
                + " restarted from a checkpoint");
    }
}
