package io.snapline.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RunReportTest {
    @Test
    void shouldShowTheMessageLogsPeakInMemoryAndOnDiskOnlyWhenOneSpilled() {
        RunReport report = new RunReport("independent", "shm", 2, 0);
        report.messageLog(0, 1 << 20, 2 << 20, 0, 0, 10);
        report.messageLog(1, 512, 1024, 0, 0, 20);
        assertTrue(report.summary().contains("message logs: peak by rank 2.0 MiB, 1.0 KiB in memory (2 samples"),
                report.summary());
        assertFalse(report.summary().contains("spilled"), report.summary());

        report.messageLog(0, 1 << 20, 2 << 20, 5 << 20, 64 << 20, 30);
        assertTrue(report.summary().contains("message logs: peak by rank 2.0 MiB, 1.0 KiB in memory; spilled to disk "
                + "beyond --log-memory, peak by rank 64.0 MiB, 0 B (3 samples"), report.summary());
        assertTrue(report.toJson().contains("{\"rank\": 0, \"bytes\": 1048576, \"peakBytes\": 2097152, "
                + "\"spilledBytes\": 5242880, \"spilledPeakBytes\": 67108864, \"atNanos\": 30}"), report.toJson());
    }
}
