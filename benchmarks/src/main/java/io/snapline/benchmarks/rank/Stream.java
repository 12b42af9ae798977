package io.snapline.benchmarks.rank;

import io.snapline.checkpoint.Checkpoint;
import java.nio.ByteBuffer;
import mpi.MPI;
import mpi.Request;

/**
 * Bandwidth: rank 0 sends {@code COUNT} messages of {@code SIZE} bytes back to back with blocking {@code Send}, rank 1
 * receives them with blocking {@code Recv} and answers with a one-byte acknowledgement, so the timed span ends when
 * the last byte has arrived. Arguments: {@code TRIALS SIZE:COUNT[:WARMUP[:WINDOW[:direct]]]...}; reports {@code stream.SIZE} as
 * the time per message (bandwidth is SIZE over that time). The warm-up sends WARMUP bursts of COUNT messages (default
 * 1), or bursts for a time ({@code 2s}, see {@link RankReport.Warmup}); a fresh rank JVM ({@code -dev tcp}) needs
 * seconds before the JIT compilers are done with the path.
 *
 * <p>With a WINDOW above 1 the messages go as OSU's {@code osu_bw} sends them: rank 0 starts WINDOW {@code Isend}s of
 * one buffer and waits for all of them, rank 1 has WINDOW {@code Irecv}s into WINDOW buffers posted and waits for all,
 * batch after batch (COUNT must be a multiple of WINDOW); reported as {@code stream.SIZE.windowWINDOW}. Every received
 * message is checked against the pattern its sender wrote.
 *
 * <p>Both ranks pass a safe point before each warm-up burst and each trial, outside the timed bursts (see
 * {@link PingPong}).
 *
 * <p>With {@code direct} the buffers are direct {@link ByteBuffer}s from {@link MPI#newByteBuffer} instead of
 * {@code byte[]}s (as the raw NIO baseline's are); reported with {@code .direct} appended.
 */
public final class Stream {
    private static final int TAG = 12;
    private static final int ACK_TAG = 13;

    private Stream() {
    }

    public static void main(String[] args) {
        String[] a = MPI.Init(args);
        if (a.length < 2) {
            throw new IllegalArgumentException("usage: Stream TRIALS SIZE:COUNT[:WARMUP]...");
        }
        int trials = RankReport.count(a[0], "TRIALS");
        int me = MPI.COMM_WORLD.Rank();
        if (MPI.COMM_WORLD.Size() != 2) {
            throw new IllegalStateException("Stream needs exactly 2 ranks, got " + MPI.COMM_WORLD.Size());
        }
        for (int s = 1; s < a.length; s++) {
            String[] spec = a[s].split(":");
            if (spec.length < 2 || spec.length > 5 || spec.length == 5 && !spec[4].equals("direct")) {
                throw new IllegalArgumentException("expected SIZE:COUNT[:WARMUP[:WINDOW[:direct]]], got '" + a[s] + "'");
            }
            int size = RankReport.count(spec[0], "SIZE");
            int count = RankReport.count(spec[1], "COUNT");
            RankReport.Warmup warmup = RankReport.Warmup.parse(spec.length >= 3 ? spec[2] : "1");
            int window = spec.length >= 4 ? RankReport.count(spec[3], "WINDOW") : 1;
            boolean direct = spec.length == 5;
            if (window < 1 || count % window != 0) {
                throw new IllegalArgumentException("COUNT must be a multiple of WINDOW (at least 1), got '" + a[s] + "'");
            }
            Object[] bufs = new Object[me == 0 ? 1 : window];
            for (int i = 0; i < bufs.length; i++) {
                bufs[i] = direct ? MPI.newByteBuffer(size) : new byte[size];
            }
            if (me == 0 && size > 0) {
                set(bufs[0], 0, (byte) 42);
                set(bufs[0], size - 1, (byte) 43); // the same byte when size is 1
            }
            byte[] ack = new byte[1];
            long warmStart = System.nanoTime();
            int[] more = new int[1];
            for (int w = 0; ; w++) {
                more[0] = warmup.more(w, warmStart) ? 1 : 0;
                MPI.COMM_WORLD.Bcast(more, 0, 1, MPI.INT, 0); // rank 0's clock decides for both
                if (more[0] == 0) {
                    break;
                }
                Checkpoint.point();
                burst(me, bufs, size, ack, count, window);
            }
            long[] nanos = new long[trials];
            for (int t = 0; t < trials; t++) {
                Checkpoint.point(); // see PingPong
                MPI.COMM_WORLD.Barrier();
                long start = System.nanoTime();
                burst(me, bufs, size, ack, count, window);
                nanos[t] = System.nanoTime() - start;
            }
            if (me == 0) {
                RankReport.result("stream." + size + (window > 1 ? ".window" + window : "") + (direct ? ".direct" : ""),
                        nanos, count);
            }
        }
        MPI.Finalize();
    }

    private static void burst(int me, Object[] bufs, int size, byte[] ack, int count, int window) {
        if (me == 0) {
            if (window == 1) {
                for (int i = 0; i < count; i++) {
                    MPI.COMM_WORLD.Send(bufs[0], 0, size, MPI.BYTE, 1, TAG);
                }
            } else {
                Request[] batch = new Request[window];
                for (int i = 0; i < count; i += window) {
                    for (int w = 0; w < window; w++) {
                        batch[w] = MPI.COMM_WORLD.Isend(bufs[0], 0, size, MPI.BYTE, 1, TAG);
                    }
                    Request.Waitall(batch);
                }
            }
            MPI.COMM_WORLD.Recv(ack, 0, 1, MPI.BYTE, 1, ACK_TAG);
        } else {
            if (window == 1) {
                for (int i = 0; i < count; i++) {
                    MPI.COMM_WORLD.Recv(bufs[0], 0, size, MPI.BYTE, 0, TAG);
                }
                check(bufs[0], size);
            } else {
                Request[] batch = new Request[window];
                for (int i = 0; i < count; i += window) {
                    for (int w = 0; w < window; w++) {
                        if (size > 0) {
                            set(bufs[w], 0, (byte) 0);
                            set(bufs[w], size - 1, (byte) 0);
                        }
                        batch[w] = MPI.COMM_WORLD.Irecv(bufs[w], 0, size, MPI.BYTE, 0, TAG);
                    }
                    Request.Waitall(batch);
                    for (Object b : bufs) {
                        check(b, size);
                    }
                }
            }
            MPI.COMM_WORLD.Send(ack, 0, 1, MPI.BYTE, 0, ACK_TAG);
        }
    }

    /** Fails when a received message does not carry the sender's first and last bytes. */
    private static void check(Object b, int size) {
        if (size > 0 && (get(b, 0) != (size == 1 ? 43 : 42) || get(b, size - 1) != 43)) {
            throw new IllegalStateException("stream of " + size + " bytes: a message arrived altered");
        }
    }

    private static void set(Object buf, int i, byte v) {
        if (buf instanceof ByteBuffer) {
            ((ByteBuffer) buf).put(i, v);
        } else {
            ((byte[]) buf)[i] = v;
        }
    }

    private static byte get(Object buf, int i) {
        return buf instanceof ByteBuffer ? ((ByteBuffer) buf).get(i) : ((byte[]) buf)[i];
    }
}
