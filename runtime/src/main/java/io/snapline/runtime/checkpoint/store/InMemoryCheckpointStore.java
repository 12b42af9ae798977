package io.snapline.runtime.checkpoint.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A store in memory, for protocol tests: the same contract as {@link FileCheckpointStore} (including
 * size and checksum verification of pieces) without durability. Thread-safe.
 */
public final class InMemoryCheckpointStore implements CheckpointStore {

    private final Map<CheckpointId, Map<Integer, byte[]>> pieces = new ConcurrentHashMap<>();
    private final NavigableMap<CheckpointId, Manifest> committed = new TreeMap<>();
    private final Map<Integer, NavigableMap<Long, byte[]>> locals = new ConcurrentHashMap<>();
    private final Map<Integer, List<byte[]>> events = new ConcurrentHashMap<>();
    private final JobFingerprint fingerprint;
    private long[] recoveryLine;
    private volatile boolean closed;

    /** A store whose checkpoints record no job fingerprint. */
    public InMemoryCheckpointStore() {
        this(null);
    }

    /** A store whose checkpoints record {@code fingerprint} (null: none). */
    public InMemoryCheckpointStore(JobFingerprint fingerprint) {
        this.fingerprint = fingerprint;
    }

    @Override
    public PieceRef writePiece(CheckpointId id, int rank, byte[] payload) {
        ensureOpen();
        if (rank < 0) {
            throw new CheckpointStoreException("rank must be non-negative, got " + rank);
        }
        pieces.computeIfAbsent(id, k -> new ConcurrentHashMap<>()).put(rank, pieceFile(id, rank, payload));
        return pieceRef(rank, CheckpointFormatDescriptor.pieceFileName(rank), payload);
    }

    /** A piece file's bytes: header, fingerprint, then {@code payload}. */
    private byte[] pieceFile(CheckpointId id, int rank, byte[] payload) {
        return CheckpointFormatDescriptor.pieceFile(id, rank, fingerprint, payload);
    }

    private PieceRef pieceRef(int rank, String fileName, byte[] payload) {
        return new PieceRef(rank, fileName, CheckpointFormatDescriptor.PIECE_HEADER_SIZE
                + FingerprintLines.bytes(fingerprint).length + payload.length,
                CheckpointFormatDescriptor.crc32c(payload, 0, payload.length));
    }

    @Override
    public byte[] readPiece(CheckpointId id, PieceRef piece) {
        ensureOpen();
        byte[] file = pieces.getOrDefault(id, Map.of()).get(piece.rank());
        String where = "in-memory piece of checkpoint " + id + " rank " + piece.rank();
        if (file == null) {
            throw new CheckpointStoreException(where + " is missing");
        }
        return CheckpointFormatDescriptor.verifyPiece(where, file, id, piece);
    }

    @Override
    public synchronized void commit(Manifest manifest) {
        ensureOpen();
        for (PieceRef piece : manifest.pieces()) {
            byte[] file = pieces.getOrDefault(manifest.id(), Map.of()).get(piece.rank());
            if (file == null || file.length != piece.size()) {
                throw new CheckpointStoreException("cannot commit checkpoint " + manifest.id() + ": rank "
                        + piece.rank() + "'s piece " + (file == null ? "is missing" : "is " + file.length
                        + " bytes, not " + piece.size()) + "; commit only after every rank has written its piece");
            }
        }
        if (!committed.isEmpty() && manifest.id().compareTo(committed.lastKey()) <= 0) {
            throw new CheckpointStoreException("cannot commit checkpoint " + manifest.id()
                    + ": checkpoint " + committed.lastKey() + " is already committed; use a newer id");
        }
        committed.put(manifest.id(), manifest);
    }

    @Override
    public synchronized Optional<Recovered> latest() {
        ensureOpen();
        return committed.isEmpty() ? Optional.empty()
                : Optional.of(new Recovered(committed.lastEntry().getValue(), List.of()));
    }

    @Override
    public synchronized Manifest manifest(CheckpointId id) {
        ensureOpen();
        Manifest m = committed.get(id);
        if (m == null) {
            throw new CheckpointStoreException("checkpoint " + id + " is not committed");
        }
        return m;
    }

