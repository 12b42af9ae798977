package io.snapline.runtime.device.tcp;

import io.snapline.runtime.engine.Communicator;
import io.snapline.runtime.engine.Endpoint;
import io.snapline.runtime.engine.JobState;
import io.snapline.runtime.engine.Mailbox;
import io.snapline.runtime.serial.KryoObjectCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * N ranks of one job in one JVM, each with its own {@link TcpDevice} connected to the others over loopback and the
 * engine on top, as if every rank were its own process. Rank programs run on one thread per rank.
 */
final class TcpCluster implements AutoCloseable {
    static final byte[] TOKEN = "job-token-for-tests".getBytes(StandardCharsets.UTF_8);

    final TcpDevice[] devices;
    final Endpoint[] endpoints;
    final Mailbox[] mailboxes;
    final List<String>[] failures;
    /** Per rank, in a cluster whose ranks rejoin: what its device reported as taken but cut off by a lost peer. */
    final List<String>[] lost;
    /** Every rank's listening address, its latest device's. */
    private final List<InetSocketAddress> peers = new ArrayList<>();
    private final int[] incarnation;

    /** A rank program: gets its world communicator. */
    interface Program {
        void run(Communicator world) throws Exception;
    }

    @SuppressWarnings("unchecked")
    private TcpCluster(int n) {
        devices = new TcpDevice[n];
        endpoints = new Endpoint[n];
        mailboxes = new Mailbox[n];
        failures = new List[n];
        lost = new List[n];
        incarnation = new int[n];
    }

    static TcpCluster start(int n) {
        return start(n, TcpConfig.DEFAULT_EAGER_WINDOW);
    }

    static TcpCluster start(int n, long eagerWindow) {
        return start(n, eagerWindow, false);
    }

    /**
     * N ranks whose peers may rejoin ({@link TcpConfig#rejoin()}): a rank whose device was terminated comes back
     * with {@link #rejoin}.
     */
    static TcpCluster startRejoining(int n) {
        return start(n, TcpConfig.DEFAULT_EAGER_WINDOW, true);
    }

