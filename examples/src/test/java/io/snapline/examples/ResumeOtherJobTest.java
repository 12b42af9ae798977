package io.snapline.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.launch.UsageException;
import io.snapline.runtime.testing.MpiRun;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --resume} across policies (both policy modules are on this module's test class path): a store is resumed
 * only by the job that wrote it, whichever policy wrote it and whichever one the resume asks for.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ResumeOtherJobTest {
    @TempDir
    Path tmp;

    private static MpiRun.Outcome heat(List<String> flags, String... args) {
        return MpiRun.run(4, flags, Heat2D.class, args);
    }

    @Test
    void shouldRefuseToResumeACoordinatedStoreUnderTheIndependentPolicy() {
        Path store = tmp.resolve("s");
        MpiRun.Outcome first = heat(List.of("--checkpoint", "coordinated", "--every", "10", "--store",
                store.toString()), "48", "40");
        assertTrue(first.result().succeeded(), first.err());

        UsageException e = assertThrows(UsageException.class, () -> heat(List.of("--checkpoint", "independent",
                "--logging", "none", "--every", "10", "--resume", store.toString()), "48", "40"));

        assertEquals("--resume " + store + ": checkpoint 4 there was taken by another job (old value \u2192 this "
                + "job's):\n  checkpoint policy: coordinated \u2192 independent\n  policy options: (none) \u2192 "
                + "logging=none\nResume with the same program, "
                + "arguments, policy and -np, or start a fresh job with another --store", e.getMessage());
    }

    @Test
    void shouldRefuseToResumeLocalCheckpointsWithOtherArgumentsOrUnderAnotherPolicy() {
        Path store = tmp.resolve("s");
        MpiRun.Outcome first = heat(List.of("--checkpoint", "independent", "--logging", "none", "--every", "10",
                "--store", store.toString()), "48", "40");
        assertTrue(first.result().succeeded(), first.err());

        UsageException args = assertThrows(UsageException.class, () -> heat(List.of("--checkpoint", "independent",
                "--logging", "none", "--every", "10", "--resume", store.toString()), "48", "80"));
        UsageException policy = assertThrows(UsageException.class, () -> heat(List.of("--checkpoint", "coordinated",
                "--every", "10", "--resume", store.toString()), "48", "40"));

        assertTrue(args.getMessage().startsWith("--resume " + store + ": rank 0's local checkpoint "),
                args.getMessage());
        assertTrue(args.getMessage().contains(" there was taken by another job (old value \u2192 this job's):\n"
                + "  program arguments: 48 40 \u2192 48 80\n"), args.getMessage());
        assertTrue(policy.getMessage().contains("\n  checkpoint policy: independent \u2192 coordinated\n"),
                policy.getMessage());
    }
}
