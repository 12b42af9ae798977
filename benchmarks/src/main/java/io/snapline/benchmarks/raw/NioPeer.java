package io.snapline.benchmarks.raw;

import io.snapline.benchmarks.rank.RankReport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;

/**
 * One side of the raw Java NIO baseline for the {@code tcp} device: two processes on loopback, one blocking
 * {@link SocketChannel} with {@code TCP_NODELAY}, no Snapline code. The harness starts the timing side
 * ({@code listen}), reads the port it prints, then starts the other side ({@code connect HOST PORT}) with the same
 * mode arguments. Only the timing side reports, with {@link RankReport}'s {@code @result} lines.
 *
 * <p>Modes (both sides get the same arguments):
 * <ul>
 *   <li>{@code pingpong WARMUP ITERATIONS TRIALS SIZE}: the timing side writes SIZE bytes, the other side reads them
 *       and writes them back; reports {@code pingpong.SIZE}, half the round trip. With {@code handoff} instead of
 *       {@code pingpong}, each side reads on a second thread that hands every complete message to the main thread
 *       through a volatile counter, as the device's progress thread does (reports {@code handoff.SIZE}). With
 *       {@code poll}, each side reads its non-blocking channel itself, polling for 100 µs before it sleeps in a
 *       selector, as a rank that waits for a message from a named rank does (reports {@code poll.SIZE}).</li>
 *   <li>{@code stream TRIALS SIZE:COUNT[:WARMUP]...}: after WARMUP bursts (default 1; or a time such as {@code 2s}, as
 *       the rank programs take it), the timing side writes COUNT messages of SIZE bytes from a direct
 *       buffer, the other side reads each into a direct buffer and answers the last with one byte; reports
 *       {@code stream.SIZE}, the time per message. This is the floor of NIO streaming: no copy in Java at all.</li>
 * </ul>
 * Before every trial the sides exchange one byte, as the rank programs do a {@code Barrier}. Echoed markers are
 * checked, so a broken loop fails instead of producing a figure.
 */
public final class NioPeer {
    /** The first line the timing side prints: {@code @port N}, the loopback port the other side connects to. */
    public static final String PORT = "@port";

