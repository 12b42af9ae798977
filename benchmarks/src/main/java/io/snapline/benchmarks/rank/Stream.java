package io.snapline.benchmarks.rank;

import mpi.MPI;

/**
 * Bandwidth: rank 0 sends {@code COUNT} messages of {@code SIZE} bytes back to back with blocking {@code Send}, rank 1
 * receives them with blocking {@code Recv} and answers with a one-byte acknowledgement, so the timed span ends when
 * the last byte has arrived. Arguments: {@code TRIALS SIZE:COUNT[:WARMUP]...}; reports {@code stream.SIZE} as the time
 * per message (bandwidth is SIZE over that time). The warm-up sends WARMUP bursts of COUNT messages (default 1); a
 * fresh rank JVM ({@code -dev tcp}) needs several before the JIT compilers are done with the path.
 */
public final class Stream {
    private static final int TAG = 12;
    private static final int ACK_TAG = 13;

    private Stream() {
    }

    public static void main(String[] args) {
        String[] a = MPI.Init(args);
        if (a.length < 2) {
            throw new IllegalArgumentException("usage: Stream TRIALS SIZE:COUNT[:WARMUP]...");
        }
        int trials = RankReport.count(a[0], "TRIALS");
        int me = MPI.COMM_WORLD.Rank();
        if (MPI.COMM_WORLD.Size() != 2) {
            throw new IllegalStateException("Stream needs exactly 2 ranks, got " + MPI.COMM_WORLD.Size());
        }
        for (int s = 1; s < a.length; s++) {
            String[] spec = a[s].split(":");
            if (spec.length != 2 && spec.length != 3) {
                throw new IllegalArgumentException("expected SIZE:COUNT or SIZE:COUNT:WARMUP, got '" + a[s] + "'");
            }
            int size = RankReport.count(spec[0], "SIZE");
            int count = RankReport.count(spec[1], "COUNT");
            int warmup = spec.length == 3 ? RankReport.count(spec[2], "WARMUP") : 1;
            byte[] buf = new byte[size];
            byte[] ack = new byte[1];
            for (int w = 0; w < warmup; w++) {
                burst(me, buf, ack, count);
            }
            long[] nanos = new long[trials];
            for (int t = 0; t < trials; t++) {
                MPI.COMM_WORLD.Barrier();
                long start = System.nanoTime();
                burst(me, buf, ack, count);
                nanos[t] = System.nanoTime() - start;
            }
            if (me == 0) {
                RankReport.result("stream." + size, nanos, count);
            }
        }
        MPI.Finalize();
    }

    private static void burst(int me, byte[] buf, byte[] ack, int count) {
        if (me == 0) {
            for (int i = 0; i < count; i++) {
                MPI.COMM_WORLD.Send(buf, 0, buf.length, MPI.BYTE, 1, TAG);
            }
            MPI.COMM_WORLD.Recv(ack, 0, 1, MPI.BYTE, 1, ACK_TAG);
        } else {
            for (int i = 0; i < count; i++) {
                MPI.COMM_WORLD.Recv(buf, 0, buf.length, MPI.BYTE, 0, TAG);
            }
            MPI.COMM_WORLD.Send(ack, 0, 1, MPI.BYTE, 0, ACK_TAG);
        }
    }
}
