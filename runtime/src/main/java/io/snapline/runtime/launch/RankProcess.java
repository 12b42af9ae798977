package io.snapline.runtime.launch;

import io.snapline.runtime.checkpoint.Policies;
import io.snapline.runtime.checkpoint.RankAgent;
import io.snapline.runtime.checkpoint.RankLink;
import io.snapline.runtime.checkpoint.RankSetup;
import io.snapline.runtime.checkpoint.store.FileCheckpointStore;
import io.snapline.runtime.checkpoint.store.CheckpointStore;
import io.snapline.runtime.checkpoint.store.ClusterStore;
import io.snapline.runtime.checkpoint.store.ClusterStoreUri;
import io.snapline.runtime.device.tcp.TcpDevice;
import io.snapline.runtime.engine.DeadlockDetector;
import io.snapline.runtime.engine.Endpoint;
import io.snapline.runtime.engine.JobState;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.function.Supplier;

/**
 * The main class of every rank JVM that {@code snaprun -dev tcp} starts ({@link TcpJob}). It binds the rank's
 * data-plane listener (any port, on the interface that reaches the launcher: loopback for a job on one host), joins
 * the job over the control channel ({@link RankControl}), waits for the table of every rank's address, then runs the
 * program's {@code main} with MPJ Express's arguments ({@code rank, size, "tcp"} before the program's own) and reports
 * how it ended: returned, threw (the report names the rank and has the stack trace) or called {@code Abort}.
 *
 * <p>The data plane is built when the program calls {@code MPI.Init}, through {@link TcpDataPlane#open}, the one seam
 * to the tcp device. Deaths the launcher reports are handed to it through {@link TcpDataPlane#peerFailed}.
 *
 * <p>Checkpointing: the launcher's {@link ControlMessage.CheckpointSetup} names the policy, which this process loads
 * from its own class path, the store directory, which it opens only to write and read its own pieces (committing,
 * recovery and retention stay with the launcher), the checkpoint to restore and the failures to inject. The rank's
 * {@link RankAgent} reaches the launcher's coordinator over the control channel ({@link ControlLink}).
 *
 * <p>Arguments: {@code controlHost controlPort rank size failureTimeoutMillis mainClass [programArgs...]}; the job's
 * token comes in the environment variable {@value #TOKEN_ENV} (base64), never on the command line.
 */
public final class RankProcess {
    /** The environment variable that carries the job's token to each rank process. */
    public static final String TOKEN_ENV = "SNAPLINE_JOB_TOKEN";
    /** How long a rank waits for the others to start and join before giving up. */
    static final Duration STARTUP_TIMEOUT = TcpJob.STARTUP_TIMEOUT;
    /** A rank that has begun to exit is halted after this long (a shutdown hook of the program that hangs). */
    private static final long EXIT_WATCHDOG_MILLIS = 5_000;

    /** Bytes written to this process's stdout through {@link #STDOUT}, for the rank's output marks. */
    private static final java.util.concurrent.atomic.AtomicLong STDOUT_BYTES = new java.util.concurrent.atomic.AtomicLong();
    /** The program's {@code System.out}: the process's stdout, counted. */
    private static final java.io.PrintStream STDOUT = new java.io.PrintStream(new java.io.BufferedOutputStream(
            new java.io.FilterOutputStream(new java.io.FileOutputStream(java.io.FileDescriptor.out)) {
                @Override
                public void write(int b) throws IOException {
                    out.write(b);
                    STDOUT_BYTES.incrementAndGet();
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                    STDOUT_BYTES.addAndGet(len);
                }
            }, 8192), true, java.nio.charset.Charset.defaultCharset());

    private final RankControl control;
    private final TcpDataPlane.Setup setup;
    private final Thread mainThread = Thread.currentThread();
    /** Set once by {@link #context()}; read without its lock by the control thread, which must never block on it. */
    private volatile Endpoint endpoint;
    private RankContext context;
    private RuntimeException openFailure;
    private volatile String stopReason;
    private volatile boolean stopping;

