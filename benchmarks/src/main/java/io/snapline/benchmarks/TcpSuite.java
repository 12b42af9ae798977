package io.snapline.benchmarks;

import io.snapline.benchmarks.rank.Collective;
import io.snapline.benchmarks.rank.PingPong;
import io.snapline.benchmarks.rank.Stream;
import io.snapline.benchmarks.raw.NioBaseline;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code tcp} device's part of a round: every rank is its own JVM, and every figure is compared with the same
 * operation done by two processes over a raw Java NIO loopback connection ({@link NioBaseline}), measured right
 * before the Snapline job. Raw and rank JVMs get the same options ({@link RankJob#TCP_JVM_OPTIONS}). Figures:
 * {@code snapline.tcp.*} and {@code raw.nio.*}.
 *
 * <p>Counts are smaller than on {@code shm} because a round trip over loopback TCP takes tens of microseconds. Every
 * job starts fresh JVMs, so the latency warm-up is long enough for the JIT compilers to finish with the loop.
 */
final class TcpSuite {
    static final int LATENCY_SIZE = 8;
    static final int[] STREAM_SIZES = {1 << 20, 16 << 20};

    static final int ROUND_TRIPS = 5_000;
    static final int LATENCY_WARMUP = 100_000;
    /** Bytes streamed per trial, as on shm: 256 messages of 1 MiB, 16 of 16 MiB. */
    static final long STREAM_BYTES = 256L << 20;
    /** Warm-up bursts per size of the piggyback suite's tcp stream. */
    static final int STREAM_WARMUP_BURSTS = 3;
    /**
     * Warm-up per stream row, in the raw and the Snapline stream alike: bursts for this long. A fresh rank JVM's
     * compilers work for several seconds on 2 vCPUs, taking CPU from the stream; a time-based warm-up lets both
     * columns reach steady state.
     */
    static final int STREAM_WARMUP_MILLIS = 2_000;
    /** The 1 MiB stream once more with this many messages in flight, as OSU's {@code osu_bw} measures. */
    static final int STREAM_WINDOW = 64;
    static final int BARRIERS = 20_000;
    static final int SMALL_ALLREDUCES = 20_000;

    private TcpSuite() {
    }

    static void measure(BenchmarkOptions o, Measurements m, PrintStream progress) {
        progress.println("  tcp device (a JVM per rank, loopback sockets)");
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
        progress.println("  latency: raw NIO ping-pong (blocking, selector thread + hand-off, polling), then Snapline tcp ping-pong ...");
        List<String> counts = List.of(str(o.scaled(LATENCY_WARMUP)), str(o.scaled(ROUND_TRIPS)), str(o.trials()),
                str(LATENCY_SIZE));
        raw(concat("pingpong", counts), m, progress);
        raw(concat("handoff", counts), m, progress);
        raw(concat("poll", counts), m, progress);
        RankJob.run("tcp", RankJob.RANKS, PingPong.class, counts, m, progress);
    }

    private static void bandwidth(BenchmarkOptions o, Measurements m, PrintStream progress) {
        progress.println("  bandwidth: raw NIO stream, then Snapline tcp stream ...");
        List<String> args = new ArrayList<>(List.of(str(o.trials())));
        String warmup = o.scaled(STREAM_WARMUP_MILLIS) + "ms";
        for (int size : STREAM_SIZES) {
            args.add(size + ":" + o.scaled((int) (STREAM_BYTES / size)) + ":" + warmup);
        }
        raw(concat("stream", args), m, progress);
        List<String> ranks = new ArrayList<>(args);
        // At least one whole window, even in a scaled-down run, so that the figure is always the same row's.
        int count = Math.max(1, o.scaled((int) (STREAM_BYTES / STREAM_SIZES[0])) / STREAM_WINDOW) * STREAM_WINDOW;
        ranks.add(STREAM_SIZES[0] + ":" + count + ":" + warmup + ":" + STREAM_WINDOW);
        for (int size : STREAM_SIZES) {
            // from and into direct ByteBuffers, as the raw stream moves its bytes
            ranks.add(size + ":" + o.scaled((int) (STREAM_BYTES / size)) + ":" + warmup + ":1:direct");
        }
        RankJob.run("tcp", RankJob.RANKS, Stream.class, ranks, m, progress);
    }

    private static void collectives(BenchmarkOptions o, Measurements m, PrintStream progress) {
        progress.println("  collectives: Snapline tcp Barrier, Sendrecv, Allreduce of one double ...");
        if (m.get("raw.nio.pingpong." + LATENCY_SIZE).isEmpty()) {
            // the Barrier row's baseline, when the latency group is not measured
            raw(List.of("pingpong", str(o.scaled(LATENCY_WARMUP)), str(o.scaled(ROUND_TRIPS)), str(o.trials()),
                    str(LATENCY_SIZE)), m, progress);
        }
        int small = o.scaled(SMALL_ALLREDUCES);
        RankJob.run("tcp", RankJob.RANKS, Collective.class, List.of(str(o.trials()), "barrier:" + o.scaled(BARRIERS),
                "sendrecv:" + small, "allreduce:1:" + small), m, progress);
    }

    private static void raw(List<String> mode, Measurements m, PrintStream progress) {
        String out;
        try {
            out = NioBaseline.run(RankJob.TCP_JVM_OPTIONS, mode);
        } catch (IllegalStateException | java.io.UncheckedIOException e) {
            throw new BenchmarkException("raw NIO baseline " + String.join(" ", mode) + " failed: " + e.getMessage());
        }
        RankJob.collect(out, "raw.nio.", m, progress);
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }

    private static String str(int n) {
        return Integer.toString(n);
    }
}
