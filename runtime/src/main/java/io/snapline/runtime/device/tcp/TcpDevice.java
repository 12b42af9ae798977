package io.snapline.runtime.device.tcp;

import io.snapline.runtime.device.Device;
import io.snapline.runtime.device.DeviceException;
import io.snapline.runtime.device.Packet;
import io.snapline.runtime.device.PacketHandler;
import io.snapline.runtime.device.PeerFailureListener;
import io.snapline.runtime.engine.Message;
import io.snapline.runtime.engine.PeerFailedException;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;
import java.util.function.ToLongFunction;

/**
 * The device of a rank that is its own process: one TCP connection per peer, one progress thread that reads
 * frames and hands complete messages to the rank's {@link PacketHandler} (its mailbox, which matches them and copies
 * the data into posted receives), so messages progress while the application computes. The wire format and the
 * eager, rendezvous and flow-control protocols are described in {@link TcpDescriptor}.
 *
 * <p>An application thread that waits for a message to or from a named peer moves that peer's traffic itself
 * ({@link #drive}), as a blocking program would; the progress thread takes the connection back shortly after.
 *
 * <p>Semantics match {@code shm}: per-pair FIFO, eager messages up to {@code Endpoint.EAGER_LIMIT} bytes within the
 * receiver's credit, larger ones pushed (within that credit, onto an idle connection) or by rendezvous (data decoded
 * straight into the matched receive buffer), synchronous sends complete once matched. Unlike {@code shm}, a send cannot be cancelled once handed to the device:
 * {@link #retract} always returns false (MPI allows a cancel to fail).
 *
 * <p>When a connection breaks without the goodbye that {@link #close()} sends, the device fails the sends and
 * rendezvous receives it holds for that peer with a {@link PeerFailedException} and then tells the
 * {@link PeerFailureListener} (normally {@code Endpoint.peerFailed}), which fails the receives still posted.
 *
 * <p>In a job whose ranks rejoin ({@link TcpConfig#rejoin()}: a rank that dies restarts alone while the others run
 * on) a lost peer is down, not failed: what this rank has pending on it completes as if delivered and what it sends
 * there meanwhile is dropped (a message log holds it and sends it again), receives from it stay posted, and the
 * listener stays open for the peer's new incarnation, whose connection replaces the lost one. Only a message the
 * peer was still sending, which this rank had already taken, cannot be recovered that way: the listener hears of it
 * ({@link PeerFailureListener#payloadLost}).
 * Thread-safe: application threads send (and drive), the progress thread receives.
 */
public final class TcpDevice implements Device, AutoCloseable {
    private static final long SELECT_MILLIS = 100;

    private final int rank;
    private final int size;
    private final long closeTimeoutNanos;
    private final PacketHandler handler;
    private final PeerFailureListener failures;
    /** By peer; replaced whole when a peer rejoins. An entry is null for a peer down since this rank started. */
    private volatile Connection[] connections;
    private final Selector selector;
    private final Thread progress;
    private final TcpConfig config;
    /** Whether lost peers may come back ({@link TcpConfig#rejoin()}). */
    private final boolean rejoin;
    /** The open listener of a device whose peers rejoin; null otherwise. */
    private final ServerSocketChannel listener;
    /** Accepts rejoining peers; null unless {@link #rejoin}. */
    private final Thread acceptor;
    /** The device is closing: the listener is closed on purpose, and the acceptor ends. */
    private volatile boolean leaving;
    /** Connections of rejoined peers, for the progress thread to register and put in place. */
    private final ConcurrentLinkedQueue<Connection> joining = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;
    /** The progress thread sleeps (or is about to) for {@link #SELECT_MILLIS} with no connection to take back. */
    private volatile boolean dozing;