    private static TcpCluster start(int n, long eagerWindow, boolean rejoin) {
        TcpCluster c = new TcpCluster(n);
        ServerSocketChannel[] listeners = listeners(n);
        List<InetSocketAddress> peers = addresses(listeners);
        c.peers.addAll(peers);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<TcpDevice>> started = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                int rank = r;
                Mailbox mailbox = new Mailbox();
                List<String> failed = java.util.Collections.synchronizedList(new ArrayList<>());
                c.mailboxes[r] = mailbox;
                c.failures[r] = failed;
                c.lost[r] = java.util.Collections.synchronizedList(new ArrayList<>());
                TcpConfig config = new TcpConfig(rank, n, TOKEN, listeners[r], peers, Duration.ofSeconds(10),
                        eagerWindow, rejoin, 0);
                started.add(pool.submit(() -> TcpDevice.start(config, mailbox, c.listener(rank, mailbox))));
            }
            for (int r = 0; r < n; r++) {
                c.devices[r] = started.get(r).get(20, TimeUnit.SECONDS);
                c.endpoints[r] = new Endpoint(r, c.devices[r], c.mailboxes[r], new JobState(n));
                c.endpoints[r].setCodec(new KryoObjectCodec(TcpCluster.class.getClassLoader()));
            }
            return c;
        } catch (Exception e) {
            throw new AssertionError("could not start " + n + " tcp ranks: " + e, e);
        } finally {
            pool.shutdownNow();
        }
    }

    /** What rank {@code rank}'s device reports goes to {@link #failures} (and fails its receives) or {@link #lost}. */
    private io.snapline.runtime.device.PeerFailureListener listener(int rank, Mailbox mailbox) {
        List<String> failed = failures[rank];
        List<String> cut = lost[rank];
        return new io.snapline.runtime.device.PeerFailureListener() {
            @Override
            public void peerFailed(int peer, String why) {
                failed.add(peer + ": " + why);
                mailbox.peerFailed(peer, why);
            }

            @Override
            public void payloadLost(int peer, String why) {
                cut.add(peer + ": " + why);
            }
        };
    }

    /**
     * Starts the next incarnation of rank {@code rank}, whose device was terminated: a new device with a new
     * mailbox and endpoint, which connects to every other rank but those in {@code restarting} (dead, and not back
     * yet: port 0 in its table, as the launcher gives it), blocking until it has.
     */
    void rejoin(int rank, int... restarting) {
        ServerSocketChannel listener = listeners(1)[0];
        int n = devices.length;
        peers.set(rank, addresses(new ServerSocketChannel[] {listener}).get(0));
        List<InetSocketAddress> table = new ArrayList<>(peers);
        for (int r : restarting) {
            table.set(r, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        }
        Mailbox mailbox = new Mailbox();
        mailboxes[rank] = mailbox;
        failures[rank] = java.util.Collections.synchronizedList(new ArrayList<>());
        lost[rank] = java.util.Collections.synchronizedList(new ArrayList<>());
        TcpConfig config = new TcpConfig(rank, n, TOKEN, listener, table, Duration.ofSeconds(10),
                TcpConfig.DEFAULT_EAGER_WINDOW, true, ++incarnation[rank]);
        devices[rank] = TcpDevice.start(config, mailbox, listener(rank, mailbox));
        endpoints[rank] = new Endpoint(rank, devices[rank], mailbox, new JobState(n));
        endpoints[rank].setCodec(new KryoObjectCodec(TcpCluster.class.getClassLoader()));
    }

    static ServerSocketChannel[] listeners(int n) {
        ServerSocketChannel[] listeners = new ServerSocketChannel[n];
        try {
            for (int r = 0; r < n; r++) {
                listeners[r] = ServerSocketChannel.open();
                listeners[r].bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return listeners;
    }

    static List<InetSocketAddress> addresses(ServerSocketChannel[] listeners) {
        List<InetSocketAddress> peers = new ArrayList<>();
        try {
            for (ServerSocketChannel l : listeners) {
                peers.add((InetSocketAddress) l.getLocalAddress());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return peers;
    }

    Communicator world(int rank) {
        return Communicator.world(endpoints[rank]);
    }

    /** Runs one program per rank, each on its own thread, and rethrows the first failure. */
    void run(Program... programs) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(programs.length);
        try {
            List<Future<Object>> done = new ArrayList<>();
            for (int r = 0; r < programs.length; r++) {
                Program p = programs[r];
                Communicator world = world(r);
                done.add(pool.submit((Callable<Object>) () -> {
                    p.run(world);
                    return null;
                }));
            }
            for (Future<Object> f : done) {
                try {
                    f.get(60, TimeUnit.SECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    Throwable cause = e.getCause();
                    if (cause instanceof Exception) {
                        throw (Exception) cause;
                    }
                    throw (Error) cause;
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /** Kills rank {@code rank}'s device, as if its process died, {@code millis} from now on a thread of its own. */
    Thread terminateLater(int rank, long millis) {
        Thread killer = new Thread(() -> {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                return;
            }
            devices[rank].terminate();
        });
        killer.start();
        return killer;
    }

    /** Waits up to 10 s for {@code condition}, polling; fails naming {@code what}. */
    static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(5);
        }
    }

    /** Runs the same program on every rank. */
    void runAll(Program program) throws Exception {
        Program[] ps = new Program[devices.length];
        java.util.Arrays.fill(ps, program);
        run(ps);
    }

    @Override
    public void close() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(devices.length);
        try {
            List<Future<?>> closed = new ArrayList<>();
            for (TcpDevice d : devices) {
                if (d != null) {
                    closed.add(pool.submit(d::close));
                }
            }
            for (Future<?> f : closed) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
