package io.snapline.benchmarks;

import io.snapline.benchmarks.rank.Collective;
import io.snapline.benchmarks.rank.PingPong;
import io.snapline.benchmarks.rank.SelfSend;
import io.snapline.benchmarks.rank.Stream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * What is measured and how often. Each group measures its raw baseline right before the Snapline job it is
 * compared with, so both see the same machine load; the whole suite runs {@code rounds} times and each figure is the
 * median over the rounds. Iteration counts are per trial at scale 1, chosen so that a trial lasts tens of
 * milliseconds. The {@code tcp} device's figures come from {@link TcpSuite}, the {@code piggyback} group's from
 * {@link PiggybackSuite}.
 */
final class Suite {
    static final int[] LATENCY_SIZES = {1, 8, 1024};
    static final int[] STREAM_SIZES = {64 << 10, 1 << 20, 4 << 20, 16 << 20};
    static final int BCAST_BYTES = 1 << 20;
    static final int ALLREDUCE_LARGE = 1 << 20;

    static final int ROUND_TRIPS = 20_000;
    static final int LATENCY_WARMUP = 100_000;
    /** Bytes streamed per trial: 256 MiB, so 4096 messages of 64 KiB but 16 of 16 MiB. */
    static final long STREAM_BYTES = 256L << 20;
    static final int BARRIERS = 20_000;
    static final int SMALL_ALLREDUCES = 20_000;
    static final int LARGE_ALLREDUCES = 20;
    static final int BCASTS = 256;

    private Suite() {
    }

    static Measurements measure(BenchmarkOptions o, PrintStream progress) {
        List<Measurements> rounds = new ArrayList<>();
        for (int r = 1; r <= o.rounds(); r++) {
            progress.println("round " + r + " of " + o.rounds());
            rounds.add(measureOnce(o, progress, r));
        }
        return Measurements.medianOf(rounds);
    }

    private static Measurements measureOnce(BenchmarkOptions o, PrintStream progress, int round) {
        Measurements m = new Measurements();
        if (o.measuresBaselineGroups()) {
            if (o.measuresDevice("shm")) {
                measureShm(o, m, progress);
            }
            if (o.measuresDevice("tcp")) {
                TcpSuite.measure(o, m, progress);
            }
        }
        if (o.measures("piggyback")) {
            PiggybackSuite.measure(o, m, progress, round);
        }
        return m;
    }

    private static void measureShm(BenchmarkOptions o, Measurements m, PrintStream progress) {
        progress.println("  shm device (ranks are threads of this JVM)");
        if (o.measures("latency")) {
            latency(o, m, progress);
        }
        if (o.measures("bandwidth")) {
            bandwidth(o, m, progress);
        }
        if (o.measures("collectives")) {
            collectives(o, m, progress);
        }
    }

    private static void latency(BenchmarkOptions o, Measurements m, PrintStream progress) {
        int trials = o.trials();
        progress.println("  latency: raw thread hand-off, then Snapline ping-pong and a self-addressed send ...");
        int roundTrips = o.scaled(ROUND_TRIPS);
        // Each rank JIT-compiles its own copy of the program class (the timed loop), so the first size gets a long
        // warm-up too.
        int warmup = o.scaled(LATENCY_WARMUP);
        List<String> pp = new ArrayList<>(List.of(str(warmup), str(roundTrips), str(trials)));
        for (int size : LATENCY_SIZES) {
            pp.add(str(size));
        }
        m.put("raw.handoff.0", RawBaselines.handoffNanos(0, roundTrips, trials));
        m.put("raw.handoff.8", RawBaselines.handoffNanos(8, roundTrips, trials));
        m.put("raw.protocol.8", RawBaselines.protocolModelNanos(8, roundTrips, trials));
        RankJob.run(PingPong.class, pp, m, progress);
        RankJob.run(1, SelfSend.class, List.of(str(warmup), str(roundTrips), str(trials), "8"), m, progress);
    }

    private static void bandwidth(BenchmarkOptions o, Measurements m, PrintStream progress) {
        int trials = o.trials();
        progress.println("  bandwidth: System.arraycopy, then Snapline stream ...");
        List<String> st = new ArrayList<>(List.of(str(trials)));
        for (int size : STREAM_SIZES) {
            int count = o.scaled((int) (STREAM_BYTES / size));
            m.put("raw.copy." + size, RawBaselines.copyNanos(size, count, trials));
            st.add(size + ":" + count);
        }
        RankJob.run(Stream.class, st, m, progress);
    }

    private static void collectives(BenchmarkOptions o, Measurements m, PrintStream progress) {
        int trials = o.trials();
        progress.println("  collectives: raw spin barrier, arraycopy, copy+add, then Snapline Barrier, Bcast, Sendrecv, Allreduce ...");
        int barriers = o.scaled(BARRIERS);
        int bcasts = o.scaled(BCASTS);
        int small = o.scaled(SMALL_ALLREDUCES);
        int large = o.scaled(LARGE_ALLREDUCES);
        m.put("raw.barrier", RawBaselines.spinBarrierNanos(barriers, trials));
        m.put("raw.bcastcopy." + BCAST_BYTES, RawBaselines.copyNanos(BCAST_BYTES, bcasts, trials));
        m.put("raw.copysum." + ALLREDUCE_LARGE, RawBaselines.copyAndSumNanos(ALLREDUCE_LARGE, large, trials));
        RankJob.run(Collective.class, List.of(str(trials), "barrier:" + barriers, "bcast:" + BCAST_BYTES + ":" + bcasts,
                "sendrecv:" + small, "allreduce:1:" + small, "allreduce:" + ALLREDUCE_LARGE + ":" + large), m, progress);
    }

    private static String str(int n) {
        return Integer.toString(n);
    }
}
