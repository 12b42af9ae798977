package io.snapline.runtime.launch;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A rank process's end of the {@code -dev tcp} control channel to {@code snaprun}: it says hello with the job's token,
 * receives the table of every rank's data-plane address, reports how the rank ended, and keeps both sides sure the
 * other is alive. When {@code snaprun} goes away (the connection closes, or it stays silent for the failure timeout)
 * the process halts at once, so a killed launcher leaves no rank behind.
 *
 * <p>Programs may use {@link #current()} to learn about dead peers or to abort the job before the data plane exists;
 * {@code MPI.COMM_WORLD.Abort} ends up here too.
 */
public final class RankControl {
    /** Told when the launcher reports that a peer rank died. */
    public interface PeerDeathListener {
        void rankDied(int rank, String reason);
    }

    /** Exit status of a rank process that lost its launcher. */
    static final int ORPHANED_STATUS = 125;

    private static volatile RankControl current;

    private final ControlChannel channel;
    private final int rank;
    private final int size;
    private final CompletableFuture<List<InetSocketAddress>> table = new CompletableFuture<>();
    /** Completed when snaprun lets the rank leave after the final barrier, or stops the job. */
    private final CompletableFuture<Void> leave = new CompletableFuture<>();
    private final FailureDetector launcherWatch;
    private final ScheduledExecutorService heartbeat;
    private final Map<Integer, String> dead = new LinkedHashMap<>();
    private final List<PeerDeathListener> listeners = new CopyOnWriteArrayList<>();
    private volatile Consumer<String> onStop = reason -> { };
    /** Where coordinator messages go; null until the rank's checkpoint runtime exists (they wait in {@link #early}). */
    private Consumer<byte[]> onPolicy;
    private final List<byte[]> early = new java.util.ArrayList<>();
    private volatile ControlMessage.CheckpointSetup checkpointSetup;
    /** Why the launcher said stop, or null; kept for an action set after the message came. */
    private volatile String stopReason;
    private volatile Integer abortCode;
    /** The exit status once the rank has reported its end; null while it runs. */
    private volatile Integer ending;
    /** What the heartbeat reports once the data plane is open (deadlock detection); null before. */
    private volatile Supplier<ControlMessage.Progress> progress;

    private RankControl(ControlChannel channel, int rank, int size, Duration failureTimeout) {
        this.channel = channel;
        this.rank = rank;
        this.size = size;
        this.launcherWatch = new FailureDetector(1, failureTimeout, System::nanoTime,
                (r, why) -> launcherGone("snaprun sent nothing: " + why));
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "snapline-heartbeat"));
    }

    /**
     * Connects to {@code snaprun}, says hello and starts the reader and heartbeat threads. Becomes {@link #current()}.
     *
     * @param dataAddress where this rank's data plane listens (sent to every peer in the table)
     */
    static RankControl connect(InetSocketAddress launcher, byte[] token, int rank, int size,
            InetSocketAddress dataAddress, Duration failureTimeout) throws IOException {
        ControlChannel ch = ControlChannel.connect(launcher);
        ch.send(new ControlMessage.Hello(token, rank, dataAddress));
        RankControl c = new RankControl(ch, rank, size, failureTimeout);
        current = c;
        c.launcherWatch.watch(0);
        daemon(c::read, "snapline-control").start();
        long period = TcpJob.heartbeatPeriod(failureTimeout).toNanos();
        c.heartbeat.scheduleAtFixedRate(c::beat, period, period, TimeUnit.NANOSECONDS);
        return c;
    }

    /** This process's control channel; throws when the process is not a {@code -dev tcp} rank. */
    public static RankControl current() {
        RankControl c = current;
        if (c == null) {
            throw new IllegalStateException("this process is not a rank started by snaprun -dev tcp");
        }
        return c;
    }

    public int rank() {
        return rank;
    }

    public int size() {
        return size;
    }

    /** Waits for the table of every rank's data-plane address, indexed by rank. */
    List<InetSocketAddress> awaitTable(Duration timeout) throws IOException {
        try {
            return table.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException("no rank table from snaprun within " + timeout.toSeconds() + " s");
        } catch (ExecutionException | InterruptedException e) {
            throw new IOException("no rank table from snaprun: " + e, e);
        }
    }

    /**
     * What snaprun said about checkpointing. It precedes the table on the connection, so it is known once
     * {@link #awaitTable} has returned; null if snaprun sent none.
     */
    ControlMessage.CheckpointSetup checkpointSetup() {
        return checkpointSetup;
    }

    /** Hands coordinator messages to {@code action}, those that came before this call first, in order. */
    void onPolicyMessage(Consumer<byte[]> action) {
        synchronized (early) {
            early.forEach(action);
            early.clear();
            onPolicy = action;
        }
    }

    /** Sends a policy message to the attempt's coordinator. */
    void toCoordinator(byte[] message) {
        report(new ControlMessage.Policy(message));
    }

    void restored(long id, long point, long nanos) {
        report(new ControlMessage.Restored(id, point, nanos));
    }

    /** The rank's piece of checkpoint {@code id} is in the replica as {@code piece} says (a store with host copies). */
    void replicaWritten(long id, io.snapline.runtime.checkpoint.store.PieceRef piece) {
        report(new ControlMessage.ReplicaWritten(id, piece.size(), piece.crc32c()));
    }

    /** A write of the rank's to the replica failed as {@code why} says (a store with host copies). */
    void replicaFailed(String why) {
        report(new ControlMessage.ReplicaFailed(why));
    }

    /** The rank read its piece of checkpoint {@code id} from its host's copy, or why not (a store with host copies). */
    void pieceRead(long id, String fastFailure) {
        report(new ControlMessage.PieceRead(id, fastFailure == null ? "" : fastFailure));
    }

    /** The rank wrote its piece of a checkpoint (see {@link io.snapline.runtime.checkpoint.RankLink#written}). */
    void written(io.snapline.runtime.checkpoint.PieceWritten written) {
        report(new ControlMessage.PieceWritten(written));
    }

    /** A checkpoint fell due while the previous one was written (see {@link io.snapline.runtime.checkpoint.RankLink#deferred}). */
    void deferred(io.snapline.runtime.checkpoint.CheckpointDeferred deferred) {
        report(new ControlMessage.CheckpointDeferred(deferred));
    }

    void finalizing() {
        report(new ControlMessage.Finalizing());
    }

    /** The rank had written {@code bytes} to stdout when it captured checkpoint {@code id} (or resumed: -1). */
    void outputMark(long id, long bytes) {
        report(new ControlMessage.OutputMark(id, bytes));
    }

    void requestKill(boolean atSafePoint, String reason) {
        report(new ControlMessage.KillRequest(atSafePoint, reason));
    }

    void crashed(String report) {
        report(new ControlMessage.Crashed(report));
    }

    /** The rank is past its start (see {@link ControlMessage.Ready}). */
    void ready() {
        report(new ControlMessage.Ready());
    }

    void cannotRestartAlone(String why) {
        report(new ControlMessage.CannotRestartAlone(why));
    }

    /**
     * Says the rank has passed the final barrier and waits until snaprun lets every rank leave ({@link
     * ControlMessage.Leave}) or stops the job (a launcher that is gone ends the process).
     */
    void leaving() {
        report(new ControlMessage.Leaving());
        leave.join(); // not cut short by an interrupt: the launcher counts this rank as waiting until it lets go
    }

    /** Calls {@code l} for every peer reported dead so far and for each one reported later. */
    public void addPeerDeathListener(PeerDeathListener l) {
        Map<Integer, String> known;
        synchronized (dead) {
            listeners.add(l);
            known = new LinkedHashMap<>(dead);
        }
        known.forEach(l::rankDied);
    }

    /** The peers reported dead so far, with the launcher's reason, in the order reported. */
    public Map<Integer, String> deadRanks() {
        synchronized (dead) {
            return new LinkedHashMap<>(dead);
        }
    }

    /**
     * Ends the job with {@code code} (as {@code MPI.COMM_WORLD.Abort}): tells {@code snaprun}, then unwinds the calling
     * thread with {@link RankAbortError}.
     */
    public void abort(int code) {
        abortCode = code;
        String reason = "rank " + rank + " called Abort(" + code + ")";
        report(new ControlMessage.Abort(code, reason));
        throw new RankAbortError(reason);
    }

    /** The code given to {@link #abort}, or null. */
    Integer abortCode() {
        return abortCode;
    }

    /** What to do when {@code snaprun} says the job was aborted elsewhere; runs at once if it already has. */
    void onStop(Consumer<String> action) {
        onStop = action;
        String reason = stopReason;
        if (reason != null) {
            action.accept(reason);
        }
    }

    void finished() {
        report(new ControlMessage.Finished());
    }

    void failed(String report) {
        report(new ControlMessage.Failed(report));
    }

    /** This rank's connection to {@code peer} broke without a goodbye (see {@link ControlMessage.PeerUnreachable}). */
    void peerUnreachable(int peer, String reason) {
        report(new ControlMessage.PeerUnreachable(peer, reason));
    }

    void aborted(int code) {
        if (abortCode == null) {
            abortCode = code;
            report(new ControlMessage.Abort(code, "rank " + rank + " called Abort(" + code + ")"));
        }
    }

    /** The rank is exiting with {@code status}: losing the launcher from now on is no longer news. */
    void ending(int status) {
        ending = status;
    }

    private void report(ControlMessage m) {
        try {
            channel.send(m);
        } catch (IOException e) {
            launcherGone("cannot report to snaprun: " + e.getMessage());
        }
    }

    private void read() {
        try {
            while (true) {
                ControlMessage m = channel.receive(ControlChannel.MAX_FRAME);
                if (m == null) {
                    launcherGone("snaprun closed the control connection");
                    return;
                }
                launcherWatch.heard(0);
                if (m instanceof ControlMessage.Policy p) {
                    policyMessage(p.message());
                } else if (m instanceof ControlMessage.CheckpointSetup c) {
                    checkpointSetup = c;
                } else if (m instanceof ControlMessage.Table t) {
                    table.complete(t.addresses());
                } else if (m instanceof ControlMessage.PeerDied p) {
                    peerDied(p.rank(), p.reason());
                } else if (m instanceof ControlMessage.Stop s) {
                    stopReason = s.reason();
                    onStop.accept(s.reason());
                    leave.complete(null); // after the stop is in place: a rank let go by it does not end as finished
                } else if (m instanceof ControlMessage.Leave) {
                    leave.complete(null);
                }
            }
        } catch (IOException e) {
            launcherGone("the control connection to snaprun broke: " + e.getMessage());
        }
    }

    private void policyMessage(byte[] message) {
        Consumer<byte[]> action;
        synchronized (early) {
            action = onPolicy;
            if (action == null) {
                early.add(message);
                return;
            }
        }
        action.accept(message);
    }

    private void peerDied(int r, String reason) {
        synchronized (dead) {
            if (dead.putIfAbsent(r, reason) != null) {
                return;
            }
        }
        for (PeerDeathListener l : listeners) {
            l.rankDied(r, reason);
        }
    }

    /** From now on every heartbeat carries {@code source}'s report of the rank's waits and traffic. */
    void reportProgress(Supplier<ControlMessage.Progress> source) {
        progress = source;
    }

    private void beat() {
        try {
            Supplier<ControlMessage.Progress> p = progress;
            channel.send(p == null ? new ControlMessage.Heartbeat() : p.get());
        } catch (IOException e) {
            launcherGone("cannot reach snaprun: " + e.getMessage());
        }
        launcherWatch.check();
    }

    /** The launcher is gone: nobody supervises this rank any more, so it ends now, without running shutdown hooks. */
    private void launcherGone(String reason) {
        Integer status = ending;
        // After a Stop the launcher is ending the job on purpose: its closing the connection is no news either.
        if (status == null && stopReason == null) {
            System.err.println("snapline rank " + rank + ": " + reason + "; exiting");
            System.err.flush();
        }
        Runtime.getRuntime().halt(status != null ? status : ORPHANED_STATUS);
    }

    static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(null, r, name, 256 * 1024);
        t.setDaemon(true);
        return t;
    }
}
