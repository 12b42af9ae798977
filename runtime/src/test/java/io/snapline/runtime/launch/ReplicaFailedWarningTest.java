package io.snapline.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.checkpoint.NonePolicy;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A rank's failed replica write (a store with host copies) is a warning of snaprun's and in the run report. */
class ReplicaFailedWarningTest {
    @Test
    void shouldWarnAndReportThatCheckpointsStoppedCommitting() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        LaunchOptions options = LaunchOptions.parse(Map.of("none", new NonePolicy()), "-np", "2", "--checkpoint",
                "none", "Main");
        Supervision s = Supervision.open(options, new NonePolicy(), new PrintStream(err, true,
                StandardCharsets.UTF_8));

        s.replicaFailed(1, "writing rank 1's piece of checkpoint 4 to the replica failed (boom)");

        String w = "rank 1: writing rank 1's piece of checkpoint 4 to the replica failed (boom); checkpoints stopped "
                + "committing: none commits in this attempt any more, since each needs every rank's piece in the "
                + "cluster (a restart commits again)";
        assertEquals("snaprun: warning: " + w + System.lineSeparator(), err.toString(StandardCharsets.UTF_8));
        assertTrue(s.report().summary().contains("  warning: " + w), s.report().summary());
    }
}