    private NioPeer() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            throw new IllegalArgumentException("usage: NioPeer listen MODE ARGS... | NioPeer connect HOST PORT MODE ARGS...");
        }
        boolean timer = args[0].equals("listen");
        SocketChannel ch;
        String[] mode;
        if (timer) {
            try (ServerSocketChannel server = ServerSocketChannel.open()) {
                server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
                System.out.println(PORT + " " + ((InetSocketAddress) server.getLocalAddress()).getPort());
                System.out.flush();
                ch = server.accept();
            }
            mode = Arrays.copyOfRange(args, 1, args.length);
        } else if (args[0].equals("connect") && args.length >= 4) {
            ch = SocketChannel.open(new InetSocketAddress(args[1], Integer.parseInt(args[2])));
            mode = Arrays.copyOfRange(args, 3, args.length);
        } else {
            throw new IllegalArgumentException("first argument must be 'listen' or 'connect HOST PORT', got " + args[0]);
        }
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        try (ch) {
            switch (mode[0]) {
                case "pingpong", "handoff", "poll" -> {
                    if (mode.length != 5) {
                        throw new IllegalArgumentException("usage: " + mode[0] + " WARMUP ITERATIONS TRIALS SIZE");
                    }
                    int warmup = RankReport.count(mode[1], "WARMUP");
                    int iterations = RankReport.count(mode[2], "ITERATIONS");
                    int trials = RankReport.count(mode[3], "TRIALS");
                    int size = RankReport.count(mode[4], "SIZE");
                    PingPongLoop loop = switch (mode[0]) {
                        case "pingpong" -> new BlockingPingPong(ch, size);
                        case "poll" -> new PollingPingPong(ch, size);
                        default -> new HandoffPingPong(ch, size);
                    };
                    pingPong(ch, timer, loop, mode[0], warmup, iterations, trials, size);
                }
                case "stream" -> stream(ch, timer, mode);
                default -> throw new IllegalArgumentException("unknown mode '" + mode[0] + "'; expected pingpong, handoff, poll or stream");
            }
        }
    }

    /** One side of a ping-pong: how it sends a message and waits for the next one. */
    interface PingPongLoop {
        /** Sends the message in {@link #buffer()}. */
        void send() throws IOException;

        /** Waits until the next message has arrived in {@link #buffer()}. */
        void await() throws IOException;

        /** {@code n} round trips, starting with a send on the timing side. */
        default void run(boolean timer, int n) throws IOException {
            for (int i = 0; i < n; i++) {
                if (timer) {
                    send();
                    await();
                } else {
                    await();
                    send();
                }
            }
        }

        /** The buffer the messages travel in (its first byte is the echoed marker). */
        ByteBuffer buffer();

        /** Stops helper threads. */
        default void stop() {
        }
    }

    private static void pingPong(SocketChannel ch, boolean timer, PingPongLoop loop, String key, int warmup,
            int iterations, int trials, int size) throws IOException {
        try {
            for (int done = 0; done < warmup; done += iterations) {
                loop.run(timer, Math.min(iterations, warmup - done)); // in the trials' shape, as the rank program does
            }
            ByteBuffer b = loop.buffer();
            if (timer) {
                b.put(0, (byte) 42);
            }
            loop.run(timer, 1);
            if (b.get(0) != 42) {
                throw new IllegalStateException("the echoed marker did not come back (" + size + " bytes)");
            }
            long[] nanos = new long[trials];
            for (int t = 0; t < trials; t++) {
                long start = System.nanoTime();
                loop.run(timer, iterations);
                nanos[t] = System.nanoTime() - start;
            }
            if (timer) {
                RankReport.result(key + "." + size, nanos, 2.0 * iterations);
            }
        } finally {
            loop.stop();
        }
    }

    private static void stream(SocketChannel ch, boolean timer, String[] mode) throws IOException {
        if (mode.length < 3) {
            throw new IllegalArgumentException("usage: stream TRIALS SIZE:COUNT[:WARMUP]...");
        }
        int trials = RankReport.count(mode[1], "TRIALS");
        ByteBuffer token = ByteBuffer.allocateDirect(1);
        for (int s = 2; s < mode.length; s++) {
            String[] spec = mode[s].split(":");
            if (spec.length != 2 && spec.length != 3) {
                throw new IllegalArgumentException("expected SIZE:COUNT or SIZE:COUNT:WARMUP, got '" + mode[s] + "'");
            }
            int size = RankReport.count(spec[0], "SIZE");
            int count = RankReport.count(spec[1], "COUNT");
            RankReport.Warmup warmup = RankReport.Warmup.parse(spec.length == 3 ? spec[2] : "1");
            // Direct, not a wrapped byte[]: a write from a heap buffer copies everything still to be written into a
            // temporary direct buffer on every call, which for a partial write of 16 MiB repeats most of the copy.
            ByteBuffer buf = ByteBuffer.allocateDirect(size);
            long warmStart = System.nanoTime();
            for (int w = 0; ; w++) {
                // the timing side's clock decides for both: one byte, 1 for another burst, 0 to stop
                token.clear();
                if (timer) {
                    token.put(0, (byte) (warmup.more(w, warmStart) ? 1 : 0));
                    writeFully(ch, token);
                } else {
                    readFully(ch, token);
                }
                if (token.get(0) == 0) {
                    break;
                }
                burst(ch, timer, buf, token, count, (byte) 1);
            }
            long[] nanos = new long[trials];
            for (int t = 0; t < trials; t++) {
                exchange(ch, timer, token);
                long start = System.nanoTime();
                burst(ch, timer, buf, token, count, (byte) (t + 2));
                nanos[t] = System.nanoTime() - start;
            }
            if (timer) {
                RankReport.result("stream." + size, nanos, count);
            }
        }
    }

    /** COUNT messages from the timing side, then one byte back; the receiver checks the marker in the last byte. */
    private static void burst(SocketChannel ch, boolean timer, ByteBuffer buf, ByteBuffer token, int count, byte marker)
            throws IOException {
        int last = buf.capacity() - 1;
        if (timer) {
            buf.put(last, marker);
            for (int i = 0; i < count; i++) {
                buf.clear();
                writeFully(ch, buf);
            }
            token.clear();
            readFully(ch, token);
        } else {
            for (int i = 0; i < count; i++) {
                buf.clear();
                readFully(ch, buf);
            }
            if (buf.get(last) != marker) {
                throw new IllegalStateException("stream of " + buf.capacity() + " bytes: last byte " + buf.get(last)
                        + ", expected " + marker);
            }
            token.clear();
            writeFully(ch, token);
        }
    }

    /** One byte there and back: both sides leave it together, like a barrier. */
    private static void exchange(SocketChannel ch, boolean timer, ByteBuffer token) throws IOException {
        token.clear();
        if (timer) {
            writeFully(ch, token);
            token.clear();
            readFully(ch, token);
        } else {
            readFully(ch, token);
            token.clear();
            writeFully(ch, token);
        }
    }

    static void writeFully(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    static void readFully(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                throw new IOException("the other side closed the connection");
            }
        }
    }

    /** Plain blocking ping-pong: write, then read on the same thread. */
    private static final class BlockingPingPong implements PingPongLoop {
        private final SocketChannel ch;
        private final ByteBuffer buf;

        BlockingPingPong(SocketChannel ch, int size) {
            this.ch = ch;
            this.buf = ByteBuffer.allocateDirect(size);
        }

        @Override
        public ByteBuffer buffer() {
            return buf;
        }

        @Override
        public void send() throws IOException {
            buf.clear();
            writeFully(ch, buf);
        }

        @Override
        public void await() throws IOException {
            buf.clear();
            readFully(ch, buf);
        }
    }
}
