package io.snapline.runtime.launch.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.launch.FailureDetector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link FailureDetector} driven by a hand-moved clock. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class FailureDetectorTest {
    private long now = 1_000_000_000L;
    private final List<String> deaths = new ArrayList<>();
    private final FailureDetector detector = new FailureDetector(3, Duration.ofSeconds(2), () -> now,
            (rank, reason) -> deaths.add(rank + ": " + reason));

    private void advanceMillis(long ms) {
        now += ms * 1_000_000L;
    }

    @Test
    void shouldDeclareWatchedRankDeadWhenSilentLongerThanTimeout() {
        detector.watch(0);
        detector.watch(1);
        advanceMillis(1500);
        detector.heard(1);
        advanceMillis(600);
        assertEquals(List.of(0), detector.check());
        assertEquals(List.of("0: no sign of life for 2100 ms (failure timeout 2000 ms)"), deaths);
        assertTrue(detector.isDead(0));
        assertFalse(detector.isDead(1));
    }

    @Test
    void shouldNotDeclareRankWhenSilentForExactlyTheTimeout() {
        detector.watch(0);
        advanceMillis(2000);
        assertEquals(List.of(), detector.check());
        advanceMillis(1);
        assertEquals(List.of(0), detector.check());
    }

    @Test
    void shouldDeclareEachDeathOnceWhenEvidenceRepeats() {
        detector.watch(2);
        assertTrue(detector.died(2, "killed by signal 9"));
        assertFalse(detector.died(2, "control connection closed"));
        advanceMillis(10_000);
        assertEquals(List.of(), detector.check());
        assertEquals(List.of("2: killed by signal 9"), deaths);
    }

    @Test
    void shouldIgnoreRetiredRankWhenItGoesQuietOrExits() {
        detector.watch(1);
        detector.retire(1);
        advanceMillis(10_000);
        assertEquals(List.of(), detector.check());
        assertFalse(detector.died(1, "exited"));
        assertEquals(List.of(), deaths);
    }

    @Test
    void shouldNotTimeOutRankWhenItIsNotWatchedYet() {
        advanceMillis(60_000);
        assertEquals(List.of(), detector.check());
        assertTrue(detector.died(0, "exited before it joined"), "direct evidence counts before watching starts");
    }

    @Test
    void shouldWatchAgainWhenRestartedRankIsWatched() {
        detector.watch(0);
        detector.died(0, "killed");
        detector.watch(0);
        assertFalse(detector.isDead(0));
        advanceMillis(2001);
        assertEquals(List.of(0), detector.check());
        assertEquals(2, deaths.size());
    }

    @Test
    void shouldRejectNonPositiveTimeout() {
        assertThrows(IllegalArgumentException.class,
                () -> new FailureDetector(1, Duration.ZERO, () -> now, (r, why) -> { }));
    }
}
