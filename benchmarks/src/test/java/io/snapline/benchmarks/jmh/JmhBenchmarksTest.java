package io.snapline.benchmarks.jmh;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.checkpoint.Compression;
import io.snapline.runtime.checkpoint.RankImage;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each JMH benchmark's setup, one call of each of its benchmark methods and its teardown, called directly (no JMH,
 * nothing timed), at small sizes: what {@code bin/snapjmh} runs works and measures what it says.
 */
@Timeout(60)
class JmhBenchmarksTest {
    @ParameterizedTest
    @ValueSource(strings = {"none", "independent/none", "independent/pessimistic"})
    void shouldEchoEachSmallMessageUnderEachPolicy(String policy) throws Exception {
        MessagePathBenchmark bench = new MessagePathBenchmark();
        MessagePathBenchmark.EchoWorld w = new MessagePathBenchmark.EchoWorld();
        w.policy = policy;
        w.setUp();
        try {
            for (byte marker = 1; marker <= 3; marker++) {
                w.buf[MessagePathBenchmark.SMALL - 1] = marker;
                byte[] got = bench.latency(w);
                assertEquals(marker, got[MessagePathBenchmark.SMALL - 1], "rank 1 sent the message back");
            }
            // Past a drop of the log on every channel (rank 0 to 1, 1 to 0, 0 to itself).
            for (int k = 0; k < MessagePathBenchmark.DROP_EVERY + 1; k++) {
                byte marker = (byte) (k % 100 + 4);
                w.buf[MessagePathBenchmark.SMALL - 1] = marker;
                assertEquals(marker, bench.latency(w)[MessagePathBenchmark.SMALL - 1]);
                w.buf[MessagePathBenchmark.SMALL - 1] = (byte) -marker;
                assertEquals((byte) -marker, bench.selfLatency(w)[MessagePathBenchmark.SMALL - 1],
                        "rank 0 got its own message");
            }
        } finally {
            w.tearDown();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "independent/none"})
    void shouldStreamLargeMessagesUntilTheAcknowledgement(String policy) throws Exception {
        MessagePathBenchmark bench = new MessagePathBenchmark();
        MessagePathBenchmark.SinkWorld w = new MessagePathBenchmark.SinkWorld();
        w.policy = policy;
        w.setUp();
        try {
            assertEquals(1, bench.bandwidth(w).length);
            assertEquals(1, bench.bandwidth(w).length);
        } finally {
            w.tearDown();
        }
        MessagePathBenchmark.Arrays a = new MessagePathBenchmark.Arrays();
        a.setUp();
        assertEquals((byte) 12345, bench.bandwidthCopyFloor(a)[12345]);
    }

    @Test
    void shouldCaptureHashAndCompressTheState() throws Exception {
        CheckpointCaptureBenchmark bench = new CheckpointCaptureBenchmark();
        CheckpointCaptureBenchmark.Captured c = new CheckpointCaptureBenchmark.Captured();
        c.mib = 1;
        c.setUp();
        try {
            RankImage image = bench.encode(c);
            assertTrue(image.state().remaining() > 1 << 20, "the grid is in the encoded state");
            assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(bytes(c.encoded)), bench.sha256(c));
        } finally {
            c.tearDown();
        }
        for (Compression codec : new Compression[] {Compression.LZ4, Compression.ZSTD}) {
            for (Compression.Shuffle shuffle : Compression.Shuffle.values()) {
                CheckpointCaptureBenchmark.Compressing z = new CheckpointCaptureBenchmark.Compressing();
                z.mib = 1;
                z.compression = codec;
                z.shuffle = shuffle;
                z.setUp();
                try {
                    ByteBuffer packed = bench.compress(z);
                    assertArrayEquals(bytes(z.encoded), bytes(Compression.decompress(packed, "test")),
                            codec + " " + shuffle);
                } finally {
                    z.report();
                    z.tearDown();
                }
            }
        }
    }

    @Test
    void shouldEncodeAndDecodeObjects() {
        ObjectCodecBenchmark bench = new ObjectCodecBenchmark();
        bench.objects = 100;
        bench.setUp();
        assertTrue(bench.encode().length > 0);
        Object[] decoded = bench.decode();
        assertEquals(7, ((ObjectCodecBenchmark.Particle) decoded[7]).id);
    }

    @Test
    void shouldCopyDoubles() {
        DataMoverBenchmark bench = new DataMoverBenchmark();
        bench.doubles = 1024;
        bench.setUp();
        assertEquals(1023.0, bench.arraycopyFloor()[1023]);
        assertEquals(1023.0, bench.contiguous()[1023]);
        assertEquals(2046.0, bench.stridedToDense()[1023]);
    }

    @Test
    void shouldAppendToTheSenderLog() {
        SenderLogBenchmark bench = new SenderLogBenchmark();
        bench.bytes = 8;
        bench.dropEvery = 2;
        bench.setUp();
        for (int i = 0; i < 4; i++) {
            bench.append();
            bench.appendAsSender();
        }
        assertEquals(7, bench.copyFloor()[7]);
    }

    @Test
    void shouldCutAndWriteAnIncrementalCheckpoint() throws Exception {
        IncrementalWriteBenchmark bench = new IncrementalWriteBenchmark();
        bench.cuts = "fixed";
        bench.mib = 1;
        bench.changedPercent = 10;
        bench.setUp();
        try {
            assertNotNull(bench.cut());
            assertTrue(bench.write().bytesWritten() > 0);
            bench.collect();
        } finally {
            bench.tearDown();
        }
    }

    private static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }
}
