package io.snapline.examples;

import io.snapline.checkpoint.Checkpoint;
import mpi.Intracomm;
import mpi.MPI;
import mpi.Prequest;
import mpi.Request;
import mpi.Status;

/**
 * A program that uses much of the API a user's program does, step after step, with ranks at different speeds (rank
 * {@code r} computes {@code r + 1} times as long): a ring of synchronous sends; buffered sends gathered by rank 0 with
 * {@code ANY_SOURCE}; objects both ways round the ring completed with {@code Waitany}; rank 0 polling with
 * {@code Iprobe(ANY_SOURCE)}; persistent requests completed with a {@code Testany} loop; {@code Sendrecv_replace} and
 * two wildcard receives completed with {@code Waitsome} in a communicator split off before the first
 * {@code Checkpoint.restoreOr} (setup code); a large message round the ring, past the eager limit; {@code Allreduce}
 * and {@code Bcast} from a root that moves. Every fold is commutative, so the output does not depend on arrival
 * orders. A safe point follows every step; with "uneven", rank 0 passes three per step and rank 2 a second one every
 * third step. At least 2 ranks. Arguments: steps, optionally "uneven".
 */
public final class MixedOperations {
    private MixedOperations() {
    }

    /** A rank's saved state. */
    static final class State {
        int step;
        long acc;
        long objects;
        long polled;
        long[] bySource = new long[8];
    }