    private RankProcess(RankControl control, TcpDataPlane.Setup setup) {
        this.control = control;
        this.setup = setup;
    }

    public static void main(String[] args) {
        System.setOut(STDOUT);
        if (args.length < 6) {
            fatal("RankProcess is started by snaprun -dev tcp (arguments: controlHost controlPort rank size "
                    + "failureTimeoutMillis mainClass [args...]), got " + Arrays.toString(args));
        }
        String token64 = System.getenv(TOKEN_ENV);
        if (token64 == null || token64.isEmpty()) {
            fatal("RankProcess is started by snaprun -dev tcp, which hands it the job's token in " + TOKEN_ENV);
        }
        int rank = Integer.parseInt(args[2]);
        int size = Integer.parseInt(args[3]);
        if (Boolean.getBoolean(Verbose.PROPERTY)) {
            Verbose.on(System.err, "snapline rank " + rank + ": "); // for the life of the process
        }
        Duration failureTimeout = Duration.ofMillis(Long.parseLong(args[4]));
        byte[] token = Base64.getDecoder().decode(token64);
        InetSocketAddress launcher = new InetSocketAddress(args[0], Integer.parseInt(args[1]));
        RankProcess self;
        try {
            // The interface that reaches the launcher reaches the other ranks: loopback for a job on one host.
            ServerSocketChannel data = ServerSocketChannel.open()
                    .bind(new InetSocketAddress(LocalInterface.towards(launcher.getAddress()), 0), size);
            RankControl control = RankControl.connect(launcher, token, rank, size,
                    (InetSocketAddress) data.getLocalAddress(), failureTimeout);
            List<InetSocketAddress> peers = control.awaitTable(STARTUP_TIMEOUT);
            ControlMessage.CheckpointSetup c = control.checkpointSetup(); // it precedes the table
            boolean rejoin = c != null && c.restartsAlone();
            self = new RankProcess(control, new TcpDataPlane.Setup(rank, size, token, data, peers, STARTUP_TIMEOUT,
                    rejoin, c == null ? 0 : c.incarnation()));
        } catch (IOException e) {
            fatal("rank " + rank + " cannot join the job at " + launcher + ": " + e.getMessage());
            return;
        }
        self.run(args[5], Arrays.copyOfRange(args, 6, args.length));
    }

    private void run(String mainClass, String[] programArgs) {
        RankRegistry.bindProcess(this::context);
        control.onStop(this::stop);
        control.addPeerDeathListener(this::peerDied);
        Thread.setDefaultUncaughtExceptionHandler(this::uncaught);
        String[] argv = new String[programArgs.length + 3];
        argv[0] = Integer.toString(setup.rank());
        argv[1] = Integer.toString(setup.size());
        argv[2] = "tcp";
        System.arraycopy(programArgs, 0, argv, 3, programArgs.length);
        exit(runMain(mainClass, argv));
    }

    private int runMain(String mainClass, String[] argv) {
        try {
            Method m = Class.forName(mainClass, true, ClassLoader.getSystemClassLoader())
                    .getMethod("main", String[].class);
            m.invoke(null, (Object) argv);
            control.finished();
            return 0;
        } catch (InvocationTargetException e) {
            return ended(e.getCause());
        } catch (ClassNotFoundException e) {
            return ended(new IllegalArgumentException("main class " + mainClass + " was not found on the class path", e));
        } catch (NoSuchMethodException e) {
            return ended(new IllegalArgumentException(mainClass + " has no public static void main(String[])", e));
        } catch (ReflectiveOperationException | RuntimeException | Error e) {
            return ended(e);
        }
    }

