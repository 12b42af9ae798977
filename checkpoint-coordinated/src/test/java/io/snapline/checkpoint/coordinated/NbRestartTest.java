package io.snapline.checkpoint.coordinated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.launch.UsageException;
import io.snapline.runtime.testing.MpiRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code coordinated-nb} end to end: the same ring program as {@link BlockingRestartTest}, killed and restarted. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NbRestartTest {
    private static final Pattern RESTART = Pattern.compile("restarting all \\d+ ranks from checkpoint (\\d+)");

    @TempDir
    Path tmp;

    private static List<String> sorted(MpiRun.Outcome o) {
        List<String> lines = new ArrayList<>(o.lines());
        lines.sort(null);
        return lines;
    }

    private MpiRun.Outcome run(int np, List<String> flags, String... args) {
        return MpiRun.run(np, flags, BlockingRestartTest.HaloRing.class, args);
    }

    private static long committed(MpiRun.Outcome o) {
        Matcher m = Pattern.compile("checkpoints committed: (\\d+)").matcher(o.err());
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    @Test
    void shouldGiveTheFailureFreeResultWhenARankIsKilledAfterCheckpointsWereTaken() {
        MpiRun.Outcome clean = run(3, List.of(), "80");
        MpiRun.Outcome o = run(3, List.of("--checkpoint", "coordinated-nb", "--interval", "40ms", "--store",
                tmp.resolve("s").toString(), "--inject-failure", "rank=1,point=60"), "80", "4");
        assertTrue(o.result().succeeded(), o.err() + o.result().failures());
        assertEquals(sorted(clean), sorted(o));
        Matcher m = RESTART.matcher(o.err());
        assertTrue(m.find(), o.err());
        assertTrue(Integer.parseInt(m.group(1)) >= 1, "restarted from a checkpoint: " + o.err());
        assertTrue(committed(o) >= 2, o.err());
        assertEquals(List.of(), MpiRun.liveWriters(), "the ranks' writers end with their attempts");
    }

    @Test
    void shouldFallBackWhenARankDiesWhileWritingAndSurviveASecondFailure() {
        MpiRun.Outcome clean = run(4, List.of(), "90");
        MpiRun.Outcome o = run(4, List.of("--checkpoint", "coordinated-nb", "--interval", "30ms", "--store",
                tmp.resolve("s").toString(), "--inject-failure", "rank=3,during-checkpoint=2", "--inject-failure",
                "rank=0,point=75"), "90", "4");
        assertTrue(o.result().succeeded(), o.err() + o.result().failures());
        assertEquals(sorted(clean), sorted(o));
        assertTrue(o.err().contains("restarting all 4 ranks from checkpoint 1"), o.err());
        assertTrue(o.err().contains("restart 2 of at most 3"), o.err());
    }

    @Test
    void shouldRefuseEveryNWhenThePolicyIsNonBlocking() {
        UsageException e = assertThrows(UsageException.class, () -> run(2, List.of("--checkpoint", "coordinated-nb",
                "--every", "3", "--store", tmp.resolve("s").toString()), "5"));
        assertEquals("--every is an option of --checkpoint coordinated, not of --checkpoint coordinated-nb",
                e.getMessage(), "(with the coordinated policies installed)");
    }
}
