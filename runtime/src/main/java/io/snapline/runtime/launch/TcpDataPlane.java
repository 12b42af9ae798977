package io.snapline.runtime.launch;

import io.snapline.runtime.engine.Endpoint;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.List;

/**
 * The one seam between {@code -dev tcp} process launch/supervision and the tcp data plane. {@link RankProcess} calls
 * {@link #open} when the program calls {@code MPI.Init}, and {@link #peerFailed} when the launcher reports a dead rank.
 * Nothing else in {@code launch} knows about the tcp device.
 *
 * <p><b>Not wired in this build:</b> the tcp device ({@code io.snapline.runtime.device.tcp.TcpDevice}) is not part of
 * it yet, so {@link #open} throws {@link UnsupportedOperationException} with {@link #UNAVAILABLE}. Rank processes
 * start, hand-shake with {@code snaprun}, are supervised and report their outcome; only {@code MPI.Init} fails. Wiring
 * it is, in {@link #open}:
 *
 * <pre>{@code
 * Mailbox mailbox = new Mailbox();
 * JobState job = new JobState(s.size());
 * job.bindThread(s.rank(), Thread.currentThread());
 * AtomicReference<Endpoint> self = new AtomicReference<>();
 * Device device = TcpDevice.start(
 *         new TcpConfig(s.rank(), s.size(), s.token(), s.listener(), s.peers(), s.connectTimeout()),
 *         mailbox, (rank, reason) -> peerFailed(self.get(), rank, reason));
 * self.set(new Endpoint(s.rank(), device, mailbox, job));
 * return self.get();
 * }</pre>
 *
 * and, in {@link #peerFailed}, {@code endpoint.peerFailed(rank, reason)} (a failure the device reports before the
 * endpoint exists must be remembered and replayed, as {@link RankProcess} does for the launcher's notices).
 */
public final class TcpDataPlane {
    /** What {@code MPI.Init} says on {@code -dev tcp} until the data plane is wired in. */
    public static final String UNAVAILABLE = "MPI.Init: the tcp data plane is not available in this build: -dev tcp "
            + "starts and supervises one JVM per rank, but MPI messaging between them needs the tcp device; "
            + "use -dev shm";

    /**
     * What a rank's data plane starts from.
     *
     * @param rank           this rank
     * @param size           number of ranks
     * @param token          the job's secret; peers must present it on every data connection
     * @param listener       this rank's bound (loopback) listener, whose address every peer has in {@code peers}
     * @param peers          every rank's data-plane address, indexed by rank (this rank's own included)
     * @param connectTimeout how long to keep trying to reach a peer
     */
    public record Setup(int rank, int size, byte[] token, ServerSocketChannel listener, List<InetSocketAddress> peers,
            Duration connectTimeout) {
        public Setup {
            peers = List.copyOf(peers);
        }
    }

    private TcpDataPlane() {
    }

    /** Builds this rank's endpoint over the tcp device; called once, from {@code MPI.Init}. */
    static Endpoint open(Setup setup) {
        throw new UnsupportedOperationException(UNAVAILABLE);
    }

    /**
     * Tells the engine that {@code rank} died, so operations pending on it fail. Until {@code Endpoint.peerFailed}
     * exists this aborts the rank's job, which wakes every wait with an exception naming the dead rank.
     */
    static void peerFailed(Endpoint endpoint, int rank, String reason) {
        endpoint.job().abort(rank, 1, "rank " + rank + " died: " + reason);
    }
}
