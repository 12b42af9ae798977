package io.snapline.runtime.comm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.testing.MpiRun;
import java.util.concurrent.TimeUnit;
import mpi.Comm;
import mpi.Group;
import mpi.Intracomm;
import mpi.MPI;
import mpi.MPIException;
import mpi.Status;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Split, Create, Dup, Compare and Free on intracommunicators. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CommCreationTest {

    /** World ranks of every member of {@code c}, in rank order, gathered over {@code c} itself. */
    static int[] membersSeenByAll(Intracomm c) {
        int[] all = new int[c.Size()];
        c.Allgather(new int[] {MPI.COMM_WORLD.Rank()}, 0, 1, MPI.INT, all, 0, 1, MPI.INT);
        return all;
    }

    /** Color by parity, key = -rank: each part holds its ranks in decreasing world order. */
    public static class SplitByKey {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int n = MPI.COMM_WORLD.Size();
            Intracomm part = MPI.COMM_WORLD.Split(me % 2, -me);
            int[] expected = java.util.stream.IntStream.iterate(n - 1, r -> r >= 0, r -> r - 1)
                    .filter(r -> r % 2 == me % 2).toArray();
            assertArrayEquals(expected, membersSeenByAll(part));
            assertEquals(expected.length, part.Size());
            assertEquals(expected[part.Rank()], me);
            int[] mine = {me};
            int[] back = new int[1];
            if (part.Size() > 1) {
                int right = (part.Rank() + 1) % part.Size();
                int left = (part.Rank() - 1 + part.Size()) % part.Size();
                Status s = part.Sendrecv(mine, 0, 1, MPI.INT, right, 4, back, 0, 1, MPI.INT, left, 4);
                assertEquals(left, s.source);
                assertEquals(expected[left], back[0]);
            }
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @MethodSource("io.snapline.runtime.testing.MpiRun#rankCounts")
    void shouldOrderPartsByKeyWhenSplit(int np) {
        MpiRun.ok(np, SplitByKey.class);
    }

    /** Equal keys keep the parent order; the last rank passes UNDEFINED and gets null. */
    public static class SplitEqualKeys {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int n = MPI.COMM_WORLD.Size();
            int color = me == n - 1 ? MPI.UNDEFINED : me % 3;
            Intracomm part = MPI.COMM_WORLD.Split(color, 7);
            if (me == n - 1) {
                assertNull(part);
            } else {
                int[] expected = java.util.stream.IntStream.range(0, n - 1).filter(r -> r % 3 == me % 3).toArray();
                assertArrayEquals(expected, membersSeenByAll(part));
                part.Barrier();
            }
            // a second split still agrees on contexts although one rank holds no part
            Intracomm again = MPI.COMM_WORLD.Split(0, n - me);
            assertEquals(n - 1 - me, again.Rank());
            // extreme keys: odd ranks (smallest key) first, then even ones, each in parent order
            Intracomm extreme = MPI.COMM_WORLD.Split(0, me % 2 == 0 ? Integer.MAX_VALUE : Integer.MIN_VALUE);
            int[] order = java.util.stream.IntStream.concat(java.util.stream.IntStream.range(0, n).filter(r -> r % 2 == 1),
                    java.util.stream.IntStream.range(0, n).filter(r -> r % 2 == 0)).toArray();
            assertArrayEquals(order, membersSeenByAll(extreme));
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @MethodSource("io.snapline.runtime.testing.MpiRun#rankCounts")
    void shouldKeepParentOrderWhenKeysEqualAndReturnNullWhenUndefined(int np) {
        MpiRun.ok(np, SplitEqualKeys.class);
    }

    /** A negative color other than UNDEFINED is refused on every rank, naming the rank that passed it. */
    public static class SplitBadColor {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            MPIException e = assertThrows(MPIException.class, () -> MPI.COMM_WORLD.Split(me == 1 ? -5 : 0, 0));
            assertTrue(e.getMessage().startsWith("Split: rank 1 passed color -5"), e.getMessage());
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4})
    void shouldRaiseOnEveryRankWhenColorNegative(int np) {
        MpiRun.ok(np, SplitBadColor.class);
    }

    /** Create over the even ranks, and over the world in reverse; odd ranks get null. */
    public static class CreateSubgroups {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int n = MPI.COMM_WORLD.Size();
            Group world = MPI.COMM_WORLD.Group();
            Group evens = world.Range_incl(new int[][] {{0, n - 1 - (n - 1) % 2, 2}});
            Intracomm even = MPI.COMM_WORLD.Create(evens);
            if (me % 2 == 1) {
                assertNull(even);
            } else {
                assertEquals((n + 1) / 2, even.Size());
                assertEquals(me / 2, even.Rank());
                assertEquals(MPI.IDENT, Group.Compare(evens, even.Group()));
                int[] sum = {me};
                even.Bcast(sum, 0, 1, MPI.INT, even.Size() - 1);
                assertEquals(2 * (even.Size() - 1), sum[0]);
                // a group that is not part of this communicator's group is refused on every member
                if (n > 1) {
                    MPIException e = assertThrows(MPIException.class, () -> even.Create(world));
                    assertTrue(e.getMessage().startsWith("Create: the group is not a subset"), e.getMessage());
                    assertTrue(e.getMessage().contains("world rank 1"), e.getMessage());
                }
            }
            Intracomm reversed = MPI.COMM_WORLD.Create(world.Range_incl(new int[][] {{n - 1, 0, -1}}));
            assertEquals(n - 1 - me, reversed.Rank());
            assertArrayEquals(java.util.stream.IntStream.range(0, n).map(r -> n - 1 - r).toArray(), membersSeenByAll(reversed));
            assertNull(MPI.COMM_WORLD.Create(MPI.GROUP_EMPTY));
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @MethodSource("io.snapline.runtime.testing.MpiRun#rankCounts")
    void shouldBuildCommunicatorOverSubgroupWhenCreate(int np) {
        MpiRun.ok(np, CreateSubgroups.class);
    }

    /**
     * A message sent on a duplicate, before one with the same tag on the original, is never taken by a receive on the
     * original: the original's receive gets the later message.
     */
    public static class DupIsolation {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            Intracomm dup = (Intracomm) MPI.COMM_WORLD.clone();
            assertEquals(MPI.COMM_WORLD.Rank(), dup.Rank());
            if (me == 0) {
                dup.Send(new int[] {111}, 0, 1, MPI.INT, 1, 5);
                MPI.COMM_WORLD.Send(new int[] {222}, 0, 1, MPI.INT, 1, 5);
            } else if (me == 1) {
                int[] got = new int[1];
                MPI.COMM_WORLD.Recv(got, 0, 1, MPI.INT, MPI.ANY_SOURCE, MPI.ANY_TAG);
                assertEquals(222, got[0]);
                assertNull(MPI.COMM_WORLD.Iprobe(MPI.ANY_SOURCE, MPI.ANY_TAG));
                assertNotNull(dup.Probe(0, 5));
                dup.Recv(got, 0, 1, MPI.INT, 0, 5);
                assertEquals(111, got[0]);
            }
            Intracomm dupOfDup = (Intracomm) dup.clone();
            dupOfDup.Barrier();
            assertEquals(MPI.CONGRUENT, Comm.Compare(dup, dupOfDup));
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3})
    void shouldNeverMatchAcrossDuplicatesWhenSameTag(int np) {
        MpiRun.ok(np, DupIsolation.class);
    }

    /** IDENT for the same communicator, CONGRUENT for a Dup, SIMILAR for a reordering, UNEQUAL for a part. */
    public static class Compare {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int n = MPI.COMM_WORLD.Size();
            Intracomm world = MPI.COMM_WORLD;
            assertEquals(MPI.IDENT, Comm.Compare(world, world));
            assertEquals(MPI.CONGRUENT, Intracomm.Compare(world, (Intracomm) world.clone()));
            Intracomm reversed = world.Split(0, -me);
            assertEquals(n > 1 ? MPI.SIMILAR : MPI.CONGRUENT, Comm.Compare(world, reversed));
            Intracomm half = world.Split(me < n / 2 ? 0 : 1, me);
            assertEquals(n > 1 ? MPI.UNEQUAL : MPI.CONGRUENT, Comm.Compare(world, half));
            assertEquals(n == 1 ? MPI.CONGRUENT : MPI.UNEQUAL, Comm.Compare(world, MPI.COMM_SELF));
            MPIException e = assertThrows(MPIException.class, () -> Comm.Compare(world, null));
            assertTrue(e.getMessage().contains("null"), e.getMessage());
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void shouldClassifyCommunicatorsWhenCompare(int np) {
        MpiRun.ok(np, Compare.class);
    }

    /** A freed communicator or group cannot be used, and the error says so. */
    public static class FreeThenUse {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            Intracomm dup = (Intracomm) MPI.COMM_WORLD.clone();
            dup.Free();
            MPIException send = assertThrows(MPIException.class, () -> dup.Send(new int[1], 0, 1, MPI.INT, 0, 0));
            assertEquals("Send: the communicator has been freed", send.getMessage());
            MPIException barrier = assertThrows(MPIException.class, dup::Barrier);
            assertEquals("Barrier: the communicator has been freed", barrier.getMessage());
            MPIException split = assertThrows(MPIException.class, () -> dup.Split(0, me));
            assertTrue(split.getMessage().contains("freed"), split.getMessage());
            MPIException world = assertThrows(MPIException.class, MPI.COMM_WORLD::Free);
            assertTrue(world.getMessage().contains("cannot be freed"), world.getMessage());
            Group g = MPI.COMM_WORLD.Group();
            g.free();
            MPIException group = assertThrows(MPIException.class, g::Size);
            assertTrue(group.getMessage().startsWith("Size: the group has been freed"), group.getMessage());
            MPIException create = assertThrows(MPIException.class, () -> MPI.COMM_WORLD.Create(g));
            assertTrue(create.getMessage().contains("freed"), create.getMessage());
            MPI.COMM_WORLD.Barrier();
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void shouldRaiseNamingTheProblemWhenUsedAfterFree(int np) {
        MpiRun.ok(np, FreeThenUse.class);
    }
}
