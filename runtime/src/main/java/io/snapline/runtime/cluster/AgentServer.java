package io.snapline.runtime.cluster;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The part of an agent that starts processes for clients: it listens on its address, lets in only clients that hold
 * the cluster's secret ({@link AgentWire}), and for each launch request ({@link LaunchSpec}) fetches the class path
 * files it does not have yet (checking each against its SHA-256), starts the process in a free slot, streams its
 * standard output and error back, and reports its exit status. The process lives as long as the connection: a client
 * that asks, or that goes away, has it killed.
 *
 * <p>Frames: the client sends {@link #START} (a {@link LaunchSpec}), {@link #DATA} and {@link #DATA_END} (class path
 * files the agent asked for with {@link #FETCH}) and {@link #KILL}; the agent sends {@link #FETCH},
 * {@link #STARTED} (the process id), {@link #OUT}, {@link #ERR}, {@link #EXIT} (the status) and {@link #FAILED}
 * (why it started nothing).
 */
public final class AgentServer implements AutoCloseable {
    static final byte START = 'S';
    static final byte FETCH = 'F';
    static final byte DATA = 'D';
    static final byte DATA_END = 'E';
    static final byte STARTED = 'P';
    static final byte OUT = 'O';
    static final byte ERR = 'R';
    static final byte EXIT = 'X';
    static final byte FAILED = 'Z';
    static final byte KILL = 'K';

    private final ClusterSecret secret;
    private final Path cache;
    private final int slots;
    private final Semaphore free;
    private final ServerSocket server;
    private final PrintStream log;
    private final Thread acceptor;
    /** How long a new connection may take to prove it holds the secret. */
    static final int HANDSHAKE_MILLIS = 10_000;
    /** The most connections that may be proving themselves at once; more are closed at once. */
    static final int MAX_HANDSHAKES = 64;
    private final Semaphore handshakes = new Semaphore(MAX_HANDSHAKES);
    private final int handshakeMillis;
    /** The processes running now, killed with the agent. */
    private final java.util.Set<Process> running = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final AtomicInteger launched = new AtomicInteger();
    private final AtomicInteger fetched = new AtomicInteger();
    private volatile boolean closed;
    /** What the processes started here are told about the cluster (null until the agent's member runs). */
    private volatile AgentEnvironment clusterEnvironment;

    /**
     * Listens on {@code bind} (port 0: any free port) for clients holding {@code secret}, runs at most {@code slots}
     * processes at a time, keeps class path files in {@code cache}, and says what it does on {@code log}.
     */
    public AgentServer(InetSocketAddress bind, ClusterSecret secret, int slots, Path cache, PrintStream log)
            throws IOException {
        this(bind, secret, slots, cache, log, HANDSHAKE_MILLIS);
    }

    /** As above, a new connection given {@code handshakeMillis} to prove it holds the secret. */
    AgentServer(InetSocketAddress bind, ClusterSecret secret, int slots, Path cache, PrintStream log,
            int handshakeMillis) throws IOException {
        this.handshakeMillis = handshakeMillis;
        if (slots < 1) {
            throw new IllegalArgumentException("an agent needs at least 1 slot, got " + slots);
        }
        this.secret = secret;
        this.cache = Files.createDirectories(cache);
        this.slots = slots;
        this.free = new Semaphore(slots);
        this.log = log;
        server = new ServerSocket();
        server.bind(bind);
        acceptor = new Thread(this::acceptLoop, "snapline-agent-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Tells every process started from now on how to reach the cluster, through this agent's member. */
    void tellProcesses(AgentEnvironment environment) {
        clusterEnvironment = environment;
    }

    /** Where clients reach this agent. */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    public int slots() {
        return slots;
    }

    /** Slots free now. */
    public int freeSlots() {
        return free.availablePermits();
    }

    /** Processes started so far. */
    public int launched() {
        return launched.get();
    }

    /** Class path files fetched from clients so far (the others were in the cache). */
    public int fetched() {
        return fetched.get();
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                if (!handshakes.tryAcquire()) {
                    s.close(); // too many connections that have not proven anything yet
                    continue;
                }
                Thread t = new Thread(() -> serve(s), "snapline-agent-" + s.getRemoteSocketAddress());
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!closed) {
                    log.println("snapline agent: accepting a connection failed: " + e.getMessage());
                }
            }
        }
    }

    private void serve(Socket s) {
        String who = String.valueOf(s.getRemoteSocketAddress());
        boolean proving = true;
        try (s) {
            s.setTcpNoDelay(true);
            s.setKeepAlive(true); // a client host that vanished without closing ends its ranks too, eventually
            s.setSoTimeout(handshakeMillis);
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
            AgentWire wire = AgentWire.acceptAsAgent(in, out, s, secret);
            AgentWire.Frame first = wire.receive();
            handshakes.release();
            proving = false;
            if (first.type() != START) {
                throw new AgentWire.Refused("expected a launch request, got frame '" + (char) first.type() + "'");
            }
            LaunchSpec spec = LaunchSpec.decode(first.payload());
            if (!free.tryAcquire()) {
                wire.send(FAILED, text("agent " + address() + " has no free slot (" + slots + " in use)"));
                return;
            }
            java.util.concurrent.atomic.AtomicBoolean held = new java.util.concurrent.atomic.AtomicBoolean(true);
            Runnable release = () -> {
                if (held.compareAndSet(true, false)) {
                    free.release();
                }
            };
            try {
                run(wire, spec, s, release);
            } finally {
                release.run();
            }
        } catch (java.net.SocketTimeoutException e) {
            log.println("snapline agent: refused " + who + ": it did not prove it holds the secret within "
                    + handshakeMillis + " ms");
        } catch (AgentWire.Refused e) {
            log.println("snapline agent: refused " + who + ": " + e.getMessage());
        } catch (EOFException e) {
            // the client went away before it asked for anything
        } catch (IOException e) {
            if (!closed) {
                log.println("snapline agent: connection from " + who + " failed: " + e.getMessage());
            }
        } finally {
            if (proving) {
                handshakes.release();
            }
        }
    }

    /**
     * Runs {@code spec}'s process for the client on {@code wire}; its slot is given back ({@code release}) before its
     * exit is reported, so that a client may start the rank's next process as soon as it hears of the last one's end.
     */
    private void run(AgentWire wire, LaunchSpec spec, Socket socket, Runnable release) throws IOException {
        List<String> files = new ArrayList<>();
        for (LaunchSpec.ClassPathEntry e : spec.classPath()) {
            try {
                files.add(cached(wire, e).toString());
            } catch (AgentWire.Refused bad) {
                wire.send(FAILED, text("agent " + address() + " refused the class path: " + bad.getMessage()));
                throw bad;
            }
        }
        socket.setSoTimeout(0); // from now on the connection lives as long as the process
        List<String> command = new ArrayList<>();
        for (String c : spec.command()) {
            command.add(c.equals(LaunchSpec.JAVA) ? java()
                    : c.replace(LaunchSpec.CLASS_PATH, String.join(java.io.File.pathSeparator, files)));
        }
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().putAll(spec.env());
            AgentEnvironment cluster = clusterEnvironment;
            if (cluster != null) { // after the client's: a client cannot name another cluster
                pb.environment().putAll(cluster.variables(spec.env()));
            }
            pb.environment().put(AgentEnvironment.DIRECTORY_ENV, cache.toAbsolutePath().toString());
            p = pb.start();
        } catch (IOException e) {
            wire.send(FAILED, text("agent " + address() + " cannot start rank " + spec.rank() + " of job "
                    + spec.job() + ": " + e.getMessage()));
            return;
        }
        launched.incrementAndGet();
        running.add(p);
        if (closed) { // the agent stopped while it was starting
            killWithDescendants(p);
        }
        p.getOutputStream().close();
        wire.send(STARTED, ByteBuffer.allocate(8).putLong(0, p.pid()).array());
        Thread outPump = pump(p.getInputStream(), wire, OUT, spec);
        Thread errPump = pump(p.getErrorStream(), wire, ERR, spec);
        Thread orders = new Thread(() -> obey(wire, p), "snapline-agent-orders-" + spec.rank());
        orders.setDaemon(true);
        orders.start();
        try {
            int status = p.waitFor();
            outPump.join();
            errPump.join();
            running.remove(p);
            release.run();
            try {
                wire.send(EXIT, ByteBuffer.allocate(4).putInt(0, status).array());
            } catch (IOException e) {
                // the client went away (and had the process killed): nobody to tell
            }
        } catch (InterruptedException e) {
            killWithDescendants(p);
            Thread.currentThread().interrupt();
        } finally {
            running.remove(p);
        }
    }

    /** Kills {@code p} and every process it started: a rank must not outlive the agent that ran it. */
    private static void killWithDescendants(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    /** Carries out the client's kill requests; the connection's end kills the process too. */
    private static void obey(AgentWire wire, Process p) {
        try {
            while (true) {
                AgentWire.Frame f = wire.receive();
                if (f.type() == KILL) {
                    if (f.payload().length > 0 && f.payload()[0] != 0) {
                        p.destroyForcibly();
                    } else {
                        p.destroy();
                    }
                }
            }
        } catch (IOException e) {
            p.destroyForcibly(); // the client is gone (or sent something it should not have): the rank goes with it
        }
    }

    private static Thread pump(InputStream from, AgentWire wire, byte type, LaunchSpec spec) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[64 * 1024];
            try (from) {
                for (int n; (n = from.read(buf)) > 0; ) {
                    wire.send(type, java.util.Arrays.copyOf(buf, n));
                }
            } catch (IOException e) {
                // the process or the connection ended: what was read went out
            }
        }, "snapline-agent-" + (type == OUT ? "out-" : "err-") + spec.rank());
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The class path file {@code e} in the cache, fetched from the client first if it is not there. */
    private Path cached(AgentWire wire, LaunchSpec.ClassPathEntry e) throws IOException {
        Path file = cache.resolve(e.sha256() + ".jar");
        if (Files.isRegularFile(file) && Files.size(file) == e.size()) {
            return file;
        }
        wire.send(FETCH, text(e.sha256()));
        Path part = Files.createTempFile(cache, e.sha256(), ".part");
        try {
            MessageDigest d = ClassPathBundle.digest();
            long size = 0;
            try (OutputStream out = Files.newOutputStream(part)) {
                while (true) {
                    AgentWire.Frame f = wire.receive();
                    if (f.type() == DATA_END) {
                        break;
                    }
                    if (f.type() != DATA) {
                        throw new AgentWire.Refused("expected the bytes of " + e.name() + ", got frame '"
                                + (char) f.type() + "'");
                    }
                    out.write(f.payload());
                    d.update(f.payload());
                    size += f.payload().length;
                }
            }
            String got = HexFormat.of().formatHex(d.digest());
            if (size != e.size() || !got.equals(e.sha256())) {
                throw new AgentWire.Refused("the client sent " + size + " bytes with SHA-256 " + got + " for "
                        + e.name() + ", announced as " + e.size() + " bytes with " + e.sha256());
            }
            Files.move(part, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            fetched.incrementAndGet();
            return file;
        } finally {
            Files.deleteIfExists(part);
        }
    }

    private static String java() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    static byte[] text(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Stops accepting clients and kills the processes it runs (their clients see them end). */
    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Process p : running) {
            killWithDescendants(p);
        }
    }
}
