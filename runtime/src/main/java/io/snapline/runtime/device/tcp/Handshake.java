package io.snapline.runtime.device.tcp;

import static io.snapline.runtime.device.tcp.TcpDescriptor.*;

import io.snapline.runtime.device.DeviceException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.security.MessageDigest;

/**
 * Connection set-up: every rank connects to the higher ranks and accepts the lower ones. The connecting side sends
 * HELLO (job token, rank, size, protocol version); the accepting side checks it and answers with its own HELLO,
 * which the connecting side checks in turn. A connection that fails the check is closed and reported on stderr;
 * it never carries a message.
 *
 * <p>In a job whose ranks rejoin ({@link TcpConfig#rejoin()}) the listener stays open after set-up: a rank's new
 * incarnation connects to every peer, lower or higher, and each admits it with {@link #admitRejoin}. A new
 * incarnation takes a peer whose listener is gone (it is dead itself and will come back) as down.
 */
final class Handshake {
    private static final long RETRY_MILLIS = 20;
    /** A peer that connected must say HELLO within this time (or the rest of the deadline, if shorter). */
    private static final long HELLO_MILLIS = 5_000;
    /**
     * How long a new incarnation keeps trying a peer that refuses connections before it takes that peer as down: a
     * running rank's listener is open, so a refusal means that the peer died (its own new incarnation connects to
     * this one later).
     */
    private static final long REJOIN_REFUSED_MILLIS = 2_000;

    private final TcpConfig config;
    private final long deadline;
    private final SocketChannel[] channels;

    private Handshake(TcpConfig config) {
        this.config = config;
        this.deadline = System.nanoTime() + config.connectTimeout().toNanos();
        this.channels = new SocketChannel[config.size()];
    }

    /** Connects this rank to every other rank; entry {@code rank} of the result is null. */
    static SocketChannel[] connectAll(TcpConfig config) {
        return new Handshake(config).run();
    }

    /**
     * Checks the HELLO on {@code ch}, accepted on the open listener of a job whose ranks rejoin, from a peer's new
     * incarnation: returns the peer's rank, or -1 after refusing it (reported on stderr). The answer, {@link #helloOf
     * this rank's HELLO}, is the caller's to send: it must be the first frame on the connection.
     */
    static int admitRejoin(TcpConfig config, SocketChannel ch) {
        return new Handshake(config).admit(ch, true);
    }

    /** This rank's HELLO frame. */
    static ByteBuffer helloOf(TcpConfig config) {
        return TcpDescriptor.hello(config.rank(), config.size(), config.token());
    }

    private SocketChannel[] run() {
        if (config.incarnation() > 0) {
            return rejoin();
        }
        int rank = config.rank();
        DeviceException[] acceptFailure = new DeviceException[1];
        Thread acceptor = new Thread(() -> {
            try {
                acceptLowerRanks();
            } catch (DeviceException e) {
                acceptFailure[0] = e;
            }
        }, "snapline-tcp-accept-" + rank);
        acceptor.setDaemon(true);
        acceptor.start();
        try {
            for (int peer = rank + 1; peer < config.size(); peer++) {
                channels[peer] = connect(peer);
            }
            acceptor.join(Math.max(1, remainingMillis() + 1_000));
            if (acceptor.isAlive()) {
                acceptor.interrupt();
                throw new DeviceException("rank " + rank + ": connection set-up did not finish within "
                        + config.connectTimeout());
            }
            if (acceptFailure[0] != null) {
                throw acceptFailure[0];
            }
            if (!config.rejoin()) {
                closeQuietly(config.listener());
            }
            return channels;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeAll();
            throw new DeviceException("rank " + rank + ": interrupted during connection set-up", e);
        } catch (RuntimeException e) {
            acceptor.interrupt();
            closeAll();
            throw e;
        }
    }

    /** A new incarnation connects to every peer; a peer it cannot reach is down (its entry stays null). */
    private SocketChannel[] rejoin() {
        try {
            for (int peer = 0; peer < config.size(); peer++) {
                if (peer != config.rank() && config.peers().get(peer).getPort() != 0) { // port 0: it is restarting
                    channels[peer] = rejoin(peer);
                }
            }
            return channels;
        } catch (RuntimeException e) {
            closeAll();
            throw e;
        }
    }

