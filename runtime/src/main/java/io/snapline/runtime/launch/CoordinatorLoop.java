package io.snapline.runtime.launch;

import io.snapline.runtime.checkpoint.CheckpointPolicy;
import io.snapline.runtime.checkpoint.CoordinatorServices;
import io.snapline.runtime.checkpoint.IntervalChooser;
import io.snapline.runtime.checkpoint.PolicyCoordinator;
import io.snapline.runtime.checkpoint.PolicySettings;
import io.snapline.runtime.checkpoint.RestartPoint;
import io.snapline.runtime.checkpoint.RestoreFrom;
import io.snapline.runtime.checkpoint.RunReport;
import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.CheckpointStoreException;
import io.snapline.runtime.checkpoint.store.Manifest;
import io.snapline.runtime.checkpoint.store.CheckpointStore;
import io.snapline.runtime.checkpoint.store.LocalCheckpointStore;
import java.io.PrintStream;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Runs one attempt's {@link PolicyCoordinator} on a thread of its own: rank messages, finished ranks and clock ticks
 * are queued and handed to it one at a time, so a policy coordinator never needs locks. Also the
 * {@link CoordinatorServices} it is given: committing manifests, retention, progress lines and the run report.
 */
final class CoordinatorLoop implements CoordinatorServices, AutoCloseable {
    /** Where the loop sends messages to ranks, and how it ends an attempt whose contract was violated. */
    interface Ranks {
        void send(int rank, byte[] message);

        void fail(String reason);

        /** Rank {@code rank} stopped for the restart after a failure (see {@link PolicyCoordinator#onRankFailed}). */
        default void stopped(int rank) {
        }
    }

    private static final long TICK_NANOS = 10_000_000L;
    private static final Runnable STOP = () -> { };

    private final int ranks;
    private final PolicySettings settings;
    private final CheckpointStore store;
    private final RestartPoint restored;
    private final RunReport report;
    private final PrintStream log;
    private final Ranks out;
    private final LinkedBlockingQueue<Runnable> events = new LinkedBlockingQueue<>();
    private final Thread thread;
    private final PolicyCoordinator coordinator;
    private final HeldOutput output;
    /** Told the id of each checkpoint committed (the job's record in a cluster). */
    private final java.util.function.LongConsumer committed;
    private volatile CheckpointId nextId;
    /**
     * The job's interval for global checkpoints; lives across attempts, measured by one loop thread at a time, and
     * told a new MTTF by the supervision under {@code --learn-mttf} (it is thread-safe).
     */
    private final IntervalChooser interval;
    /**
     * With host copies ({@code local+hazelcast://}): the checkpoints the policy completed, held until every rank's
     * piece is in the replica too; null when a checkpoint commits as soon as the policy completes it.
     */
    private final ReplicaCommits<Held> replicaCommits;

    /** A checkpoint the policy completed, and what committing it needs. */
    private record Held(Manifest manifest, long point, long[] blockedNanos, long costNanos) {
    }

