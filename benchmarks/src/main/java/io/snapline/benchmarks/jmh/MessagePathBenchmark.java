package io.snapline.benchmarks.jmh;

import io.snapline.checkpoint.independent.logging.LoggingMessage;
import io.snapline.runtime.checkpoint.CheckpointPolicy;
import io.snapline.runtime.checkpoint.Policies;
import io.snapline.runtime.checkpoint.PolicySettings;
import io.snapline.runtime.checkpoint.RankAgent;
import io.snapline.runtime.checkpoint.RankLink;
import io.snapline.runtime.checkpoint.RankSetup;
import io.snapline.runtime.checkpoint.store.InMemoryCheckpointStore;
import io.snapline.runtime.device.shm.ShmDevice;
import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.Communicator;
import io.snapline.runtime.engine.EagerWindow;
import io.snapline.runtime.engine.Endpoint;
import io.snapline.runtime.engine.JobState;
import io.snapline.runtime.engine.Mailbox;
import io.snapline.runtime.engine.SendMode;
import io.snapline.runtime.engine.TypeMap;
import io.snapline.runtime.serial.KryoObjectCodec;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The in-JVM message path on {@code shm}: two ranks of one job as {@code shm} builds them (one {@link ShmDevice}, a
 * {@link Mailbox} and an {@link Endpoint} per rank, blocking sends and receives on the world communicator as
 * {@code MPI.COMM_WORLD.Send} and {@code Recv} make them), rank 0 the benchmark's thread and rank 1 a thread of the
 * state's own.
 *
 * <p>{@code policy}: {@code none} is the engine alone, as under {@code --checkpoint none}. Otherwise each rank has the
 * agent the launcher gives it, with the policy's rank half installed as {@code MPI.Init} installs it and the first safe
 * point passed, but no supervisor and no checkpoint due ({@code --interval 1h}): {@code independent/none} adds the
 * piggybacked dependency stamps, {@code independent/pessimistic} the sender-based log and the receivers' bookkeeping.
 * Without a supervisor nothing tells the log it may drop what it holds: the benchmark drops it every
 * {@value #DROP_EVERY} messages per channel ({@link World#sent}), so that it stays as small as in a {@code bin/snapbench}
 * run under {@code --interval 1h} (a few hundred thousand messages) however long JMH runs. {@code bandwidth} is not
 * run under it (a 1 MiB stream would log gigabytes a second): {@link SenderLogBenchmark} measures the log's cost for
 * 1 MiB messages.
 * <ul>
 *   <li>{@code latency}: one-way latency of {@value #SMALL} bytes, reported as half a round trip (rank 1 echoes each
 *       message).</li>
 *   <li>{@code selfLatency}: a message of {@value #SMALL} bytes rank 0 sends itself and receives: the CPU cost of the
 *       whole path on one thread, without the other rank's thread (less disturbed on a loaded machine).</li>
 *   <li>{@code bandwidth}: {@value #BURST} messages of {@value #LARGE} bytes sent back to back, rank 1 answering the
 *       last with a one-byte acknowledgement; reported per message (bandwidth is {@value #LARGE} bytes over it).</li>
 *   <li>{@code bandwidthCopyFloor}: one {@code System.arraycopy} of {@value #LARGE} bytes between two arrays, the least
 *       a message between two arrays of one heap costs.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class MessagePathBenchmark {
    static final int SMALL = 8;
    static final int LARGE = 1 << 20;
    static final int BURST = 16;
    private static final int TAG = 21;
    private static final int ACK_TAG = 22;
    private static final int SELF_TAG = 23;
    /** Under a logging policy, a sender's log drops its messages on a channel every this many (see {@link World#sent}). */
    static final int DROP_EVERY = 4096;
    private static final TypeMap BYTES = TypeMap.basic(BaseType.BYTE);

    /** Two ranks of one {@code shm} job; rank 1 runs {@link #peer} on its own thread until {@link #stop}. */
    abstract static class World {
        Communicator rank0;
        Communicator rank1;
        Endpoint ep0;
        Endpoint ep1;
        byte[] buf;
        private Thread peer;
        private volatile boolean stopping;
        private volatile Throwable peerFailure;

        private RankAgent[] agents;
        /** Under a logging policy: per rank, per destination, the messages sent so far (see {@link #sent}). */
        private final long[][] sentTo = new long[2][2];
        private boolean logging;

        /**
         * Starts the two ranks; under a policy other than {@code none} each rank gets its agent as the launcher gives
         * it one ({@code POLICY[/LOGGING]}, no checkpoint due within the run, an in-memory store, no supervisor), set
         * up as {@code MPI.Init} sets it up, each rank on its own thread.
         */
        void start(int size, String policy) {
            JobState job = new JobState(2);
            ShmDevice device = new ShmDevice(2);
            long window = EagerWindow.forSharedHeap(2, Runtime.getRuntime().maxMemory());
            Endpoint[] eps = new Endpoint[2];
            for (int r = 0; r < 2; r++) {
                Mailbox box = new Mailbox(window);
                device.register(r, box);
                eps[r] = new Endpoint(r, device, box, job);
                eps[r].setCodec(new KryoObjectCodec(MessagePathBenchmark.class.getClassLoader()));
            }
            ep0 = eps[0];
            ep1 = eps[1];
            rank0 = Communicator.world(ep0);
            rank1 = Communicator.world(ep1);
            buf = new byte[size];
            byte[] peerBuf = new byte[size];
            logging = policy.endsWith("/pessimistic") || policy.endsWith("/causal");
            if (!policy.equals("none")) {
                agents = new RankAgent[2];
                for (int r = 0; r < 2; r++) {
                    agents[r] = new RankAgent(eps[r], MessagePathBenchmark.class.getClassLoader(), setup(policy));
                }
            }
            CountDownLatch ready = new CountDownLatch(1);
            peer = new Thread(() -> {
                try {
                    if (agents != null) {
                        agents[1].init();
                        agents[1].point(); // the program's setup ends at its first safe point
                    }
                    ready.countDown();
                    peer(peerBuf);
                } catch (Throwable t) {
                    if (!stopping) {
                        peerFailure = t;
                    }
                }
            }, "snapline-jmh-rank-1");
            peer.setDaemon(true);
            peer.start();
            if (agents != null) {
                agents[0].init();
                agents[0].point();
            }
            try {
                if (!ready.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("rank 1 of the benchmark's job did not start within 10 s",
                            peerFailure);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        private static RankSetup setup(String spec) {
            String[] parts = spec.split("/");
            Map<String, String> options = parts.length > 1 ? Map.of("--logging", parts[1]) : Map.of();
            CheckpointPolicy policy = Policies.byName(parts[0], MessagePathBenchmark.class.getClassLoader());
            PolicySettings settings = PolicySettings.of(parts[0], Duration.ofHours(1), options);
            return new RankSetup(policy, settings, new InMemoryCheckpointStore(), null, RankLink.NONE, 0, 0);
        }

        /**
         * Rank {@code rank} has sent {@code dest} a message. Under a logging policy, every {@value #DROP_EVERY} messages
         * on a channel the sender's log drops them, as the receiver's checkpoints make it drop them in a job: the log
         * stays small, as in the {@code bin/snapbench} runs this benchmark stands for, instead of growing for the whole
         * run until the collector's copying of it and its spill files are what is measured. The drop runs on the
         * sender's thread (in a job the policy's control thread does it) and is part of the time measured.
         */
        void sent(int rank, int dest) {
            if (logging && ++sentTo[rank][dest] % DROP_EVERY == 0) {
                agents[rank].onControl(LoggingMessage.drop(dest, sentTo[rank][dest]));
            }
        }

        /** Rank 1's loop; returns once {@link #stopping} is seen after a receive. */
        abstract void peer(byte[] peerBuf);

        boolean stopping() {
            return stopping;
        }

        /** Tells rank 1 to stop with one more message of the kind it waits for, and waits for its thread to end. */
        void stop() throws InterruptedException {
            stopping = true;
            send(rank0, ep0, buf, TAG);
            peer.join(10_000);
            if (peer.isAlive()) {
                throw new IllegalStateException("rank 1 of the benchmark's job did not stop within 10 s");
            }
            if (agents != null) {
                for (RankAgent a : agents) {
                    a.close();
                }
            }
            ep0.close();
            ep1.close();
            if (peerFailure != null) {
                throw new IllegalStateException("rank 1 of the benchmark's job failed", peerFailure);
            }
        }
    }

    /** Rank 1 sends each message back. */
    @State(Scope.Thread)
    public static class EchoWorld extends World {
        @Param({"none", "independent/none", "independent/pessimistic"})
        public String policy;

        @Setup(Level.Trial)
        public void setUp() {
            start(SMALL, policy);
        }

        @Override
        void peer(byte[] peerBuf) {
            while (true) {
                receive(rank1, ep1, peerBuf, TAG);
                if (stopping()) {
                    return;
                }
                send(rank1, ep1, peerBuf, TAG);
                sent(1, 0);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            stop();
        }
    }

    /** Rank 1 receives bursts of {@value #BURST} messages and acknowledges each burst. */
    @State(Scope.Thread)
    public static class SinkWorld extends World {
        private final byte[] ack = new byte[1];

        @Param({"none", "independent/none"})
        public String policy;

        @Setup(Level.Trial)
        public void setUp() {
            start(LARGE, policy);
            for (int i = 0; i < LARGE; i++) {
                buf[i] = (byte) i;
            }
        }

        @Override
        void peer(byte[] peerBuf) {
            byte[] peerAck = new byte[1];
            while (true) {
                for (int i = 0; i < BURST; i++) {
                    receive(rank1, ep1, peerBuf, TAG);
                    if (stopping()) {
                        return;
                    }
                }
                send(rank1, ep1, peerAck, ACK_TAG);
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() throws InterruptedException {
            stop();
        }
    }

    private static void send(Communicator comm, Endpoint ep, byte[] data, int tag) {
        ep.await(comm.isend(SendMode.STANDARD, data, 0, data.length, BYTES, 1 - ep.rank(), tag));
    }

    private static void receive(Communicator comm, Endpoint ep, byte[] data, int tag) {
        ep.await(comm.irecvAwaited(data, 0, data.length, BYTES, 1 - ep.rank(), tag));
    }

    @Benchmark
    @OperationsPerInvocation(2)
    public byte[] latency(EchoWorld w) {
        send(w.rank0, w.ep0, w.buf, TAG);
        w.sent(0, 1);
        receive(w.rank0, w.ep0, w.buf, TAG);
        return w.buf;
    }

    /**
     * A message rank 0 sends itself and receives at once: the whole path of a small message on one thread (the hook's
     * send and accept halves included), without the other thread's wake-up or the cache lines the two ranks share.
     */
    @Benchmark
    public byte[] selfLatency(EchoWorld w) {
        w.ep0.await(w.rank0.isend(SendMode.STANDARD, w.buf, 0, w.buf.length, BYTES, 0, SELF_TAG));
        w.sent(0, 0);
        w.ep0.await(w.rank0.irecvAwaited(w.buf, 0, w.buf.length, BYTES, 0, SELF_TAG));
        return w.buf;
    }

    @Benchmark
    @OperationsPerInvocation(BURST)
    public byte[] bandwidth(SinkWorld w) {
        for (int i = 0; i < BURST; i++) {
            send(w.rank0, w.ep0, w.buf, TAG);
        }
        receive(w.rank0, w.ep0, w.ack, ACK_TAG);
        return w.ack;
    }

    /** Two arrays of {@value #LARGE} bytes, for {@link #bandwidthCopyFloor}. */
    @State(Scope.Thread)
    public static class Arrays {
        private final byte[] source = new byte[LARGE];
        private final byte[] target = new byte[LARGE];

        @Setup(Level.Trial)
        public void setUp() {
            for (int i = 0; i < LARGE; i++) {
                source[i] = (byte) i;
            }
        }
    }

    @Benchmark
    public byte[] bandwidthCopyFloor(Arrays a) {
        System.arraycopy(a.source, 0, a.target, 0, LARGE);
        return a.target;
    }
}
