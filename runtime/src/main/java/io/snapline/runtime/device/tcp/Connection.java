package io.snapline.runtime.device.tcp;

import static io.snapline.runtime.device.tcp.TcpDescriptor.*;

import io.snapline.runtime.device.PacketHandler;
import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.Endpoint;
import io.snapline.runtime.engine.Message;
import io.snapline.runtime.engine.PeerFailedException;
import io.snapline.runtime.engine.Request;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * One rank's connection to one peer: the sending protocol choice (eager within credit, else rendezvous), and the
 * reading side, which parses frames and hands messages to the local handler. The progress thread reads, except
 * while an application thread that waits for a message from or to this peer {@linkplain #drive drives} the
 * connection: then that thread reads, copies and writes itself, as a blocking program would, and the progress
 * thread leaves the connection alone. Whoever reads holds {@link #reading}.
 */
final class Connection {
    final int peer;
    final SocketChannel channel;
    final Outbound out;
    /** Messages sent by RTS (until the last DATA frame is written) or by SYNC eager (until the ACK). */
    final ConcurrentHashMap<Long, Message> pendingSends = new ConcurrentHashMap<>();
    /** Rendezvous receives that have sent CTS and wait for DATA, by fetch id. */
    final ConcurrentHashMap<Long, Fetch> fetches = new ConcurrentHashMap<>();
    /** Pushed messages announced by the peer whose DATA is still arriving or not yet matched, by send id. */
    final ConcurrentHashMap<Long, Fetch> pushes = new ConcurrentHashMap<>();
    /**
     * Rendezvous messages announced by the peer that no receive has fetched (or dropped) yet; kept only on a device
     * whose peers rejoin ({@link #tracksAnnounced}), which must know what a lost peer leaves unreceived.
     */
    final java.util.Set<Fetch> announced = ConcurrentHashMap.newKeySet();
    /** Whether {@link #announced} is kept: there is someone to tell ({@link #onCutOff}). */
    final boolean tracksAnnounced;
    /**
     * Told when a message this rank took from the peer is cut off by the loss of the connection; null on a device
     * whose peers do not rejoin (a lost peer fails what is pending on it).
     */
    private final CutOff onCutOff;

    /** See {@link #onCutOff}. */
    interface CutOff {
        void cutOff(int peer, String what);
    }
    private final int self;
    private final long window;
    private final PacketHandler handler;
    /** Held by the thread that reads the socket and parses {@link #in}: the progress thread or a driver. */
    private final ReentrantLock reading = new ReentrantLock();
    private final ByteBuffer in = ByteBuffer.allocateDirect(2 * MAX_FRAME).order(ByteOrder.LITTLE_ENDIAN);
    /** A driver's own selector for this channel (opened on first use, used only while holding {@link #reading}). */
    private volatile Selector driverSelector;
    private volatile boolean closed;
    /**
     * Who reads: 0 the progress thread; {@link Long#MAX_VALUE} a driver; otherwise the {@link System#nanoTime()}
     * after which the progress thread takes the connection back from the last driver (see {@link #takeBack}).
     */
    private volatile long handBackAt;
    /** When the driver went to sleep in its selector, or 0 while it is awake (see {@link #takeBack}). */
    private volatile long asleepSince;
    private final AtomicLong nextFetchId = new AtomicLong();
    private long nextSendId;
    /** Eager bytes (with overhead) received from the peer and not yet consumed by a receive. */
    private final AtomicLong unconsumed = new AtomicLong();
    private final AtomicLong peakUnconsumed = new AtomicLong();
    /** Consumed eager bytes whose credit has not been returned yet. */
    private final AtomicLong unreturned = new AtomicLong();
    private volatile boolean saidGoodbye;
    /** Bytes read from the peer (written by the thread holding {@link #reading} only). */
    private volatile long bytesRead;
    /** Of those, the bytes a driver read. */
    private volatile long drivenBytes;
    private volatile String failure;

    Connection(int self, int peer, SocketChannel channel, long window, PacketHandler handler, CutOff onCutOff) {
        this.self = self;
        this.onCutOff = onCutOff;
        this.tracksAnnounced = onCutOff != null;
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
            eager = bytes <= Endpoint.EAGER_LIMIT
                    && (out.spend(eagerCost(bytes)) || m.isDatum() && out.overdraw(eagerCost(bytes)));
            // Larger, within credit and not synchronous: pushed, its DATA right behind the RTS (no wait for a CTS).
            // Only onto an idle connection: behind queued DATA the round trip of an RTS is hidden anyway.
            boolean push = !eager && bytes > 0 && !m.isSynchronous() && out.isIdle() && out.spend(eagerCost(bytes));
            if (!eager) {
                m.deferCompletion();
            }
            long id = eager && !m.awaitsDelivery() ? 0 : ++nextSendId;
            if (id != 0) {
                pendingSends.put(id, m);
            }
            if (push) {
                out.enqueue(announceFrame(m, bytes, id, FLAG_PUSH), Stream.pushed(this, m, id, bytes));
            } else if (eager) {
                int length = ENVELOPE_LENGTH + (int) bytes;
                ByteBuffer now = out.scratch(length);
                if (now != null) {
                    out.writeScratch(eagerFrame(now, m, length, id));
                } else {
                    out.enqueue(eagerFrame(ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN), m, length, id));
                }
            } else {
                out.enqueue(announceFrame(m, bytes, id, (byte) 0));
            }
        }
        if (eager && !m.awaitsDelivery()) {
            m.sent();
        }
    }

    /** Encodes {@code m}'s eager frame of {@code length} bytes into {@code b} (from its start) and flips it. */
    private static ByteBuffer eagerFrame(ByteBuffer b, Message m, int length, long syncId) {
        header(b, length, TYPE_EAGER, syncId == 0 ? 0 : FLAG_SYNC, syncId);
        int bytes = length - ENVELOPE_LENGTH;
        envelope(b, m.source(), m.dest(), m.context(), m.tag(), m.base(), m.elements(), bytes, m.epoch(), m.seq());
        m.writePayload(b, 0, bytes);
        return b.flip();
    }

    private static ByteBuffer announceFrame(Message m, long bytes, long sendId, byte flags) {
        ByteBuffer b = frame(ENVELOPE_LENGTH, TYPE_RTS, flags, sendId);
        envelope(b, m.source(), m.dest(), m.context(), m.tag(), m.base(), m.elements(), bytes, m.epoch(), m.seq());
        return b.flip();
    }

    long register(Fetch f) {
        long id = nextFetchId.incrementAndGet();
        fetches.put(id, f);
        return id;
    }

    // ---------------------------------------------------------------- driving (a waiting application thread)

    /**
     * How long a connection stays with its last driver before the progress thread reads it again: long enough for
     * a rank that streams large messages to post the next receive and drive again (the next message's frames are
     * best read by the thread whose receive they fill), short enough that messages still progress while it computes.
     */
    static final long HAND_BACK_NANOS = 1_000_000L;
    /** A driver asleep this long waits for something slow: the progress thread stops checking on it every millisecond. */
    static final long LONG_SLEEP_NANOS = 5_000_000L;

    /** {@link #drive}'s outcomes. */
    static final int END_OF_STREAM = -1;
    static final int BUSY = 0;
    static final int DROVE = 1;

    /**
     * How long a driver waiting for a small message polls the socket, yielding between reads, before it sleeps in its
     * selector (the yield phase of {@code Endpoint}'s waits). A reply read by a thread still on its core costs one
     * {@code read}; one that arrives while the reader sleeps costs a wake-up, which on a virtual CPU is 10–30 µs.
     */
    static final long POLL_NANOS = 100_000L;
    /**
     * A yield that takes longer than this gave the core to another thread, which then ran for up to its time slice:
     * the CPUs are contended, and a thread that sleeps until the data arrives is woken and scheduled sooner than one
     * that keeps yielding to others.
     */
    static final long CONTENDED_YIELD_NANOS = 20_000L;

    /**
     * Reads, dispatches and writes this connection on the calling thread until {@code done} holds or {@code nanos}
     * pass, taking it from the progress thread if that has it. With {@code poll} it first polls the socket for
     * {@link #POLL_NANOS}; then (or at once) it sleeps in a selector of its own while the socket has nothing to give
     * or take. Returns {@link #BUSY} at once when another driver has it or the connection is closed,
     * {@link #END_OF_STREAM} when the peer closed the connection, else {@link #DROVE}. A broken connection throws;
     * the caller fails it.
     */
    int drive(BooleanSupplier done, long nanos, boolean poll) throws IOException {
        if (closed || handBackAt == Long.MAX_VALUE || !lockForDriver()) {
            return BUSY;
        }
        try {
            if (closed) {
                return BUSY;
            }
            if (handBackAt == 0) {
                out.key().interestOpsAnd(~SelectionKey.OP_READ); // the progress thread stops reading this connection
            }
            handBackAt = Long.MAX_VALUE;
            out.drive();
            try {
                return driveLocked(done, nanos, poll);
            } finally {
                handBackAt = System.nanoTime() + HAND_BACK_NANOS; // the writing side too goes back then
            }
        } catch (ClosedSelectorException | CancelledKeyException e) {
            throw new IOException("the connection is closed", e);
        } finally {
            reading.unlock();
        }
    }

    /**
     * Takes {@link #reading} for a driver: waits while the progress thread finishes a read (it holds the lock that
     * briefly), gives up at once when another driver has it.
     */
    private boolean lockForDriver() {
        while (!reading.tryLock()) {
            if (handBackAt == Long.MAX_VALUE || closed) {
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    /**
     * The progress thread's turn: takes the connection back once the last driver has been gone for
     * {@link #HAND_BACK_NANOS} (and dispatches what it left in the read buffer). Returns 0 when the progress thread
     * reads this connection (now or already), -1 at end of stream, else how many nanoseconds to ask again in:
     * {@link Long#MAX_VALUE} once a driver has slept in its selector for {@link #LONG_SLEEP_NANOS} (it wakes the
     * progress thread when it leaves, see {@code TcpDevice.drive}), so that a rank blocked for long costs no wake-ups
     * every millisecond, while one that sleeps briefly for each message of an exchange costs no wake-up per message.
     */
    long takeBack(long now) throws IOException {
        long at = handBackAt;
        if (at == 0) {
            return 0;
        }
        if (at == Long.MAX_VALUE) {
            long since = asleepSince;
            return since != 0 && now - since > LONG_SLEEP_NANOS ? Long.MAX_VALUE : HAND_BACK_NANOS;
        }
        if (!reading.tryLock()) {
            return HAND_BACK_NANOS;
        }
        try {
            at = handBackAt;
            if (at == 0) {
                return 0;
            }
            if (now < at) {
                return at - now;
            }
            handBackAt = 0;
            out.key().interestOpsOr(SelectionKey.OP_READ);
            out.handBack();
            return readAndDispatch(null) ? 0 : -1;
        } catch (CancelledKeyException e) {
            throw new IOException("the connection is closed", e);
        } finally {
            reading.unlock();
        }
    }

    private int driveLocked(BooleanSupplier done, long nanos, boolean poll) throws IOException {
        if (driverSelector == null) {
            driverSelector = Selector.open();
            if (closed) {
                driverSelector.close();
                throw new IOException("the device is closed");
            }
        }
        SelectionKey mine = channel.keyFor(driverSelector);
        if (mine == null) {
            mine = channel.register(driverSelector, SelectionKey.OP_READ);
        }
        long start = System.nanoTime();
        long deadline = start + nanos;
        long pollUntil = poll ? start + Math.min(nanos, POLL_NANOS) : start;
        boolean readable = true;
        boolean writable = true;
        Selector own = driverSelector;
        while (!done.getAsBoolean()) {
            if (readable && !readAndDispatch(done)) {
                return END_OF_STREAM;
            }
            if (writable && out.wantsWrite()) {
                out.flush();
            }
            IOException broken = out.broken();
            if (broken != null) {
                throw broken;
            }
            if (done.getAsBoolean()) {
                break;
            }
            long now = System.nanoTime();
            long left = deadline - now;
            if (left <= 0) {
                break;
            }
            if (now < pollUntil) {
                Thread.yield();
                if (System.nanoTime() - now > CONTENDED_YIELD_NANOS) {
                    pollUntil = 0; // another thread ran on this core: sleep, and be woken (and scheduled) by the data
                }
                readable = true;
                writable = true;
                continue;
            }
            mine.interestOps(SelectionKey.OP_READ | (out.wantsWrite() ? SelectionKey.OP_WRITE : 0));
            asleepSince = now;
            try {
                own.select(Math.max(1, left / 1_000_000));
            } finally {
                asleepSince = 0;
            }
            int ready = own.selectedKeys().isEmpty() ? 0 : mine.readyOps();
            own.selectedKeys().clear();
            readable = (ready & SelectionKey.OP_READ) != 0;
            writable = (ready & SelectionKey.OP_WRITE) != 0;
        }
        return DROVE;
    }

    /** Closes the driver's selector (the device is stopping); a driver asleep in it wakes up and gives up. */
    void closeDriver() {
        closed = true;
        Selector s = driverSelector;
        if (s != null) {
            try {
                s.close();
            } catch (IOException | RuntimeException e) {
                // closing on the way out
            }
        }
    }

    // ---------------------------------------------------------------- receiving

    /**
     * The progress thread's read: reads what the socket holds and dispatches every complete frame; returns false at
     * end of stream. Does nothing while a driver reads the connection.
     */
    boolean onReadable() throws IOException {
        if (!reading.tryLock()) {
            return true;
        }
        try {
            return readAndDispatch(null);
        } finally {
            reading.unlock();
        }
    }

    /**
     * Reads what the socket holds and dispatches every complete frame, but stops before the announcement of a large
     * message once {@code enough} holds: a driver whose own message is in leaves the next large one to the next
     * reader, since its frames are best read once its receive is posted (by the thread that waits for it). Small
     * messages and control frames are dispatched all the same, so that nothing small waits for the hand-back.
     * Returns false at end of stream.
     */
    private boolean readAndDispatch(BooleanSupplier enough) throws IOException {
        if (in.position() > 0) {
            parse(enough); // frames the last reader left (a driver stops before the next large announcement)
        }
        int n = readDirect();
        if (n == 0) {
            int limit = headerNext ? DATA_HEADER_LENGTH : awaitsDirect(enough) ? ENVELOPE_LENGTH + DATA_HEADER_LENGTH : 0;
            if (limit > in.position()) {
                // just the header(s) in front of a payload that goes straight to a direct receive buffer
                in.limit(limit);
                try {
                    n = channel.read(in);
                } finally {
                    in.limit(in.capacity());
                }
            } else {
                n = channel.read(in);
            }
        }
        if (n < 0) {
            return false;
        }
        counted(n, enough);
        parse(enough);
        while (dataLeft > 0 && in.position() == 0) {
            n = readDirect(); // the rest of a payload the header announced, if the socket has it already
            if (n <= 0) {
                return n == 0;
            }
            counted(n, enough);
        }
        return true;
    }

    /** Dispatches the complete frames in the read buffer (see {@link #readAndDispatch}) and compacts it. */
    private void parse(BooleanSupplier enough) throws IOException {
        in.flip();
        while (true) {
            if (dataLeft > 0) {
                if (!takeData()) {
                    break;
                }
                continue;
            }
            if (in.remaining() < HEADER_LENGTH) {
                break;
            }
            int start = in.position();
            int length = in.getInt(start + FRAME_LENGTH_OFFSET);
            if (in.get(start + TYPE_OFFSET) == TYPE_DATA) {
                if (length < DATA_HEADER_LENGTH || length - DATA_HEADER_LENGTH > DIRECT_CHUNK) {
                    throw new IOException("protocol error: DATA frame length " + length + " outside "
                            + DATA_HEADER_LENGTH + ".." + (DATA_HEADER_LENGTH + DIRECT_CHUNK));
                }
                if (in.remaining() < DATA_HEADER_LENGTH) {
                    break;
                }
                startData(start, length);
                continue;
            }
            if (length < HEADER_LENGTH || length > MAX_FRAME) {
                throw new IOException("protocol error: frame length " + length + " outside " + HEADER_LENGTH + ".."
                        + MAX_FRAME);
            }
            if (in.remaining() < length) {
                break;
            }
            if (enough != null && announcesLarge(start, length) && enough.getAsBoolean()) {
                break;
            }
            dispatch(start, length);
            in.position(start + length);
        }
        in.compact();
    }

    /**
     * Whether the reader is a driver waiting for a large message into a direct buffer with nothing half read: the
     * next frames are likely its announcement and first DATA header, best read alone.
     */
    private boolean awaitsDirect(BooleanSupplier enough) {
        return dataLeft == 0 && in.position() == 0 && enough instanceof Request && ((Request) enough).awaitsDirectPayload();
    }

    private void counted(int n, BooleanSupplier enough) {
        bytesRead += n; // the reader holds the lock: a single writer
        if (enough != null) {
            drivenBytes += n;
        }
    }

    // DATA payloads are read as a stream: a frame's payload need not fit the read buffer. Reader state (guarded by
    // reading): the fetch whose payload is arriving, the payload offset of the next byte, bytes left of the frame.
    private Fetch dataFetch;
    /** The frame after the one just dispatched is a pushed DATA frame whose payload can go straight to its receive. */
    private boolean headerNext;
    private long dataId;
    private long dataOffset;
    private int dataLeft;

    /** The header of a DATA frame at {@code start} is in the read buffer: its payload follows. */
    private void startData(int start, int length) throws IOException {
        long id = in.getLong(start + ID_OFFSET);
        boolean pushed = (in.get(start + FLAGS_OFFSET) & FLAG_PUSH) != 0;
        Fetch f = pushed ? pushes.get(id) : fetches.get(id);
        if (f == null) {
            throw new IOException("protocol error: DATA for unknown " + (pushed ? "pushed send " : "fetch ") + id);
        }
        headerNext = false;
        dataOffset = in.getLong(start + DATA_OFFSET_OFFSET);
        dataLeft = length - DATA_HEADER_LENGTH;
        f.checkFrame(dataOffset, dataLeft);
        dataFetch = f;
        dataId = pushed ? 0 : id;
        in.position(start + DATA_HEADER_LENGTH);
        if (dataLeft == 0) {
            dataFetch = null;
        }
    }

    /** Hands the payload bytes of the current DATA frame that the read buffer holds to its fetch (whole elements). */
    private boolean takeData() {
        int k = dataFetch.acceptable(Math.min(in.remaining(), dataLeft));
        if (k == 0) {
            return false;
        }
        int from = in.position();
        ByteBuffer data = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        data.limit(from + k).position(from);
        in.position(from + k);
        dataArrived(dataFetch.accept(data, dataOffset), k);
        return true;
    }

    /**
     * When the read buffer holds nothing and the current DATA frame goes to a matched receive's direct buffer, reads
     * the frame's payload from the socket straight into it; returns the bytes read (0: none, read as usual).
     */
    private int readDirect() throws IOException {
        if (dataLeft == 0 || in.position() != 0) {
            return 0;
        }
        ByteBuffer target = dataFetch.directTarget(dataLeft);
        if (target == null) {
            return 0;
        }
        int n = channel.read(target);
        if (n > 0) {
            dataArrived(dataFetch.arrived(n), n);
        }
        return n;
    }

    private void dataArrived(boolean complete, int k) {
        Fetch f = dataFetch;
        dataOffset += k;
        dataLeft -= k;
        if (dataLeft == 0) {
            dataFetch = null;
        }
        if (complete && fetches.remove(dataId) != null) {
            f.complete();
        }
    }

    /** Whether the frame at {@code start} is the RTS of a message larger than an eager one. */
    private boolean announcesLarge(int start, int length) {
        return in.get(start + TYPE_OFFSET) == TYPE_RTS && length >= ENVELOPE_LENGTH
                && in.getLong(start + PAYLOAD_BYTES_OFFSET) > Endpoint.EAGER_LIMIT;
    }

    private void dispatch(int start, int length) throws IOException {
        byte type = in.get(start + TYPE_OFFSET);
        long id = in.getLong(start + ID_OFFSET);
        switch (type) {
            case TYPE_EAGER -> onEager(start, length, id, (in.get(start + FLAGS_OFFSET) & FLAG_SYNC) != 0);
            case TYPE_RTS -> onAnnounce(start, id, (in.get(start + FLAGS_OFFSET) & FLAG_PUSH) != 0);
            case TYPE_CTS -> onClearToSend(id, in.getLong(start + FETCH_ID_OFFSET),
                    (in.get(start + FLAGS_OFFSET) & FLAG_DISCARD) != 0);
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
        charge(cost);
        Consumed consumed = new Consumed(cost, sync ? syncId : 0);
        Message m = Message.arrived(source(start), in.getInt(start + DEST_OFFSET), in.getInt(start + CONTEXT_OFFSET),
                in.getInt(start + TAG_OFFSET), base(start), in.getInt(start + ELEMENTS_OFFSET), payload, consumed);
        m.stamp(in.getInt(start + EPOCH_OFFSET), in.getLong(start + SEQ_OFFSET));
        handler.onPacket(m);
    }

    private void onAnnounce(int start, long sendId, boolean pushed) throws IOException {
        BaseType base = base(start);
        long bytes = in.getLong(start + PAYLOAD_BYTES_OFFSET);
        Fetch f = new Fetch(this, sendId, base, bytes, pushed);
        if (pushed) {
            if (pushes.putIfAbsent(sendId, f) != null) {
                throw new IOException("protocol error: a second RTS for pushed send " + sendId);
            }
            charge(eagerCost(bytes));
        }
        Message m = Message.announced(source(start), in.getInt(start + DEST_OFFSET),
                in.getInt(start + CONTEXT_OFFSET), in.getInt(start + TAG_OFFSET), base, in.getInt(start + ELEMENTS_OFFSET),
                f, f);
        m.stamp(in.getInt(start + EPOCH_OFFSET), in.getLong(start + SEQ_OFFSET));
        if (!pushed && tracksAnnounced) {
            announced.add(f); // until a receive fetches it or it is dropped (before the handler may do either)
        }
        handler.onPacket(m);
        headerNext = pushed && bytes > 0 && f.acceptsDirect();
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

    /** Counts unexpected data the peer spent credit on. */
    private void charge(long cost) {
        long now = unconsumed.addAndGet(cost);
        if (now > peakUnconsumed.get()) {
            peakUnconsumed.accumulateAndGet(now, Math::max);
        }
    }

    /**
     * A pushed message has reached its receive whole, or was dropped: it leaves the table and its credit goes back
     * to the peer. Once per message (the caller holds the {@link Fetch}'s monitor).
     */
    void pushConsumed(long sendId, Fetch f, long bytes) {
        if (pushes.remove(sendId, f)) {
            new Consumed(eagerCost(bytes), 0).run();
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

    /** A message this rank took from the peer, described by {@code what}, cannot arrive whole any more. */
    void cutOff(String what) {
        if (onCutOff != null) {
            onCutOff.cutOff(peer, what);
        }
    }

    /**
     * What of the peer's messages this rank has taken but not received whole, said for an error message, or null
     * when there is none: a rendezvous message not fetched yet or still arriving, a pushed one still arriving.
     */
    String takenButCutOff() {
        if (!fetches.isEmpty()) {
            return "this rank was receiving a large message from it";
        }
        if (!announced.isEmpty()) {
            return "this rank held " + announced.size() + " large message(s) from it not yet received";
        }
        for (Fetch f : pushes.values()) {
            if (f.cutOff()) {
                return "a large message from it was still arriving";
            }
        }
        return null;
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

    long drivenBytes() {
        return drivenBytes;
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
