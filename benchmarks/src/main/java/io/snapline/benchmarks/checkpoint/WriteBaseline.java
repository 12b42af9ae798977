package io.snapline.benchmarks.checkpoint;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Output;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The raw costs a blocking checkpoint of one rank is made of, measured in this JVM next to the runs:
 * writing the bytes of one piece to a new file with {@link FileChannel#write} and {@link FileChannel#force(boolean)
 * force(true)} (what the file store does, without its rename and directory sync), and encoding a {@code double[]}
 * of that size with Kryo into a growing buffer and copying it out (what the state codec does, without the image's
 * header and checksum).
 */
final class WriteBaseline {
    private WriteBaseline() {
    }

    /** One sample of both baselines for {@code bytes} bytes. */
    record Sample(long bytes, long writeNanos, long encodeNanos) {
    }

    static Sample measure(Path dir, long bytes) throws IOException {
        return new Sample(bytes, writeAndSync(dir, bytes), encode(bytes));
    }

    /** Nanoseconds to write {@code bytes} random bytes to a new file in {@code dir} and force them to disk. */
    static long writeAndSync(Path dir, long bytes) throws IOException {
        byte[] data = new byte[Math.toIntExact(bytes)];
        ThreadLocalRandom.current().nextBytes(data);
        Path file = Files.createTempFile(dir, "baseline-", ".piece");
        try {
            long start = System.nanoTime();
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer b = ByteBuffer.wrap(data);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            return System.nanoTime() - start;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Nanoseconds to encode a {@code double[]} of {@code bytes} bytes with Kryo and take the bytes out. */
    static long encode(long bytes) {
        double[] state = new double[Math.toIntExact(bytes / Double.BYTES)];
        for (int i = 0; i < state.length; i++) {
            state[i] = i * 0.5;
        }
        Kryo kryo = new Kryo();
        kryo.register(double[].class);
        Output output = new Output(64 * 1024, -1);
        long start = System.nanoTime();
        kryo.writeObject(output, state);
        byte[] encoded = output.toBytes();
        long took = System.nanoTime() - start;
        if (encoded.length < bytes - 64) { // the piece also holds a header and length fields
            throw new IllegalStateException("Kryo encoded " + bytes + " bytes of doubles into " + encoded.length);
        }
        return took;
    }
}