    /** Reports how the program ended with {@code t} and returns the process's exit status. */
    private int ended(Throwable t) {
        if (t instanceof RankAbortError) {
            int code = abortCode();
            control.aborted(code);
            return JobResult.exitStatusOf(code);
        }
        if (!stopping) {
            String report = FailureReport.describe(setup.rank(), t);
            if (t instanceof Error) {
                control.crashed(report);
            } else {
                control.failed(report);
            }
        }
        return 1;
    }

    private int abortCode() {
        Integer c = control.abortCode();
        if (c != null) {
            return c;
        }
        synchronized (this) {
            if (endpoint != null && endpoint.job().abortRank() == setup.rank()) {
                return endpoint.job().abortCode();
            }
        }
        return 1;
    }

    /** The rank's context for {@code MPI.Init}: the data plane is opened on the first call. */
    private synchronized RankContext context() {
        if (openFailure != null) {
            throw openFailure;
        }
        if (context != null) {
            return context;
        }
        if (endpoint == null) {
            try {
                endpoint = TcpDataPlane.open(setup, this::payloadLost, control::peerUnreachable);
            } catch (RuntimeException e) {
                openFailure = e;
                throw e;
            }
            control.deadRanks().forEach((r, why) -> TcpDataPlane.peerFailed(endpoint, r, why));
            control.reportProgress(progressOf(endpoint, setup.rank()));
            if (stopping) {
                endpoint.job().abort(-1, 1, stopReason);
            }
        }
        ClassLoader loader = ClassLoader.getSystemClassLoader();
        RankAgent agent;
        try {
            agent = new RankAgent(endpoint, loader, checkpointSetup(loader));
        } catch (RuntimeException e) {
            openFailure = e;
            throw e;
        }
        control.onPolicyMessage(agent::onControl);
        context = new RankContext(endpoint, "tcp", 3, loader, agent);
        return context;
    }

    /** The rank's waits and traffic as its heartbeat reports them (for the launcher's deadlock detection). */
    private static Supplier<ControlMessage.Progress> progressOf(Endpoint endpoint, int rank) {
        TcpDevice device = (TcpDevice) endpoint.device();
        return () -> {
            JobState.Blocked b = endpoint.job().snapshotBlocked()[rank];
            boolean waiting = b != null && b != JobState.FINISHED;
            return new ControlMessage.Progress(waiting ? b.epoch() : 0, device.bytesRead(),
                    waiting ? DeadlockDetector.describeWait(b.what()) : "");
        };
    }

    /** The rank's checkpoint setup from what snaprun said; no checkpointing when it said nothing. */
    private RankSetup checkpointSetup(ClassLoader loader) {
        ControlMessage.CheckpointSetup c = control.checkpointSetup();
        if (c == null) {
            return RankSetup.none();
        }
        // Only to write and read this rank's own pieces: the store's lock is the launcher's, never taken or broken
        // here.
        CheckpointStore store = c.storeDirectory() == null ? null
                : !ClusterStoreUri.isClusterStore(c.storeDirectory())
                        ? new FileCheckpointStore(Path.of(c.storeDirectory()), c.fingerprint(),
                                c.settings().incremental())
                        : ClusterStoreUri.parse(c.storeDirectory()).tiered()
                                ? HostCopies.open(ClusterStoreUri.parse(c.storeDirectory()), c.fingerprint(),
                                        setup.rank(), c.settings().retain(), control)
                                : ClusterStore.fromAgent(ClusterStoreUri.parse(c.storeDirectory()), c.fingerprint())
                                        .store();
        return new RankSetup(Policies.byName(c.settings().policy(), loader), c.settings(), store, c.restoreFrom(),
                new ControlLink(control, c.restartsAlone()), c.killAtPoint(), c.killDuringWriteOf(), c.firstCheckpointId(),
                c.incarnation());
    }

    /** Bytes the program has written to stdout, all of them handed to the pipe. */
    private static long stdoutBytes() {
        STDOUT.flush();
        return STDOUT_BYTES.get();
    }

