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

    @Test
    void shouldShowEachIntervalChosenAndWhyInTheSummaryAndTheJson() {
        RunReport report = new RunReport("coordinated", "shm", 2, 1_000);
        IntervalChooser c = IntervalChooser.of(new Interval.Auto(Interval.Formula.YOUNG, java.time.Duration.ofHours(6),
                0.5), 1_000);
        report.intervalChosen(-1, c.current(), 1_000);
        report.intervalChosen(1, c.measured(3, 212_000_000L, 5_000), 2_000_001_000L);
        String s = report.summary();
        assertTrue(s.contains("  intervals chosen (--interval auto): 2\n".replace("\n", System.lineSeparator())
                + "    at 0.00 s: interval 30.0 s at the start (no checkpoint measured yet: the smaller of 30.0 s and "
                + "MTTF/10 = 36.0 min)"), s);
        assertTrue(s.contains("    at 2.00 s: rank 1: interval 95.7 s after checkpoint 3 (young: sqrt(2 * 212.0 ms * "
                + "6.0 h) = 95.7 s; t_c of checkpoint 3)"), s);
        assertTrue(report.toJson().contains("{\"rank\": 1, \"afterCheckpoint\": 3, \"intervalNanos\": 95699529779, "
                + "\"costNanos\": 212000000, \"reason\": \"young: sqrt(2 * 212.0 ms * 6.0 h) = 95.7 s; t_c of "
                + "checkpoint 3\", \"atNanos\": 2000000000}"), report.toJson());
    }
}
