package io.snapline.runtime.comm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.testing.MpiRun;
import java.util.concurrent.TimeUnit;
import mpi.Group;
import mpi.MPI;
import mpi.MPIException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The mpi.Group facade inside a running job: ranks, set operations, translation, comparison and errors. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GroupOpsTest {

    public static class GroupOps {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            Group world = MPI.COMM_WORLD.Group();
            assertEquals(4, world.Size());
            assertEquals(me, world.Rank());

            Group a = world.Incl(new int[] {3, 1, 0});
            Group b = world.Range_incl(new int[][] {{2, 0, -1}});
            assertArrayEquals(new int[] {3, 1, 0, 2}, Group.Translate_ranks(Group.Union(a, b), new int[] {0, 1, 2, 3}, world));
            assertArrayEquals(new int[] {1, 0}, Group.Translate_ranks(Group.Intersection(a, b), new int[] {0, 1}, world));
            assertArrayEquals(new int[] {3}, Group.Translate_ranks(Group.Difference(a, b), new int[] {0}, world));
            assertEquals(new int[] {2, 1, MPI.UNDEFINED, 0}[me], a.Rank());
            assertArrayEquals(new int[] {MPI.UNDEFINED, 1, 2, MPI.PROC_NULL},
                    Group.Translate_ranks(a, new int[] {0, 1, 2, MPI.PROC_NULL}, b));

            assertEquals(MPI.IDENT, Group.Compare(world, world.Range_incl(new int[][] {{0, 3, 1}})));
            assertEquals(MPI.SIMILAR, Group.Compare(world, Group.Union(a, b)));
            assertEquals(MPI.UNEQUAL, Group.Compare(a, b));
            assertEquals(MPI.IDENT, Group.Compare(MPI.GROUP_EMPTY, Group.Difference(a, world)));

            Group rest = world.Excl(new int[] {2});
            assertArrayEquals(new int[] {0, 1, 3}, Group.Translate_ranks(rest, new int[] {0, 1, 2}, world));
            Group odd = world.Range_excl(new int[][] {{0, 2, 2}});
            assertArrayEquals(new int[] {1, 3}, Group.Translate_ranks(odd, new int[] {0, 1}, world));
            assertEquals(0, MPI.GROUP_EMPTY.Size());
            assertEquals(MPI.UNDEFINED, MPI.GROUP_EMPTY.Rank());

            assertMessage(() -> world.Incl(new int[] {0, 4}), "Incl: ranks[1] = 4 is out of range for a group of size 4");
            assertMessage(() -> world.Excl(new int[] {1, 1}), "Excl: rank 1 appears more than once");
            assertMessage(() -> world.Range_incl(new int[][] {{0, 3, 0}}), "Range_incl: ranges[0] has stride 0");
            assertMessage(() -> world.Range_excl(new int[][] {{3, 0, 1}}), "Range_excl: ranges[0] = {3, 0, 1} never reaches 0");
            assertMessage(() -> Group.Translate_ranks(a, new int[] {3}, world), "Translate_ranks: ranks[0] = 3 is out of range");
            assertMessage(() -> Group.Union(a, null), "Union: group2 is null");
            Group freed = world.Incl(new int[] {0});
            freed.free();
            assertMessage(() -> Group.Compare(freed, world), "Compare: the group has been freed");
            assertMessage(() -> MPI.GROUP_NULL.Rank(), "Rank: the group has been freed (or is MPI.GROUP_NULL)");
            MPI.GROUP_EMPTY.free();
            assertEquals(0, MPI.GROUP_EMPTY.Size());
            MPI.Finalize();
        }

        private static void assertMessage(Runnable r, String prefix) {
            MPIException e = assertThrows(MPIException.class, r::run);
            assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
        }
    }

    @Test
    void shouldFollowMpiOrderingRulesWhenGroupOperations() {
        MpiRun.ok(4, GroupOps.class);
    }
}