    /** The rank's way to its supervisor: control-channel messages to {@code snaprun}. */
    private record ControlLink(RankControl control, boolean rejoin) implements RankLink {
        @Override
        public void toCoordinator(byte[] message) {
            control.toCoordinator(message);
        }

        @Override
        public void restored(long id, long point, long nanos) {
            control.restored(id, point, nanos);
        }

        @Override
        public void finished() {
            control.finalizing();
        }

        @Override
        public void written(io.snapline.runtime.checkpoint.PieceWritten written) {
            control.written(written);
        }

        @Override
        public void deferred(io.snapline.runtime.checkpoint.CheckpointDeferred deferred) {
            control.deferred(deferred);
        }

        @Override
        public void captured(long id) {
            control.outputMark(id, stdoutBytes());
        }

        @Override
        public void resumed() {
            control.outputMark(ControlMessage.OutputMark.RESUMED, stdoutBytes());
        }

        @Override
        public void requestKill(boolean atSafePoint, String reason) {
            control.requestKill(atSafePoint, reason);
        }

        @Override
        public void ready() {
            control.ready();
        }

        @Override
        public void cannotRestartAlone(String why) {
            control.cannotRestartAlone(why);
        }

        @Override
        public void leaving() {
            if (rejoin) { // held until every rank has passed the barrier: one that dies in it restarts alone
                control.leaving();
            }
        }
    }

    /**
     * In a job whose ranks restart alone: a peer died while this rank had taken a message from it that had not arrived
     * whole. Its new incarnation will not send it again (this rank counts it received), so this rank cannot go on
     * exactly: it ends as a crash, and restarts alone from its own checkpoint as well, getting the message again from
     * the peer's log. Runs on a thread of the device (or one driving a connection, or matching a receive).
     */
    private void payloadLost(int peer, String reason) {
        stopping = true; // the program's own failure, when the receive fails, is no news
        System.out.flush();
        System.err.println("snapline: rank " + setup.rank() + " restarts too: " + reason);
        System.err.flush();
        control.crashed("rank " + setup.rank() + " cannot go on exactly: " + reason
                + "; it restarts from its own checkpoint and gets that message again from rank " + peer + "'s log");
        Runtime.getRuntime().halt(1);
    }

    /**
     * Runs on the control thread, so it must not wait for {@link #context()}, which may be blocked connecting to the
     * very peer that died: a death reported before the endpoint exists is replayed into it there.
     */
    private void peerDied(int rank, String reason) {
        Endpoint ep = endpoint;
        if (ep != null) {
            TcpDataPlane.peerFailed(ep, rank, reason);
        }
    }

    /** The job was aborted elsewhere: wake the rank's waits and interrupt its main thread so it unwinds. */
    private void stop(String reason) {
        stopReason = reason;
        stopping = true;
        Endpoint ep = endpoint;
        if (ep != null) {
            ep.job().abort(-1, 1, reason);
        }
        mainThread.interrupt();
    }

    private void uncaught(Thread thread, Throwable t) {
        if (t instanceof RankAbortError) {
            control.aborted(abortCode());
            exit(JobResult.exitStatusOf(abortCode()));
        }
        System.err.print("Exception in thread \"" + thread.getName() + "\" ");
        t.printStackTrace();
    }

    private void exit(int status) {
        System.out.flush();
        System.err.flush();
        control.ending(status);
        Thread watchdog = RankControl.daemon(() -> {
            try {
                Thread.sleep(EXIT_WATCHDOG_MILLIS);
            } catch (InterruptedException ignored) {
                // halt anyway
            }
            Runtime.getRuntime().halt(status);
        }, "snapline-exit-watchdog");
        watchdog.start();
        System.exit(status);
    }

    private static void fatal(String message) {
        System.err.println("snapline: " + message);
        System.exit(RankControl.ORPHANED_STATUS);
    }
}