    private TcpDevice(TcpConfig config, PacketHandler handler, PeerFailureListener failures, SocketChannel[] channels)
            throws IOException {
        this.rank = config.rank();
        this.size = config.size();
        this.config = config;
        this.rejoin = config.rejoin();
        this.listener = rejoin ? config.listener() : null;
        this.closeTimeoutNanos = config.connectTimeout().toNanos();
        this.handler = handler;
        this.failures = failures;
        Connection[] initial = new Connection[size];
        this.selector = Selector.open();
        for (int peer = 0; peer < size; peer++) {
            if (channels[peer] != null) {
                Connection c = new Connection(rank, peer, channels[peer], config.eagerWindow(), handler,
                        rejoin ? this::cutOff : null);
                channels[peer].configureBlocking(false);
                c.out.attach(channels[peer].register(selector, SelectionKey.OP_READ, c));
                initial[peer] = c;
            }
        }
        this.connections = initial;
        this.progress = new Thread(this::run, "snapline-tcp-progress-" + rank);
        progress.setDaemon(true);
        if (listener != null) {
            this.acceptor = new Thread(this::acceptRejoining, "snapline-tcp-rejoin-" + rank);
            acceptor.setDaemon(true);
        } else {
            this.acceptor = null;
        }
    }

    /**
     * Connects rank {@code config.rank()} to every other rank of the job (blocking until all are connected or the
     * connect timeout passes; a rejoining incarnation takes a peer it cannot reach as down) and starts the progress
     * thread. Messages for this rank go to {@code handler}; lost peers are reported to {@code failures} (with
     * rejoining peers, see the class comment).
     *
     * @throws DeviceException when a peer cannot be reached in time or presents a bad handshake
     */
    public static TcpDevice start(TcpConfig config, PacketHandler handler, PeerFailureListener failures) {
        SocketChannel[] channels = Handshake.connectAll(config);
        try {
            TcpDevice device = new TcpDevice(config, handler, failures, channels);
            device.progress.start();
            if (device.acceptor != null) {
                device.acceptor.start();
            }
            return device;
        } catch (IOException e) {
            for (SocketChannel ch : channels) {
                Handshake.closeQuietly(ch);
            }
            if (config.rejoin()) {
                Handshake.closeQuietly(config.listener());
            }
            throw new DeviceException("rank " + config.rank() + ": cannot start the progress thread: " + e, e);
        }
    }

    @Override
    public String name() {
        return "tcp";
    }

    @Override
    public int size() {
        return size;
    }

    public int rank() {
        return rank;
    }

    @Override
    public void send(Packet packet) {
        Message m = (Message) packet;
        int dest = m.dest();
        if (dest == rank) {
            handler.onPacket(m);
            return;
        }
        Connection c = connections[dest];
        if (!running) {
            throw new DeviceException("cannot send to rank " + dest + ": the device of rank " + rank + " is closed");
        }
        if (rejoin) {
            sendOrDrop(c, m);
            return;
        }
        c.send(m);
    }

    /**
     * Sends {@code m} on {@code c}; to a peer that is down (lost without a goodbye, or not connected since this rank
     * started), drops it as if delivered (see the class comment). A peer that said goodbye has left the job: a send
     * to it fails as without rejoining.
     */
    private static void sendOrDrop(Connection c, Message m) {
        if (c != null) {
            try {
                c.send(m);
                return;
            } catch (DeviceException down) {
                if (!c.out.isClosed() || c.saidGoodbye()) {
                    throw down;
                }
            }
        }
        m.sent();
    }

    /**
     * False for messages to other ranks: once handed to the device a message is on its way and cannot be withdrawn
     * (MPI allows a cancel to fail). Self-addressed messages are retracted as on {@code shm}.
     */
    @Override
    public boolean retract(Packet packet) {
        return packet.dest() == rank && handler.retract(packet);
    }

    /**
     * Drives the connection to {@code peer} on the calling thread (see {@link Connection#drive}); a connection that
     * ends or breaks meanwhile is lost as on the progress thread, which fails what is pending on it.
     */
    @Override
    public boolean drive(int peer, BooleanSupplier done, long nanos, boolean large) {
        if (peer < 0 || peer >= size || !running) {
            return false;
        }
        Connection c = connections[peer];
        if (c == null) {
            return false;
        }
        boolean drove = guarded(c, large ? DRIVE : DRIVE_POLLING, done, nanos) != Connection.BUSY;
        if (drove && dozing) {
            selector.wakeup(); // it must take the connection back soon, not after a long sleep
        }
        return drove;
    }

