package io.snapline.runtime.device.tcp;

import static io.snapline.runtime.device.tcp.TcpDescriptor.*;

import io.snapline.runtime.device.PacketHandler;
import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.Endpoint;
import io.snapline.runtime.engine.Message;
import io.snapline.runtime.engine.PeerFailedException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One rank's connection to one peer: the sending protocol choice (eager within credit, else rendezvous), and the
 * reading side, which the progress thread alone drives: it parses frames and hands messages to the local handler.
 */
final class Connection {
    final int peer;
    final SocketChannel channel;
    final Outbound out;
    /** Messages sent by RTS (until the last DATA frame is written) or by SYNC eager (until the ACK). */
    final ConcurrentHashMap<Long, Message> pendingSends = new ConcurrentHashMap<>();
    /** Rendezvous receives that have sent CTS and wait for DATA, by fetch id. */
    final ConcurrentHashMap<Long, Fetch> fetches = new ConcurrentHashMap<>();
    private final int self;
    private final long window;
    private final PacketHandler handler;
    private final ByteBuffer in = ByteBuffer.allocateDirect(2 * MAX_FRAME).order(ByteOrder.LITTLE_ENDIAN);
    private final AtomicLong nextFetchId = new AtomicLong();
    private long nextSendId;
    /** Eager bytes (with overhead) received from the peer and not yet consumed by a receive. */
    private final AtomicLong unconsumed = new AtomicLong();
    private final AtomicLong peakUnconsumed = new AtomicLong();
    /** Consumed eager bytes whose credit has not been returned yet. */
    private final AtomicLong unreturned = new AtomicLong();
    private volatile boolean saidGoodbye;
    /** Bytes read from the peer (written by the progress thread only). */
    private volatile long bytesRead;
    private volatile String failure;

    Connection(int self, int peer, SocketChannel channel, long window, PacketHandler handler) {
        this.self = self;
        this.peer = peer;
        this.channel = channel;
        this.window = window;
        this.handler = handler;
        this.out = new Outbound(peer, channel, window);
    }

    // ---------------------------------------------------------------- sending (application threads)

    /** Sends {@code m}: eagerly when it is small and credit allows, otherwise by rendezvous. */
    void send(Message m) {
        long bytes = m.payloadBytes();
        boolean eager;
        synchronized (out) {
            out.checkOpen();
            eager = bytes <= Endpoint.EAGER_LIMIT && out.spend(eagerCost(bytes));
            if (!eager) {
                m.deferCompletion();
            }
            long id = eager && !m.awaitsDelivery() ? 0 : ++nextSendId;
            if (id != 0) {
                pendingSends.put(id, m);
            }
            out.enqueue(eager ? eagerFrame(m, (int) bytes, id) : announceFrame(m, bytes, id));
        }
        if (eager && !m.awaitsDelivery()) {
            m.sent();
        }
    }

    private ByteBuffer eagerFrame(Message m, int bytes, long syncId) {
        ByteBuffer b = frame(ENVELOPE_LENGTH + bytes, TYPE_EAGER, syncId == 0 ? 0 : FLAG_SYNC, syncId);
        envelope(b, m.source(), m.dest(), m.context(), m.tag(), m.base(), m.elements(), bytes, m.epoch(), m.seq());
        m.writePayload(b, 0, bytes);
        return b.flip();
    }

    private static ByteBuffer announceFrame(Message m, long bytes, long sendId) {
        ByteBuffer b = frame(ENVELOPE_LENGTH, TYPE_RTS, (byte) 0, sendId);
        envelope(b, m.source(), m.dest(), m.context(), m.tag(), m.base(), m.elements(), bytes, m.epoch(), m.seq());
        return b.flip();
    }

    long register(Fetch f) {
        long id = nextFetchId.incrementAndGet();
        fetches.put(id, f);
        return id;
    }

    // ---------------------------------------------------------------- receiving (progress thread)

    /** Reads what the socket holds and dispatches every complete frame; returns false at end of stream. */
    boolean onReadable() throws IOException {
        int n = channel.read(in);
        if (n < 0) {
            return false;
        }
        bytesRead += n; // the progress thread is the only writer
        in.flip();
        while (in.remaining() >= HEADER_LENGTH) {
            int start = in.position();
            int length = in.getInt(start + FRAME_LENGTH_OFFSET);
            if (length < HEADER_LENGTH || length > MAX_FRAME) {
                throw new IOException("protocol error: frame length " + length + " outside " + HEADER_LENGTH + ".."
                        + MAX_FRAME);
            }
            if (in.remaining() < length) {
                break;
            }
            dispatch(start, length);
            in.position(start + length);
        }
        in.compact();
        return true;
    }

