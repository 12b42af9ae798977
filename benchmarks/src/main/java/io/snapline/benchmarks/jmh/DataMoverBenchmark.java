package io.snapline.benchmarks.jmh;

import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.DataMover;
import io.snapline.runtime.engine.TypeMap;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link DataMover#copy} of {@code doubles} elements: a contiguous layout (one {@code System.arraycopy}), a strided
 * column (a vector type, one element every second slot: one run per element) and plain {@code System.arraycopy} as
 * the floor.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class DataMoverBenchmark {
    @Param({"8", "1024", "131072"})
    public int doubles;

    private double[] src;
    private double[] dst;
    private TypeMap dense;
    private TypeMap column;

    @Setup
    public void setUp() {
        src = new double[2 * doubles];
        dst = new double[2 * doubles];
        for (int i = 0; i < src.length; i++) {
            src[i] = i;
        }
        dense = TypeMap.basic(BaseType.DOUBLE);
        column = TypeMap.vector(doubles, 1, 2, dense);
    }

    @Benchmark
    public double[] arraycopyFloor() {
        System.arraycopy(src, 0, dst, 0, doubles);
        return dst;
    }

    @Benchmark
    public double[] contiguous() {
        DataMover.copy(src, 0, dense, dst, 0, dense, doubles);
        return dst;
    }

    @Benchmark
    public double[] stridedToDense() {
        DataMover.copy(src, 0, column, dst, 0, dense, doubles);
        return dst;
    }
}
