package io.snapline.benchmarks.jmh;

import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.TypeMap;
import io.snapline.runtime.serial.KryoObjectCodec;
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
 * {@code MPI.OBJECT} encoding with the Kryo codec: {@code objects} small objects (a class with three doubles, an int
 * and a String), encoded, and encoded then decoded as a receive would.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ObjectCodecBenchmark {
    /** A typical small user object (no registration, no Serializable, as MPJ Express programs send them). */
    public static class Particle {
        double x;
        double y;
        double z;
        int id;
        String name;
    }

    @Param({"1", "100"})
    public int objects;

    private KryoObjectCodec codec;
    private Object[] src;
    private Object[] dst;
    private byte[] encoded;
    private final TypeMap type = TypeMap.basic(BaseType.OBJECT);

    @Setup
    public void setUp() {
        codec = new KryoObjectCodec(ObjectCodecBenchmark.class.getClassLoader());
        src = new Object[objects];
        for (int i = 0; i < objects; i++) {
            Particle p = new Particle();
            p.x = i;
            p.y = i * 2;
            p.z = i * 3;
            p.id = i;
            p.name = "p" + i;
            src[i] = p;
        }
        dst = new Object[objects];
        encoded = codec.encode(src, 0, type, objects);
    }

    @Benchmark
    public byte[] encode() {
        return codec.encode(src, 0, type, objects);
    }

    @Benchmark
    public Object[] decode() {
        codec.decode(encoded, dst, 0, type, objects);
        return dst;
    }
}
