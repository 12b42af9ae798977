package io.snapline.runtime.comm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.engine.EngineException;
import io.snapline.runtime.engine.Group;
import io.snapline.runtime.engine.Ranks;
import org.junit.jupiter.api.Test;

/** The engine's group values: MPI ordering rules of the set operations, inclusion, exclusion and ranges. */
class GroupTest {
    /** World ranks 10..17 would not exist; use a world of 8 seen from world rank 2. */
    private final Group world = Group.world(8, 2);
    private final Group a = Group.of(new int[] {5, 1, 2, 7}, 2);
    private final Group b = Group.of(new int[] {7, 3, 5, 0}, 2);

    @Test
    void shouldKeepFirstGroupOrderThenAppendNewMembersWhenUnion() {
        Group u = a.union(b);
        assertArrayEquals(new int[] {5, 1, 2, 7, 3, 0}, u.worldRanks());
        assertEquals(2, u.rank());
    }

    @Test
    void shouldKeepFirstGroupOrderWhenIntersectionOrDifference() {
        assertArrayEquals(new int[] {5, 7}, a.intersection(b).worldRanks());
        assertArrayEquals(new int[] {7, 5}, b.intersection(a).worldRanks());
        Group d = a.difference(b);
        assertArrayEquals(new int[] {1, 2}, d.worldRanks());
        assertEquals(1, d.rank());
        assertEquals(Group.UNDEFINED, b.difference(a).rank());
    }

    @Test
    void shouldReturnEmptyGroupWhenNothingRemains() {
        assertSame(Group.empty(), a.difference(a));
        assertEquals(0, a.intersection(Group.of(new int[] {4, 6}, 2)).size());
        assertArrayEquals(a.worldRanks(), Group.empty().union(a).worldRanks());
        assertEquals(2, Group.empty().union(a).rank());
    }

    @Test
    void shouldTranslateRanksToUndefinedWhenNotMember() {
        assertArrayEquals(new int[] {2, Group.UNDEFINED, Group.UNDEFINED, 0, Ranks.PROC_NULL},
                a.translate(new int[] {0, 1, 2, 3, Ranks.PROC_NULL}, b));
        assertArrayEquals(new int[] {5, 1, 2, 7}, a.translate(new int[] {0, 1, 2, 3}, world));
    }

    @Test
    void shouldOrderIncludedRanksAsGivenWhenIncl() {
        Group g = world.incl(new int[] {6, 2, 0});
        assertArrayEquals(new int[] {6, 2, 0}, g.worldRanks());
        assertEquals(1, g.rank());
        assertArrayEquals(new int[] {0, 1, 3, 4, 5, 7}, world.excl(new int[] {6, 2}).worldRanks());
        assertEquals(Group.UNDEFINED, world.excl(new int[] {6, 2}).rank());
    }

    @Test
    void shouldExpandTripletsWhenRangesHavePositiveOrNegativeStrides() {
        assertArrayEquals(new int[] {0, 3, 6, 7, 5}, world.rangeIncl(new int[][] {{0, 7, 3}, {7, 4, -2}}).worldRanks());
        assertArrayEquals(new int[] {4}, world.rangeIncl(new int[][] {{4, 4, 1}}).worldRanks());
        assertArrayEquals(new int[] {1, 2, 4, 5, 7}, world.rangeExcl(new int[][] {{0, 6, 3}}).worldRanks());
        assertArrayEquals(new int[] {}, world.rangeExcl(new int[][] {{7, 0, -1}}).worldRanks());
    }

    /** MPI-1.1 5.3.2 constrains the ranks a triplet produces, not its last value: {5, 8, 2} names ranks 5 and 7. */
    @Test
    void shouldAcceptTripletWhenLastIsOutOfRangeButNoProducedRankIs() {
        assertArrayEquals(new int[] {5, 7}, world.rangeIncl(new int[][] {{5, 8, 2}}).worldRanks());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 6}, world.rangeExcl(new int[][] {{5, 8, 2}}).worldRanks());
        assertArrayEquals(new int[] {2, 0}, world.rangeIncl(new int[][] {{2, -1, -2}}).worldRanks());
        assertArrayEquals(new int[] {3}, world.rangeIncl(new int[][] {{3, Integer.MAX_VALUE, Integer.MAX_VALUE}}).worldRanks());
        assertMessage(() -> world.rangeIncl(new int[][] {{5, 9, 2}}),
                "ranges[0] = {5, 9, 2} names rank 9, which is out of range for a group of size 8 (valid: 0..7)");
        assertMessage(() -> world.rangeIncl(new int[][] {{1, -2, -2}}),
                "ranges[0] = {1, -2, -2} names rank -1, which is out of range for a group of size 8 (valid: 0..7)");
        assertMessage(() -> world.rangeIncl(new int[][] {{0, Integer.MAX_VALUE, 1}}),
                "ranges[0] = {0, 2147483647, 1} names rank 2147483647, which is out of range");
    }

    @Test
    void shouldRejectBadRanksWhenInclExclOrRanges() {
        assertMessage(() -> world.incl(new int[] {1, 8}), "ranks[1] = 8 is out of range for a group of size 8");
        assertMessage(() -> world.incl(new int[] {3, 1, 3}), "rank 3 appears more than once");
        assertMessage(() -> world.excl(new int[] {-1}), "ranks[0] = -1 is out of range");
        assertMessage(() -> world.rangeIncl(new int[][] {{0, 4, 0}}), "stride 0");
        assertMessage(() -> world.rangeIncl(new int[][] {{5, 2, 1}}), "never reaches 2 from 5; use a negative stride");
        assertMessage(() -> world.rangeIncl(new int[][] {{0, 3, 1}, {2, 5, 1}}), "rank 2 appears more than once");
        assertMessage(() -> world.rangeExcl(new int[][] {{0, 9, 1}}), "ranges[0] = {0, 9, 1} names rank 9, which is out of range");
        assertMessage(() -> world.rangeExcl(new int[][] {{8, 9, 1}}), "ranges[0] = {8, 9, 1} names rank 8, which is out of range");
        assertMessage(() -> world.rangeIncl(new int[][] {{0, 1}}), "must be a triplet");
        assertMessage(() -> a.translate(new int[] {4}, b), "ranks[0] = 4 is out of range for a group of size 4");
        assertMessage(() -> Group.empty().incl(new int[] {0}), "the group is empty");
    }

    @Test
    void shouldCompareMembershipAndOrder() {
        assertTrue(a.sameOrder(Group.of(new int[] {5, 1, 2, 7}, 0)));
        assertTrue(a.sameMembers(Group.of(new int[] {7, 5, 2, 1}, 0)));
        assertFalse(a.sameMembers(b));
        assertTrue(a.difference(b).disjoint(b));
        assertFalse(a.disjoint(b));
    }

    private static void assertMessage(Runnable r, String expected) {
        EngineException e = assertThrows(EngineException.class, r::run);
        assertTrue(e.getMessage().contains(expected), () -> "message was: " + e.getMessage());
    }
}