    /**
     * A new incarnation's connection to {@code peer}, or null when the peer is down: its listener refuses
     * connections for {@link #REJOIN_REFUSED_MILLIS} (it died, and its own next incarnation connects here later), or
     * it closes the connection, gives a HELLO of another job or none within the connect timeout (said on stderr).
     * A peer whose listener took the connection is running, and it answers once its device has started.
     */
    private SocketChannel rejoin(int peer) {
        InetSocketAddress address = config.peers().get(peer);
        long refusedUntil = System.nanoTime() + REJOIN_REFUSED_MILLIS * 1_000_000;
        while (remainingMillis() > 0) {
            SocketChannel ch = null;
            try {
                ch = SocketChannel.open();
                ch.socket().connect(address, (int) Math.max(1, Math.min(remainingMillis(), Integer.MAX_VALUE)));
            } catch (java.net.ConnectException refused) {
                closeQuietly(ch);
                if (System.nanoTime() - refusedUntil > 0) {
                    return null;
                }
                sleep(RETRY_MILLIS);
                continue;
            } catch (IOException e) {
                closeQuietly(ch);
                return down(peer, "it cannot be reached: " + e);
            }
            try {
                configure(ch);
                writeFully(ch, hello(config.rank(), config.size(), config.token()));
                String problem = checkHello(readHello(ch, remainingMillis()), peer);
                if (problem == null) {
                    return ch;
                }
                closeQuietly(ch);
                return down(peer, problem);
            } catch (IOException e) {
                closeQuietly(ch);
                return down(peer, "the handshake failed: " + e.getMessage());
            }
        }
        return null;
    }

    private SocketChannel down(int peer, String why) {
        System.err.println("snapline tcp: rank " + config.rank() + " takes rank " + peer + " at "
                + config.peers().get(peer) + " as down until it rejoins: " + why);
        return null;
    }

    private SocketChannel connect(int peer) {
        InetSocketAddress address = config.peers().get(peer);
        IOException last = null;
        while (remainingMillis() > 0) {
            SocketChannel ch = null;
            try {
                ch = SocketChannel.open();
                ch.socket().connect(address, (int) Math.max(1, Math.min(remainingMillis(), Integer.MAX_VALUE)));
                configure(ch);
                writeFully(ch, hello(config.rank(), config.size(), config.token()));
                String problem = checkHello(readHello(ch), peer);
                if (problem != null) {
                    closeQuietly(ch);
                    throw new DeviceException("rank " + config.rank() + " refused rank " + peer + " at " + address
                            + ": " + problem);
                }
                return ch;
            } catch (IOException e) {
                closeQuietly(ch);
                last = e;
                sleep(RETRY_MILLIS);
            }
        }
        throw new DeviceException("rank " + config.rank() + " could not connect to rank " + peer + " at " + address
                + " within " + config.connectTimeout() + (last == null ? "" : ": " + last)
                + "; check that the rank is running and the address is reachable", last);
    }

    private void acceptLowerRanks() {
        int missing = config.rank();
        if (missing == 0) {
            return;
        }
        try (Selector selector = Selector.open()) {
            config.listener().configureBlocking(false);
            config.listener().register(selector, SelectionKey.OP_ACCEPT);
            while (missing > 0) {
                long wait = remainingMillis();
                if (wait <= 0 || Thread.currentThread().isInterrupted()) {
                    throw new DeviceException("rank " + config.rank() + " was not contacted by " + missing
                            + " lower rank(s) within " + config.connectTimeout() + " (connected: " + connected() + ")");
                }
                selector.select(wait);
                selector.selectedKeys().clear();
                SocketChannel ch;
                while ((ch = config.listener().accept()) != null) {
                    if (admit(ch, false) >= 0) {
                        missing--;
                    }
                }
            }
        } catch (IOException e) {
            throw new DeviceException("rank " + config.rank() + ": accepting connections failed: " + e, e);
        }
    }

    /**
     * Checks a new connection's HELLO; keeps it and answers (returning the peer's rank), or refuses it (returning
     * -1). At set-up only lower ranks connect here; a rejoining incarnation may be any rank.
     */
    private int admit(SocketChannel ch, boolean rejoining) {
        String from = "an unknown address";
        try {
            from = String.valueOf(ch.getRemoteAddress());
            ch.configureBlocking(true);
            configure(ch);
            ByteBuffer hello = readHello(ch);
            int peer = hello == null ? -1 : hello.getInt(HELLO_RANK_OFFSET);
            String problem = checkHello(hello, -1);
            if (problem == null && !rejoining && peer >= config.rank()) {
                problem = "rank " + peer + " should be accepted by it, not connect here";
            } else if (problem == null && !rejoining && channels[peer] != null) {
                problem = "rank " + peer + " is connected already";
            }
            if (problem != null) {
                refuse(ch, from, problem);
                return -1;
            }
            if (rejoining) {
                return peer; // answered by the caller, once the connection is in place
            }
            writeFully(ch, hello(config.rank(), config.size(), config.token()));
            synchronized (channels) {
                channels[peer] = ch;
            }
            return peer;
        } catch (IOException e) {
            refuse(ch, from, "handshake failed: " + e);
            return -1;
        }
    }

