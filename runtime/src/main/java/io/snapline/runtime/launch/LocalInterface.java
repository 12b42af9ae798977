package io.snapline.runtime.launch;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;

/**
 * Which of this host's addresses another host reaches it at: loopback for a peer on loopback, otherwise the address of
 * the interface the host's routes use towards the peer. Listeners bind to that one address, never to all interfaces.
 */
final class LocalInterface {
    /** Any port: a datagram socket that is only connected sends nothing. */
    private static final int DISCARD_PORT = 9;

    private LocalInterface() {
    }

    /**
     * This host's address towards {@code peer}.
     *
     * @throws IOException when no route leads to {@code peer}
     */
    static InetAddress towards(InetAddress peer) throws IOException {
        if (peer.isLoopbackAddress()) {
            return InetAddress.getLoopbackAddress();
        }
        try (DatagramSocket probe = new DatagramSocket()) {
            probe.connect(peer, DISCARD_PORT);
            InetAddress local = probe.getLocalAddress();
            if (local == null || local.isAnyLocalAddress()) {
                throw new IOException("no route from this host to " + peer.getHostAddress());
            }
            return local;
        }
    }
}
