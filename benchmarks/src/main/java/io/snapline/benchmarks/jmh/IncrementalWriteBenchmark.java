package io.snapline.benchmarks.jmh;

import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.Chunker;
import io.snapline.runtime.checkpoint.store.FileCheckpointStore;
import io.snapline.runtime.checkpoint.store.FixedCuts;
import io.snapline.runtime.checkpoint.store.Manifest;
import io.snapline.runtime.checkpoint.store.PieceWrite;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * An incremental checkpoint of a heat-like grid ({@code mib} MiB of doubles, a band of {@code changedPercent} % of it
 * changed since the previous checkpoint, the band moving each time) with the grid's bytes cut content-defined (FastCDC,
 * as before the fixed-size path) or at fixed offsets ({@link FixedCuts}), side by side in one run:
 * <ul>
 *   <li>{@code cut}: only the cutting ({@link Chunker#lengths(FixedCuts, ByteBuffer...)}), no hashing, no I/O;</li>
 *   <li>{@code write}: the grid copied into a snapshot buffer (as a capture does), then written to a
 *       {@link FileCheckpointStore} opened incrementally (cut, SHA-256 of each chunk, the new chunks and the piece
 *       written and forced to disk), committed; the store keeps the newest checkpoint and collects unused chunks
 *       after each write, outside the measured time. The bytes written per checkpoint (after the first, which the
 *       trial's setup writes) are printed at the end of each trial.</li>
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class IncrementalWriteBenchmark {
    /** What the grid's bytes are cut by: FastCDC like the rest of the payload, or the fixed-size path. */
    @Param({"content-defined", "fixed"})
    public String cuts;

    @Param({"32"})
    public int mib;

    @Param({"10"})
    public int changedPercent;

    private double[] grid;
    private ByteBuffer head;
    private ByteBuffer snapshot;
    private FixedCuts fixed;
    private Path dir;
    private FileCheckpointStore store;
    private long id;
    private long writes;
    private long bytesWritten;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        grid = new double[mib * 1024 * 1024 / Double.BYTES];
        for (int i = 0; i < grid.length; i++) {
            grid[i] = Math.sin(i * 1e-3); // smooth, like a temperature field
        }
        head = ByteBuffer.allocate(200); // what precedes the grid in a rank image: headers, small fields
        snapshot = ByteBuffer.allocate(grid.length * Double.BYTES).order(ByteOrder.nativeOrder());
        fixed = cuts.equals("fixed") ? new FixedCuts.Builder().add(head.capacity(), snapshot.capacity()).build()
                : FixedCuts.NONE;
        dir = Files.createTempDirectory("snapline-incremental-bench");
        store = new FileCheckpointStore(dir.resolve("store"), null, true);
        write(); // the first checkpoint writes every chunk: the counts below are of the later ones
        collect();
        writes = 0;
        bytesWritten = 0;
    }

    /** Changes the next band of the grid, as an interval of a stencil would. */
    private void step() {
        int band = (int) ((long) grid.length * changedPercent / 100);
        int from = (int) ((id * band) % (grid.length - band));
        for (int i = from; i < from + band; i++) {
            grid[i] += 1e-6;
        }
    }

    @Benchmark
    public List<Integer> cut() {
        step();
        id++;
        snapshot.clear();
        snapshot.asDoubleBuffer().put(grid);
        return Chunker.lengths(fixed, head.duplicate(), snapshot.duplicate());
    }

    @Benchmark
    public PieceWrite write() {
        step();
        id++;
        snapshot.clear();
        snapshot.asDoubleBuffer().put(grid);
        PieceWrite w = store.writePieceCounted(CheckpointId.of(id), 0, fixed, head.duplicate(), snapshot.duplicate());
        store.commit(new Manifest(CheckpointId.of(id), 1, List.of(w.piece())));
        writes++;
        bytesWritten += w.bytesWritten();
        return w;
    }

    @TearDown(Level.Invocation)
    public void collect() {
        if (writes > 0) {
            store.retain(1);
            store.collectGarbage();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        if (writes > 0) {
            System.err.printf("%nIncrementalWriteBenchmark %s: %d checkpoints, %.0f bytes written per checkpoint "
                    + "(%.1f %% of the grid)%n", cuts, writes, (double) bytesWritten / writes,
                    100.0 * bytesWritten / writes / snapshot.capacity());
        }
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
