package io.snapline.checkpoint.independent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.testing.MpiRun;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --logging causal}: a rank's non-deterministic outcomes travel ahead of its messages instead of holding its
 * sends back, and a rank that fails replays them from the copies the others hold. In these runs the event logger
 * lags ({@link LoggingCoordinator#lagging}): it stores and acknowledges none of the master's records, so the copies
 * the workers hold are the only ones. {@link PessimisticLoggingTest.Chain}'s master folds the order in which its
 * wildcard receives matched into the values it sends; a restarted master that replayed another order would compute
 * links the workers never saw ("consistent false"), or re-execute a send with other content than before (the job
 * fails). Each rank prints where it started and ended, so that only the failed ranks are seen to start again.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CausalLoggingTest {
    @TempDir
    Path tmp;

    @AfterEach
    void loggerKeepsUp() {
        LoggingCoordinator.lagging = r -> false;
    }

    private List<String> flags(String store, String... failures) {
        return AloneRuns.flags("causal", tmp, store, failures);
    }

    private static List<String> all(String text, String regex) {
        return AloneRuns.all(text, regex);
    }

    private static void assertOnlyRestarted(MpiRun.Outcome o, int ranks, java.util.Map<Integer, Integer> failures) {
        AloneRuns.assertOnlyRestarted(o, ranks, failures);
        assertFalse(o.err().contains("restarting all"), o.err());
    }

    /** How many records of {@code rank}'s events the others handed in for each of its restarts. */
    private static List<Long> gathered(MpiRun.Outcome o, int rank) {
        return all(o.err(), "rank " + rank + " replays its stream with (\\d+) record\\(s\\) of its events that the "
                + "other ranks held").stream().map(Long::parseLong).toList();
    }

    @Test
    void shouldReplayAFailedMasterFromTheRecordsTheWorkersHold() {
        LoggingCoordinator.lagging = r -> r == 0;
        MpiRun.Outcome o = MpiRun.run(4, flags("m", "rank=0,point=150"), PessimisticLoggingTest.Chain.class, "400");
        assertTrue(o.result().succeeded(), o.err() + o.result().failures());
        assertEquals(List.of("steps 400 consistent true"), o.lines(), o.err());
        assertOnlyRestarted(o, 4, java.util.Map.of(0, 1));
        List<Long> records = gathered(o, 0);
        assertEquals(1, records.size(), o.err());
        assertTrue(records.get(0) >= 3 * 140, "each worker holds the master's records of 140 steps or more: " + o.err());
        // The run says how much each rank held: the master its own records, the workers the master's.
        List<String> peaks = all(o.err(), "event records held to send ahead of messages, at most by rank: ([^\n]*)\n");
        assertEquals(1, peaks.size(), o.err());
        for (String peak : peaks.get(0).split(", ")) {
            assertFalse(peak.equals("0 B"), "every rank held records: " + peaks);
        }
    }

    @Test
    void shouldRecoverTheMasterAndAWorkerAtOnceAndTheMasterAgainWhileItReplays() {
        LoggingCoordinator.lagging = r -> true;
        for (List<String> kills : List.of(List.of("rank=0,point=150", "rank=3,point=150"),
                List.of("rank=0,point=150", "rank=0,point=152"))) {
            MpiRun.Outcome o = MpiRun.run(4, flags("k" + kills.get(1).charAt(5), kills.toArray(String[]::new)),
                    PessimisticLoggingTest.Chain.class, "400");
            assertTrue(o.result().succeeded(), kills + "\n" + o.err() + o.result().failures());
            assertEquals(List.of("steps 400 consistent true"), o.lines(), kills + "\n" + o.err());
            java.util.Map<Integer, Integer> failed = new java.util.HashMap<>();
            kills.forEach(k -> failed.merge(k.charAt(5) - '0', 1, Integer::sum));
            assertOnlyRestarted(o, 4, failed);
            assertFalse(gathered(o, 0).isEmpty(), o.err());
        }
    }

    /**
     * A job that stops after a failure and is resumed restarts every rank from its newest checkpoint: the master's
     * records that only the workers' checkpoints hold reach its stream before anyone replays. The master dies while it
     * writes a checkpoint, so its newest is some steps behind the workers' (a checkpoint every 10 ms, a step about
     * every millisecond).
     */
    @Test
    void shouldResumeFromCheckpointsThatHoldTheOnlyCopiesOfTheMastersRecords() {
        LoggingCoordinator.lagging = r -> r == 0;
        List<String> first = flags("r", "rank=0,during-checkpoint=30");
        first.set(first.indexOf("--max-restarts") + 1, "0");
        MpiRun.Outcome stopped = MpiRun.run(4, first, PessimisticLoggingTest.Chain.class, "400");
        assertFalse(stopped.result().succeeded(), stopped.err());
        assertTrue(stopped.lines().isEmpty(), stopped.out());
        List<String> resume = flags("r");
        int store = resume.indexOf("--store");
        resume.set(store, "--resume");
        MpiRun.Outcome o = MpiRun.run(4, resume, PessimisticLoggingTest.Chain.class, "400");
        assertTrue(o.result().succeeded(), stopped.err() + o.err() + o.result().failures());
        assertEquals(List.of("steps 400 consistent true"), o.lines(), o.err());
    }

    /** Without a lagging logger the records become stable quickly and are dropped; a failure recovers the same. */
    @Test
    void shouldRecoverAWorkerWhenTheLoggerKeepsUp() {
        MpiRun.Outcome o = MpiRun.run(4, flags("w", "rank=2,point=150"), PessimisticLoggingTest.Chain.class, "400");
        assertTrue(o.result().succeeded(), o.err() + o.result().failures());
        assertEquals(List.of("steps 400 consistent true"), o.lines(), o.err());
        assertOnlyRestarted(o, 4, java.util.Map.of(2, 1));
    }
}