    /** Unexpected eager bytes (with overhead) from {@code peer} that no receive has consumed yet. */
    public long unconsumedEagerBytes(int peer) {
        Connection c = connections[peer];
        return c == null ? 0 : c.unconsumedEagerBytes();
    }

    /** Bytes read from every peer so far; grows while any data reaches this rank. */
    public long bytesRead() {
        return sum(Connection::bytesRead);
    }

    /** Of {@link #bytesRead()}, the bytes read by application threads that waited for a message (see {@link #drive}). */
    public long bytesReadByWaiters() {
        return sum(Connection::drivenBytes);
    }

    /**
     * Payload bytes this rank wrote to its sockets straight from the application's direct {@code ByteBuffer}s, with
     * no copy in Java (large messages sent from such buffers).
     */
    public long bytesSentWithoutCopy() {
        return sum(c -> c.out.directBytes());
    }

    private long sum(ToLongFunction<Connection> counter) {
        long sum = 0;
        for (Connection c : connections) {
            if (c != null) {
                sum += counter.applyAsLong(c);
            }
        }
        return sum;
    }

    /** The most unexpected eager bytes {@code peer} ever had outstanding here; never above the eager window. */
    public long peakUnconsumedEagerBytes(int peer) {
        Connection c = connections[peer];
        return c == null ? 0 : c.peakUnconsumedEagerBytes();
    }

    // ---------------------------------------------------------------- progress thread

    private void run() {
        while (running) {
            if (!joining.isEmpty()) {
                putJoinedInPlace();
            }
            // Announce a long sleep before looking at the connections' hand-back times: a driver that hands one back
            // after the look sees the flag and wakes us (see drive).
            dozing = true;
            long timeout = tend();
            if (timeout < SELECT_MILLIS) {
                dozing = false;
            }
            try {
                selector.select(timeout);
            } catch (IOException e) {
                System.err.println("snapline tcp: rank " + rank + ": selector failed: " + e);
                break;
            } finally {
                dozing = false;
            }
            for (SelectionKey key : selector.selectedKeys()) {
                Connection c = (Connection) key.attachment();
                try {
                    if (key.isValid() && key.isReadable() && guarded(c, READ, null, 0) == LOST) {
                        continue;
                    }
                    if (key.isValid() && key.isWritable()) {
                        guarded(c, FLUSH, null, 0);
                    }
                } catch (java.nio.channels.CancelledKeyException closed) {
                    // another thread closed the connection (its peer died) between the check and the look: the
                    // close reported what there is to report
                }
            }
            selector.selectedKeys().clear();
        }
    }

    // ---------------------------------------------------------------- rejoining peers

    /**
     * The acceptor's loop: admits the new incarnations of peers that died (their HELLO is checked as at set-up) and
     * hands their connections to the progress thread.
     */
    private void acceptRejoining() {
        try (Selector accepting = Selector.open()) {
            listener.configureBlocking(false);
            listener.register(accepting, SelectionKey.OP_ACCEPT);
            while (running && !leaving) {
                accepting.select(SELECT_MILLIS);
                accepting.selectedKeys().clear();
                SocketChannel ch;
                while (running && !leaving && (ch = listener.accept()) != null) {
                    admit(ch);
                }
            }
        } catch (IOException | RuntimeException e) {
            if (running && !leaving) {
                System.err.println("snapline tcp: rank " + rank + ": accepting rejoining ranks failed: " + e);
            }
        }
    }

