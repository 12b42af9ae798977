package io.snapline.checkpoint.coordinated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.checkpoint.Checkpoint;
import io.snapline.runtime.testing.MpiRun;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mpi.MPI;
import mpi.Request;
import mpi.Status;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BlockingRestartTest {
    @TempDir
    Path tmp;

    /**
     * An iterative ring program whose state depends on every message: each step exchanges halos with both
     * neighbours, and a token sent at the end of a step is received only at the start of the next one, so it
     * crosses every safe point (it is in transit when the checkpoint is taken).
     */
    public static class HaloRing {
        static final class State {
            int step;
            double[] cells = new double[64];
            long tokens;
        }

        public static void main(String[] args) throws Exception {
            String[] rest = MPI.Init(args);
            int steps = Integer.parseInt(rest[0]);
            long pause = rest.length > 1 ? Long.parseLong(rest[1]) : 0;
            int rank = MPI.COMM_WORLD.Rank();
            int size = MPI.COMM_WORLD.Size();
            int left = (rank + size - 1) % size;
            int right = (rank + 1) % size;
            State s = Checkpoint.restoreOr(() -> {
                State f = new State();
                for (int i = 0; i < f.cells.length; i++) {
                    f.cells[i] = rank * 1000 + i;
                }
                return f;
            });
            if (s.step == 0) {
                MPI.COMM_WORLD.Send(new long[] {rank}, 0, 1, MPI.LONG, right, 7);
            }
            double[] fromLeft = new double[1];
            double[] fromRight = new double[1];
            long[] token = new long[1];
            while (s.step < steps) {
                MPI.COMM_WORLD.Recv(token, 0, 1, MPI.LONG, left, 7);
                s.tokens = s.tokens * 31 + token[0];
                MPI.COMM_WORLD.Sendrecv(s.cells, s.cells.length - 1, 1, MPI.DOUBLE, right, 1, fromLeft, 0, 1,
                        MPI.DOUBLE, left, 1);
                MPI.COMM_WORLD.Sendrecv(s.cells, 0, 1, MPI.DOUBLE, left, 2, fromRight, 0, 1, MPI.DOUBLE, right, 2);
                double[] next = new double[s.cells.length];
                for (int i = 0; i < next.length; i++) {
                    double l = i == 0 ? fromLeft[0] : s.cells[i - 1];
                    double r = i == next.length - 1 ? fromRight[0] : s.cells[i + 1];
                    next[i] = 0.25 * l + 0.5 * s.cells[i] + 0.25 * r + Math.sin(s.step + i) * 1e-3;
                }
                s.cells = next;
                s.step++;
                MPI.COMM_WORLD.Send(new long[] {s.step * 100L + rank}, 0, 1, MPI.LONG, right, 7);
                if (pause > 0) {
                    Thread.sleep(pause);
                }
                Checkpoint.point(s);
            }
            MPI.COMM_WORLD.Recv(token, 0, 1, MPI.LONG, left, 7);
            long bits = 0;
            for (double c : s.cells) {
                bits = bits * 1_000_003L + Double.doubleToLongBits(c);
            }
            System.out.println("rank " + rank + " step " + s.step + " tokens " + s.tokens + " cells " + Long.toHexString(bits));
            MPI.Finalize();
        }
    }

    private static List<String> sorted(MpiRun.Outcome o) {
        List<String> lines = new ArrayList<>(o.lines());
        lines.sort(null);
        return lines;
    }

    private MpiRun.Outcome run(int np, List<String> flags, String... args) {
        return MpiRun.run(np, flags, HaloRing.class, args);
    }

    @Test
    void shouldGiveTheFailureFreeResultWhenARankIsKilledAtASafePoint() {
        MpiRun.Outcome clean = run(3, List.of(), "20");
        assertTrue(clean.result().succeeded(), clean.err());
        MpiRun.Outcome o = run(3, List.of("--checkpoint", "coordinated", "--every", "4", "--store",
                tmp.resolve("s").toString(), "--inject-failure", "rank=1,point=10"), "20");
        assertTrue(o.result().succeeded(), o.err());
        assertEquals(sorted(clean), sorted(o));
        assertTrue(o.err().contains("restarting all 3 ranks from checkpoint 2"), o.err());
        assertTrue(o.err().contains("checkpoints committed: 5"), o.err());
    }

    @Test
    void shouldFallBackToThePreviousCheckpointWhenARankDiesWhileWritingOne() {
        MpiRun.Outcome clean = run(4, List.of(), "15");
        MpiRun.Outcome o = run(4, List.of("--checkpoint", "coordinated", "--every", "3", "--store",
                tmp.resolve("s").toString(), "--inject-failure", "rank=2,during-checkpoint=3",
                "--inject-failure", "rank=0,point=13"), "15");
        assertTrue(o.result().succeeded(), o.err());
        assertEquals(sorted(clean), sorted(o));
        assertTrue(o.err().contains("restarting all 4 ranks from checkpoint 2"), o.err());
        assertTrue(o.err().contains("restart 2 of at most 3"), o.err());
    }

    @Test
    void shouldSurviveRandomFailuresDrawnFromASeed() {
        // Each random failure strikes 0.3-2 s into an attempt; 600 steps of 10 ms leave every attempt time for it.
        MpiRun.Outcome clean = run(3, List.of(), "600");
        MpiRun.Outcome o = run(3, List.of("--checkpoint", "coordinated", "--every", "10", "--store",
                tmp.resolve("s").toString(), "--inject-failure", "random,seed=11,count=2"), "600", "10");
        assertTrue(o.result().succeeded(), o.err());
        assertEquals(sorted(clean), sorted(o));
        assertTrue(o.err().contains("restarts: 2\n"), o.err());
        assertTrue(o.err().contains("(restart 2 of at most 3;"), o.err());
    }

    @Test
    void shouldCheckpointOnATimerWhenGivenAnInterval() {
        // On tcp the ranks are fresh JVMs that take a second or more to reach their first checkpoint (class loading,
        // JIT, two cores shared by three JVMs), so the program runs slower and the kill comes later; after= counts
        // from the moment every rank process has joined the job.
        boolean tcp = MpiRun.device().equals("tcp");
        MpiRun.Outcome clean = run(3, List.of(), "100");
        MpiRun.Outcome o = run(3, List.of("--checkpoint", "coordinated", "--interval", "100ms", "--store",
                tmp.resolve("s").toString(), "--inject-failure", "rank=2,after=" + (tcp ? "3000ms" : "700ms")),
                "100", tcp ? "40" : "10");
        assertTrue(o.result().succeeded(), o.err());
        assertEquals(sorted(clean), sorted(o));
        assertFalse(o.err().contains("checkpoints committed: 0,"), o.err());
        assertTrue(o.err().contains("restarting all 3 ranks from checkpoint "), o.err());
    }

    /**
     * Each step every rank sends its right neighbour a large message (100 000 doubles: on tcp it goes by rendezvous,
     * the payload staying with the sender until the receiver asks for it) just before the safe point, and receives
     * its left neighbour's only after it; so at every checkpoint the message is in transit, its payload still at the
     * sender, and the capture must fetch it.
     */
    public static class LargeInFlight {
        static final int N = 100_000;

        static final class State {
            int step;
            double acc;
            long bits;
            /** With {@code direct}: the last values received, in a direct buffer that the checkpoint must carry. */
            java.nio.ByteBuffer last = MPI.newByteBuffer(8 * 4);
        }

        /** Arguments: STEPS [direct]; with {@code direct} the messages go from and into direct ByteBuffers. */
        public static void main(String[] args) throws Exception {
            String[] rest = MPI.Init(args);
            int steps = Integer.parseInt(rest[0]);
            boolean direct = rest.length > 1 && rest[1].equals("direct");
            int rank = MPI.COMM_WORLD.Rank();
            int size = MPI.COMM_WORLD.Size();
            int left = (rank + size - 1) % size;
            int right = (rank + 1) % size;
            State s = Checkpoint.restoreOr(State::new);
            Object in = direct ? MPI.newByteBuffer(8 * N) : new double[N];
            Request pending = null;
            while (s.step < steps) {
                if (s.step > 0) {
                    receive(s, in, left);
                }
                if (pending != null) {
                    pending.Wait();
                }
                s.step++;
                double[] values = new double[N];
                for (int i = 0; i < N; i++) {
                    values[i] = Math.sin(s.step * 31 + rank * 7 + i) + s.acc * 1e-9;
                }
                Object out = values;
                if (direct) {
                    java.nio.ByteBuffer b = MPI.newByteBuffer(8 * N);
                    b.asDoubleBuffer().put(values);
                    out = b;
                }
                pending = MPI.COMM_WORLD.Isend(out, 0, N, MPI.DOUBLE, right, 5);
                Checkpoint.point(s);
            }
            receive(s, in, left);
            if (pending != null) {
                pending.Wait();
            }
            long lastBits = 0;
            for (int i = 0; i < 4; i++) {
                lastBits = lastBits * 31 + s.last.getLong(8 * i);
            }
            System.out.println("rank " + rank + " step " + s.step + " acc " + Double.doubleToLongBits(s.acc)
                    + " bits " + Long.toHexString(s.bits) + " last " + Long.toHexString(lastBits));
            MPI.Finalize();
        }

        private static void receive(State s, Object in, int left) throws Exception {
            Status st = MPI.COMM_WORLD.Recv(in, 0, N, MPI.DOUBLE, left, 5);
            assertEquals(N, st.Get_count(MPI.DOUBLE));
            for (int i = 0; i < N; i++) {
                double v = in instanceof double[] ? ((double[]) in)[i] : ((java.nio.ByteBuffer) in).getDouble(8 * i);
                s.acc = s.acc * 0.999_999 + v;
                s.bits = s.bits * 1_000_003L + Double.doubleToLongBits(v);
                if (i < 4) {
                    s.last.putDouble(8 * i, v);
                }
            }
        }
    }

    @Test
    void shouldCaptureALargeMessageSentBeforeTheSafePointWhenItIsReceivedAfterIt() {
        MpiRun.Outcome clean = MpiRun.run(3, List.of(), LargeInFlight.class, "12");
        assertTrue(clean.result().succeeded(), clean.err());
        assertEquals(3, clean.lines().size(), clean.out());
        MpiRun.Outcome o = MpiRun.run(3, List.of("--checkpoint", "coordinated", "--every", "3", "--store",
                tmp.resolve("s").toString(), "--inject-failure", "rank=1,point=8"), LargeInFlight.class, "12");
        assertTrue(o.result().succeeded(), o.err());
        assertEquals(sorted(clean), sorted(o));
        assertTrue(o.err().contains("restarting all 3 ranks from checkpoint 2"), o.err());
    }

    /**
     * The same with direct ByteBuffers: the in-flight payload is read from the sender's direct buffer at capture,
     * and the rank state holds a direct buffer, which comes back by value after the restart.
     */
    @Test
    void shouldRestartBitIdenticallyWhenMessagesAndStateUseDirectByteBuffers() {
        MpiRun.Outcome clean = MpiRun.run(3, List.of(), LargeInFlight.class, "12", "direct");
        assertTrue(clean.result().succeeded(), clean.err());
        assertEquals(sorted(MpiRun.run(3, List.of(), LargeInFlight.class, "12")), sorted(clean),
                "direct buffers carry the same values as arrays");
        MpiRun.Outcome o = MpiRun.run(3, List.of("--checkpoint", "coordinated", "--every", "3", "--store",
                tmp.resolve("s").toString(), "--inject-failure", "rank=1,point=8"), LargeInFlight.class, "12", "direct");
        assertTrue(o.result().succeeded(), o.err());
        assertEquals(sorted(clean), sorted(o));
        assertTrue(o.err().contains("restarting all 3 ranks from checkpoint 2"), o.err());
    }
}