    /** {@code rounds} rounds of a 64-bit generator from {@code seed}: the work a step does. */
    static long work(long seed, int rounds) {
        long x = seed;
        for (int i = 0; i < rounds; i++) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            x ^= x >>> 29;
        }
        return x;
    }

    public static void main(String[] args) throws Exception {
        String[] rest = MPI.Init(args);
        int steps = Integer.parseInt(rest[0]);
        boolean uneven = rest.length > 1 && rest[1].equals("uneven");
        Intracomm world = MPI.COMM_WORLD;
        int rank = world.Rank();
        int size = world.Size();
        if (size < 2) {
            throw new IllegalArgumentException("MixedOperations needs at least 2 ranks, got " + size);
        }
        int right = (rank + 1) % size;
        int left = (rank + size - 1) % size;
        MPI.Buffer_attach(java.nio.ByteBuffer.allocateDirect(1 << 16));
        Intracomm half = world.Split(rank % 2, -rank);
        int hr = half.Rank();
        int hs = half.Size();
        long[] out = new long[1];
        long[] in = new long[1];
        Prequest persistentSend = world.Send_init(out, 0, 1, MPI.LONG, right, 21);
        Prequest persistentRecv = world.Recv_init(in, 0, 1, MPI.LONG, left, 21);
        State s = Checkpoint.restoreOr(State::new);
        long[] one = new long[1];
        long[] two = new long[2];
        while (s.step < steps) {
            int step = s.step;
            long mine = work(step * 31L + rank, 2000 * (rank + 1) * (step % 3 + 1));
            one[0] = mine;
            if (rank % 2 == 0) {
                world.Ssend(one, 0, 1, MPI.LONG, right, 1);
                world.Recv(two, 0, 1, MPI.LONG, left, 1);
            } else {
                world.Recv(two, 0, 1, MPI.LONG, left, 1);
                world.Ssend(one, 0, 1, MPI.LONG, right, 1);
            }
            s.acc += two[0] * (step + 1);
            if (step % 3 == 0) {
                gather(world, s, mine, step);
            }
            if (step % 4 == 1) {
                Object[] sent = {"step " + step + " from " + rank + " " + Long.toHexString(mine)};
                Object[] got = new Object[1];
                Request[] rq = {world.Isend(sent, 0, 1, MPI.OBJECT, right, 3),
                    world.Irecv(got, 0, 1, MPI.OBJECT, left, 3)};
                for (int k = 0; k < rq.length; k++) {
                    Request.Waitany(rq);
                }
                s.objects += ((String) got[0]).hashCode();
            }
            if (step % 5 == 2) {
                poll(world, s, mine, step);
            }
            if (step % 6 == 4) {
                out[0] = mine * 3 + step;
                Prequest[] pr = {persistentRecv, persistentSend};
                Prequest.Startall(pr);
                for (int done = 0; done < pr.length; ) {
                    if (Request.Testany(pr) != null) {
                        done++;
                    }
                }
                s.acc += in[0] % 1_000_003;
            }
            if (step % 5 == 3 && hs > 1) {
                long[] r = {mine + hr};
                half.Sendrecv_replace(r, 0, 1, MPI.LONG, (hr + 1) % hs, 30, (hr + hs - 1) % hs, 30);
                s.acc += r[0] >>> 7;
                long[] a = new long[1];
                long[] b = new long[1];
                Request[] rq = {half.Irecv(a, 0, 1, MPI.LONG, MPI.ANY_SOURCE, 31),
                    half.Irecv(b, 0, 1, MPI.LONG, MPI.ANY_SOURCE, 32)};
                half.Send(new long[] {mine ^ 5}, 0, 1, MPI.LONG, (hr + 1) % hs, 31);
                half.Send(new long[] {mine ^ 9}, 0, 1, MPI.LONG, (hr + hs - 1) % hs, 32);
                for (int got = 0; got < rq.length; ) {
                    got += Request.Waitsome(rq).length;
                }
                s.acc += (a[0] ^ b[0]) & 0xffffff;
            }
            if (step % 8 == 5) {
                double[] big = new double[40_000];
                double[] got = new double[big.length];
                for (int i = 0; i < big.length; i += 97) {
                    big[i] = mine % 1000 + i;
                }
                world.Sendrecv(big, 0, big.length, MPI.DOUBLE, right, 40, got, 0, got.length, MPI.DOUBLE, left, 40);
                double sum = 0;
                for (int i = 0; i < got.length; i += 97) {
                    sum += got[i];
                }
                s.acc += (long) sum;
            }
            if (step % 2 == 0) {
                long[] sum = new long[1];
                world.Allreduce(new long[] {s.acc}, 0, sum, 0, 1, MPI.LONG, MPI.SUM);
                s.acc ^= sum[0] >>> 3;
            }
            if (step % 7 == 3) {
                long[] b = {s.acc};
                world.Bcast(b, 0, 1, MPI.LONG, step % size);
                s.acc += b[0] & 0xffff;
            }
            s.step++;
            Checkpoint.point(s);
            if (uneven && rank == 0) {
                Checkpoint.point(s);
                Checkpoint.point(s);
            }
            if (uneven && rank == 2 && step % 3 == 0) {
                Checkpoint.point(s);
            }
        }
        long[] all = new long[1];
        world.Reduce(new long[] {s.acc * 31 + s.objects * 17 + s.polled}, 0, all, 0, 1, MPI.LONG, MPI.SUM, 0);
        if (rank == 0) {
            System.out.println("MixedOperations: " + steps + " steps on " + size + " ranks, checksum "
                    + Long.toHexString(all[0]) + ", messages gathered by source " + java.util.Arrays.toString(s.bySource));
        }
        MPI.Finalize();
    }

    /** Every other rank buffer-sends rank 0 a value, which takes them with {@code ANY_SOURCE} as they come. */
    private static void gather(Intracomm world, State s, long mine, int step) {
        int rank = world.Rank();
        int tag = 10 + step % 5;
        if (rank != 0) {
            world.Bsend(new long[] {mine ^ rank, rank}, 0, 2, MPI.LONG, 0, tag);
            return;
        }
        for (int k = 1; k < world.Size(); k++) {
            long[] got = new long[2];
            Status st = world.Recv(got, 0, 2, MPI.LONG, MPI.ANY_SOURCE, tag);
            if (st.source != got[1] || st.tag != tag) {
                throw new IllegalStateException("status says rank " + st.source + ", tag " + st.tag
                        + " for a message rank " + got[1] + " sent with tag " + tag);
            }
            s.acc += got[0] * 7 + st.source;
            s.bySource[st.source % s.bySource.length]++;
        }
    }

    /** Every other rank sends rank 0 a value, which polls with {@code Iprobe(ANY_SOURCE)} for each. */
    private static void poll(Intracomm world, State s, long mine, int step) {
        if (world.Rank() != 0) {
            world.Send(new long[] {mine + step}, 0, 1, MPI.LONG, 0, 9);
            return;
        }
        long[] got = new long[1];
        for (int k = 1; k < world.Size(); k++) {
            Status st;
            while ((st = world.Iprobe(MPI.ANY_SOURCE, 9)) == null) {
                Thread.onSpinWait();
            }
            world.Recv(got, 0, 1, MPI.LONG, st.source, 9);
            s.polled += got[0] ^ st.source;
        }
    }
}