    /**
     * @param output       the job's held stdout, told what commits; null when output is not held
     * @param hostCopies   whether the ranks write host copies first and the store commits a checkpoint only once
     *                     every rank reported its piece written in the replica ({@link #onReplicaWritten})
     */
    CoordinatorLoop(CheckpointPolicy policy, int ranks, PolicySettings settings, CheckpointStore store,
            CheckpointId nextId, RestartPoint restored, RunReport report, PrintStream log, Ranks out,
            HeldOutput output, IntervalChooser interval, java.util.function.LongConsumer committed,
            boolean hostCopies) {
        this.replicaCommits = hostCopies ? new ReplicaCommits<>(ranks) : null;
        this.output = output;
        this.committed = committed;
        this.interval = interval;
        this.restored = restored;
        this.ranks = ranks;
        this.settings = settings;
        this.store = store;
        this.report = report;
        this.log = log;
        this.out = out;
        this.nextId = nextId;
        this.coordinator = policy.coordinator(this);
        this.thread = new Thread(this::loop, "snapline-coordinator");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    void onRankMessage(int rank, byte[] message) {
        events.add(() -> coordinator.onRankMessage(rank, message));
    }

    void onRankFinished(int rank) {
        events.add(() -> coordinator.onRankFinished(rank));
    }

    void onRankFailed(int rank) {
        events.add(() -> coordinator.onRankFailed(rank));
    }

    /**
     * Returns once everything queued before this call has been handed to the coordinator (and what it sent in answer
     * has gone out), or after a minute.
     */
    void sync() throws InterruptedException {
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        events.add(done::countDown);
        done.await(1, TimeUnit.MINUTES);
    }

    /**
     * Rank {@code rank}'s piece of checkpoint {@code id} is in the replica, {@code size} bytes stored with payload
     * CRC32C {@code crc32c} (a store with host copies only).
     */
    void onReplicaWritten(int rank, long id, long size, int crc32c) {
        events.add(() -> {
            if (replicaCommits == null) {
                out.fail("rank " + rank + " reported its piece of checkpoint " + id + " written in a replica, but the "
                        + "job's store keeps no host copies");
                return;
            }
            commitReady(replicaCommits.replicaWritten(rank, CheckpointId.of(id), size, crc32c));
        });
    }

    void onRankRestarting(int rank, int incarnation) {
        events.add(() -> coordinator.onRankRestarting(rank, incarnation));
    }

    private void loop() {
        long nextTick = System.nanoTime();
        try {
            while (true) {
                long wait = nextTick - System.nanoTime();
                Runnable e = wait > 0 ? events.poll(wait, TimeUnit.NANOSECONDS) : null;
                if (e == STOP) {
                    coordinator.close();
                    return;
                }
                if (e != null) {
                    e.run();
                } else {
                    long now = System.nanoTime();
                    coordinator.onTick(now);
                    nextTick = now + TICK_NANOS;
                }
                if (discarded > 0) { // once for all the local checkpoints an event deleted
                    int n = discarded;
                    discarded = 0;
                    collectGarbage(n + " local checkpoint" + (n == 1 ? " was" : "s were") + " deleted");
                }
            }
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            out.fail("the checkpoint coordinator failed: " + e);
        }
    }

    // ------------------------------------------------------------------ CoordinatorServices

    @Override
    public int ranks() {
        return ranks;
    }

    @Override
    public PolicySettings settings() {
        return settings;
    }

    @Override
    public void send(int rank, byte[] message) {
        out.send(rank, message);
    }

    @Override
    public CheckpointId nextId() {
        return nextId;
    }

    @Override
    public boolean commit(Manifest manifest, long point, long[] blockedNanos) {
        long max = 0;
        for (long b : blockedNanos) {
            max = Math.max(max, b);
        }
        return commit(manifest, point, blockedNanos, max);
    }

    /**
     * {@inheritDoc} With host copies the checkpoint is held until every rank's piece is in the replica, and commits
     * then (see {@link ReplicaCommits}); true says it was accepted.
     */
    @Override
    public boolean commit(Manifest manifest, long point, long[] blockedNanos, long costNanos) {
        if (replicaCommits == null) {
            return commitNow(new Held(manifest, point, blockedNanos, costNanos));
        }
        nextId = manifest.id().next();
        commitReady(replicaCommits.completed(manifest, new Held(manifest, point, blockedNanos.clone(),
                costNanos)));
        return true;
    }

    private void commitReady(ReplicaCommits.Decision<Held> ready) {
        for (CheckpointId id : ready.givenUp()) {
            log("checkpoint " + id + " is not committed: not every rank's piece of it reached the replica, and a "
                    + "newer checkpoint did");
            report.warning("checkpoint " + id + " not committed: not every rank's piece reached the replica");
        }
        for (Held h : ready.commit()) {
            commitNow(h);
        }
    }

    private boolean commitNow(Held held) {
        Manifest manifest = held.manifest();
        long point = held.point();
        long[] blockedNanos = held.blockedNanos();
        long costNanos = held.costNanos();
        long bytes = 0;
        for (var p : manifest.pieces()) {
            bytes += p.size();
        }
        try {
            store.commit(manifest);
            store.retain(settings.retain());
        } catch (CheckpointStoreException e) {
            log("checkpoint " + manifest.id() + " could not be committed: " + e.getMessage()
                    + "; the previous checkpoint stays the one to restart from");
            report.warning("checkpoint " + manifest.id() + " not committed: " + e.getMessage());
            return false;
        }
        if (manifest.id().next().compareTo(nextId) > 0) {
            nextId = manifest.id().next();
        }
        if (output != null) {
            output.committed(manifest.id().value());
        }
        committed.accept(manifest.id().value());
        long max = 0;
        for (long b : blockedNanos) {
            max = Math.max(max, b);
        }
        RunReport.Checkpoint counted = report.checkpoint(manifest.id().value(), point, bytes, blockedNanos,
                System.nanoTime());
        try {
            report.kept(store.list().stream().map(CheckpointId::value).toList());
        } catch (CheckpointStoreException e) {
            log("could not list the checkpoints the store keeps, for the run report: " + e.getMessage());
        }
        log("checkpoint " + manifest.id() + " committed at safe point " + point + ": "
                + RunReport.size(counted.bytes()) + (settings.incremental() ? " written" : "") + " from " + ranks
                + " ranks, held the ranks back " + RunReport.millis(max) + " (max)");
        collectGarbage("retention kept the newest " + settings.retain() + " checkpoints");
        IntervalChooser.Choice chosen = interval.measured(manifest.id().value(), costNanos, System.nanoTime());
        if (chosen != null) {
            intervalChosen(-1, chosen);
        }
        return true;
    }

    @Override
    public long intervalNanos() {
        return interval.intervalNanos();
    }

    @Override
    public void intervalChosen(int rank, IntervalChooser.Choice choice) {
        report.intervalChosen(rank, choice, System.nanoTime());
        log((rank < 0 ? "" : "rank " + rank + ": ") + choice.describe());
    }

    @Override
    public RestoreFrom restoredFrom(int rank) {
        return restored.rank(rank);
    }

    @Override
    public void localCommitted(int rank, long index, long point, long bytes, long blockedNanos) {
        report.localCheckpoint(rank, index, point, bytes, blockedNanos, System.nanoTime());
        log("rank " + rank + " committed local checkpoint " + index + " at safe point " + point + ": "
                + RunReport.size(bytes) + ", held the rank back " + RunReport.millis(blockedNanos));
    }

    @Override
    public void messageLog(int rank, long bytes, long peakBytes, long spilledBytes, long spilledPeakBytes) {
        report.messageLog(rank, bytes, peakBytes, spilledBytes, spilledPeakBytes, System.nanoTime());
    }

    @Override
    public void lineReached(long[] line) {
        if (output != null) {
            output.localLine(line);
        }
    }

    @Override
    public LocalCheckpointStore localStore() {
        return store;
    }

    @Override
    public void discardLocal(int rank, long index) {
        try {
            store.deleteLocal(rank, index);
            report.discarded(rank, index);
        } catch (CheckpointStoreException e) {
            log("could not delete rank " + rank + "'s local checkpoint " + index + ", which no restart needs any "
                    + "more: " + e.getMessage());
            return;
        }
        discarded++;
    }

    /** Local checkpoints deleted while the current event was handled: their chunks are collected after it. */
    private int discarded;

    /**
     * Deletes the chunks of incremental checkpoints no checkpoint in the store uses any more, after {@code why} left
     * some unused, and counts them in the run report; also when this job writes whole pieces, since the store may hold
     * the incremental checkpoints of the run it resumed. A failed collection deleted nothing in use: it is logged and
     * the job runs on.
     */
    private void collectGarbage(String why) {
        try {
            CheckpointStore.Collected c = store.collectGarbage();
            report.chunksCollected(c.chunks(), c.bytes());
            if (c.chunks() > 0) {
                log("collected " + c.chunks() + " unused chunks (" + RunReport.size(c.bytes()) + ") after " + why);
            }
        } catch (CheckpointStoreException e) {
            log("could not collect unused chunks after " + why + " (nothing in use was deleted): " + e.getMessage());
            report.warning("chunk garbage collection failed: " + e.getMessage());
        }
    }

    @Override
    public void abandoned(long id, String reason) {
        report.abandoned(id, reason, System.nanoTime());
        log("checkpoint " + id + " abandoned: " + reason);
    }

    @Override
    public void stopped(int rank) {
        out.stopped(rank);
    }

    @Override
    public void warn(String warning) {
        log("warning: " + warning);
        report.warning(warning);
    }

    @Override
    public void fail(String reason) {
        out.fail(reason);
    }

    @Override
    public void log(String line) {
        synchronized (log) {
            log.println("snaprun: " + line);
            log.flush();
        }
    }

    /**
     * Stops the loop once the events already queued are handled, and waits until it has: pieces prepared just before
     * the ranks ended still commit, and nothing the coordinator does to the store (garbage collection, a policy's
     * records) can overlap the planning of a restart or the next attempt. A long wait is reported every 5 s.
     */
    @Override
    public void close() {
        events.add(STOP);
        if (Thread.currentThread() == thread) {
            return; // closed from one of its own events: it stops when that one returns
        }
        try {
            thread.join(5000);
            while (thread.isAlive()) {
                log("waiting for the checkpoint coordinator to finish what it was doing in the store");
                thread.join(5000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
