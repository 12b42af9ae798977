package io.snapline.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class FailurePlanTest {
    private static FailurePlan plan(int np, String... specs) {
        return new FailurePlan(java.util.Arrays.stream(specs).map(FailureSpec::parse).toList(), np);
    }

    @Test
    void shouldDrawTheSameRandomFailuresWhenTheSeedIsTheSame() {
        List<String> a = plan(4, "random,seed=42,count=3").forAttempt().stream().map(Object::toString).toList();
        List<String> b = plan(4, "random,seed=42,count=3").forAttempt().stream().map(Object::toString).toList();
        assertEquals(a, b);
        assertEquals(1, a.size());
    }

    @Test
    void shouldHandOneRandomFailurePerAttemptWithinTheWindowWhenCountIsSeveral() {
        FailurePlan p = plan(3, "random,seed=7,count=3");
        assertEquals(3, p.unstruck().size());
        for (int attempt = 0; attempt < 3; attempt++) {
            List<FailurePlan.Injection> now = p.forAttempt();
            assertEquals(1, now.size(), "one random failure per attempt");
            FailurePlan.Injection i = now.get(0);
            assertTrue(i.rank >= 0 && i.rank < 3, i.toString());
            assertTrue(i.after.compareTo(FailurePlan.RANDOM_MIN) >= 0 && i.after.compareTo(FailurePlan.RANDOM_MAX) <= 0,
                    i.toString());
            p.struck(i);
        }
        assertTrue(p.forAttempt().isEmpty());
        assertTrue(p.unstruck().isEmpty());
    }

    @Test
    void shouldGiveEachRankItsEarliestPendingKillWhenSeveralAreAsked() {
        FailurePlan p = plan(4, "rank=2,point=9", "rank=2,point=4", "rank=1,during-checkpoint=3");
        List<FailurePlan.Injection> now = p.forAttempt();
        assertEquals(4, FailurePlan.pointFor(now, 2));
        assertEquals(3, FailurePlan.writeFor(now, 1));
        assertEquals(0, FailurePlan.pointFor(now, 1));
        p.struck(now, 2, true);
        List<FailurePlan.Injection> next = p.forAttempt();
        assertEquals(9, FailurePlan.pointFor(next, 2), "the kill at point 4 struck once; the one at 9 is next");
        assertEquals(3, FailurePlan.writeFor(next, 1));
    }
}
