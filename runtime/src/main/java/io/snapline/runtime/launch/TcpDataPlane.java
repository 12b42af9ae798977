package io.snapline.runtime.launch;

import io.snapline.runtime.device.PeerFailureListener;
import io.snapline.runtime.device.tcp.TcpConfig;
import io.snapline.runtime.device.tcp.TcpDevice;
import io.snapline.runtime.engine.Endpoint;
import io.snapline.runtime.engine.JobState;
import io.snapline.runtime.engine.Mailbox;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicReference;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.List;

/**
 * The one seam between {@code -dev tcp} process launch/supervision and the tcp data plane. {@link RankProcess} calls
 * {@link #open} when the program calls {@code MPI.Init}, and {@link #peerFailed} when the launcher reports a dead rank.
 * Nothing else in {@code launch} knows about the tcp device.
 */
public final class TcpDataPlane {
    /**
     * What a rank's data plane starts from.
     *
     * @param rank           this rank
     * @param size           number of ranks
     * @param token          the job's secret; peers must present it on every data connection
     * @param listener       this rank's bound (loopback) listener, whose address every peer has in {@code peers}
     * @param peers          every rank's data-plane address, indexed by rank (this rank's own included)
     * @param connectTimeout how long to keep trying to reach a peer
     * @param rejoin         whether a rank that dies comes back as a new process while the others run on
     *                       ({@link TcpConfig#rejoin()})
     * @param incarnation    0 for a rank started with its attempt; n for the n-th process of a rank restarted alone
     */
    public record Setup(int rank, int size, byte[] token, ServerSocketChannel listener, List<InetSocketAddress> peers,
            Duration connectTimeout, boolean rejoin, int incarnation) {
        public Setup {
            peers = List.copyOf(peers);
        }
    }

    private TcpDataPlane() {
    }

    /**
     * Builds this rank's endpoint over the tcp device; called once, from {@code MPI.Init}. Blocks until every peer is
     * connected (a rank's new incarnation: every peer that is up). Failures the device reports before the endpoint exists are replayed into it. In a job whose ranks
     * rejoin, the device reports no failures (a lost peer is down until it rejoins) but a message it took from a lost
     * peer and cannot receive whole, which goes to {@code payloadLost}. In other jobs a peer the device loses goes to
     * {@code unreachable} first, then fails the operations involving it.
     */
    static Endpoint open(Setup s, PeerFailureListener payloadLost, PeerFailureListener unreachable) {
        long window = TcpConfig.windowFor(s.size(), Runtime.getRuntime().maxMemory());
        Mailbox mailbox = new Mailbox(window); // its own window bounds what the rank sends itself
        if (s.incarnation() > 0) {
            // Restarting alone: until its policy says what it accepts, what the others send the new incarnation
            // before they learn of its restart is dropped (it comes again from their logs), as on shm.
            mailbox.restartReceiver(io.snapline.runtime.engine.ChannelHook.DROP_ALL);
        }
        JobState job = new JobState(s.size());
        job.bindThread(s.rank(), Thread.currentThread());
        AtomicReference<Endpoint> self = new AtomicReference<>();
        Queue<Object[]> early = new ConcurrentLinkedQueue<>();
        TcpConfig config = new TcpConfig(s.rank(), s.size(), s.token(), s.listener(), s.peers(), s.connectTimeout(),
                window, s.rejoin(), s.incarnation());
        PeerFailureListener lost = new PeerFailureListener() {
            @Override
            public void peerFailed(int rank, String reason) {
                Endpoint ep = self.get();
                if (ep == null) {
                    early.add(new Object[] {rank, reason});
                } else {
                    ep.peerFailed(rank, reason);
                }
            }

            @Override
            public void peerFailed(int rank, String reason, boolean peerGone) {
                if (peerGone) { // not a frame this rank could not take: a fault of its own is no news of the peer
                    unreachable.peerFailed(rank, reason); // the launcher hears of it before the failures it causes
                }
                peerFailed(rank, reason);
            }
        };
        TcpDevice device = TcpDevice.start(config, mailbox, s.rejoin() ? payloadLost : lost);
        Endpoint ep = new Endpoint(s.rank(), device, mailbox, job);
        self.set(ep);
        for (Object[] f; (f = early.poll()) != null;) {
            ep.peerFailed((Integer) f[0], (String) f[1]);
        }
        return ep;
    }

    /** Tells the engine that {@code rank} died (the launcher said so), so operations involving it fail. */
    static void peerFailed(Endpoint endpoint, int rank, String reason) {
        endpoint.peerFailed(rank, "rank " + rank + " died: " + reason);
    }
}
