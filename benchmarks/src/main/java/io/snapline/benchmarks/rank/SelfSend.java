package io.snapline.benchmarks.rank;

import mpi.MPI;
import mpi.Request;

/**
 * The software cost of one message without any cross-core traffic: a single rank posts a receive from itself, sends
 * {@code SIZE} bytes to itself (the send matches the posted receive and copies into it, as a send to a waiting peer
 * does) and waits for the receive. Arguments: {@code WARMUP ITERATIONS TRIALS SIZE}; reports {@code self.SIZE} (time
 * per message) and {@code alloc.self.SIZE} (bytes allocated per message).
 */
public final class SelfSend {
    private static final int TAG = 14;

    private SelfSend() {
    }

    public static void main(String[] args) {
        String[] a = MPI.Init(args);
        if (a.length != 4) {
            throw new IllegalArgumentException("usage: SelfSend WARMUP ITERATIONS TRIALS SIZE");
        }
        int warmup = RankReport.count(a[0], "WARMUP");
        int iterations = RankReport.count(a[1], "ITERATIONS");
        int trials = RankReport.count(a[2], "TRIALS");
        int size = RankReport.count(a[3], "SIZE");
        int me = MPI.COMM_WORLD.Rank();
        byte[] out = new byte[size];
        byte[] in = new byte[size];
        messages(me, out, in, warmup);
        long[] nanos = new long[trials];
        long allocated = 0;
        for (int t = 0; t < trials; t++) {
            long bytesBefore = RankReport.allocatedBytes();
            long start = System.nanoTime();
            messages(me, out, in, iterations);
            nanos[t] = System.nanoTime() - start;
            allocated += RankReport.allocatedBytes() - bytesBefore;
        }
        if (me == 0) {
            RankReport.result("self." + size, nanos, iterations);
            if (RankReport.allocatedBytes() >= 0) {
                RankReport.value("alloc.self." + size, allocated / ((double) iterations * trials));
            }
        }
        MPI.Finalize();
    }

    private static void messages(int me, byte[] out, byte[] in, int n) {
        for (int i = 0; i < n; i++) {
            Request r = MPI.COMM_WORLD.Irecv(in, 0, in.length, MPI.BYTE, me, TAG);
            MPI.COMM_WORLD.Send(out, 0, out.length, MPI.BYTE, me, TAG);
            r.Wait();
        }
    }
}
