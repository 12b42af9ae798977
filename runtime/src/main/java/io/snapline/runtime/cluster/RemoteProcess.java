package io.snapline.runtime.cluster;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A process an agent started for this client ({@link AgentServer}), seen as a {@link Process}: its standard output
 * and error arrive over the connection, {@link #waitFor()} returns its exit status, {@link #destroy()} and
 * {@link #destroyForcibly()} have the agent end it. Should the connection to the agent break, the process counts as
 * ended with status {@link #LOST} and {@link #lostReason()} says why (the agent kills a process whose client is gone).
 */
public final class RemoteProcess extends Process {
    /** The exit status of a process whose agent could no longer be reached. */
    public static final int LOST = 255;

    private final AgentWire wire;
    private final InetSocketAddress agent;
    /** The agent's host as messages name it, e.g. {@code node1 (10.0.0.1:40111)}. */
    private final String host;
    private final long pid;
    private final Stream out = new Stream();
    private final Stream err = new Stream();
    private final CountDownLatch exited = new CountDownLatch(1);
    private volatile int status;
    private volatile String lostReason;
    /** This client asked for the process's end: a connection that breaks afterwards says nothing of the host. */
    private volatile boolean killRequested;

    private RemoteProcess(AgentWire wire, InetSocketAddress agent, String host, long pid) {
        this.wire = wire;
        this.agent = agent;
        this.host = host;
        this.pid = pid;
    }

    /**
     * Asks the agent at {@code agent} to start {@code spec}, sending it the class path files it asks for (each
     * {@link LaunchSpec.ClassPathEntry} must be a key of {@code files}, its file here), and returns once the process
     * runs.
     *
     * @throws IOException when the agent cannot be reached, does not hold {@code secret}, or refuses (no free slot,
     *     the command cannot be started), with its reason
     */
    public static RemoteProcess start(InetSocketAddress agent, ClusterSecret secret, LaunchSpec spec,
            Map<String, java.nio.file.Path> files, Duration connectTimeout) throws IOException {
        return start(agent, "of agent " + agent.getHostString() + ":" + agent.getPort(), secret, spec, files,
                connectTimeout);
    }

    /** As {@link #start(InetSocketAddress, ClusterSecret, LaunchSpec, Map, Duration)}, naming the agent's host so. */
    public static RemoteProcess start(InetSocketAddress agent, String host, ClusterSecret secret, LaunchSpec spec,
            Map<String, java.nio.file.Path> files, Duration connectTimeout) throws IOException {
        Socket s = new Socket();
        try {
            int timeout = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
            s.connect(agent, timeout);
            s.setTcpNoDelay(true);
            s.setKeepAlive(true);
            s.setSoTimeout(timeout); // an agent that accepts and then says nothing does not hold the launcher forever
            DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
            DataOutputStream o = new DataOutputStream(new BufferedOutputStream(s.getOutputStream()));
            AgentWire wire = AgentWire.connectAsClient(in, o, s, secret);
            wire.send(AgentServer.START, spec.encode());
            while (true) {
                AgentWire.Frame f = wire.receive();
                switch (f.type()) {
                    case AgentServer.FETCH -> send(wire, f.text(), files, spec);
                    case AgentServer.FAILED -> throw new IOException(f.text());
                    case AgentServer.STARTED -> {
                        s.setSoTimeout(0); // the process may run for as long as it needs
                        RemoteProcess p = new RemoteProcess(wire, agent, host,
                                ByteBuffer.wrap(f.payload()).getLong());
                        Thread reader = new Thread(p::read, "snapline-remote-" + spec.job() + "-" + spec.rank());
                        reader.setDaemon(true);
                        reader.start();
                        return p;
                    }
                    default -> throw new AgentWire.Refused("unexpected frame '" + (char) f.type() + "' from agent "
                            + agent);
                }
            }
        } catch (IOException | RuntimeException e) {
            s.close();
            if (e instanceof IOException io && io.getMessage() != null && io.getMessage().startsWith("agent ")) {
                throw io;
            }
            String why = e instanceof java.net.SocketTimeoutException ? "no answer within " + connectTimeout.toMillis()
                    + " ms" : e instanceof java.io.EOFException ? "it closed the connection" : e.getMessage();
            throw new IOException("agent " + agent + ": " + why, e);
        }
    }

    private static void send(AgentWire wire, String sha256, Map<String, java.nio.file.Path> files, LaunchSpec spec)
            throws IOException {
        java.nio.file.Path file = files.get(sha256);
        if (file == null || spec.classPath().stream().noneMatch(e -> e.sha256().equals(sha256))) {
            throw new AgentWire.Refused("the agent asked for a file this launch does not have (" + sha256 + ")");
        }
        try (InputStream in = java.nio.file.Files.newInputStream(file)) {
            byte[] buf = new byte[AgentWire.MAX_PAYLOAD];
            for (int n; (n = in.readNBytes(buf, 0, buf.length)) > 0; ) {
                wire.send(AgentServer.DATA, java.util.Arrays.copyOf(buf, n));
            }
        }
        wire.send(AgentServer.DATA_END, new byte[0]);
    }

    /** The files of {@code entries} by their content address, for {@link #start}. */
    public static Map<String, java.nio.file.Path> filesOf(List<ClassPathBundle.Entry> entries) {
        Map<String, java.nio.file.Path> files = new HashMap<>();
        entries.forEach(e -> files.put(e.sha256(), e.file()));
        return files;
    }

    private void read() {
        try {
            while (true) {
                AgentWire.Frame f = wire.receive();
                switch (f.type()) {
                    case AgentServer.OUT -> out.add(f.payload());
                    case AgentServer.ERR -> err.add(f.payload());
                    case AgentServer.EXIT -> {
                        end(ByteBuffer.wrap(f.payload()).getInt(), null);
                        return;
                    }
                    default -> throw new AgentWire.Refused("unexpected frame '" + (char) f.type() + "'");
                }
            }
        } catch (IOException e) {
            end(LOST, killRequested ? null
                    : "host " + host + " lost: the connection to its agent broke (" + e.getMessage() + ")");
        } finally {
            wire.close();
        }
    }

    /**
     * The process counts as ended with status {@link #LOST} for {@code reason} (its agent left the cluster): the
     * connection is closed, and an agent still running kills the process as it does that of any client gone.
     */
    public void lose(String reason) {
        end(LOST, reason);
        wire.close();
    }

    private synchronized void end(int exitStatus, String reason) {
        if (exited.getCount() == 0) {
            return;
        }
        status = exitStatus;
        lostReason = reason;
        out.end();
        err.end();
        exited.countDown();
    }

    /** Why the process counts as ended without its agent reporting its status, or null. */
    public String lostReason() {
        return lostReason;
    }

    /** The agent the process runs on. */
    public InetSocketAddress agent() {
        return agent;
    }

    /** The process's id on its agent's host. */
    @Override
    public long pid() {
        return pid;
    }

    @Override
    public OutputStream getOutputStream() {
        return OutputStream.nullOutputStream();
    }

    @Override
    public InputStream getInputStream() {
        return out;
    }

    @Override
    public InputStream getErrorStream() {
        return err;
    }

    @Override
    public int waitFor() throws InterruptedException {
        exited.await();
        return status;
    }

    @Override
    public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
        return exited.await(timeout, unit);
    }

    @Override
    public int exitValue() {
        if (exited.getCount() != 0) {
            throw new IllegalThreadStateException("rank process on agent " + agent + " has not exited");
        }
        return status;
    }

    @Override
    public boolean isAlive() {
        return exited.getCount() != 0;
    }

    @Override
    public void destroy() {
        kill(false);
    }

    @Override
    public Process destroyForcibly() {
        kill(true);
        return this;
    }

    private void kill(boolean forcibly) {
        if (!isAlive()) {
            return;
        }
        killRequested = true;
        try {
            wire.send(AgentServer.KILL, new byte[] {(byte) (forcibly ? 1 : 0)});
        } catch (IOException e) {
            wire.close(); // the agent kills a process whose client went away
        }
    }

    /** Bytes arriving in frames, read as a stream; ends when the process has ended. */
    private static final class Stream extends InputStream {
        private static final byte[] END = new byte[0];
        private final LinkedBlockingQueue<byte[]> chunks = new LinkedBlockingQueue<>();
        private byte[] current = new byte[0];
        private int at;
        private boolean ended;

        void add(byte[] chunk) {
            chunks.add(chunk);
        }

        void end() {
            chunks.add(END);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (at == current.length) {
                if (ended) {
                    return -1;
                }
                try {
                    current = chunks.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while reading a remote process's output");
                }
                at = 0;
                if (current == END) {
                    ended = true;
                    current = new byte[0];
                }
            }
            int n = Math.min(len, current.length - at);
            System.arraycopy(current, at, b, off, n);
            at += n;
            return n;
        }

        @Override
        public synchronized int available() {
            return current.length - at;
        }
    }
}