    /** Checks a rejoining peer's HELLO and hands its connection to the progress thread; refuses a bad one. */
    private void admit(SocketChannel ch) {
        try {
            int peer = Handshake.admitRejoin(config, ch);
            if (peer >= 0) {
                ch.configureBlocking(false);
                joining.add(new Connection(rank, peer, ch, config.eagerWindow(), handler, this::cutOff));
                selector.wakeup();
            }
        } catch (IOException | RuntimeException e) {
            Handshake.closeQuietly(ch);
            System.err.println("snapline tcp: rank " + rank + ": could not admit a rejoining rank: " + e);
        }
    }

    /**
     * On the progress thread: registers the connections of rejoined peers and puts each in place of its peer's
     * previous connection, which is lost first (its process is gone; what it still held is dropped). This rank's
     * HELLO, which completes the peer's handshake, is the first frame on the new connection, so that whatever this
     * rank sends the peer once it has that answer goes on the new connection, after it.
     */
    private void putJoinedInPlace() {
        for (Connection c; (c = joining.poll()) != null;) {
            Connection old = connections[c.peer];
            if (old != null && !old.out.isClosed()) {
                lose(old, "it came back as a new process", true);
            }
            try {
                c.out.attach(c.channel.register(selector, SelectionKey.OP_READ, c));
            } catch (ClosedChannelException e) {
                continue; // it died again already
            }
            c.out.enqueue(Handshake.helloOf(config));
            Connection[] next = connections.clone();
            next[c.peer] = c;
            connections = next;
        }
    }

    /**
     * A message {@code peer} was sending this rank, which this rank had taken, was cut off by the loss of its
     * connection (see {@link PeerFailureListener#payloadLost}). Any thread.
     */
    private void cutOff(int peer, String what) {
        if (running) {
            failures.payloadLost(peer, "rank " + peer + " was lost while " + what);
        }
    }

    /**
     * Takes back the connections whose drivers are gone and fails the broken ones; returns how long the progress
     * thread may sleep (milliseconds): until the next hand-back is due, at most {@link #SELECT_MILLIS}.
     */
    private long tend() {
        long timeout = SELECT_MILLIS;
        long now = System.nanoTime();
        for (Connection c : connections) {
            if (c == null) {
                continue;
            }
            long again = guarded(c, TAKE_BACK, null, now);
            if (again > 0) {
                timeout = Math.min(timeout, Math.max(1, again / 1_000_000));
            }
            if (c.out.broken() != null && !c.out.isClosed()) {
                IOException e = c.out.broken();
                lose(c, c.saidGoodbye() ? null : "its connection broke: " + e.getMessage(), true);
            }
        }
        return timeout;
    }

    /** The steps {@link #guarded} runs. */
    private static final int READ = 0;
    private static final int FLUSH = 1;
    private static final int TAKE_BACK = 2;
    private static final int DRIVE = 3;
    private static final int DRIVE_POLLING = 4;

    /** What {@link #guarded} returns when the step ended or broke the connection. */
    private static final long LOST = Long.MIN_VALUE;

    /**
     * Runs one step on {@code c} — READ ({@link Connection#onReadable}), FLUSH, TAKE_BACK (at time {@code n}),
     * DRIVE or DRIVE_POLLING (until {@code done}, at most {@code n} nanoseconds) — and returns its result, or {@link #LOST} after
     * losing the connection because the step met its end or broke it. No lambdas: the progress loop runs this per
     * event.
     */
    private long guarded(Connection c, int step, BooleanSupplier done, long n) {
        try {
            long result = switch (step) {
                case READ -> c.onReadable() ? 0 : -1;
                case FLUSH -> {
                    c.out.flush();
                    yield 0;
                }
                case TAKE_BACK -> c.takeBack(n);
                case DRIVE -> c.drive(done, n, false);
                default -> c.drive(done, n, true);
            };
            if (result >= 0) {
                return result;
            }
            lose(c, c.saidGoodbye() ? null : "its connection closed without a goodbye", true);
        } catch (IOException e) {
            boolean protocol = String.valueOf(e.getMessage()).startsWith("protocol error");
            lose(c, c.saidGoodbye() ? null : "its connection broke: " + e.getMessage(), !protocol);
        } catch (RuntimeException e) {
            System.err.println("snapline tcp: rank " + rank + ": error handling a frame from rank " + c.peer + ": " + e);
            lose(c, "a frame from it could not be handled: " + e, false);
        }
        return LOST;
    }

