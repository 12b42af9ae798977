package io.snapline.runtime.checkpoint;

import com.esotericsoftware.kryo.Serializer;
import io.snapline.checkpoint.CheckpointException;
import io.snapline.checkpoint.Restorable;
import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.CheckpointStoreException;
import io.snapline.runtime.checkpoint.store.PieceRef;
import io.snapline.runtime.determinant.DeterminantRecorder;
import io.snapline.runtime.determinant.Determinants;
import io.snapline.runtime.engine.ChannelHook;
import io.snapline.runtime.engine.CommSnapshot;
import io.snapline.runtime.engine.Endpoint;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * One rank's checkpoint runtime, behind the program-facing {@link io.snapline.checkpoint.Checkpoint} API: it holds
 * the named state objects, counts safe points, hands each to the policy, restores the rank after a restart, and
 * offers the policy the {@link RankServices} it builds checkpoints from. Used by the rank's program thread, except
 * {@link #onControl} and {@link #wake}.
 */
public final class RankAgent implements RankServices {
    private static final long AWAIT_SLICE_MILLIS = 20;
    /** How long {@link #close} waits for the writer to stop; an interrupted file write stops at once. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final Endpoint endpoint;
    private final RankSetup setup;
    private final ClassLoader programLoader;
    private final Map<String, Object> states = new LinkedHashMap<>();
    private final Object waitLock = new Object();
    private StateCodec codec;
    private volatile RankPolicy policy;
    /** Coordinator messages that came before {@code MPI.Init} created the policy; guarded by itself. */
    private final List<byte[]> early = new java.util.ArrayList<>();
    private Map<String, Object> restoredStates;
    private long points;
    private boolean finished;
    /** The restarted program has taken its states back ({@link RankLink#resumed}); program thread only. */
    private boolean resumed;
    private volatile boolean dying;
    private volatile Thread programThread;
    private ExecutorService writer;
    /** Records the dependencies between checkpoint intervals; null under {@code --checkpoint none}. */
    private DependencyTracker tracker;
    /** The determinant recorder, created when the policy first asks for it. */
    private DeterminantRecorder determinants;

    public RankAgent(Endpoint endpoint, ClassLoader programLoader, RankSetup setup) {
        this.endpoint = endpoint;
        this.programLoader = programLoader;
        this.setup = setup;
    }

    /**
     * Uses, once, the shared classes a capture needs (state encoding, checksums). On {@code shm} a rank's threads
     * still running past a grace period are stopped wherever they are, and one stopped inside the first use of a class
     * leaves that class unusable for the rest of the JVM; the launcher calls this before any rank runs.
     */
    public static void warmUp() {
        StateCodec codec = new StateCodec(RankAgent.class.getClassLoader());
        Map<String, Object> sample = new LinkedHashMap<>();
        sample.put("state", new long[] {1, 2});
        sample.put("list", new java.util.ArrayList<>(List.of("a", 1.5)));
        codec.decode(codec.encode(sample));
        new java.util.zip.CRC32C().update(new byte[16]);
    }

    /** Called by {@code MPI.Init}: the policy's rank half starts, and is handed the messages that came before. */
    public void init() {
        programThread = Thread.currentThread();
        if (policy == null && setup.policy().restarts()) {
            tracker = new DependencyTracker(endpoint.size());
            if (isRestart()) {
                tracker.beforeRestore(); // setup code runs again first; its traffic is not part of any interval
            }
            if (setup.incarnation() == 0) {
                endpoint.setHook(tracker);
                // No rank sends before every rank records what it accepts.
                CommSnapshot.exchange(endpoint, new long[endpoint.size()], 3);
            } // else the rank restarts alone, the others running: what it accepts is its policy's to say, when it can

        }
        if (policy == null) {
            RankPolicy p = setup.policy().forRank(this);
            synchronized (early) {
                early.forEach(p::onControl);
                early.clear();
                policy = p;
            }
            p.onStart();
            if (!isRestart()) {
                setup.link().ready();
            }
        }
    }

    /**
     * Called by {@code MPI.Finalize}: no safe point follows. A rank that ends while still replaying its recorded
     * non-deterministic events did not re-execute as before: {@link io.snapline.runtime.determinant.ReplayMismatchException}.
     */
    public void finish() {
        DeterminantRecorder d;
        synchronized (this) {
            d = determinants;
        }
        if (d != null && !finished) {
            d.programEnded();
        }
        if (policy != null && !finished) {
            finished = true;
            policy.finish();
            setup.link().finished();
        }
    }

    /**
     * Called by {@code MPI.Finalize} after its final barrier, before the rank leaves the job: returns once the
     * supervisor lets it leave (see {@link RankLink#leaving()}).
     */
    public void leave() {
        setup.link().leaving();
    }

    @Override
    public synchronized ExecutorService writer() {
        if (writer == null) {
            // In the program's thread group whichever thread asks first (on shm a hook may run on another rank's
            // thread), so that killing the rank stops it too.
            ThreadGroup group = programThread != null ? programThread.getThreadGroup()
                    : Thread.currentThread().getThreadGroup();
            String name = "snapline-writer-" + rank();
            writer = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(group, r, name);
                t.setDaemon(true);
                t.setUncaughtExceptionHandler((thread, e) -> { }); // outside a task, only the rank's kill lands
                return t;
            });
        }
        return writer;
    }

    /**
     * The rank's part in this attempt is over, however it ended: its writer stops, abandoning what it was writing,
     * and this returns once it has (within {@link #CLOSE_WAIT}), so that nothing of the attempt writes to the store
     * after the job returns or while the next attempt restores from it.
     */
    public void close() {
        ExecutorService w;
        synchronized (this) {
            w = writer;
        }
        if (w == null) {
            return;
        }
        w.shutdownNow();
        boolean interrupted = Thread.interrupted(); // an ending attempt interrupts its ranks; wait all the same
        long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
        try {
            long left;
            while (!w.isTerminated() && (left = deadline - System.nanoTime()) > 0) {
                try {
                    w.awaitTermination(left, TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Delivers a message from the coordinator (any thread). One that comes before {@code MPI.Init} (the coordinator
     * may ask for a checkpoint while a rank is still starting) is kept for the policy until {@link #init}.
     */
    public void onControl(byte[] message) {
        RankPolicy p = policy;
        if (p == null) {
            synchronized (early) {
                p = policy;
                if (p == null) {
                    early.add(message);
                    return;
                }
            }
        }
        p.onControl(message);
        wake();
    }

    // ------------------------------------------------------------------ the program-facing API

    /**
     * The supervisor kills this rank while the others run on ({@link Endpoint#kill}): it reports nothing more, and its
     * program thread ends at its next entry into the runtime or in the wait it is in. Any thread.
     */
    public void kill(String reason) {
        dying = true;
        endpoint.kill(reason);
        wake();
    }

    /** Whether this rank was started to continue from a checkpoint. */
    public boolean isRestart() {
        return setup.restoreFrom() != null;
    }

    /** Safe points passed so far (a restored rank continues the count of its checkpoint). */
    public long points() {
        return points;
    }

    /** See {@link io.snapline.checkpoint.Checkpoint#restoreOr(String, Supplier)}. */
    public <T> T restoreOr(String name, Supplier<T> fresh) {
        requireRunning("Checkpoint.restoreOr");
        requireName(name);
        if (fresh == null) {
            throw new CheckpointException("Checkpoint.restoreOr: the supplier of the initial state is null");
        }
        if (states.containsKey(name)) {
            throw new CheckpointException("Checkpoint.restoreOr: state '" + name + "' is registered already; give "
                    + "each state object its own name");
        }
        setupDone();
        if (isRestart() && restoredStates == null) {
            restore();
        }
        Object value;
        if (restoredStates != null) {
            if (!restoredStates.containsKey(name)) {
                throw new CheckpointException("Checkpoint.restoreOr: " + setup.restoreFrom()
                        + " holds no state named '" + name + "' (it holds " + restoredStates.keySet() + "); the "
                        + "program must register the same names as the run that took the checkpoint");
            }
            value = restoredStates.get(name);
            if (value instanceof Restorable r) {
                r.afterRestore();
            }
        } else {
            value = fresh.get();
        }
        states.put(name, value);
        resumeIfAllBack();
        @SuppressWarnings("unchecked")
        T t = (T) value;
        return t;
    }

    /** See {@link io.snapline.checkpoint.Checkpoint#set}. */
    public void set(String name, Object value) {
        requireRunning("Checkpoint.set");
        requireName(name);
        states.put(name, value);
        resumeIfAllBack();
    }

    /**
     * Once the restarted program has registered every state its checkpoint holds, it continues the checkpointed run:
     * tells the supervisor ({@link RankLink#resumed}), which drops what the program printed before as a repeat.
     */
    private void resumeIfAllBack() {
        if (restoredStates != null && !resumed && states.keySet().containsAll(restoredStates.keySet())) {
            resumed = true;
            setup.link().resumed();
        }
    }

    /** See {@link io.snapline.checkpoint.Checkpoint#point()}. */
    public void point() {
        requireRunning("Checkpoint.point");
        if (isRestart() && restoredStates == null) {
            throw new CheckpointException("Checkpoint.point: rank " + rank() + " restarted from "
                    + setup.restoreFrom() + " but reached a safe point without calling Checkpoint.restoreOr "
                    + "first; restore the state before the first safe point");
        }
        setupDone();
        if (isRestart() && !resumed) { // a saved state the program did not take back: it continues from here
            resumed = true;
            setup.link().resumed();
        }
        points++;
        if (points == setup.killAtPoint()) {
            dieAt("injected failure at safe point " + points);
        }
        policy.atPoint(points);
    }

    /** The first {@code restoreOr} or safe point ends the program's setup (see {@link RankPolicy#onSetupDone}). */
    private void setupDone() {
        if (!setupOver) {
            setupOver = true;
            policy.onSetupDone();
        }
    }

    private boolean setupOver;

    /** See {@link io.snapline.checkpoint.Checkpoint#serializer}. */
    public <T> void serializer(Class<T> type, Serializer<? super T> serializer) {
        if (type == null || serializer == null) {
            throw new CheckpointException("Checkpoint.serializer: the type and the serializer must not be null");
        }
        codec().register(type, serializer);
    }

    // ------------------------------------------------------------------ RankServices

    @Override
    public int rank() {
        return endpoint.rank();
    }

    @Override
    public int size() {
        return endpoint.size();
    }

    @Override
    public PolicySettings settings() {
        return setup.settings();
    }

    @Override
    public int ranksInThisProcess() {
        return endpoint.ranksInThisProcess();
    }

    @Override
    public long restoredId() {
        return isRestart() ? setup.restoreFrom().id().value() : 0;
    }

    @Override
    public long firstCheckpointId() {
        return setup.firstCheckpointId();
    }

    @Override
    public void toCoordinator(byte[] message) {
        if (dying) {
            // A rank being killed reports nothing more. Its program thread waits for the kill here; any other thread
            // (a policy's writer, another rank's thread running a hook on shm) drops the message and goes on, so it
            // never sleeps holding a lock the dying rank's threads need.
            if (Thread.currentThread() == programThread) {
                parkUntilKilled();
            }
            return;
        }
        setup.link().toCoordinator(message);
    }

    @Override
    public void flushChannels(CheckpointId id, int round) {
        if (round < 0 || round > 1) {
            throw new IllegalArgumentException("flush round must be 0 or 1, was " + round);
        }
        CommSnapshot.flush(endpoint, 16 + (int) (id.value() & 0x3fff_ffff) * 2 + round);
    }

    @Override
    public RankImage capture(long point, Cut cut) {
        requireNoPendingReceives(point);
        CheckpointId[] id = new CheckpointId[1];
        byte[][] dependencies = {new byte[0]};
        List<SavedMessage> unmatched;
        if (cut.savesUnreceived()) {
            List<CommSnapshot.Saved> taken = CommSnapshot.unmatched(endpoint, () -> {
                id[0] = cut.decide();
                if (id[0] != null && tracker != null) {
                    dependencies[0] = tracker.close(); // under the mailbox lock: exactly the messages counted so far
                }
                return id[0] != null;
            });
            if (taken == null) {
                return null;
            }
            unmatched = EngineMessages.toSpi(taken);
        } else {
            if (cut.fixedId() != null && tracker == null) {
                id[0] = cut.fixedId(); // nothing to take or close under the mailbox lock
            } else {
                CommSnapshot.withUnreceived(endpoint, deferred -> { // under the mailbox lock
                    id[0] = cut.decide();
                    if (id[0] != null && tracker != null) {
                        dependencies[0] = tracker.close(deferred);
                    }
                    return null;
                });
                if (id[0] == null) {
                    return null;
                }
            }
            unmatched = List.of();
        }
        setup.link().captured(id[0].value());
        ByteBuffer state = codec().encode(states);
        return new RankImage(rank(), size(), id[0].value(), point, endpoint.nextContext(),
                endpoint.bsendBuffer().capacity(), unmatched, new byte[0], dependencies[0], state, codec().arrays());
    }

    private void requireNoPendingReceives(long point) {
        List<String> pending = CommSnapshot.pendingReceives(endpoint);
        if (!pending.isEmpty()) {
            throw new CheckpointException("rank " + rank() + " reached safe point " + point + " with "
                    + pending.size() + " receive(s) not completed (" + String.join("; ", pending) + "); complete "
                    + "every non-blocking receive (Wait) before Checkpoint.point");
        }
    }

    @Override
    public long[] exchange(long[] toEach, int round) {
        if (round < 0 || round > 15) {
            throw new IllegalArgumentException("exchange round must be 0..15, was " + round);
        }
        return CommSnapshot.exchange(endpoint, toEach, round);
    }

    @Override
    public boolean sawPeerFailure() {
        return endpoint.peerFailureRaised();
    }

    @Override
    public synchronized Determinants determinants() {
        if (determinants == null) {
            determinants = new DeterminantRecorder(endpoint);
        }
        return determinants;
    }

    @Override
    public void installHook(TrafficHook hook) {
        ChannelHook adapted = hook == null ? null : new TrafficAdapter(hook, rank());
        if (tracker != null) {
            tracker.wrap(adapted); // the tracker stays in front and lets the policy's hook stamp the messages
            if (setup.incarnation() > 0) {
                endpoint.setHook(tracker); // until now the mailbox dropped everything (see init)
            }
        } else {
            endpoint.setHook(adapted);
        }
    }

    @Override
    public void resend(int dest, SavedMessage message, int epoch, long seq) {
        endpoint.resend(dest, message.context(), message.tag(), EngineMessages.baseOf(message), message.elements(),
                message.payload(), epoch, seq);
    }

    @Override
    public void sendDatum(int dest, byte[] datum) {
        endpoint.sendDatum(dest, datum);
    }

    @Override
    public int incarnation() {
        return setup.incarnation();
    }

    @Override
    public void cannotRestartAlone(String why) {
        setup.link().cannotRestartAlone(why);
    }

    @Override
    public synchronized RankImage restoredImage() {
        if (image == null) {
            image = readImage();
        }
        return image;
    }

    /** The image restored, once read (see {@link #restoredImage}). */
    private RankImage image;

    @Override
    public <T> T atomically(Supplier<T> action) {
        return endpoint.mailbox().atomically(action);
    }

    @Override
    public void refill(List<SavedMessage> messages) {
        CommSnapshot.restore(endpoint, EngineMessages.toEngine(messages));
    }

    @Override
    public boolean hasPendingReceives() {
        return !CommSnapshot.pendingReceives(endpoint).isEmpty();
    }

    @Override
    public void dropUnreceived() {
        CommSnapshot.drop(endpoint);
    }

    @Override
    public java.nio.file.Path scratchDirectory() {
        return setup.store().scratchDirectory()
                .orElseGet(() -> java.nio.file.Path.of(System.getProperty("java.io.tmpdir")));
    }

    @Override
    public List<byte[]> readEvents() {
        return setup.store().readEvents(rank());
    }

    @Override
    public PieceRef writePiece(CheckpointId id, RankImage image) {
        return written(false, id.value(), image,
                (fixed, parts) -> setup.store().writePieceCounted(id, rank(), fixed, parts));
    }

    @Override
    public PieceRef writeLocal(long index, RankImage image) {
        return written(true, index, image,
                (fixed, parts) -> setup.store().writeLocalCounted(rank(), index, fixed, parts));
    }

    /**
     * Encodes {@code image} (its program state compressed as {@code --compress} says), has {@code write} store it with
     * where its large primitive arrays lie (for an incremental store to cut at fixed offsets), and tells the supervisor
     * what that wrote and cost ({@link RankLink#written}) before returning the piece.
     */
    private PieceRef written(boolean local, long id, RankImage image,
            java.util.function.BiFunction<io.snapline.runtime.checkpoint.store.FixedCuts, ByteBuffer[],
                    io.snapline.runtime.checkpoint.store.PieceWrite> write) {
        long start = System.nanoTime();
        Compression compression = setup.settings().compression();
        ByteBuffer[] parts = image.encodeParts(compression);
        long storedState = parts[1].remaining();
        io.snapline.runtime.checkpoint.store.PieceWrite w = write.apply(image.arraysIn(parts, compression), parts);
        long took = System.nanoTime() - start;
        long raw = w.fullBytes() - storedState + image.state().remaining();
        setup.link().written(new PieceWritten(local, id, w.bytesWritten(), raw, took,
                Thread.currentThread() != programThread, w.fullBytes()));
        return w.piece();
    }

    @Override
    public void await(BooleanSupplier condition, String what) {
        if (condition.getAsBoolean()) {
            return;
        }
        endpoint.job().blocking(rank(), what);
        try {
            waitFor(condition, what);
        } finally {
            endpoint.job().unblocked(rank());
        }
    }

    @Override
    public void awaitCheckpoint(BooleanSupplier condition, String what) {
        waitFor(condition, what);
    }

    private void waitFor(BooleanSupplier condition, String what) {
        try {
            while (!condition.getAsBoolean()) {
                endpoint.check();
                synchronized (waitLock) {
                    if (!condition.getAsBoolean()) {
                        waitLock.wait(AWAIT_SLICE_MILLIS);
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CheckpointException("interrupted while " + what, e);
        }
    }

    @Override
    public void wake() {
        synchronized (waitLock) {
            waitLock.notifyAll();
        }
    }

    @Override
    public void reportWait(WaitListener to) {
        endpoint.job().reportWait(rank(), to::waitingChanged);
    }

    @Override
    public void watchWaits(WaitListener listener) {
        endpoint.job().listen(rank(), listener == null ? null : listener::waitingChanged);
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public void deferred(CheckpointDeferred deferred) {
        if (!dying) {
            setup.link().deferred(deferred);
        }
    }

    @Override
    public void aboutToWrite(CheckpointId id) {
        if (id.value() == setup.killDuringWriteOf()) {
            dying = true;
            setup.link().requestKill(false, "injected failure while writing checkpoint " + id);
        }
    }

    // ------------------------------------------------------------------ restore

    private RankImage readImage() {
        RestoreFrom from = setup.restoreFrom();
        if (from == null) {
            throw new CheckpointException("rank " + rank() + " restores no checkpoint");
        }
        String where = "the piece of rank " + rank() + " in " + from;
        RankImage read;
        try {
            read = RankImage.decode(from.read(setup.store(), rank()), where);
        } catch (CheckpointStoreException e) {
            throw new CheckpointException("cannot restore rank " + rank() + ": " + e.getMessage(), e);
        }
        if (read.rank() != rank() || read.ranks() != size() || read.id() != from.id().value()) {
            throw new CheckpointException(where + " belongs to rank " + read.rank() + " of " + read.ranks()
                    + " in checkpoint " + read.id() + "; the store is inconsistent");
        }
        return read;
    }

    private void restore() {
        long start = System.nanoTime();
        RankImage image = restoredImage();
        this.image = null; // read once; the program's states are decoded from it now
        restoredStates = codec().decode(image.state());
        codec().presize(image.state().remaining()); // the first capture after the restart does not grow the buffer
        if (tracker != null && image.dependencies().length > 0) {
            tracker.restore(image.dependencies());
        }
        List<SavedMessage> back = new java.util.ArrayList<>(image.unmatched());
        back.addAll(policy.onRestore(image));
        CommSnapshot.restore(endpoint, EngineMessages.toEngine(back));
        // Communicator contexts are not restored: communicators are re-created by the program's setup code, which
        // runs again in the same order from the same first context, so they get the contexts they had.
        if (image.bsendCapacity() > 0 && endpoint.bsendBuffer().capacity() == 0) {
            endpoint.bsendBuffer().attach(ByteBuffer.allocate(image.bsendCapacity()), image.bsendCapacity());
        }
        points = image.point();
        setup.link().restored(image.id(), image.point(), System.nanoTime() - start);
        setup.link().ready();
    }

    // ------------------------------------------------------------------ helpers

    private StateCodec codec() {
        if (codec == null) {
            codec = new StateCodec(programLoader);
        }
        return codec;
    }

    private void requireRunning(String op) {
        if (policy == null) {
            throw new CheckpointException(op + ": MPI.Init has not been called in this rank; call it first");
        }
        if (finished) {
            throw new CheckpointException(op + ": MPI.Finalize has already been called in this rank");
        }
    }

    private static void requireName(String name) {
        if (name == null || name.isBlank()) {
            throw new CheckpointException("a state object needs a non-blank name");
        }
    }

    private void dieAt(String reason) {
        dying = true;
        setup.link().requestKill(true, reason);
        parkUntilKilled();
    }

    /**
     * A rank the supervisor is about to kill does nothing more (in particular, it reports nothing). It is stopped
     * where it parks, or, killed while the others run on ({@link Endpoint#kill}), ends here.
     */
    private void parkUntilKilled() {
        while (!endpoint.isKilled()) {
            LockSupport.park();
        }
        endpoint.check();
    }
}
