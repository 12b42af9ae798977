package io.snapline.runtime.device.tcp;

import io.snapline.runtime.device.DeviceException;
import io.snapline.runtime.engine.EagerWindow;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.List;

/**
 * What one rank's {@link TcpDevice} needs to join its job.
 *
 * @param rank this process's world rank
 * @param size number of ranks in the job
 * @param token the job's secret; every connection must present it in its HELLO or is refused
 * @param listener a bound server channel at {@code peers.get(rank)}; the device accepts the lower ranks on it and
 *     closes it once every peer is connected
 * @param peers the listening address of every rank, indexed by world rank
 * @param connectTimeout how long connection set-up (and the goodbye at close) may take
 * @param eagerWindow bytes of unexpected eager and pushed messages this rank lets each sender have outstanding
 *     (see {@link TcpDescriptor}, flow control)
 * @param rejoin whether a peer that dies may come back as a new process (a rank restarted alone while the others run
 *     on): the listener stays open for its new incarnation, which replaces the lost connection; what is sent to a
 *     peer while it is down is dropped (its sender keeps it in a message log and sends it again), and sends and
 *     receives pending on it do not fail, except a receive of a large message whose data the lost peer took with it
 *     (see {@link io.snapline.runtime.device.PeerFailureListener#payloadLost})
 * @param incarnation 0 for a rank started with its job; n for its n-th new process when it restarted alone: it then
 *     connects to every peer (they all run already) and takes a peer it cannot reach as down, to be joined by that
 *     peer's own new incarnation later
 */
public record TcpConfig(int rank, int size, byte[] token, ServerSocketChannel listener, List<InetSocketAddress> peers,
        Duration connectTimeout, long eagerWindow, boolean rejoin, int incarnation) {
    /** Eager window per sender of a configuration that names none (tests, embedding); jobs use {@link #windowFor}. */
    public static final long DEFAULT_EAGER_WINDOW = 4L << 20;
    /** The smallest and largest window {@link #windowFor} grants. */
    public static final long MIN_WINDOW = EagerWindow.MIN;
    public static final long MAX_WINDOW = EagerWindow.MAX;

    /**
     * The eager window a rank of a job of {@code size} ranks grants each sender when it has {@code maxHeap} bytes of
     * heap: an eighth of the heap shared among the senders, between {@link #MIN_WINDOW} and {@link #MAX_WINDOW}, so
     * that unexpected data from every peer at once stays well within the heap. A sender that streams large
     * messages stays ahead of its receiver by up to a window (past it, a message waits for the receiver's CTS), so
     * larger windows stream faster: 16 MiB moves blocking 1 MiB messages about a fifth faster than 4 MiB here.
     * The same rule as on {@code shm} ({@link EagerWindow#perSender}).
     */
    public static long windowFor(int size, long maxHeap) {
        return EagerWindow.perSender(size, maxHeap);
    }

    /** A configuration for a job whose ranks do not restart alone. */
    public TcpConfig(int rank, int size, byte[] token, ServerSocketChannel listener, List<InetSocketAddress> peers,
            Duration connectTimeout, long eagerWindow) {
        this(rank, size, token, listener, peers, connectTimeout, eagerWindow, false, 0);
    }

    /** A configuration with the default eager window. */
    public TcpConfig(int rank, int size, byte[] token, ServerSocketChannel listener, List<InetSocketAddress> peers,
            Duration connectTimeout) {
        this(rank, size, token, listener, peers, connectTimeout, DEFAULT_EAGER_WINDOW);
    }

    /** Checks the configuration; the messages say what to fix. */
    public TcpConfig {
        if (size < 1) {
            throw new DeviceException("a job needs at least one rank, got size " + size);
        }
        if (rank < 0 || rank >= size) {
            throw new DeviceException("rank " + rank + " is out of range for a job of " + size + " rank(s)");
        }
        if (token == null || token.length == 0 || token.length > TcpDescriptor.MAX_TOKEN_LENGTH) {
            throw new DeviceException("the job token must hold 1.." + TcpDescriptor.MAX_TOKEN_LENGTH + " bytes, got "
                    + (token == null ? "null" : token.length));
        }
        if (peers == null || peers.size() != size) {
            throw new DeviceException("need the address of each of the " + size + " ranks, got "
                    + (peers == null ? "null" : peers.size()));
        }
        if (listener == null && size > 1) {
            throw new DeviceException("rank " + rank + " needs a bound listener channel");
        }
        if (connectTimeout == null || connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new DeviceException("connectTimeout must be positive, got " + connectTimeout);
        }
        if (eagerWindow < 0) {
            throw new DeviceException("eagerWindow must not be negative, got " + eagerWindow);
        }
        if (incarnation < 0 || incarnation > 0 && !rejoin) {
            throw new DeviceException("incarnation " + incarnation + " needs a job whose ranks rejoin"
                    + (incarnation < 0 ? " and must not be negative" : ""));
        }
        token = token.clone();
        peers = List.copyOf(peers);
    }
}
