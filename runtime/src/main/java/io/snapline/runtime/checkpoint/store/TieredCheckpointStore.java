package io.snapline.runtime.checkpoint.store;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Two copies of every checkpoint, in the spirit of SCR and FTI: a fast store (the local disk) written first, and a
 * replica (the cluster) written in the background, in the same order, by one thread. A rank is held back only for
 * the fast copy (and, when the replica falls more than {@code maxPending} bytes behind, until it catches up). Reads
 * take the fast copy when it is there and intact and the replica otherwise: a damaged local piece, or a rank restarted
 * on another host whose disk has none of the job's checkpoints. {@link #latest()} takes the newer of the two stores'
 * newest intact checkpoints.
 *
 * <p>Event streams are what message logging made stable before a rank went on: they are appended to both stores
 * before the call returns, so that they survive the loss of the fast copy's host.
 *
 * <p>A replica write that fails does not fail the job (the fast copy has it): {@code warnings} is told once what
 * failed, and the replica is not written to again, since a later checkpoint in it would sit on a missing one.
 */
public final class TieredCheckpointStore implements CheckpointStore {
    /** The default most bytes the replica may fall behind before writes wait for it. */
    public static final long DEFAULT_MAX_PENDING = 1L << 30;

    /**
     * Told, on the replica writer's thread or the reader's, what happened to the pieces of global checkpoints: a rank
     * is told here when its piece is safely in the replica, which is what lets its checkpoint commit in the replica.
     */
    public interface Listener {
        /** Listens to nothing. */
        Listener NONE = new Listener() {
            @Override
            public void replicaWritten(CheckpointId id, PieceRef piece) {
            }

            @Override
            public void pieceRead(CheckpointId id, int rank, String fastFailure) {
            }
        };

        /**
         * A rank's piece of checkpoint {@code id} is written in the replica (after the fast copy); {@code piece} is
         * what the replica holds (its rank, size and CRC32C), for the committer to check against the manifest.
         */
        void replicaWritten(CheckpointId id, PieceRef piece);

        /**
         * {@code rank}'s piece of checkpoint {@code id} was read from the fast copy ({@code fastFailure} null) or from
         * the replica, because reading the fast copy failed as {@code fastFailure} says.
         */
        void pieceRead(CheckpointId id, int rank, String fastFailure);
    }

    private final CheckpointStore fast;
    private final CheckpointStore replica;
    private final Consumer<String> warnings;
    private final Listener listener;
    private final ExecutorService writer;
    private final Semaphore pending;
    private final int maxPermits;
    private volatile String failed;

    /**
     * Writes {@code fast} first and {@code replica} in the background, at most {@code maxPending} bytes behind;
     * {@code warnings} hears about a failed replica write (once).
     */
    public TieredCheckpointStore(CheckpointStore fast, CheckpointStore replica, long maxPending,
            Consumer<String> warnings) {
        this(fast, replica, maxPending, warnings, Listener.NONE);
    }

