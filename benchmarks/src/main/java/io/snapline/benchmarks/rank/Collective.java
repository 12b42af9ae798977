package io.snapline.benchmarks.rank;

import mpi.MPI;

/**
 * Collective operations on {@code COMM_WORLD}, timed at rank 0 as the time per operation. Arguments:
 * {@code TRIALS SPEC...} where a spec is {@code barrier:N}, {@code bcast:BYTES:N} (root 0) or
 * {@code allreduce:DOUBLES:N} ({@code MPI.SUM}) or {@code sendrecv:N}; N operations are run as warm-up and N per
 * trial. Reports {@code barrier}, {@code bcast.BYTES}, {@code allreduce.DOUBLES} and {@code sendrecv.8}: an exchange
 * of one double between ranks 0 and 1 with {@code Sendrecv}, which is all the communication a two-rank Allreduce of
 * one double needs (for comparison while Allreduce itself is missing or slow). Each operation's result is checked once, so a
 * broken collective fails the run instead of producing a figure. An operation the runtime does not implement yet
 * is reported as unavailable.
 */
public final class Collective {
    private Collective() {
    }

    public static void main(String[] args) {
        String[] a = MPI.Init(args);
        if (a.length < 2) {
            throw new IllegalArgumentException("usage: Collective TRIALS SPEC... (barrier:N, bcast:BYTES:N, allreduce:DOUBLES:N)");
        }
        int trials = RankReport.count(a[0], "TRIALS");
        for (int s = 1; s < a.length; s++) {
            String[] spec = a[s].split(":");
            String kind = spec[0];
            if (kind.equals("barrier") && spec.length == 2) {
                barrier(trials, RankReport.count(spec[1], "N"));
            } else if (kind.equals("bcast") && spec.length == 3) {
                bcast(trials, RankReport.count(spec[1], "BYTES"), RankReport.count(spec[2], "N"));
            } else if (kind.equals("sendrecv") && spec.length == 2) {
                sendrecv(trials, RankReport.count(spec[1], "N"));
            } else if (kind.equals("allreduce") && spec.length == 3) {
                allreduce(trials, RankReport.count(spec[1], "DOUBLES"), RankReport.count(spec[2], "N"));
            } else {
                throw new IllegalArgumentException("unknown or malformed collective spec '" + a[s]
                        + "'; expected barrier:N, bcast:BYTES:N or allreduce:DOUBLES:N");
            }
        }
        MPI.Finalize();
    }

    private static void barrier(int trials, int n) {
        for (int i = 0; i < n; i++) {
            MPI.COMM_WORLD.Barrier();
        }
        long[] nanos = new long[trials];
        for (int t = 0; t < trials; t++) {
            MPI.COMM_WORLD.Barrier();
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                MPI.COMM_WORLD.Barrier();
            }
            nanos[t] = System.nanoTime() - start;
        }
        report("barrier", nanos, n);
    }

    /** Root 0 broadcasts BYTES bytes N times; a closing barrier makes the span end when every rank has its copy. */
    private static void bcast(int trials, int bytes, int n) {
        byte[] buf = new byte[bytes];
        int me = MPI.COMM_WORLD.Rank();
        for (int i = 0; i < bytes; i++) {
            buf[i] = me == 0 ? (byte) (i * 31 + 7) : 0;
        }
        MPI.COMM_WORLD.Bcast(buf, 0, bytes, MPI.BYTE, 0);
        for (int i = 0; i < bytes; i++) {
            if (buf[i] != (byte) (i * 31 + 7)) {
                throw new IllegalStateException("Bcast delivered a wrong byte at index " + i + " on rank " + me);
            }
        }
        for (int i = 0; i < n; i++) {
            MPI.COMM_WORLD.Bcast(buf, 0, bytes, MPI.BYTE, 0);
        }
        long[] nanos = new long[trials];
        for (int t = 0; t < trials; t++) {
            MPI.COMM_WORLD.Barrier();
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                MPI.COMM_WORLD.Bcast(buf, 0, bytes, MPI.BYTE, 0);
            }
            MPI.COMM_WORLD.Barrier();
            nanos[t] = System.nanoTime() - start;
        }
        report("bcast." + bytes, nanos, n);
    }

    private static void allreduce(int trials, int count, int n) {
        int me = MPI.COMM_WORLD.Rank();
        int size = MPI.COMM_WORLD.Size();
        double[] in = new double[count];
        double[] out = new double[count];
        java.util.Arrays.fill(in, me + 1);
        try {
            MPI.COMM_WORLD.Allreduce(in, 0, out, 0, count, MPI.DOUBLE, MPI.SUM);
        } catch (UnsupportedOperationException e) {
            if (me == 0) {
                RankReport.unavailable("allreduce." + count, "Allreduce is not implemented in this build");
            }
            return;
        }
        double expected = size * (size + 1) / 2.0;
        if (out[0] != expected || out[count - 1] != expected) {
            throw new IllegalStateException("Allreduce(SUM) gave " + out[0] + " and " + out[count - 1] + ", expected "
                    + expected + " on rank " + me);
        }
        for (int i = 0; i < n; i++) {
            MPI.COMM_WORLD.Allreduce(in, 0, out, 0, count, MPI.DOUBLE, MPI.SUM);
        }
        long[] nanos = new long[trials];
        for (int t = 0; t < trials; t++) {
            MPI.COMM_WORLD.Barrier();
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                MPI.COMM_WORLD.Allreduce(in, 0, out, 0, count, MPI.DOUBLE, MPI.SUM);
            }
            nanos[t] = System.nanoTime() - start;
        }
        report("allreduce." + count, nanos, n);
    }

    /** Ranks 0 and 1 swap one double; other ranks (if any) sit it out. */
    private static void sendrecv(int trials, int n) {
        int me = MPI.COMM_WORLD.Rank();
        int peer = me == 0 ? 1 : 0;
        double[] mine = {me + 1};
        double[] theirs = new double[1];
        long[] nanos = new long[trials];
        if (me < 2) {
            exchange(mine, theirs, peer, n);
            if (theirs[0] != peer + 1) {
                throw new IllegalStateException("Sendrecv delivered " + theirs[0] + " on rank " + me + ", expected " + (peer + 1));
            }
        }
        for (int t = 0; t < trials; t++) {
            MPI.COMM_WORLD.Barrier();
            long start = System.nanoTime();
            if (me < 2) {
                exchange(mine, theirs, peer, n);
            }
            nanos[t] = System.nanoTime() - start;
        }
        report("sendrecv.8", nanos, n);
    }

    private static void exchange(double[] mine, double[] theirs, int peer, int n) {
        for (int i = 0; i < n; i++) {
            MPI.COMM_WORLD.Sendrecv(mine, 0, 1, MPI.DOUBLE, peer, 15, theirs, 0, 1, MPI.DOUBLE, peer, 15);
        }
    }

    private static void report(String key, long[] nanos, int n) {
        if (MPI.COMM_WORLD.Rank() == 0) {
            RankReport.result(key, nanos, n);
        }
    }
}
