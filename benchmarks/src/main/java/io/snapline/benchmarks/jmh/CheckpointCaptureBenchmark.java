package io.snapline.benchmarks.jmh;

import io.snapline.runtime.checkpoint.Compression;
import io.snapline.runtime.checkpoint.Cut;
import io.snapline.runtime.checkpoint.RankAgent;
import io.snapline.runtime.checkpoint.RankImage;
import io.snapline.runtime.checkpoint.RankSetup;
import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.device.shm.ShmDevice;
import io.snapline.runtime.engine.Endpoint;
import io.snapline.runtime.engine.JobState;
import io.snapline.runtime.engine.Mailbox;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a checkpoint's capture does with a rank's state before it reaches the store, step by step, on a heat-like
 * state: a grid of {@code mib} MiB of smooth doubles plus small objects (a step counter, a map of settings, a list
 * of small records).
 * <ul>
 *   <li>{@code encode}: the capture {@code Checkpoint.point} makes on a rank of one ({@link RankAgent#capture}, under
 *       the {@code none} policy, on an {@code shm} endpoint with no traffic): the state encoded by the rank's state
 *       codec into its reused buffer, as the {@link RankImage} the store is given;</li>
 *   <li>{@code sha256}: SHA-256 over the encoded state, as the file store names an incremental piece's chunks;</li>
 *   <li>{@code compress}: the encoded state compressed ({@code --compress lz4} or {@code zstd}) with the blocks'
 *       bytes shuffled when a sample says it pays ({@code auto}, what checkpoints do), always, or never.</li>
 * </ul>
 * The sizes the compressions reach are printed at the end of each trial.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CheckpointCaptureBenchmark {
    /** A small object of the state: what a program keeps beside its grid. */
    public static final class Probe {
        int x;
        int y;
        double last;
        String name;

        Probe(int x, int y, String name) {
            this.x = x;
            this.y = y;
            this.name = name;
        }
    }

    /** The program's state. */
    public static final class Heat {
        long step;
        double[] grid;
        Map<String, Double> settings = new HashMap<>();
        List<Probe> probes = new ArrayList<>();
    }

    /** A rank of one holding the state, and the bytes its first capture encoded the state to. */
    @State(Scope.Thread)
    public static class Captured {
        @Param({"16"})
        public int mib;

        private Endpoint endpoint;
        private RankAgent agent;
        private Heat heat;
        ByteBuffer encoded;
        private MessageDigest sha256;
        private long id;

        @Setup(Level.Trial)
        public void setUp() throws NoSuchAlgorithmException {
            heat = new Heat();
            heat.grid = new double[mib * 1024 * 1024 / Double.BYTES];
            for (int i = 0; i < heat.grid.length; i++) {
                heat.grid[i] = Math.sin(i * 1e-3) * 300 + 20; // smooth, like a temperature field
            }
            heat.settings.put("alpha", 0.1);
            heat.settings.put("dt", 1e-3);
            for (int i = 0; i < 32; i++) {
                heat.probes.add(new Probe(i, 2 * i, "probe-" + i));
            }
            ShmDevice device = new ShmDevice(1);
            Mailbox box = new Mailbox();
            device.register(0, box);
            endpoint = new Endpoint(0, device, box, new JobState(1));
            agent = new RankAgent(endpoint, CheckpointCaptureBenchmark.class.getClassLoader(), RankSetup.none());
            agent.init();
            agent.set("heat", heat);
            ByteBuffer first = capture().state();
            encoded = ByteBuffer.allocate(first.remaining());
            encoded.put(first.duplicate()).flip();
            sha256 = MessageDigest.getInstance("SHA-256");
        }

        RankImage capture() {
            id++;
            heat.step = id;
            return agent.capture(id, Cut.at(CheckpointId.of(id)));
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            agent.finish();
            agent.close();
            endpoint.close();
        }
    }

    /** The encoded state, and how it is compressed. */
    @State(Scope.Thread)
    public static class Compressing extends Captured {
        @Param({"LZ4", "ZSTD"})
        public Compression compression;

        @Param({"AUTO", "ALWAYS", "NEVER"})
        public Compression.Shuffle shuffle;

        private long compressedBytes;

        @TearDown(Level.Trial)
        public void report() {
            if (compressedBytes > 0) {
                System.err.printf("%nCheckpointCaptureBenchmark %s, shuffle %s: %d bytes of state compressed to %d "
                        + "(%.1f %%)%n", compression, shuffle, encoded.remaining(), compressedBytes,
                        100.0 * compressedBytes / encoded.remaining());
            }
        }
    }

    @Benchmark
    public RankImage encode(Captured c) {
        return c.capture();
    }

    @Benchmark
    public byte[] sha256(Captured c) {
        c.sha256.update(c.encoded.duplicate());
        return c.sha256.digest();
    }

    @Benchmark
    public ByteBuffer compress(Compressing c) {
        ByteBuffer packed = c.compression.compress(c.encoded.duplicate(), c.shuffle);
        c.compressedBytes = packed.remaining();
        return packed;
    }
}
