package io.snapline.runtime.comm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.testing.MpiRun;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import mpi.Comm;
import mpi.Group;
import mpi.Intercomm;
import mpi.Intracomm;
import mpi.MPI;
import mpi.MPIException;
import mpi.Status;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Intercommunicators between the two halves of COMM_WORLD: traffic across, groups, Dup and Merge. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IntercommTest {

    /** Lower half (world ranks 0..n/2-1) is side 0, the rest side 1. */
    static int side(int worldRank, int n) {
        return worldRank < n / 2 ? 0 : 1;
    }

    static int[] worldRanksOfSide(int side, int n) {
        return IntStream.range(0, n).filter(r -> side(r, n) == side).toArray();
    }

    /** The intercommunicator between the halves; leaders are local rank 0 (world ranks 0 and n/2). */
    static Intercomm halves() {
        int me = MPI.COMM_WORLD.Rank();
        int n = MPI.COMM_WORLD.Size();
        Intracomm local = MPI.COMM_WORLD.Split(side(me, n), me);
        return MPI.COMM_WORLD.Create_intercomm(local, 0, side(me, n) == 0 ? n / 2 : 0, 99);
    }

    /** Every local rank i sends its world rank to remote rank i % remoteSize; receivers check source and payload. */
    static void exchange(Intercomm inter, int tag) {
        int me = MPI.COMM_WORLD.Rank();
        int lrank = inter.Rank();
        int lsize = inter.Size();
        int rsize = inter.Remote_size();
        int[] remoteWorld = Group.Translate_ranks(inter.Remote_group(), IntStream.range(0, rsize).toArray(),
                MPI.COMM_WORLD.Group());
        mpi.Request send = inter.Isend(new int[] {me}, 0, 1, MPI.INT, lrank % rsize, tag);
        long expected = IntStream.range(0, rsize).filter(j -> j % lsize == lrank).count();
        boolean[] seen = new boolean[rsize];
        for (int k = 0; k < expected; k++) {
            int[] got = new int[1];
            Status s = inter.Recv(got, 0, 1, MPI.INT, MPI.ANY_SOURCE, tag);
            assertEquals(lrank, s.source % lsize, "source must be a remote rank sending to me");
            assertFalse(seen[s.source]);
            seen[s.source] = true;
            assertEquals(remoteWorld[s.source], got[0]);
        }
        send.Wait();
    }

    public static class Traffic {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int n = MPI.COMM_WORLD.Size();
            Intercomm inter = halves();
            int mine = side(me, n);
            assertTrue(inter.Test_inter());
            assertFalse(MPI.COMM_WORLD.Test_inter());
            assertEquals(worldRanksOfSide(mine, n).length, inter.Size());
            assertEquals(worldRanksOfSide(1 - mine, n).length, inter.Remote_size());
            Group remote = inter.Remote_group();
            assertEquals(MPI.UNDEFINED, remote.Rank());
            assertArrayEquals(worldRanksOfSide(1 - mine, n),
                    Group.Translate_ranks(remote, IntStream.range(0, remote.Size()).toArray(), MPI.COMM_WORLD.Group()));
            assertArrayEquals(worldRanksOfSide(mine, n),
                    Group.Translate_ranks(inter.Group(), IntStream.range(0, inter.Size()).toArray(), MPI.COMM_WORLD.Group()));
            exchange(inter, 3);

            // a duplicate is an intercommunicator over the same groups whose traffic stays apart
            Intercomm dup = (Intercomm) inter.clone();
            assertEquals(MPI.CONGRUENT, Comm.Compare(inter, dup));
            assertEquals(MPI.UNEQUAL, Comm.Compare(inter, MPI.COMM_WORLD));
            if (inter.Rank() == 0) {
                dup.Send(new int[] {-1}, 0, 1, MPI.INT, 0, 8);
                inter.Send(new int[] {-2}, 0, 1, MPI.INT, 0, 8);
                int[] got = new int[1];
                inter.Recv(got, 0, 1, MPI.INT, 0, 8);
                assertEquals(-2, got[0]);
                dup.Recv(got, 0, 1, MPI.INT, 0, 8);
                assertEquals(-1, got[0]);
            }
            exchange(dup, 4);
            MPIException e = assertThrows(MPIException.class, () -> inter.Send(new int[1], 0, 1, MPI.INT, inter.Remote_size(), 0));
            assertTrue(e.getMessage().contains("out of range for a remote group of size " + inter.Remote_size()), e.getMessage());
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 8})
    void shouldExchangeAcrossGroupsWhenIntercomm(int np) {
        MpiRun.ok(np, Traffic.class);
    }

    /**
     * The mpiJava form, called on the peer communicator with the local one first: even and odd world ranks, each
     * group led by its local rank 0 (world ranks 0 and 1), swap values with their partner of the same local rank.
     */
    public static class Interleaved {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int n = MPI.COMM_WORLD.Size();
            int color = me % 2;
            Intracomm local = MPI.COMM_WORLD.Split(color, me);
            Intercomm inter = MPI.COMM_WORLD.Create_intercomm(local, 0, color == 0 ? 1 : 0, 5);
            assertTrue(inter.Test_inter());
            assertEquals(n / 2, inter.Size());
            assertEquals(n / 2, inter.Remote_size());
            assertArrayEquals(IntStream.range(0, n / 2).map(i -> 2 * i + 1 - color).toArray(),
                    Group.Translate_ranks(inter.Remote_group(), IntStream.range(0, n / 2).toArray(),
                            MPI.COMM_WORLD.Group()));
            int[] value = {me};
            Status s = inter.Sendrecv_replace(value, 0, 1, MPI.INT, local.Rank(), 7, local.Rank(), 7);
            assertEquals(me + 1 - 2 * color, value[0]);
            assertEquals(local.Rank(), s.source);
            int[] sum = new int[1];
            inter.Merge(color == 1).Allreduce(new int[] {me}, 0, sum, 0, 1, MPI.INT, MPI.SUM);
            assertEquals(n * (n - 1) / 2, sum[0]);
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4, 8})
    void shouldCreateIntercommWhenCalledOnPeerWithLocalCommunicatorFirst(int np) {
        MpiRun.ok(np, Interleaved.class);
    }

    /** Merge: the side passing high=true comes last; on a tie the side whose leader has the lower world rank first. */
    public static class Merge {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int n = MPI.COMM_WORLD.Size();
            int mine = side(me, n);
            Intercomm inter = halves();

            Intracomm lowFirst = inter.Merge(mine == 1);
            assertEquals(n, lowFirst.Size());
            assertEquals(me, lowFirst.Rank());
            assertArrayEquals(IntStream.range(0, n).toArray(), CommCreationTest.membersSeenByAll(lowFirst));

            Intracomm highFirst = inter.Merge(mine == 0);
            int[] expected = IntStream.concat(IntStream.of(worldRanksOfSide(1, n)), IntStream.of(worldRanksOfSide(0, n))).toArray();
            assertArrayEquals(expected, CommCreationTest.membersSeenByAll(highFirst));
            assertEquals(expected[highFirst.Rank()], me);

            Intracomm tie = inter.Merge(true);
            assertEquals(me, tie.Rank());

            // collectives on the merged communicator
            int[] value = {highFirst.Rank() == 0 ? 4242 : 0};
            highFirst.Bcast(value, 0, 1, MPI.INT, 0);
            assertEquals(4242, value[0]);
            highFirst.Barrier();
            assertEquals(MPI.SIMILAR, Comm.Compare(lowFirst, highFirst));
            assertEquals(MPI.CONGRUENT, Comm.Compare(lowFirst, MPI.COMM_WORLD));
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 8})
    void shouldOrderMergedRanksByHighFlagWhenMerge(int np) {
        MpiRun.ok(np, Merge.class);
    }

    /** Members of one side disagree on high: every rank of both sides gets an error instead of waiting. */
    public static class MergeDisagree {
        public static void main(String[] args) {
            MPI.Init(args);
            Intercomm inter = halves();
            boolean high = side(MPI.COMM_WORLD.Rank(), MPI.COMM_WORLD.Size()) == 1 && inter.Rank() == 0;
            MPIException e = assertThrows(MPIException.class, () -> inter.Merge(high));
            assertTrue(e.getMessage().startsWith("Merge: the members of the"), e.getMessage());
            assertTrue(e.getMessage().contains("passed different values of high"), e.getMessage());
            Intracomm ok = inter.Merge(false);
            ok.Barrier();
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 8})
    void shouldRaiseOnBothSidesWhenHighDiffersInsideGroup(int np) {
        MpiRun.ok(np, MergeDisagree.class);
    }

    /** Bad leaders and tags are reported on every member of both groups. */
    public static class BadLeaders {
        public static void main(String[] args) {
            MPI.Init(args);
            int me = MPI.COMM_WORLD.Rank();
            int n = MPI.COMM_WORLD.Size();
            int mine = side(me, n);
            Intracomm local = MPI.COMM_WORLD.Split(mine, me);
            int remoteLeader = mine == 0 ? n / 2 : 0;

            MPIException localOut = assertThrows(MPIException.class,
                    () -> MPI.COMM_WORLD.Create_intercomm(local, local.Size(), remoteLeader, 1));
            assertTrue(localOut.getMessage().startsWith("Create_intercomm: local_leader " + local.Size()
                    + " is out of range for the local communicator of size " + local.Size()), localOut.getMessage());

            MPIException remoteOut = assertThrows(MPIException.class,
                    () -> MPI.COMM_WORLD.Create_intercomm(local, 0, n + 5, 1));
            assertTrue(remoteOut.getMessage().startsWith("Create_intercomm: remote_leader " + (n + 5)
                    + " is out of range for the peer communicator of size " + n), remoteOut.getMessage());
            assertEquals(local.Rank() != 0, remoteOut.getMessage().endsWith("(reported by the local leader, rank 0)"),
                    remoteOut.getMessage());

            int ownLeader = mine == 0 ? 0 : n / 2;
            MPIException own = assertThrows(MPIException.class,
                    () -> MPI.COMM_WORLD.Create_intercomm(local, 0, ownLeader, 1));
            assertTrue(own.getMessage().contains("is a member of the local group"), own.getMessage());

            MPIException tag = assertThrows(MPIException.class,
                    () -> MPI.COMM_WORLD.Create_intercomm(local, 0, remoteLeader, -4));
            assertTrue(tag.getMessage().contains("tag -4 is invalid"), tag.getMessage());

            MPIException notIntra = assertThrows(MPIException.class,
                    () -> MPI.COMM_WORLD.Create_intercomm(MPI.COMM_WORLD.Create_intercomm(local, 0, remoteLeader, 1), 0, 0, 1));
            assertTrue(notIntra.getMessage().contains("needs an intracommunicator"), notIntra.getMessage());

            MPIException noPeer = assertThrows(MPIException.class,
                    () -> MPI.COMM_NULL.Create_intercomm(local, 0, remoteLeader, 1));
            assertTrue(noPeer.getMessage().contains("peer communicator is MPI.COMM_NULL or has been freed"),
                    noPeer.getMessage());
            assertEquals(local.Rank() != 0, noPeer.getMessage().endsWith("(reported by the local leader, rank 0)"),
                    noPeer.getMessage());

            MPIException noLocal = assertThrows(MPIException.class,
                    () -> MPI.COMM_WORLD.Create_intercomm(null, 0, remoteLeader, 1));
            assertEquals("Create_intercomm: the local communicator (the first argument) is null; pass the"
                    + " intracommunicator of this rank's group and call the method on the peer communicator, as in"
                    + " MPI.COMM_WORLD.Create_intercomm(local, local_leader, remote_leader, tag)", noLocal.getMessage());

            // after all the failed attempts the groups still build a working intercommunicator; only leaders need a peer
            int leader = local.Size() - 1;
            Intercomm inter = (local.Rank() == leader ? MPI.COMM_WORLD : MPI.COMM_NULL).Create_intercomm(local, leader,
                    mine == 0 ? n - 1 : n / 2 - 1, 2);
            exchange(inter, 6);
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 4, 5})
    void shouldRaiseOnEveryMemberWhenLeadersBad(int np) {
        MpiRun.ok(np, BadLeaders.class);
    }
}
