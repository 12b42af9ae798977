package io.snapline.examples;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every checkpointable example under {@code --checkpoint coordinated-nb}: killed ranks, a restart from whatever
 * checkpoint had committed, and output identical to a failure-free run.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class NonBlockingRestartTest {
    @TempDir
    Path store;

    @Test
    void shouldPrintTheFailureFreeResultWhenHeat2DRanksAreKilled() {
        Restarts.assertSameOutputDespiteFailuresNonBlocking(store, 4, 3,
                List.of("rank=2,during-checkpoint=1", "rank=1,point=150"), Heat2D.class, "64", "200", "--verify");
    }

    @Test
    void shouldPrintTheFailureFreeResultWhenMonteCarloPiRanksAreKilled() {
        Restarts.assertSameOutputDespiteFailuresNonBlocking(store, 3, 3, List.of("rank=1,during-checkpoint=1", "rank=0,point=25"),
                MonteCarloPi.class, "2000000", "11", "40");
    }

    @Test
    void shouldPrintTheFailureFreeResultWhenMatMulRanksAreKilled() {
        Restarts.assertSameOutputDespiteFailuresNonBlocking(store, 3, 3, List.of("rank=2,during-checkpoint=1", "rank=1,point=6"),
                MatMul.class,
                "120", "4", "--verify");
    }

    @Test
    void shouldPrintTheFailureFreeResultWhenRingRanksAreKilled() {
        Restarts.assertSameOutputDespiteFailuresNonBlocking(store, 4, 3, List.of("rank=3,point=300",
                "rank=1,during-checkpoint=2", "rank=0,point=700"), Ring.class, "1000");
    }

    @Test
    void shouldPrintTheFailureFreeResultWhenNBodyRanksAreKilled() {
        Restarts.assertSameOutputDespiteFailuresNonBlocking(store, 3, 3, List.of("rank=0,during-checkpoint=1", "rank=2,point=30"),
                NBody.class,
                "300", "60", "9", "--verify");
    }
}