    /** {@link #TieredCheckpointStore(CheckpointStore, CheckpointStore, long, Consumer)}, telling {@code listener}. */
    public TieredCheckpointStore(CheckpointStore fast, CheckpointStore replica, long maxPending,
            Consumer<String> warnings, Listener listener) {
        this.listener = listener;
        if (maxPending < 1) {
            throw new CheckpointStoreException("the replica must be allowed to fall at least 1 byte behind, got "
                    + maxPending);
        }
        this.fast = fast;
        this.replica = replica;
        this.warnings = warnings;
        this.maxPermits = (int) Math.min(Integer.MAX_VALUE, Math.max(1, maxPending >> 10)); // in KiB
        this.pending = new Semaphore(maxPermits);
        this.writer = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "snapline-replica-writer");
            t.setDaemon(true);
            return t;
        });
    }

    /** Why the replica stopped being written, or empty while it keeps up. */
    public Optional<String> replicaFailure() {
        return Optional.ofNullable(failed);
    }

    // ------------------------------------------------------------------ writes: fast copy, then the replica behind

    @Override
    public PieceRef writePiece(CheckpointId id, int rank, byte[] payload) {
        PieceRef ref = fast.writePiece(id, rank, payload);
        replicate(id, rank, payload.clone());
        return ref;
    }

    @Override
    public PieceRef writePiece(CheckpointId id, int rank, ByteBuffer... payload) {
        PieceRef ref = fast.writePiece(id, rank, payload);
        replicate(id, rank, CheckpointFormatDescriptor.join(payload));
        return ref;
    }

    /** Queues the replica's write of {@code rank}'s piece of {@code id}, then telling the listener. */
    private void replicate(CheckpointId id, int rank, byte[] copy) {
        behind(copy.length, "rank " + rank + "'s piece of checkpoint " + id, () -> {
            PieceRef written = replica.writePiece(id, rank, copy);
            listener.replicaWritten(id, written);
        });
    }

    @Override
    public void commit(Manifest manifest) {
        fast.commit(manifest);
        behind(0, "the commit of checkpoint " + manifest.id(), () -> replica.commit(manifest));
    }

    @Override
    public void retain(int k) {
        fast.retain(k);
        behind(0, "retaining " + k + " checkpoints", () -> replica.retain(k));
    }

    @Override
    public PieceRef writeLocal(int rank, long index, ByteBuffer... payload) {
        PieceRef ref = fast.writeLocal(rank, index, payload);
        byte[] copy = CheckpointFormatDescriptor.join(payload);
        behind(copy.length, "rank " + rank + "'s local checkpoint " + index,
                () -> replica.writeLocal(rank, index, ByteBuffer.wrap(copy)));
        return ref;
    }

    @Override
    public void deleteLocal(int rank, long index) {
        fast.deleteLocal(rank, index);
        behind(0, "deleting rank " + rank + "'s local checkpoint " + index, () -> replica.deleteLocal(rank, index));
    }

    @Override
    public String setAsideLocal(int rank, long index) {
        String where = fast.setAsideLocal(rank, index);
        behind(0, "setting aside rank " + rank + "'s local checkpoint " + index,
                () -> replica.setAsideLocal(rank, index));
        return where + " (and in the replica)";
    }

    @Override
    public void writeRecoveryLine(long[] line) {
        fast.writeRecoveryLine(line);
        long[] copy = line.clone();
        behind(0, "the recovery line", () -> replica.writeRecoveryLine(copy));
    }

    @Override
    public void appendEvents(int rank, byte[] record) {
        fast.appendEvents(rank, record);
        replica.appendEvents(rank, record); // stable only once both have it
    }

    /**
     * {@inheritDoc} The replica first catches up: its checkpoints and recovery line must not lag behind the event
     * stream's new floor, or a restart from the replica would find events it needs gone.
     */
    @Override
    public void replaceEvents(int rank, List<byte[]> records) {
        flush();
        fast.replaceEvents(rank, records);
        replica.replaceEvents(rank, records);
    }

    /**
     * Queues {@code write} for the replica, first waiting while more than the allowed bytes are queued; nothing is
     * queued once a replica write failed.
     */
    private void behind(int bytes, String what, Runnable write) {
        if (failed != null) {
            return;
        }
        int permits = Math.min(maxPermits, (bytes >> 10) + 1);
        pending.acquireUninterruptibly(permits);
        writer.execute(() -> {
            try {
                if (failed == null) {
                    write.run();
                }
            } catch (Throwable e) { // an Error too: a write skipped silently would leave a hole under later ones
                if (failed == null) {
                    failed = "writing " + what + " to the replica failed (" + e + "); the replica is not written to "
                            + "from now on, and only the fast copy holds later checkpoints";
                    try {
                        warnings.accept(failed);
                    } catch (RuntimeException ignored) {
                        // the listener's own trouble: the failure is recorded in replicaFailure() all the same
                    }
                }
            } finally {
                pending.release(permits);
            }
        });
    }

    /** Waits until every queued replica write is done. */
    public void flush() {
        if (writer.isShutdown()) {
            throw new CheckpointStoreException("the store (a fast copy and a replica) is closed");
        }
        Future<?> done = writer.submit(() -> { });
        try {
            done.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CheckpointStoreException("interrupted while waiting for the replica to catch up", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new CheckpointStoreException("the replica writer failed: " + e.getCause(), e.getCause());
        }
    }

    // ------------------------------------------------------------------ reads: the fast copy, else the replica

    /** {@inheritDoc} The listener hears which copy it came from. */
    @Override
    public byte[] readPiece(CheckpointId id, PieceRef piece) {
        String[] fastFailure = new String[1];
        byte[] payload = either(() -> fast.readPiece(id, piece), () -> replica.readPiece(id, piece),
                why -> fastFailure[0] = why);
        listener.pieceRead(id, piece.rank(), fastFailure[0]);
        return payload;
    }

    @Override
    public byte[] readLocal(int rank, long index) {
        return either(() -> fast.readLocal(rank, index), () -> replica.readLocal(rank, index));
    }

    @Override
    public byte[] verifyLocal(int rank, long index, int headBytes) {
        return either(() -> fast.verifyLocal(rank, index, headBytes), () -> replica.verifyLocal(rank, index,
                headBytes));
    }

    @Override
    public Optional<JobFingerprint> localFingerprint(int rank, long index) {
        return either(() -> fast.localFingerprint(rank, index), () -> replica.localFingerprint(rank, index));
    }

    @Override
    public String localLocation(int rank, long index) {
        return fast.localLocation(rank, index);
    }

    @Override
    public Manifest manifest(CheckpointId id) {
        return either(() -> fast.manifest(id), () -> replica.manifest(id));
    }

    @Override
    public Optional<JobFingerprint> fingerprint(CheckpointId id) {
        return either(() -> fast.fingerprint(id), () -> replica.fingerprint(id));
    }

    @Override
    public Optional<long[]> recoveryLine() {
        Optional<long[]> line = fast.recoveryLine();
        if (line.isPresent()) {
            return line;
        }
        flush();
        return replica.recoveryLine();
    }

    /**
     * {@inheritDoc} The fast copy's when it has any; the replica's otherwise (a store reports a rank without a stream
     * as an empty one, which on a host without the job's files says nothing) or when the fast copy cannot be read.
     */
    @Override
    public List<byte[]> readEvents(int rank) {
        List<byte[]> events = either(() -> fast.readEvents(rank), () -> replica.readEvents(rank));
        if (!events.isEmpty()) {
            return events;
        }
        flush();
        return replica.readEvents(rank);
    }

    /**
     * What {@code fromFast} returns; when it fails (other than for a checkpoint of another format), what
     * {@code fromReplica} returns once the replica has caught up; when both fail, an error naming both reasons.
     */
    private <T> T either(Supplier<T> fromFast, Supplier<T> fromReplica) {
        return either(fromFast, fromReplica, why -> { });
    }

    /**
     * {@link #either(Supplier, Supplier)}, telling {@code replicaRead} why the fast copy failed when the replica's read
     * succeeds.
     */
    private <T> T either(Supplier<T> fromFast, Supplier<T> fromReplica, Consumer<String> replicaRead) {
        try {
            return fromFast.get();
        } catch (CheckpointFormatException e) {
            throw e;
        } catch (CheckpointStoreException fastFailed) {
            flush();
            try {
                T read = fromReplica.get();
                replicaRead.accept(fastFailed.getMessage());
                return read;
            } catch (CheckpointFormatException e) {
                throw e;
            } catch (CheckpointStoreException replicaFailed) {
                throw new CheckpointStoreException("the fast copy: " + fastFailed.getMessage() + "; the replica: "
                        + replicaFailed.getMessage(), replicaFailed);
            }
        }
    }

    @Override
    public Optional<Recovered> latest() {
        flush();
        List<String> notes = new ArrayList<>();
        Optional<Recovered> local = newest(fast, "the fast copy", notes);
        Optional<Recovered> remote = newest(replica, "the replica", notes);
        Optional<Recovered> best = local;
        if (remote.isPresent() && (local.isEmpty()
                || remote.get().manifest().id().compareTo(local.get().manifest().id()) > 0)) {
            best = remote;
        }
        if (best.isEmpty()) {
            if (!notes.isEmpty()) {
                throw new CheckpointStoreException("no complete checkpoint in either copy: " + String.join("; ",
                        notes));
            }
            return Optional.empty();
        }
        best.get().warnings().forEach(w -> notes.add(w));
        return Optional.of(new Recovered(best.get().manifest(), notes.stream().distinct().toList()));
    }

    private static Optional<Recovered> newest(CheckpointStore store, String which, List<String> notes) {
        try {
            Optional<Recovered> r = store.latest();
            r.ifPresent(found -> found.warnings().forEach(w -> notes.add(which + ": " + w)));
            return r.map(found -> new Recovered(found.manifest(), List.of()));
        } catch (CheckpointFormatException e) {
            throw e;
        } catch (CheckpointStoreException e) {
            notes.add(which + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * {@inheritDoc} The fast copy's when it has any (the replica may still hold what retention removed from it a moment
     * ago), the replica's once it has caught up otherwise (a host whose disk has none of the job's checkpoints).
     */
    @Override
    public List<CheckpointId> list() {
        List<CheckpointId> ids = fast.list();
        if (!ids.isEmpty()) {
            return ids;
        }
        flush();
        return replica.list();
    }

    /** {@inheritDoc} The fast copy's when it has any of the rank's, the replica's otherwise (see {@link #list()}). */
    @Override
    public List<Long> localIndexes(int rank) {
        List<Long> ids = fast.localIndexes(rank);
        if (!ids.isEmpty()) {
            return ids;
        }
        flush();
        return replica.localIndexes(rank);
    }

    @Override
    public List<Integer> localRanks() {
        flush();
        TreeSet<Integer> ranks = new TreeSet<>(fast.localRanks());
        ranks.addAll(replica.localRanks());
        return List.copyOf(ranks);
    }

    @Override
    public Optional<java.nio.file.Path> scratchDirectory() {
        return fast.scratchDirectory();
    }

    @Override
    public void deleteInterruptedWrites() {
        fast.deleteInterruptedWrites();
        replica.deleteInterruptedWrites();
    }

    /** Waits for the replica to catch up, then closes both stores. */
    @Override
    public void close() {
        if (writer.isShutdown()) {
            fast.close();
            replica.close();
            return;
        }
        try {
            flush();
        } finally {
            writer.shutdown();
            try {
                fast.close();
            } finally {
                replica.close();
            }
        }
    }
}
