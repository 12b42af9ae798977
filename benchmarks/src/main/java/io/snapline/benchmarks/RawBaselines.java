package io.snapline.benchmarks;

import io.snapline.benchmarks.rank.RankReport;

/**
 * Plain-Java lower bounds for the messaging figures, measured in the same JVM and run as the Snapline figures they
 * are compared with. Every method returns the median over {@code trials} of the time of one operation, in
 * nanoseconds, after a warm-up of {@value #WARMUP_TRIALS} untimed trials (the loops run once per call, so the JIT
 * only reaches them through on-stack replacement and needs that long).
 *
 * <p>The two-thread baselines spin on volatile fields with {@link Thread#onSpinWait()}, as the engine does while it
 * waits, so they need two free CPUs to mean anything.
 */
final class RawBaselines {
    /** A counter written by one thread and read by the other; padded so the two counters share no cache line. */
    private static final class Flag {
        long p1, p2, p3, p4, p5, p6, p7;
        volatile long value;
        long q1, q2, q3, q4, q5, q6, q7;
    }

    static final int WARMUP_TRIALS = 5;

    /** Sink for results, so the JIT cannot drop a copy nobody reads. */
    static volatile long sink;

    private RawBaselines() {
    }

    /**
     * One-way hand-off between two threads: the sender publishes a sequence number through a volatile field and the
     * receiver, spinning, sees it and answers the same way. With {@code size > 0} the sender first copies that many
     * bytes straight into the receiver's array (one copy, as the {@code shm} device does), so a second cache line
     * travels with the flag. Returns the round trip halved.
     */
    static double handoffNanos(int size, int iterations, int trials) {
        byte[] aOut = new byte[size];
        byte[] aIn = new byte[size];
        byte[] bOut = new byte[size];
        byte[] bIn = new byte[size];
        Flag toB = new Flag();
        Flag toA = new Flag();
        long total = (long) iterations * (trials + WARMUP_TRIALS);
        Thread partner = start("handoff-partner", () -> {
            for (long i = 1; i <= total; i++) {
                while (toB.value != i) {
                    Thread.onSpinWait();
                }
                if (size > 0) {
                    System.arraycopy(bOut, 0, aIn, 0, size);
                }
                toA.value = i;
            }
        });
        long[] nanos = new long[trials];
        long seq = 0;
        for (int t = -WARMUP_TRIALS; t < trials; t++) {
            long start = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                seq++;
                if (size > 0) {
                    System.arraycopy(aOut, 0, bIn, 0, size);
                }
                toB.value = seq;
                while (toA.value != seq) {
                    Thread.onSpinWait();
                }
            }
            if (t >= 0) {
                nanos[t] = System.nanoTime() - start;
            }
        }
        join(partner);
        sink = size > 0 ? aIn[0] + bIn[0] : seq;
        return RankReport.median(nanos) / (2.0 * iterations);
    }

    /** A posted receive in the protocol model: where to copy, and a completion flag the receiver spins on. */
    private static final class Slot {
        final byte[] buffer;
        volatile boolean done;

        Slot(byte[] buffer) {
            this.buffer = buffer;
        }
    }

    /** The model's mailbox: at most one posted receive, guarded by the box's monitor. */
    private static final class Box {
        Slot posted;
    }

    /**
     * The {@code shm} device's protocol reduced to its bones, with no Snapline code: the receiver allocates a receive
     * and posts it into its mailbox under the mailbox's monitor, the sender takes it out under the same monitor,
     * copies the payload into it and sets its volatile completion flag, on which the receiver spins. Ping-pong as in
     * the Snapline benchmark (send, then receive); returns the round trip halved. The gap between this and the plain
     * hand-off is what the design costs; the gap between Snapline and this is what the implementation adds.
     */
    static double protocolModelNanos(int size, int iterations, int trials) {
        Box boxA = new Box();
        Box boxB = new Box();
        byte[] aOut = new byte[size];
        byte[] aIn = new byte[size];
        byte[] bOut = new byte[size];
        byte[] bIn = new byte[size];
        long total = (long) iterations * (trials + WARMUP_TRIALS);
        Thread partner = start("protocol-partner", () -> {
            for (long i = 1; i <= total; i++) {
                receive(boxB, bIn);
                send(boxA, bOut);
            }
        });
        long[] nanos = new long[trials];
        for (int t = -WARMUP_TRIALS; t < trials; t++) {
            long start = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                send(boxB, aOut);
                receive(boxA, aIn);
            }
            if (t >= 0) {
                nanos[t] = System.nanoTime() - start;
            }
        }
        join(partner);
        sink = aIn[0] + bIn[0];
        return RankReport.median(nanos) / (2.0 * iterations);
    }

    private static void receive(Box box, byte[] into) {
        Slot s = new Slot(into);
        synchronized (box) {
            box.posted = s;
        }
        while (!s.done) {
            Thread.onSpinWait();
        }
    }

    private static void send(Box box, byte[] data) {
        Slot s;
        while (true) {
            synchronized (box) {
                s = box.posted;
                box.posted = null;
            }
            if (s != null) {
                break;
            }
            Thread.onSpinWait();
        }
        System.arraycopy(data, 0, s.buffer, 0, data.length);
        s.done = true;
    }

    /**
     * A two-thread barrier: each thread announces that it reached barrier k and spins until the other has too. This
     * is what a dissemination barrier over two ranks does, minus the messaging layer.
     */
    static double spinBarrierNanos(int iterations, int trials) {
        Flag a = new Flag();
        Flag b = new Flag();
        long total = (long) iterations * (trials + WARMUP_TRIALS);
        Thread partner = start("barrier-partner", () -> {
            for (long k = 1; k <= total; k++) {
                b.value = k;
                while (a.value < k) {
                    Thread.onSpinWait();
                }
            }
        });
        long[] nanos = new long[trials];
        long k = 0;
        for (int t = -WARMUP_TRIALS; t < trials; t++) {
            long start = System.nanoTime();
            for (int i = 0; i < iterations; i++) {
                k++;
                a.value = k;
                while (b.value < k) {
                    Thread.onSpinWait();
                }
            }
            if (t >= 0) {
                nanos[t] = System.nanoTime() - start;
            }
        }
        join(partner);
        return RankReport.median(nanos) / iterations;
    }

    /** {@code System.arraycopy} of {@code bytes} bytes between two arrays; returns the time of one copy. */
    static double copyNanos(int bytes, int count, int trials) {
        byte[] src = new byte[bytes];
        byte[] dst = new byte[bytes];
        src[bytes - 1] = 1;
        long[] nanos = new long[trials];
        for (int t = -WARMUP_TRIALS; t < trials; t++) {
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                System.arraycopy(src, 0, dst, 0, bytes);
            }
            if (t >= 0) {
                nanos[t] = System.nanoTime() - start;
            }
        }
        sink = dst[bytes - 1];
        return RankReport.median(nanos) / count;
    }

    /**
     * The least a sender-based message log adds to a send of {@code bytes} bytes: a copy of the payload into the log's
     * memory, which the log keeps (so successive copies go to successive places of a region of {@code regionBytes},
     * beyond the processor's caches as a log of that size is), and its CRC32C (the digest a restart checks a
     * re-executed send against). Returns the time per message.
     */
    static double logFloorNanos(int bytes, long regionBytes, int count, int trials) {
        byte[] src = new byte[bytes];
        src[bytes - 1] = 1;
        int slots = (int) Math.max(1, regionBytes / Math.max(bytes, 64 << 10));
        int perSlot = Math.max(1, (64 << 10) / bytes);
        byte[][] region = new byte[slots][perSlot * bytes];
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        long sum = 0;
        long[] nanos = new long[trials];
        int slot = 0;
        int at = 0;
        for (int t = -WARMUP_TRIALS; t < trials; t++) {
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                byte[] dst = region[slot];
                System.arraycopy(src, 0, dst, at * bytes, bytes);
                crc.reset();
                crc.update(dst, at * bytes, bytes);
                sum += crc.getValue();
                if (++at == perSlot) {
                    at = 0;
                    slot = slot + 1 == slots ? 0 : slot + 1;
                }
            }
            if (t >= 0) {
                nanos[t] = System.nanoTime() - start;
            }
        }
        sink = sum;
        return RankReport.median(nanos) / count;
    }

    /**
     * The least work one rank does in a two-rank sum all-reduce of {@code doubles} elements: copy the other rank's
     * vector into a scratch array ({@code System.arraycopy}) and add it to its own, element by element, into the
     * result. Both ranks do this at the same time on their own core, so one thread's time is the floor.
     */
    static double copyAndSumNanos(int doubles, int count, int trials) {
        double[] mine = new double[doubles];
        double[] theirs = new double[doubles];
        double[] scratch = new double[doubles];
        double[] out = new double[doubles];
        java.util.Arrays.fill(mine, 1.0);
        java.util.Arrays.fill(theirs, 2.0);
        long[] nanos = new long[trials];
        for (int t = -WARMUP_TRIALS; t < trials; t++) {
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                System.arraycopy(theirs, 0, scratch, 0, doubles);
                for (int j = 0; j < doubles; j++) {
                    out[j] = mine[j] + scratch[j];
                }
            }
            if (t >= 0) {
                nanos[t] = System.nanoTime() - start;
            }
        }
        sink = (long) out[doubles - 1];
        return RankReport.median(nanos) / count;
    }

    private static Thread start(String name, Runnable body) {
        Thread t = new Thread(body, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + t.getName(), e);
        }
    }
}