    /**
     * Closes a connection and fails what is pending on it; {@code reason} null means an orderly close after the
     * peer's goodbye (nothing is reported). {@code peerGone}: the connection ended or broke as it does when the peer's
     * process dies, rather than on a frame this rank could not take from a live peer. With rejoining peers, only the
     * latter is reported as a failure (this rank cannot go on with that peer; see {@link PeerFailureListener}).
     */
    private void lose(Connection c, String reason, boolean peerGone) {
        String why = reason == null ? "it has finalized and closed its connection" : reason;
        if (!c.out.close(why)) {
            return;
        }
        c.failed(why);
        SelectionKey key = c.channel.keyFor(selector);
        if (key != null) {
            key.cancel();
        }
        Handshake.closeQuietly(c.channel);
        String lost = rejoin && reason != null ? c.takenButCutOff() : null;
        if (lost != null && running) {
            failures.payloadLost(c.peer, "rank " + c.peer + " was lost (" + reason + ") while " + lost);
        } else if (rejoin && reason != null && !peerGone && running) {
            failures.peerFailed(c.peer, reason);
        }
        for (Long id : c.pendingSends.keySet()) {
            Message m = c.pendingSends.remove(id);
            if (m != null && rejoin && reason != null) {
                m.sent(); // the peer's new incarnation gets it again from this rank's message log
            } else if (m != null) {
                m.failed(c.failure());
            }
        }
        for (Long id : c.fetches.keySet()) {
            Fetch f = c.fetches.remove(id);
            if (f != null) {
                f.fail(c.failure());
            }
        }
        for (Fetch f : c.pushes.values()) {
            f.fail(c.failure()); // stays in the table: a pushed message that arrived whole is still received
        }
        if (reason != null && running && !rejoin) {
            failures.peerFailed(c.peer, reason, peerGone);
        }
    }

    // ---------------------------------------------------------------- shutdown

    /**
     * Says goodbye to every peer, waits (up to the connect timeout) until everything queued is written and every
     * peer has said goodbye or closed, then stops the progress thread and closes the connections. Idempotent.
     */
    @Override
    public void close() {
        if (!running) {
            return;
        }
        if (listener != null) {
            leaving = true;
            Handshake.closeQuietly(listener); // nobody rejoins a rank that leaves
        }
        for (Connection c : connections) {
            if (c != null) {
                c.out.enqueue(TcpDescriptor.control(TcpDescriptor.TYPE_BYE, 0));
            }
        }
        long deadline = System.nanoTime() + closeTimeoutNanos;
        while (System.nanoTime() < deadline && !quiet()) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        stop();
    }

    /**
     * Closes every connection at once, without a goodbye, as if the process had died: peers see the failure.
     * For the supervisor and tests.
     */
    public void terminate() {
        stop();
    }

    private boolean quiet() {
        for (Connection c : connections) {
            if (c != null && !(c.out.isDrained() && (c.saidGoodbye() || c.out.isClosed()))) {
                return false;
            }
        }
        return true;
    }

    private void stop() {
        if (!running) {
            return;
        }
        running = false;
        selector.wakeup();
        if (listener != null) {
            Handshake.closeQuietly(listener);
            try {
                acceptor.join(SELECT_MILLIS * 5); // it adds nothing once it has ended
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            progress.join(closeTimeoutNanos / 1_000_000 + 1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Connection c; (c = joining.poll()) != null;) {
            Handshake.closeQuietly(c.channel);
        }
        for (Connection c : connections) {
            if (c != null) {
                c.out.close("the device of rank " + rank + " is closed");
                c.closeDriver();
                Handshake.closeQuietly(c.channel);
            }
        }
        Handshake.closeQuietly(selector);
    }
}
