package io.snapline.recovery.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The top of {@code snapline}: its help, and {@code bench}, which runs from the benchmarks module. */
class SnaplineCliTest {
    @Test
    void shouldListBenchWithTheOtherCommandsWhenAskedForHelp() {
        CliRun run = CliRun.of("--help");

        assertEquals(0, run.status());
        for (String command : new String[] {"recovery-line", "simulate", "status", "bench", "completion"}) {
            assertTrue(run.out().contains("\n  " + command + " "), command + " missing from:\n" + run.out());
        }
        assertTrue(run.out().contains("Compares the checkpoint policies on real jobs"), run.out());
    }

    @Test
    void shouldPointToBinSnaplineWhenBenchIsRunFromThisModule() {
        CliRun run = CliRun.of("bench", "--quick");

        assertEquals(SnaplineCli.BAD_INPUT, run.status());
        assertEquals("snapline bench: bench runs from the benchmarks module: start it with bin/snapline bench (see "
                + "bin/snapline bench --help)\n", run.err());
    }

    @Test
    void shouldPointToBinSnaplineWhenCompletionIsRunFromThisModule() {
        CliRun run = CliRun.of("completion");

        assertEquals(SnaplineCli.BAD_INPUT, run.status());
        assertEquals("snapline completion: completion runs from the benchmarks module: start it with bin/snapline "
                + "completion\n", run.err());
    }
}
