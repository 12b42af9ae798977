package io.snapline.benchmarks.rank;

import io.snapline.checkpoint.Checkpoint;
import mpi.MPI;

/**
 * One-way latency: rank 0 sends {@code size} bytes to rank 1, which sends them back; one-way time is the round trip
 * halved. Arguments: {@code WARMUP ITERATIONS TRIALS SIZE...}; reports {@code pingpong.SIZE} for each size, and
 * {@code alloc.pingpong.SIZE}: the bytes rank 0's thread allocates per message (one send plus one receive, during
 * which it also delivers into rank 1's posted receive).
 *
 * <p>Both ranks pass a safe point ({@link Checkpoint#point()}) before each warm-up batch and each trial, outside the
 * timed loops: nothing under {@code --checkpoint none} or a long {@code --interval}, and under {@code --every 1} a
 * checkpoint per trial, which lets a message-logging policy drop what its log holds, as it does in a program that
 * checkpoints.
 */
public final class PingPong {
    private static final int TAG = 11;

    private PingPong() {
    }

    public static void main(String[] args) {
        String[] a = MPI.Init(args);
        if (a.length < 4) {
            throw new IllegalArgumentException("usage: PingPong WARMUP ITERATIONS TRIALS SIZE...");
        }
        int warmup = RankReport.count(a[0], "WARMUP");
        int iterations = RankReport.count(a[1], "ITERATIONS");
        int trials = RankReport.count(a[2], "TRIALS");
        int me = MPI.COMM_WORLD.Rank();
        if (MPI.COMM_WORLD.Size() != 2) {
            throw new IllegalStateException("PingPong needs exactly 2 ranks, got " + MPI.COMM_WORLD.Size());
        }
        for (int s = 3; s < a.length; s++) {
            int size = RankReport.count(a[s], "SIZE");
            byte[] buf = new byte[size];
            // The warm-up has the trials' shape (a Barrier, then ITERATIONS round trips, again and again), so that the
            // compilers see the loop and the calls in it as the trials run them, not as one long on-stack-replaced loop.
            for (int done = 0; done < warmup; done += iterations) {
                Checkpoint.point();
                MPI.COMM_WORLD.Barrier();
                roundTrips(me, buf, Math.min(iterations, warmup - done));
            }
            checkEcho(me, buf);
            long[] nanos = new long[trials];
            long allocated = 0;
            for (int t = 0; t < trials; t++) {
                Checkpoint.point();
                MPI.COMM_WORLD.Barrier();
                long bytesBefore = RankReport.allocatedBytes();
                long start = System.nanoTime();
                roundTrips(me, buf, iterations);
                nanos[t] = System.nanoTime() - start;
                allocated += RankReport.allocatedBytes() - bytesBefore;
            }
            if (me == 0) {
                RankReport.result("pingpong." + size, nanos, 2.0 * iterations);
                if (RankReport.allocatedBytes() >= 0) {
                    RankReport.value("alloc.pingpong." + size, allocated / (2.0 * iterations * trials));
                }
            }
        }
        MPI.Finalize();
    }

    private static void roundTrips(int me, byte[] buf, int n) {
        int size = buf.length;
        if (me == 0) {
            for (int i = 0; i < n; i++) {
                MPI.COMM_WORLD.Send(buf, 0, size, MPI.BYTE, 1, TAG);
                MPI.COMM_WORLD.Recv(buf, 0, size, MPI.BYTE, 1, TAG);
            }
        } else {
            for (int i = 0; i < n; i++) {
                MPI.COMM_WORLD.Recv(buf, 0, size, MPI.BYTE, 0, TAG);
                MPI.COMM_WORLD.Send(buf, 0, size, MPI.BYTE, 0, TAG);
            }
        }
    }

    /** Makes sure the loop really moves data: a marker written by rank 0 must come back unchanged. */
    private static void checkEcho(int me, byte[] buf) {
        if (me == 0) {
            buf[buf.length - 1] = 42;
        }
        roundTrips(me, buf, 1);
        if (buf[buf.length - 1] != 42) {
            throw new IllegalStateException("rank " + me + " did not receive the echoed marker (" + buf.length + " bytes)");
        }
        buf[buf.length - 1] = 0;
    }
}
