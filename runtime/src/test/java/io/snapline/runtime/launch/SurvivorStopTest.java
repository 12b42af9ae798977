package io.snapline.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SurvivorStopTest {
    @Test
    void shouldWaitForEveryRunningRankUntilItStopsOrEnds() {
        SurvivorStop s = new SurvivorStop(4, 1, "rank 1 was killed", 1_000);
        boolean[] running = {true, false, true, true}; // rank 1 is the dead one

        assertFalse(s.over(r -> running[r], 1_000));
        assertTrue(s.stopped(0));
        assertFalse(s.stopped(0), "known already");
        running[2] = false; // ended: an exchange with a gone rank failed
        assertFalse(s.over(r -> running[r], 2_000), "rank 3 still runs");
        s.stopped(3);

        assertTrue(s.over(r -> running[r], 3_000));
        assertTrue(s.allStopped(r -> running[r]));
        assertEquals(1, s.deadRank());
        assertEquals("rank 1 was killed", s.description());
        assertEquals(1_000, s.startedAt());
    }

    @Test
    void shouldGiveUpWaitingAfterTheLimit() {
        SurvivorStop s = new SurvivorStop(2, 0, "rank 0 died", 5);

        assertFalse(s.over(r -> true, 5 + SurvivorStop.MAX_WAIT_NANOS - 1));
        assertTrue(s.over(r -> true, 5 + SurvivorStop.MAX_WAIT_NANOS));
        assertFalse(s.allStopped(r -> true), "rank 1 never stopped");
    }
}
