package io.snapline.runtime.device.tcp;

import io.snapline.runtime.device.DeviceException;
import io.snapline.runtime.engine.Endpoint;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;

/**
 * The writing side of one connection: a FIFO of frames and rendezvous streams, written without blocking by
 * whichever thread gets there (the sending application thread first, then the progress thread when the socket is
 * full, or the application thread that drives the connection while it waits). Everything is guarded by this
 * object's monitor, which also orders the eager-credit decision with the frames. A write error is recorded, not
 * thrown, and the progress thread (or the driver) then fails the connection.
 */
final class Outbound {
    private final int peer;
    private final SocketChannel channel;
    private final ArrayDeque<Object> queue = new ArrayDeque<>();
    /** Reused for DATA frames: a stream's next chunk is encoded only once the previous one is written. */
    private final ByteBuffer chunk = ByteBuffer.allocateDirect(TcpDescriptor.MAX_FRAME).order(ByteOrder.LITTLE_ENDIAN);
    /** Reused for an eager frame written while nothing else waits: most small sends allocate nothing. */
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(TcpDescriptor.ENVELOPE_LENGTH + Endpoint.EAGER_LIMIT)
            .order(ByteOrder.LITTLE_ENDIAN);
    /** The header of a DATA frame written from a direct payload (see {@link Stream#nextFrame}). */
    private final ByteBuffer header = ByteBuffer.allocateDirect(TcpDescriptor.DATA_HEADER_LENGTH)
            .order(ByteOrder.LITTLE_ENDIAN);
    /**
     * The gathering write in progress, or nulls: the frame before a direct DATA frame (its announcement, or
     * {@link #NOTHING}), the DATA header, the payload view.
     */
    private final ByteBuffer[] gather = new ByteBuffer[3];
    private static final ByteBuffer NOTHING = ByteBuffer.allocateDirect(0);
    /** Payload bytes written from direct payloads without a copy. */
    private long directBytes;
    private SelectionKey key;
    private ByteBuffer current;
    /** The stream whose last chunk {@code current} is. */
    private Stream finishing;
    /** Whether the socket did not take everything: someone must flush when it is writable again. */
    private boolean writeInterest;
    /**
     * From a driver's start until the progress thread takes the connection back: the driver (not the progress
     * thread) waits for writability.
     */
    private boolean driven;
    private long credit;
    private String closedReason;
    private volatile IOException broken;

    Outbound(int peer, SocketChannel channel, long credit) {
        this.peer = peer;
        this.channel = channel;
        this.credit = credit;
    }

    synchronized void attach(SelectionKey k) {
        this.key = k;
    }

    /** The connection's key with the progress thread's selector. */
    synchronized SelectionKey key() {
        return key;
    }

    /**
     * A waiting application thread drives the connection: the progress thread is no longer asked to flush, the
     * driver flushes when {@link #wantsWrite()} and the socket is writable. Lasts until {@link #handBack()}.
     */
    synchronized void drive() {
        driven = true;
        if (writeInterest && key.isValid()) {
            key.interestOpsAnd(~SelectionKey.OP_WRITE);
        }
    }

    /** The progress thread takes the connection back (it is the caller): it flushes again when writable. */
    synchronized void handBack() {
        driven = false;
        if (writeInterest && key.isValid()) {
            key.interestOpsOr(SelectionKey.OP_WRITE);
        }
    }

    /** Whether frames wait for the socket to become writable. */
    synchronized boolean wantsWrite() {
        return writeInterest && closedReason == null && broken == null;
    }

    /** Throws when the connection is closed; call while holding this monitor. */
    void checkOpen() {
        if (closedReason != null) {
            throw new DeviceException("cannot send to rank " + peer + ": rank " + peer + " has failed (" + closedReason
                    + ")");
        }
    }

    /** Takes {@code cost} bytes of eager credit if there are that many; call while holding this monitor. */
    boolean spend(long cost) {
        if (credit < cost) {
            return false;
        }
        credit -= cost;
        return true;
    }

    /**
     * Takes {@code cost} bytes of eager credit even beyond what there is (a policy's datum, which the receiver consumes
     * as it arrives); true. Call while holding this monitor.
     */
    boolean overdraw(long cost) {
        credit -= cost;
        return true;
    }

    synchronized void addCredit(long bytes) {
        credit += bytes;
    }

    synchronized long credit() {
        return credit;
    }

    /**
     * The reusable buffer, cleared and limited to {@code length} bytes, when a frame of that size can be written at
     * once (the connection is open and nothing is queued or half written); otherwise null, and the frame must be
     * {@linkplain #enqueue queued}. Call while holding this monitor, and {@link #writeScratch} before releasing it.
     */
    ByteBuffer scratch(int length) {
        if (closedReason != null || broken != null || writeInterest || !isIdle() || length > scratch.capacity()) {
            return null;
        }
        return scratch.clear().limit(length);
    }