    @Override
    public synchronized Optional<JobFingerprint> fingerprint(CheckpointId id) {
        manifest(id);
        return Optional.ofNullable(fingerprint);
    }

    @Override
    public synchronized List<CheckpointId> list() {
        ensureOpen();
        return new ArrayList<>(committed.keySet());
    }

    @Override
    public synchronized void retain(int k) {
        ensureOpen();
        if (k < 1) {
            throw new CheckpointStoreException("must retain at least 1 checkpoint, got " + k
                    + "; the newest complete checkpoint is never deleted");
        }
        if (committed.size() <= k) {
            return;
        }
        CheckpointId oldestKept = committed.descendingKeySet().stream().skip(k - 1L).findFirst().orElseThrow();
        committed.headMap(oldestKept, false).clear();
        pieces.keySet().removeIf(id -> id.compareTo(oldestKept) < 0);
    }

    @Override
    public PieceRef writeLocal(int rank, long index, java.nio.ByteBuffer... payload) {
        ensureOpen();
        CheckpointFormatDescriptor.requireLocal(rank, index);
        byte[] bytes = CheckpointFormatDescriptor.join(payload);
        locals.computeIfAbsent(rank, k -> new java.util.concurrent.ConcurrentSkipListMap<>())
                .put(index, pieceFile(CheckpointId.of(index), rank, bytes));
        return pieceRef(rank, CheckpointFormatDescriptor.localPieceFileName(index), bytes);
    }

    @Override
    public byte[] readLocal(int rank, long index) {
        ensureOpen();
        byte[] file = locals.getOrDefault(rank, new TreeMap<>()).get(index);
        String where = "in-memory local checkpoint " + index + " of rank " + rank;
        if (file == null) {
            throw new CheckpointStoreException(where + " is missing");
        }
        return CheckpointFormatDescriptor.verifyLocalPiece(where, file, CheckpointId.of(index), rank);
    }

    @Override
    public Optional<JobFingerprint> localFingerprint(int rank, long index) {
        ensureOpen();
        byte[] file = locals.getOrDefault(rank, new TreeMap<>()).get(index);
        String where = "in-memory local checkpoint " + index + " of rank " + rank;
        if (file == null) {
            throw new CheckpointStoreException(where + " is missing");
        }
        return Optional.ofNullable(CheckpointFormatDescriptor.pieceFingerprint(where, file, CheckpointId.of(index),
                rank));
    }

    @Override
    public List<Long> localIndexes(int rank) {
        ensureOpen();
        return List.copyOf(locals.getOrDefault(rank, new TreeMap<>()).keySet());
    }

    @Override
    public List<Integer> localRanks() {
        ensureOpen();
        return locals.keySet().stream().sorted().toList();
    }

    @Override
    public void deleteLocal(int rank, long index) {
        ensureOpen();
        NavigableMap<Long, byte[]> own = locals.get(rank);
        if (own != null) {
            own.remove(index);
        }
    }

    @Override
    public synchronized void writeRecoveryLine(long[] line) {
        ensureOpen();
        recoveryLine = line.clone();
    }

    @Override
    public synchronized Optional<long[]> recoveryLine() {
        ensureOpen();
        return Optional.ofNullable(recoveryLine).map(long[]::clone);
    }


    @Override
    public void close() {
        closed = true;
    }

    private void ensureOpen() {
        if (closed) {
            throw new CheckpointStoreException("in-memory checkpoint store is closed");
        }
    }

    @Override
    public void appendEvents(int rank, byte[] record) {
        events.computeIfAbsent(rank, r -> java.util.Collections.synchronizedList(new java.util.ArrayList<>()))
                .add(record.clone());
    }

    @Override
    public List<byte[]> readEvents(int rank) {
        List<byte[]> list = events.get(rank);
        if (list == null) {
            return List.of();
        }
        synchronized (list) {
            return list.stream().map(byte[]::clone).toList();
        }
    }

    @Override
    public void replaceEvents(int rank, List<byte[]> records) {
        if (records.isEmpty()) {
            events.remove(rank);
        } else {
            events.put(rank, java.util.Collections.synchronizedList(new java.util.ArrayList<>(
                    records.stream().map(byte[]::clone).toList())));
        }
    }
}
