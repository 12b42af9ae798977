package io.snapline.benchmarks.jmh;

import io.snapline.checkpoint.independent.logging.SenderLog;
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
 * What {@code --logging pessimistic} adds to each send in the sender's log: {@link SenderLog#append} of a message of
 * {@code bytes} bytes to one destination, whose receiver "checkpoints" every {@code dropEvery} messages (the log
 * drops what it holds), so the log stays bounded as in a program whose ranks pass safe points. The floor copies the
 * payload into a reused array, which a log cannot do with less.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SenderLogBenchmark {
    @Param({"8", "1048576"})
    public int bytes;

    @Param({"1024"})
    public int dropEvery;

    private SenderLog log;
    private byte[] payload;
    private byte[] floor;
    private long seq;

    @Setup
    public void setUp() {
        log = new SenderLog(2);
        payload = new byte[bytes];
        floor = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            payload[i] = (byte) i;
        }
        seq = 0;
    }

    @Benchmark
    public int append() {
        long s = ++seq;
        int crc = log.append(1, s, 0, 0, 7, 0, bytes, bytes, (dst, offset) -> System.arraycopy(payload, 0, dst, offset,
                bytes));
        if (s % dropEvery == 0) {
            log.dropThrough(1, s);
        }
        return crc;
    }

    /**
     * {@link #append} as a logging rank's send makes it: under the log's lock, which it holds to number, log and stamp
     * the message at once ({@link SenderLog#appendHeld}), the payload written by a writer it reuses.
     */
    @Benchmark
    public int appendAsSender() {
        long s = ++seq;
        int crc;
        log.lock();
        try {
            crc = log.appendHeld(1, s, 0, 0, 7, 0, bytes, bytes, writer);
        } finally {
            log.unlock();
        }
        if (s % dropEvery == 0) {
            log.dropThrough(1, s);
        }
        return crc;
    }

    private final SenderLog.Payload writer = (dst, offset) -> System.arraycopy(payload, 0, dst, offset, bytes);

    @Benchmark
    public byte[] copyFloor() {
        System.arraycopy(payload, 0, floor, 0, bytes);
        return floor;
    }
}