    /**
     * Writes the frame encoded (and flipped) in {@code frame}, the buffer {@link #scratch} gave; what the socket does
     * not take is copied and left to be flushed. Call while holding this monitor.
     */
    void writeScratch(ByteBuffer frame) {
        try {
            channel.write(frame);
        } catch (IOException e) {
            broken = e;
            key.selector().wakeup();
            return;
        }
        if (frame.hasRemaining()) {
            current = ByteBuffer.allocate(frame.remaining()).put(frame).flip();
            interest(true);
        }
    }

    /** Appends a complete frame and writes what the socket takes. Dropped silently once closed. */
    synchronized void enqueue(Object frameOrStream) {
        if (closedReason != null) {
            return;
        }
        queue.add(frameOrStream);
        if (!writeInterest) {
            flush();
        }
    }

    /** Appends a frame and the stream right behind it (a pushed message), then writes what the socket takes. */
    synchronized void enqueue(ByteBuffer frame, Stream stream) {
        if (closedReason != null) {
            return;
        }
        queue.add(frame);
        queue.add(stream);
        if (!writeInterest) {
            flush();
        }
    }

    /** Writes queued frames until the socket is full or the queue empty; returns true when everything went. */
    synchronized boolean flush() {
        if (closedReason != null || broken != null) {
            return true;
        }
        try {
            while (true) {
                if (gather[2] != null) {
                    channel.write(gather);
                    if (gather[2].hasRemaining()) {
                        interest(true);
                        return false;
                    }
                    gather[0] = null;
                    gather[1] = null;
                    gather[2] = null;
                    Stream done = finishing;
                    if (done != null) {
                        finishing = null;
                        done.finished();
                    }
                }
                if (current != null) {
                    channel.write(current);
                    if (current.hasRemaining()) {
                        interest(true);
                        return false;
                    }
                    current = null;
                    Stream done = finishing;
                    if (done != null) {
                        finishing = null;
                        done.finished();
                    }
                }
                Object next = queue.peek();
                if (next == null) {
                    interest(false);
                    return true;
                }
                if (next instanceof ByteBuffer) {
                    ByteBuffer frame = (ByteBuffer) queue.poll();
                    if (queue.peek() instanceof Stream && ((Stream) queue.peek()).isDirect()) {
                        gather[0] = frame; // a pushed announcement goes out with its first DATA frame
                        startDirect((Stream) queue.peek());
                    } else {
                        current = frame;
                    }
                } else {
                    Stream s = (Stream) next;
                    if (s.isDirect()) {
                        gather[0] = NOTHING;
                        startDirect(s);
                    } else {
                        current = s.nextChunk(chunk);
                        if (s.isDone()) {
                            queue.poll();
                            finishing = s;
                        }
                    }
                }
            }
        } catch (IOException e) {
            broken = e;
            key.selector().wakeup();
            return true;
        }
    }

    /** Sets up the gathering write of the next DATA frame of a direct stream at the head of the queue. */
    private void startDirect(Stream s) {
        s.nextFrame(header, gather);
        directBytes += gather[2].remaining();
        if (s.isDone()) {
            queue.poll();
            finishing = s;
        }
    }

    synchronized long directBytes() {
        return directBytes;
    }

    /** Whether nothing is queued or half written; call while holding this monitor. */
    boolean isIdle() {
        return current == null && gather[2] == null && queue.isEmpty();
    }

    /** Whether nothing is left to write. */
    synchronized boolean isDrained() {
        return current == null && gather[2] == null && queue.isEmpty() || closedReason != null || broken != null;
    }

    IOException broken() {
        return broken;
    }

    /** Closes the writing side; returns false when it was closed already. Queued frames are dropped. */
    synchronized boolean close(String reason) {
        if (closedReason != null) {
            return false;
        }
        closedReason = reason;
        queue.clear();
        current = null;
        gather[0] = null;
        gather[1] = null;
        gather[2] = null;
        finishing = null;
        return true;
    }

    synchronized boolean isClosed() {
        return closedReason != null;
    }

    private void interest(boolean write) {
        if (write != writeInterest && key.isValid()) {
            writeInterest = write;
            if (driven) {
                return; // the driver waits for writability itself
            }
            if (write) {
                key.interestOpsOr(SelectionKey.OP_WRITE);
                key.selector().wakeup();
            } else {
                key.interestOpsAnd(~SelectionKey.OP_WRITE);
            }
        }
    }
}