    private void dispatch(int start, int length) throws IOException {
        byte type = in.get(start + TYPE_OFFSET);
        long id = in.getLong(start + ID_OFFSET);
        switch (type) {
            case TYPE_EAGER -> onEager(start, length, id, (in.get(start + FLAGS_OFFSET) & FLAG_SYNC) != 0);
            case TYPE_RTS -> onAnnounce(start, id);
            case TYPE_CTS -> onClearToSend(id, in.getLong(start + FETCH_ID_OFFSET),
                    (in.get(start + FLAGS_OFFSET) & FLAG_DISCARD) != 0);
            case TYPE_DATA -> onData(start, length, id);
            case TYPE_ACK -> {
                Message m = pendingSends.remove(id);
                if (m == null) {
                    throw new IOException("protocol error: ACK for unknown send " + id);
                }
                m.sent();
            }
            case TYPE_CREDIT -> out.addCredit(id);
            case TYPE_BYE -> saidGoodbye = true;
            default -> throw new IOException("protocol error: unknown frame type " + type);
        }
    }

    private void onEager(int start, int length, long syncId, boolean sync) throws IOException {
        byte[] payload = new byte[length - ENVELOPE_LENGTH];
        in.get(start + ENVELOPE_LENGTH, payload);
        long cost = eagerCost(payload.length);
        long now = unconsumed.addAndGet(cost);
        if (now > peakUnconsumed.get()) {
            peakUnconsumed.accumulateAndGet(now, Math::max);
        }
        Consumed consumed = new Consumed(cost, sync ? syncId : 0);
        Message m = Message.arrived(source(start), in.getInt(start + DEST_OFFSET), in.getInt(start + CONTEXT_OFFSET),
                in.getInt(start + TAG_OFFSET), base(start), in.getInt(start + ELEMENTS_OFFSET), payload, consumed);
        m.stamp(in.getInt(start + EPOCH_OFFSET), in.getLong(start + SEQ_OFFSET));
        handler.onPacket(m);
    }

    private void onAnnounce(int start, long sendId) throws IOException {
        BaseType base = base(start);
        Fetch f = new Fetch(this, sendId, base, in.getLong(start + PAYLOAD_BYTES_OFFSET));
        Message m = Message.announced(source(start), in.getInt(start + DEST_OFFSET),
                in.getInt(start + CONTEXT_OFFSET), in.getInt(start + TAG_OFFSET), base, in.getInt(start + ELEMENTS_OFFSET),
                f, f);
        m.stamp(in.getInt(start + EPOCH_OFFSET), in.getLong(start + SEQ_OFFSET));
        handler.onPacket(m);
    }

    private void onClearToSend(long sendId, long fetchId, boolean discard) throws IOException {
        Message m = pendingSends.get(sendId);
        if (m == null) {
            throw new IOException("protocol error: CTS for unknown send " + sendId);
        }
        long bytes = m.payloadBytes();
        if (discard || bytes == 0) {
            pendingSends.remove(sendId);
            m.sent();
        } else {
            out.enqueue(new Stream(this, m, sendId, fetchId, bytes));
        }
    }

    private void onData(int start, int length, long fetchId) throws IOException {
        Fetch f = fetches.get(fetchId);
        if (f == null) {
            throw new IOException("protocol error: DATA for unknown fetch " + fetchId);
        }
        ByteBuffer data = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        data.limit(start + length).position(start + DATA_HEADER_LENGTH);
        if (f.accept(data, in.getLong(start + DATA_OFFSET_OFFSET)) && fetches.remove(fetchId) != null) {
            f.complete();
        }
    }

    private int source(int start) throws IOException {
        int source = in.getInt(start + SOURCE_OFFSET);
        if (source != peer) {
            throw new IOException("protocol error: a message from rank " + source + " on the connection of rank " + peer);
        }
        return source;
    }

    private BaseType base(int start) throws IOException {
        BaseType base = baseType(in.getInt(start + BASE_TYPE_OFFSET));
        if (base == null) {
            throw new IOException("protocol error: unknown base type code " + in.getInt(start + BASE_TYPE_OFFSET));
        }
        return base;
    }

    /** Runs when a receive has consumed an eager message: returns its credit, acknowledges a synchronous send. */
    private final class Consumed implements Runnable {
        private final long cost;
        private final long syncId;

        Consumed(long cost, long syncId) {
            this.cost = cost;
            this.syncId = syncId;
        }

        @Override
        public void run() {
            unconsumed.addAndGet(-cost);
            if (syncId != 0) {
                out.enqueue(control(TYPE_ACK, syncId));
            }
            if (unreturned.addAndGet(cost) >= Math.max(1, window / 4)) {
                long amount = unreturned.getAndSet(0);
                if (amount > 0) {
                    out.enqueue(control(TYPE_CREDIT, amount));
                }
            }
        }
    }

    // ---------------------------------------------------------------- state

    boolean saidGoodbye() {
        return saidGoodbye;
    }

    void failed(String reason) {
        failure = reason;
    }

    /** The exception operations involving this peer fail with once the connection is lost. */
    PeerFailedException failure() {
        String f = failure;
        return new PeerFailedException(peer, f == null ? "its connection is closed" : f);
    }

    long bytesRead() {
        return bytesRead;
    }

    long unconsumedEagerBytes() {
        return unconsumed.get();
    }

    long peakUnconsumedEagerBytes() {
        return peakUnconsumed.get();
    }

    @Override
    public String toString() {
        return "connection " + self + "->" + peer;
    }
}
