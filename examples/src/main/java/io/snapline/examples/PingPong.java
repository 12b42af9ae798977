package io.snapline.examples;

import java.util.Arrays;
import mpi.MPI;

/**
 * Ranks 0 and 1 bounce a message back and forth for sizes from 1 byte up to {@code maxBytes} (powers of 4), and rank 0
 * prints the one-way latency and the bandwidth per size. The first rounds of every size fill and check every byte of
 * every message (so stale or misplaced data is caught); then untimed warm-up rounds and the timed rounds only move the
 * data, so the figures measure messaging, not the checking loops or the JIT compiler. Other ranks only join and leave. Shows blocking {@code Send}/{@code Recv} and
 * {@link MPI#Wtime()}.
 *
 * <pre>bin/snaprun -np 2 -cp examples/target/classes io.snapline.examples.PingPong [rounds, default 1000] [maxBytes, default 1048576]</pre>
 */
public final class PingPong {
    private static final int TAG = 2;
    /** Round trips per size whose every byte is filled and checked (untimed). */
    private static final int VERIFIED = 20;
    /**
     * Untimed round trips per size before the timed ones, so class loading and JIT compilation stay out of the numbers:
     * about 64 MiB of traffic, between 50 and 20,000 round trips.
     */
    private static int warmUpRounds(int bytes) {
        return Math.max(50, Math.min(20_000, (64 << 20) / bytes));
    }

    private PingPong() {
    }

    public static void main(String[] args) {
        String[] rest = MPI.Init(args);
        int rounds = rest.length > 0 ? Integer.parseInt(rest[0]) : 1000;
        int maxBytes = rest.length > 1 ? Integer.parseInt(rest[1]) : 1 << 20;
        int rank = MPI.COMM_WORLD.Rank();
        if (MPI.COMM_WORLD.Size() < 2) {
            throw new IllegalStateException("PingPong needs two ranks; run it with -np 2");
        }
        if (rank == 0) {
            System.out.printf("PingPong: %d rounds per size%n", rounds);
        }
        int checked = 0;
        for (int bytes = 1; bytes <= maxBytes; bytes *= 4) {
            byte[] buf = new byte[bytes];
            for (int round = 0; round < VERIFIED; round++) {
                bounce(buf, rank, round, true);
            }
            checked += VERIFIED;
            for (int round = 0; round < warmUpRounds(bytes); round++) {
                bounce(buf, rank, round, false);
            }
            double start = MPI.Wtime();
            for (int round = 0; round < rounds; round++) {
                bounce(buf, rank, round, false);
            }
            double seconds = MPI.Wtime() - start;
            if (rank == 0) {
                double oneWay = seconds / (2.0 * rounds);
                System.out.printf("PingPong: %8d bytes %10.2f us %10.2f MB/s%n", bytes, oneWay * 1e6, bytes / oneWay / 1e6);
            }
        }
        if (rank == 0) {
            System.out.println("PingPong: verified " + checked + " round trips");
        }
        MPI.Finalize();
    }

    /**
     * One round trip. When {@code verify} is set, rank 0 sends the round's payload and rank 1 checks it and answers
     * with the next round's, which rank 0 checks in turn.
     */
    private static void bounce(byte[] buf, int rank, int round, boolean verify) {
        if (rank == 0) {
            if (verify) {
                fill(buf, round);
            }
            MPI.COMM_WORLD.Send(buf, 0, buf.length, MPI.BYTE, 1, TAG);
            if (verify) {
                Arrays.fill(buf, (byte) 0);
            }
            MPI.COMM_WORLD.Recv(buf, 0, buf.length, MPI.BYTE, 1, TAG);
            if (verify) {
                check(buf, round + 1);
            }
        } else if (rank == 1) {
            MPI.COMM_WORLD.Recv(buf, 0, buf.length, MPI.BYTE, 0, TAG);
            if (verify) {
                check(buf, round);
                fill(buf, round + 1);
            }
            MPI.COMM_WORLD.Send(buf, 0, buf.length, MPI.BYTE, 0, TAG);
        }
    }

    /** The payload of a round: each byte depends on its position and the round, so stale data is caught. */
    private static void fill(byte[] buf, int round) {
        for (int i = 0; i < buf.length; i++) {
            buf[i] = (byte) (i * 31 + round);
        }
    }

    private static void check(byte[] buf, int round) {
        for (int i = 0; i < buf.length; i++) {
            if (buf[i] != (byte) (i * 31 + round)) {
                throw new IllegalStateException("PingPong: byte " + i + " of a " + buf.length + "-byte message in round "
                        + round + " is " + buf[i] + ", expected " + (byte) (i * 31 + round));
            }
        }
    }
}