    private void refuse(SocketChannel ch, String from, String problem) {
        System.err.println("snapline tcp: rank " + config.rank() + " refused a connection from " + from + ": " + problem);
        closeQuietly(ch);
    }

    /** What is wrong with a HELLO frame, or null when it comes from a rank of this job ({@code expected}, or any if -1). */
    private String checkHello(ByteBuffer b, int expected) {
        if (b == null) {
            return "it did not send a HELLO frame";
        }
        if (b.get(TYPE_OFFSET) != TYPE_HELLO || b.getInt(HELLO_MAGIC_OFFSET) != MAGIC) {
            return "it did not send a HELLO frame";
        }
        if (b.getShort(HELLO_VERSION_OFFSET) != VERSION) {
            return "it speaks protocol version " + b.getShort(HELLO_VERSION_OFFSET) + ", this rank " + VERSION;
        }
        byte[] token = new byte[b.getInt(HELLO_TOKEN_LENGTH_OFFSET)];
        b.get(HELLO_TOKEN_OFFSET, token);
        if (!MessageDigest.isEqual(token, config.token())) {
            return "wrong job token";
        }
        int size = b.getInt(HELLO_SIZE_OFFSET);
        int rank = b.getInt(HELLO_RANK_OFFSET);
        if (size != config.size()) {
            return "it belongs to a job of " + size + " ranks, this job has " + config.size();
        }
        if (rank < 0 || rank >= size || rank == config.rank() || expected >= 0 && rank != expected) {
            return "it claims rank " + rank + (expected >= 0 ? ", expected rank " + expected : "");
        }
        return null;
    }

    /** Reads one HELLO frame (blocking, with a timeout); null when the bytes cannot be a HELLO. */
    private ByteBuffer readHello(SocketChannel ch) throws IOException {
        return readHello(ch, Math.min(HELLO_MILLIS, remainingMillis()));
    }

    /** {@link #readHello(SocketChannel)}, waiting at most {@code millis}. */
    private ByteBuffer readHello(SocketChannel ch, long millis) throws IOException {
        ch.socket().setSoTimeout((int) Math.max(1, Math.min(millis, Integer.MAX_VALUE)));
        InputStream in = ch.socket().getInputStream();
        byte[] head = readExactly(in, HEADER_LENGTH);
        int length = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt(FRAME_LENGTH_OFFSET);
        if (head[TYPE_OFFSET] != TYPE_HELLO || length < HELLO_TOKEN_OFFSET
                || length > HELLO_TOKEN_OFFSET + MAX_TOKEN_LENGTH) {
            return null;
        }
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(head).put(readExactly(in, length - HEADER_LENGTH));
        int tokenLength = b.getInt(HELLO_TOKEN_LENGTH_OFFSET);
        return tokenLength == length - HELLO_TOKEN_OFFSET ? b : null;
    }

    private static byte[] readExactly(InputStream in, int n) throws IOException {
        try {
            byte[] bytes = in.readNBytes(n);
            if (bytes.length < n) {
                throw new IOException("the connection closed after " + bytes.length + " of " + n + " bytes");
            }
            return bytes;
        } catch (SocketTimeoutException e) {
            throw new IOException("no HELLO within the time allowed", e);
        }
    }

    private static void configure(SocketChannel ch) throws IOException {
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
    }

    static void writeFully(SocketChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private long remainingMillis() {
        return (deadline - System.nanoTime()) / 1_000_000;
    }

    private String connected() {
        StringBuilder s = new StringBuilder();
        synchronized (channels) {
            for (int r = 0; r < config.rank(); r++) {
                s.append(s.length() == 0 ? "" : ", ").append(channels[r] == null ? "not " + r : Integer.toString(r));
            }
        }
        return s.toString();
    }

    private void closeAll() {
        synchronized (channels) {
            for (SocketChannel ch : channels) {
                closeQuietly(ch);
            }
        }
        closeQuietly(config.listener());
    }

    static void closeQuietly(java.io.Closeable c) {
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing is best effort
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DeviceException("interrupted during connection set-up", e);
        }
    }
}
