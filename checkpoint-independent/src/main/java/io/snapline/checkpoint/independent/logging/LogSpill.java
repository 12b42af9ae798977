package io.snapline.checkpoint.independent.logging;

import io.snapline.checkpoint.CheckpointException;
import java.io.IOException;
import io.snapline.runtime.checkpoint.Compression;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The part of a {@link SenderLog} beyond its memory bound: logged messages written to files, in the order they were
 * spilled, to be read back only when a receiver restarts or the sender checkpoints.
 *
 * <p>Files are segments of up to {@link #SEGMENT} bytes, created in the spill directory and unlinked at once, so that
 * they take disk space only while they are open: a rank process that dies, however it dies, leaves nothing behind,
 * and a log no longer used is closed ({@link #close}) or, when its rank's thread was killed, collected. A
 * segment keeps, per destination, the highest message number it holds; once the receivers' checkpoints have dropped
 * every message of a segment, the segment is closed and its space is free.
 *
 * <p>A record is: destination i32, number i64, context i32, tag i32, type u8, elements i32, payload length i32,
 * payload. With a {@link Compression}, a payload of at least {@link #COMPRESS_FROM} bytes that comes out smaller is
 * stored compressed (in {@link Compression}'s form), with bit 7 of the type set. Not thread-safe: the
 * {@link SenderLog} calls it under its own lock.
 */
final class LogSpill implements AutoCloseable {
    /** The most bytes of records one segment file holds (a larger record has a segment of its own). */
    static final long SEGMENT = 64L << 20;
    /** Bytes of a record before its payload. */
    static final int HEAD = 4 + 8 + 4 + 4 + 1 + 4 + 4;
    /** The block a scan reads at once. */
    private static final int BLOCK = 1 << 20;
    /** Payloads shorter than this are spilled as they are: too small to gain from compression. */
    static final int COMPRESS_FROM = 4096;
    private static final int COMPRESSED = 0x80;

    /** A logged message read back: its destination, number and envelope, and its payload in {@code payload}. */
    interface Visitor {
        void visit(int dest, long seq, int context, int tag, int type, int elements, ByteBuffer payload);
    }

    private static final class Segment {
        final FileChannel channel;
        final long[] newest;
        long size;

        Segment(FileChannel channel, int ranks) {
            this.channel = channel;
            this.newest = new long[ranks];
        }
    }

    private final Path directory;
    private final String prefix;
    private final int ranks;
    private final List<Segment> segments = new ArrayList<>();
    private final ByteBuffer head = ByteBuffer.allocate(HEAD);
    private final Compression compression;
    private long bytes;
    private long peak;
    private long written;

    /** Spills of a log of {@code ranks} destinations go to files named {@code prefix...} in {@code directory}. */
    LogSpill(Path directory, String prefix, int ranks) {
        this(directory, prefix, ranks, Compression.NONE);
    }

    /** As above, payloads compressed with {@code compression} when that makes them smaller. */
    LogSpill(Path directory, String prefix, int ranks, Compression compression) {
        this.directory = directory;
        this.prefix = prefix;
        this.ranks = ranks;
        this.compression = compression;
    }

    /** Appends one message; {@code payload} holds its bytes from its position to its limit. */
    void write(int dest, long seq, int context, int tag, int type, int elements, ByteBuffer payload) {
        if (compression != Compression.NONE && payload.remaining() >= COMPRESS_FROM) {
            ByteBuffer packed = compression.compress(payload);
            if (packed.remaining() < payload.remaining()) {
                payload = packed;
                type |= COMPRESSED;
            }
        }
        int length = payload.remaining();
        Segment s = segments.isEmpty() ? null : segments.get(segments.size() - 1);
        if (s == null || s.size > 0 && s.size + HEAD + length > SEGMENT) {
            s = open();
        }
        head.clear();
        head.putInt(dest).putLong(seq).putInt(context).putInt(tag).put((byte) type).putInt(elements).putInt(length)
                .flip();
        try {
            ByteBuffer[] both = {head, payload};
            while (head.hasRemaining() || payload.hasRemaining()) {
                s.channel.write(both);
            }
        } catch (IOException e) {
            try {
                s.channel.truncate(s.size).position(s.size); // no half record for a later scan to trip on
            } catch (IOException ignored) {
                // the write error is the one to report
            }
            throw failed("cannot write to", e);
        }
        s.size += HEAD + length;
        s.newest[dest] = Math.max(s.newest[dest], seq);
        bytes += HEAD + length;
        written += HEAD + length;
        peak = Math.max(peak, bytes);
    }

    private Segment open() {
        try {
            if (!Files.isDirectory(directory)) {
                Files.createDirectories(directory);
            }
            Path file = Files.createTempFile(directory, prefix, ".spill");
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            try {
                Files.delete(file); // the open channel keeps it: gone, whatever way its writer ends
            } catch (IOException e) {
                channel.close();
                channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE,
                        StandardOpenOption.DELETE_ON_CLOSE);
            }
            Segment s = new Segment(channel, ranks);
            segments.add(s);
            return s;
        } catch (IOException e) {
            throw failed("cannot create a file in", e);
        }
    }

    private CheckpointException failed(String what, IOException e) {
        return new CheckpointException("the message log " + what + " its spill directory " + directory + " ("
                + e + "); free space there, or give the log more memory (--log-memory)", e);
    }

    /**
     * Every message up to number {@code droppedThrough[d]} to each destination d was dropped: closes the segments that
     * hold nothing else. The newest segment is kept open for writing unless it is empty of live messages, in which
     * case it starts again from its beginning.
     */
    void release(long[] droppedThrough) {
        Iterator<Segment> it = segments.iterator();
        while (it.hasNext()) {
            Segment s = it.next();
            boolean dead = true;
            for (int d = 0; d < ranks && dead; d++) {
                dead = s.newest[d] <= droppedThrough[d];
            }
            if (!dead) {
                continue;
            }
            bytes -= s.size;
            try {
                if (!it.hasNext()) {
                    s.channel.truncate(0).position(0);
                    s.size = 0;
                    java.util.Arrays.fill(s.newest, 0);
                    continue;
                }
                s.channel.close();
            } catch (IOException e) {
                throw failed("cannot release a file in", e);
            }
            it.remove();
        }
    }

    /**
     * Reads back, in the order they were written, the messages to {@code dest} (every destination when negative)
     * numbered above {@code after[dest]}, handing each to {@code visitor} with its payload in a buffer valid only
     * during the call.
     */
    void scan(int dest, long[] after, Visitor visitor) {
        ByteBuffer block = ByteBuffer.allocate(BLOCK);
        for (Segment s : segments) {
            if (dest >= 0 && s.newest[dest] <= after[dest]) {
                continue;
            }
            long pos = 0;
            while (pos < s.size) {
                block.clear().limit((int) Math.min(BLOCK, s.size - pos));
                read(s, block, pos);
                block.flip();
                int consumed = 0;
                while (block.remaining() >= HEAD) {
                    int at = block.position();
                    int d = block.getInt();
                    long seq = block.getLong();
                    int context = block.getInt();
                    int tag = block.getInt();
                    int type = Byte.toUnsignedInt(block.get());
                    int elements = block.getInt();
                    int length = block.getInt();
                    boolean wanted = (dest < 0 || d == dest) && seq > after[d];
                    if (block.remaining() >= length) {
                        if (wanted) {
                            ByteBuffer p = block.slice(block.position(), length);
                            visit(visitor, d, seq, context, tag, type, elements, p);
                        }
                        block.position(block.position() + length);
                        consumed = block.position();
                    } else if (at > 0) {
                        break; // cut by the block's end: read it again from its start
                    } else {
                        // larger than a block: read on its own
                        if (wanted) {
                            ByteBuffer p = ByteBuffer.allocate(length);
                            read(s, p, pos + HEAD);
                            visit(visitor, d, seq, context, tag, type, elements, p.flip());
                        }
                        consumed = HEAD + length;
                        break;
                    }
                }
                if (consumed == 0) {
                    throw new IllegalStateException("a spilled record at " + pos + " does not fit the scan");
                }
                pos += consumed;
            }
        }
    }

    /** Hands a record to {@code visitor}, its payload decompressed when it was stored compressed. */
    private void visit(Visitor visitor, int d, long seq, int context, int tag, int type, int elements, ByteBuffer p) {
        if ((type & COMPRESSED) != 0) {
            visitor.visit(d, seq, context, tag, type & ~COMPRESSED, elements, Compression.decompress(p,
                    "message " + seq + " to rank " + d + " spilled to " + directory));
        } else {
            visitor.visit(d, seq, context, tag, type, elements, p);
        }
    }

    private void read(Segment s, ByteBuffer into, long from) {
        try {
            long at = from;
            while (into.hasRemaining()) {
                int got = s.channel.read(into, at);
                if (got < 0) {
                    throw new IOException("the file ended at " + at);
                }
                at += got;
            }
        } catch (IOException e) {
            throw failed("cannot read back from", e);
        }
    }

    /** Bytes of disk the spilled records take now (dropped ones included until their segment is released). */
    long bytes() {
        return bytes;
    }

    /** The most bytes spilled at once. */
    long peakBytes() {
        return peak;
    }

    /** Every byte ever spilled. */
    long writtenBytes() {
        return written;
    }

    /** Where the spill files go. */
    Path directory() {
        return directory;
    }

    @Override
    public void close() {
        for (Segment s : segments) {
            try {
                s.channel.close();
            } catch (IOException e) {
                // unlinked already: closing only frees it
            }
        }
        segments.clear();
        bytes = 0;
    }
}
