package io.snapline.checkpoint.independent;

import io.snapline.checkpoint.Checkpoint;
import java.util.Arrays;
import mpi.MPI;
import mpi.Request;
import mpi.Status;

/**
 * A program whose every step makes timing-dependent choices of many kinds, for replay tests: rank 0 posts an
 * {@code Irecv(ANY_SOURCE)} per worker and completes them with {@code Waitany} or {@code Testsome} loops, polls with
 * {@code Iprobe(ANY_SOURCE, ANY_TAG)} for side notes (objects) the workers send at their own pace and takes each it
 * finds, sends itself a message and takes it with {@code ANY_SOURCE}, and sends each worker the chain's new link with
 * {@code Ssend}, {@code Bsend} or {@code Send}; workers send with {@code Isend}, receive with {@code ANY_TAG}. Rank 0
 * folds what it saw, in the order it saw it, into a chain; every rank records the links it got. At the end rank 0
 * takes the notes still on their way and prints whether every rank's record equals its own ("consistent true"), and
 * the number of notes (which is fixed). Arguments: steps.
 */
public final class Medley {
    private Medley() {
    }

    static final class State {
        int step;
        long value;
        long chain;
        long seen;
        int notes;
    }

    public static void main(String[] args) throws Exception {
        String[] rest = MPI.Init(args);
        int steps = Integer.parseInt(rest[0]);
        int rank = MPI.COMM_WORLD.Rank();
        int size = MPI.COMM_WORLD.Size();
        MPI.Buffer_attach(java.nio.ByteBuffer.allocate(1 << 16));
        State s = Checkpoint.restoreOr(() -> {
            State f = new State();
            f.value = rank * 104729L + 3;
            return f;
        });
        long[] one = new long[1];
        while (s.step < steps) {
            if (rank == 0) {
                long[][] in = new long[size - 1][1];
                Request[] rs = new Request[size - 1];
                for (int k = 0; k < rs.length; k++) {
                    rs[k] = MPI.COMM_WORLD.Irecv(in[k], 0, 1, MPI.LONG, MPI.ANY_SOURCE, 1);
                }
                int done = 0;
                while (done < rs.length) {
                    if (s.step % 2 == 0) {
                        Status st = Request.Waitany(rs);
                        s.chain = s.chain * 1_000_003L + in[st.index][0] * 31 + st.source;
                        rs[st.index] = null;
                        done++;
                    } else {
                        Status[] sts = Request.Testsome(rs);
                        for (Status st : sts == null ? new Status[0] : sts) {
                            s.chain = s.chain * 1_000_003L + in[st.index][0] * 37 + st.source;
                            rs[st.index] = null;
                            done++;
                        }
                    }
                    Status p = MPI.COMM_WORLD.Iprobe(MPI.ANY_SOURCE, MPI.ANY_TAG);
                    if (p != null && p.tag == 9) {
                        Object[] note = new Object[1];
                        Status got = MPI.COMM_WORLD.Recv(note, 0, 1, MPI.OBJECT, p.source, 9);
                        s.chain = s.chain * 31 + note[0].hashCode() + got.source;
                        s.notes++;
                    }
                }
                one[0] = s.chain;
                MPI.COMM_WORLD.Send(one, 0, 1, MPI.LONG, 0, 5);
                long[] self = new long[1];
                MPI.COMM_WORLD.Recv(self, 0, 1, MPI.LONG, MPI.ANY_SOURCE, 5);
                for (int k = 1; k < size; k++) {
                    switch ((s.step + k) % 3) {
                        case 0 -> MPI.COMM_WORLD.Ssend(one, 0, 1, MPI.LONG, k, 4);
                        case 1 -> MPI.COMM_WORLD.Bsend(one, 0, 1, MPI.LONG, k, 4);
                        default -> MPI.COMM_WORLD.Send(one, 0, 1, MPI.LONG, k, 4);
                    }
                }
                s.seen = s.seen * 17 + s.chain;
            } else {
                one[0] = s.value;
                if ((s.step * 7 + rank) % 5 == 0) {
                    Thread.sleep(1); // varies the order the workers' values reach rank 0 in; no result depends on it
                }
                if ((s.step + rank) % 4 == 0) {
                    MPI.COMM_WORLD.Send(new Object[] {"note " + rank + "/" + s.step}, 0, 1, MPI.OBJECT, 0, 9);
                    s.notes++;
                }
                Request r = MPI.COMM_WORLD.Isend(one, 0, 1, MPI.LONG, 0, 1);
                r.Wait();
                Status st = MPI.COMM_WORLD.Recv(one, 0, 1, MPI.LONG, 0, MPI.ANY_TAG);
                if (st.tag != 4) {
                    throw new IllegalStateException("rank " + rank + " got tag " + st.tag);
                }
                s.seen = s.seen * 17 + one[0];
                s.value = s.value * 6364136223846793005L + one[0];
            }
            s.step++;
            Checkpoint.point(s);
        }
        int[] sent = new int[1];
        MPI.COMM_WORLD.Reduce(new int[] {rank == 0 ? 0 : s.notes}, 0, sent, 0, 1, MPI.INT, MPI.SUM, 0);
        if (rank == 0) {
            while (s.notes < sent[0]) {
                Object[] note = new Object[1];
                MPI.COMM_WORLD.Recv(note, 0, 1, MPI.OBJECT, MPI.ANY_SOURCE, 9);
                s.notes++;
            }
        }
        long[] seen = new long[size];
        MPI.COMM_WORLD.Gather(new long[] {s.seen}, 0, 1, MPI.LONG, seen, 0, 1, MPI.LONG, 0);
        if (rank == 0) {
            boolean same = Arrays.stream(seen).allMatch(v -> v == seen[0]);
            System.out.println("steps " + s.step + " notes " + s.notes + " consistent " + same);
        }
        MPI.Finalize();
    }
}
