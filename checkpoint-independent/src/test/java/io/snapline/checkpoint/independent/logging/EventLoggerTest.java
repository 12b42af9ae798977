package io.snapline.checkpoint.independent.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.snapline.checkpoint.independent.logging.EventLogger.Batch;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventLoggerTest {
    private static Batch batch(long first, int count) {
        return new Batch(first, count, new byte[10 * count]);
    }

    private static List<Long> firsts(List<Batch> batches) {
        return batches.stream().map(Batch::first).toList();
    }

    @Test
    void shouldMakeEachRanksDeterminantsStableInOrderAndAnswerHowManyAre() {
        EventLogger log = new EventLogger(2);
        assertEquals(3, log.append(1, batch(0, 3)));
        assertEquals(5, log.append(1, batch(3, 2)));
        assertEquals(0, log.stable(0), "ranks are logged apart");
        assertEquals(1, log.append(0, batch(0, 1)));
        assertEquals(5, log.stable(1));
    }

    @Test
    void shouldAcknowledgeABatchSentAgainWithoutStoringItTwice() {
        EventLogger log = new EventLogger(1);
        log.append(0, batch(0, 4));
        long bytes = log.bytes();
        assertEquals(4, log.append(0, batch(0, 4)));
        assertEquals(4, log.append(0, batch(2, 2)));
        assertEquals(bytes, log.bytes());
    }

    @Test
    void shouldRefuseAGapOrAnOverlapLoudly() {
        EventLogger log = new EventLogger(3);
        log.append(2, batch(0, 4));
        assertEquals("rank 2 sent determinants 5..5 but 4 is the next the event logger expects: determinants were lost",
                assertThrows(IllegalStateException.class, () -> log.append(2, batch(5, 1))).getMessage());
        assertEquals("rank 2 sent determinants 3..5 but 4 is the next the event logger expects: determinants overlap",
                assertThrows(IllegalStateException.class, () -> log.append(2, batch(3, 3))).getMessage());
        assertEquals("rank 3 is not a rank of the job (0..2)",
                assertThrows(IllegalArgumentException.class, () -> log.append(3, batch(0, 1))).getMessage());
    }

    @Test
    void shouldReplayFromACheckpointAndDropWhatALaterCheckpointCovers() {
        EventLogger log = new EventLogger(1);
        log.append(0, batch(0, 3));   // 0..2
        log.append(0, batch(3, 4));   // 3..6
        log.append(0, batch(7, 2));   // 7..8

        assertEquals(List.of(0L, 3L, 7L), firsts(log.from(0, 0)));
        assertEquals(List.of(3L, 7L), firsts(log.from(0, 5)), "the batch holding determinant 5 comes whole");
        assertEquals(List.of(), firsts(log.from(0, 9)), "a checkpoint after every determinant replays nothing");

        assertEquals(30, log.truncate(0, 5), "a checkpoint after determinant 4 drops batch 0..2 only");
        assertEquals(List.of(3L, 7L), firsts(log.from(0, 5)));
        assertEquals("determinants 3..4 of rank 0 were dropped when a checkpoint of the rank covered them; a restart "
                + "from an older checkpoint cannot replay them",
                assertThrows(IllegalStateException.class, () -> log.from(0, 3)).getMessage());
        log.truncate(0, 9);
        assertEquals(0, log.bytes());
        assertEquals(90, log.peakBytes());
    }

    @Test
    void shouldRefuseACheckpointThatCoversDeterminantsThatAreNotStable() {
        EventLogger log = new EventLogger(1);
        log.append(0, batch(0, 2));
        assertEquals("rank 0 checkpointed after determinant 2 but only determinants below 2 are stable: it sent a "
                + "message before its determinants were stable",
                assertThrows(IllegalStateException.class, () -> log.truncate(0, 3)).getMessage());
    }
}
