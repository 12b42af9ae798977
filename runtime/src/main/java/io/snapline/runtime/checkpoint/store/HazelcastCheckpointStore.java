package io.snapline.runtime.checkpoint.store;

import com.hazelcast.config.MapConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.snapline.runtime.cluster.Sealer;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A checkpoint store kept in a Hazelcast cluster, replicated: each piece is cut into chunks of at most {@link #CHUNK}
 * bytes, each stored with its CRC32C in a map whose entries have {@code backups} synchronous backup copies on other
 * members, so that the store survives the loss of {@code backups} members at a time. Pieces, local checkpoints,
 * manifests, the recovery line and the event streams have the same bytes and the same checks as in
 * {@link FileCheckpointStore} (headers, fingerprints, checksums); what the file store learns from a torn or corrupt
 * file, this store learns from a missing or corrupt chunk, and {@link #latest()} falls back past a damaged checkpoint
 * in the same way, saying which chunk of which piece was lost.
 *
 * <p>The store is named: its maps are {@code snapline.store.NAME.*}, and every member or client that opens the same
 * name sees the same checkpoints. A piece's chunks are written before its descriptor (its length, chunk count and
 * checksum), and a checkpoint commits with one put of its manifest once every piece's descriptor is there, so that
 * a reader never sees a committed checkpoint with a piece that is still being written. Commits and retention take a
 * cluster-wide lock, so that two supervisors of one store never interleave them. Retention removes a manifest before
 * the pieces it names: a failure between the two leaves unreferenced chunks, never a manifest without its pieces.
 *
 * <p>The store does not own the Hazelcast instance: {@link #close()} leaves it running.
 */
public final class HazelcastCheckpointStore implements CheckpointStore {
    /** The most bytes one chunk of a piece holds. */
    public static final int CHUNK = 1 << 20;
    /** The default number of backup copies of every entry. */
    public static final int DEFAULT_BACKUPS = 1;
    private static final int DESCRIPTOR_MAGIC = 0x534c4844; // "SLHD"
    private static final String PIECE = "p/";
    private static final String LOCAL = "l/";
    private static final String ASIDE = "a/";
    private static final String RECOVERY_LINE = "recovery-line";
    private static final String STORE_LOCK = "store-lock";
    /** Chunks read or written at a time: bounds what one call holds in flight. */
    private static final int BATCH = 16;
    private static final long LOCK_LEASE_SECONDS = 60;

    private final String name;
    private final JobFingerprint fingerprint;
    /** By file key: a piece's descriptor (see {@link #descriptor}). */
    private final IMap<String, byte[]> files;
    /** By file key and chunk number: the chunk's CRC32C and bytes. */
    private final IMap<String, byte[]> chunks;
    /** By checkpoint id (20 digits, so that the keys sort as the ids): the manifest. */
    private final IMap<String, byte[]> manifests;
    /** The recovery line, the event streams and the store's lock. */
    private final IMap<String, byte[]> misc;
    private final Sealer sealer;
    private volatile boolean closed;
    /** Members left with the only copies of some manifests: {@link #latest()} cannot know what was newest. */
    private volatile boolean manifestsLost;

    /**
     * Opens (creating if need be) the store {@code name} in the cluster of {@code hazelcast}, whose checkpoints record
     * {@code fingerprint} (null: none), with {@code backups} backup copies of every entry (0 to 6; see
     * {@link #DEFAULT_BACKUPS}). The backup count of a store is fixed by the first member that opens it.
     */
    public HazelcastCheckpointStore(HazelcastInstance hazelcast, String name, JobFingerprint fingerprint, int backups) {
        this(hazelcast, name, fingerprint, backups, null);
    }

    /**
     * As {@link #HazelcastCheckpointStore(HazelcastInstance, String, JobFingerprint, int)}, every value sealed with
     * {@code sealer} (null: stored plain): a member or client without the cluster's secret can read nothing of the
     * checkpoints, and a value it changed or moved does not open. Only the keys (checkpoint numbers, ranks) are plain.
     * A store written with one secret and opened with another fails with a message that says so.
     */
    public HazelcastCheckpointStore(HazelcastInstance hazelcast, String name, JobFingerprint fingerprint, int backups,
            Sealer sealer) {
        if (name == null || !name.matches("[A-Za-z0-9._-]{1,100}")) {
            throw new CheckpointStoreException("a cluster store's name is 1 to 100 letters, digits, '.', '_' or '-',"
                    + " got '" + name + "'");
        }
        if (backups < 0 || backups > MapConfig.MAX_BACKUP_COUNT) {
            throw new CheckpointStoreException("a cluster store keeps 0 to " + MapConfig.MAX_BACKUP_COUNT
                    + " backup copies, got " + backups);
        }
        this.name = name;
        this.fingerprint = fingerprint;
        this.sealer = sealer;
        String prefix = "snapline.store." + name + ".";
        if (hazelcast.getConfig().getMapConfigOrNull(prefix + "*") == null) {
            hazelcast.getConfig().addMapConfig(new MapConfig(prefix + "*").setBackupCount(backups)
                    .setAsyncBackupCount(0));
        }
        files = hazelcast.getMap(prefix + "files");
        chunks = hazelcast.getMap(prefix + "chunks");
        manifests = hazelcast.getMap(prefix + "manifests");
        misc = hazelcast.getMap(prefix + "misc");
        manifests.addPartitionLostListener(event -> manifestsLost = true);
    }

    /** Whether members left with the only copies of some of this store's manifests since it was opened here. */
    boolean manifestsLost() {
        return manifestsLost;
    }

    // ------------------------------------------------------------------ pieces of global checkpoints

    @Override
    public PieceRef writePiece(CheckpointId id, int rank, byte[] payload) {
        ensureOpen();
        if (rank < 0) {
            throw new CheckpointStoreException("rank must be non-negative, got " + rank);
        }
        byte[] file = CheckpointFormatDescriptor.pieceFile(id, rank, fingerprint, payload);
        writeFile(pieceKey(id, rank), file);
        return new PieceRef(rank, CheckpointFormatDescriptor.pieceFileName(rank), file.length,
                CheckpointFormatDescriptor.crc32c(payload, 0, payload.length));
    }

    @Override
    public PieceRef writePiece(CheckpointId id, int rank, ByteBuffer... payload) {
        return writePiece(id, rank, CheckpointFormatDescriptor.join(payload));
    }

    @Override
    public byte[] readPiece(CheckpointId id, PieceRef piece) {
        ensureOpen();
        String where = where(id, piece.rank());
        return CheckpointFormatDescriptor.verifyPiece(where, readFile(pieceKey(id, piece.rank()), where), id, piece);
    }

    // ------------------------------------------------------------------ manifests

    @Override
    public void commit(Manifest manifest) {
        ensureOpen();
        locked(() -> {
            for (PieceRef piece : manifest.pieces()) {
                byte[] d = get(files, pieceKey(manifest.id(), piece.rank()));
                long size = d == null ? -1 : ByteBuffer.wrap(d).getLong(4);
                if (size != piece.size()) {
                    throw new CheckpointStoreException("cannot commit checkpoint " + manifest.id() + ": rank "
                            + piece.rank() + "'s piece " + (d == null ? "is missing" : "is " + size + " bytes, not "
                            + piece.size()) + "; commit only after every rank has written its piece");
                }
            }
            List<CheckpointId> ids = list();
            if (!ids.isEmpty() && manifest.id().compareTo(ids.get(ids.size() - 1)) <= 0) {
                throw new CheckpointStoreException("cannot commit checkpoint " + manifest.id() + ": checkpoint "
                        + ids.get(ids.size() - 1) + " is already committed; use a newer id");
            }
            set(manifests, idKey(manifest.id()), CheckpointFormatDescriptor.encodeManifest(manifest, fingerprint));
            return null;
        });
    }

    @Override
    public Optional<Recovered> latest() {
        ensureOpen();
        List<String> warnings = new ArrayList<>();
        List<CheckpointId> ids = list();
        if (manifestsLost) {
            String lost = "members left the cluster with the only copies of some of the store's manifests";
            if (ids.isEmpty()) {
                throw new CheckpointStoreException("no checkpoint left in the cluster store '" + name + "': " + lost
                        + ", so the job cannot tell whether it has checkpoints; resume from another store, or open "
                        + "the store under a new name to start the job from scratch");
            }
            warnings.add(lost + ": checkpoints newer than " + ids.get(ids.size() - 1) + " may have been lost");
        }
        for (int i = ids.size() - 1; i >= 0; i--) {
            CheckpointId id = ids.get(i);
            try {
                Manifest manifest = manifest(id);
                for (PieceRef piece : manifest.pieces()) {
                    readPiece(id, piece);
                }
                return Optional.of(new Recovered(manifest, warnings));
            } catch (CheckpointFormatException e) {
                throw e; // not damage: another job's or version's checkpoint, never skipped silently
            } catch (CheckpointStoreException e) {
                warnings.add("skipping checkpoint " + id + ": " + e.getMessage()
                        + "; falling back to an earlier checkpoint");
            }
        }
        if (!warnings.isEmpty()) {
            throw new CheckpointStoreException("no complete checkpoint in the cluster store '" + name + "': "
                    + String.join("; ", warnings) + ". Every committed checkpoint is damaged (a store with more "
                    + "backup copies survives the loss of more members at once)");
        }
        return Optional.empty();
    }

    @Override
    public Manifest manifest(CheckpointId id) {
        Manifest m = manifestFile(id).manifest();
        if (!m.id().equals(id)) {
            throw new CheckpointStoreException("the cluster store's manifest of checkpoint " + id + " names checkpoint "
                    + m.id());
        }
        return m;
    }

    @Override
    public Optional<JobFingerprint> fingerprint(CheckpointId id) {
        return Optional.ofNullable(manifestFile(id).fingerprint());
    }

    private CheckpointFormatDescriptor.ManifestFile manifestFile(CheckpointId id) {
        ensureOpen();
        byte[] bytes = get(manifests, idKey(id));
        if (bytes == null) {
            throw new CheckpointStoreException("checkpoint " + id + " is not committed in the cluster store '" + name
                    + "'");
        }
        return CheckpointFormatDescriptor.decodeManifest("manifest of checkpoint " + id + " in the cluster store '"
                + name + "'", bytes);
    }

    @Override
    public List<CheckpointId> list() {
        ensureOpen();
        return new TreeSet<>(manifests.keySet()).stream().map(k -> CheckpointId.of(Long.parseLong(k))).toList();
    }

    @Override
    public void retain(int k) {
        ensureOpen();
        if (k < 1) {
            throw new CheckpointStoreException("must retain at least 1 checkpoint, got " + k
                    + "; the newest complete checkpoint is never deleted");
        }
        locked(() -> {
            List<CheckpointId> ids = list();
            if (ids.size() <= k) {
                return null;
            }
            CheckpointId oldestKept = ids.get(ids.size() - k);
            for (CheckpointId id : ids.subList(0, ids.size() - k)) {
                manifests.delete(idKey(id)); // first: a failure from here on leaves only unreferenced pieces
            }
            for (String key : new ArrayList<>(files.keySet())) {
                if (key.startsWith(PIECE) && pieceId(key) < oldestKept.value()) {
                    deleteFile(key);
                }
            }
            return null;
        });
    }

    // ------------------------------------------------------------------ local checkpoints

    @Override
    public PieceRef writeLocal(int rank, long index, ByteBuffer... payload) {
        ensureOpen();
        CheckpointFormatDescriptor.requireLocal(rank, index);
        byte[] bytes = CheckpointFormatDescriptor.join(payload);
        byte[] file = CheckpointFormatDescriptor.pieceFile(CheckpointId.of(index), rank, fingerprint, bytes);
        writeFile(localKey(rank, index), file);
        return new PieceRef(rank, CheckpointFormatDescriptor.localPieceFileName(index), file.length,
                CheckpointFormatDescriptor.crc32c(bytes, 0, bytes.length));
    }

    @Override
    public byte[] readLocal(int rank, long index) {
        ensureOpen();
        String where = localWhere(rank, index);
        return CheckpointFormatDescriptor.verifyLocalPiece(where, readFile(localKey(rank, index), where),
                CheckpointId.of(index), rank);
    }

    @Override
    public Optional<JobFingerprint> localFingerprint(int rank, long index) {
        ensureOpen();
        String where = localWhere(rank, index);
        return Optional.ofNullable(CheckpointFormatDescriptor.pieceFingerprint(where,
                readFile(localKey(rank, index), where), CheckpointId.of(index), rank));
    }

    @Override
    public String localLocation(int rank, long index) {
        return localWhere(rank, index);
    }

    @Override
    public List<Long> localIndexes(int rank) {
        ensureOpen();
        String prefix = LOCAL + rank + "/";
        return files.keySet().stream().filter(key -> key.startsWith(prefix))
                .map(key -> Long.parseLong(key.substring(prefix.length()))).sorted().toList();
    }

    @Override
    public List<Integer> localRanks() {
        ensureOpen();
        return files.keySet().stream().filter(key -> key.startsWith(LOCAL))
                .map(key -> Integer.parseInt(key.substring(LOCAL.length(), key.indexOf('/', LOCAL.length()))))
                .distinct().sorted().toList();
    }

    @Override
    public void deleteLocal(int rank, long index) {
        ensureOpen();
        deleteFile(localKey(rank, index));
    }

    /**
     * {@inheritDoc} Its entries move under a key no listing looks at ({@code a/RANK/INDEX-N}), damaged ones as they
     * are.
     */
    @Override
    public String setAsideLocal(int rank, long index) {
        ensureOpen();
        String key = localKey(rank, index);
        return locked(() -> {
            byte[] d = files.get(key);
            if (d == null) {
                return "not there";
            }
            String aside = null;
            for (int n = 1; aside == null || files.containsKey(aside); n++) {
                aside = ASIDE + rank + "/" + index + "-" + n;
            }
            int count = 0;
            try {
                byte[] plain = get(files, key);
                count = plain.length == 20 ? ByteBuffer.wrap(plain).getInt(12) : 0;
            } catch (CheckpointStoreException e) {
                // a descriptor that does not open is moved as it is, with no chunk it would name
            }
            for (int k = 0; k < count; k++) {
                byte[] value = chunks.get(chunkKey(key, k));
                if (value != null) {
                    chunks.set(chunkKey(aside, k), reseal(chunks, chunkKey(key, k), chunkKey(aside, k), value));
                }
            }
            files.set(aside, reseal(files, key, aside, d));
            deleteFile(key);
            return "set aside in the cluster store '" + name + "' as " + aside;
        });
    }

    /** A value stored under {@code from} made ready for {@code to}: sealed again when it opens, as it is otherwise. */
    private byte[] reseal(IMap<String, byte[]> map, String from, String to, byte[] value) {
        if (sealer == null) {
            return value;
        }
        try {
            return sealer.seal(map.getName() + "/" + to, sealer.open(map.getName() + "/" + from, value));
        } catch (Sealer.SealException e) {
            return value;
        }
    }

    @Override
    public void writeRecoveryLine(long[] line) {
        ensureOpen();
        set(misc, RECOVERY_LINE, CheckpointFormatDescriptor.encodeRecoveryLine(line));
    }

    @Override
    public Optional<long[]> recoveryLine() {
        ensureOpen();
        byte[] bytes = get(misc, RECOVERY_LINE);
        return bytes == null ? Optional.empty() : Optional.of(CheckpointFormatDescriptor.decodeRecoveryLine(
                "the recovery line in the cluster store '" + name + "'", bytes));
    }

    // ------------------------------------------------------------------ event streams

    @Override
    public void appendEvents(int rank, byte[] record) {
        ensureOpen();
        String count = eventsKey(rank);
        misc.lock(count, LOCK_LEASE_SECONDS, TimeUnit.SECONDS);
        try {
            long n = eventCount(rank);
            set(misc, count + "/" + n, CheckpointFormatDescriptor.eventRecord(record));
            set(misc, count, ByteBuffer.allocate(8).putLong(0, n + 1).array());
        } finally {
            misc.unlock(count);
        }
    }

    @Override
    public List<byte[]> readEvents(int rank) {
        ensureOpen();
        String count = eventsKey(rank);
        long n = eventCount(rank);
        List<byte[]> records = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            byte[] framed = get(misc, count + "/" + i);
            String where = "event record " + i + " of rank " + rank + " in the cluster store '" + name + "'";
            if (framed == null) {
                throw new CheckpointStoreException(where + " is missing (a member left with it and no backup copy)");
            }
            records.addAll(CheckpointFormatDescriptor.eventRecords(where, framed));
        }
        return records;
    }

    @Override
    public void replaceEvents(int rank, List<byte[]> records) {
        ensureOpen();
        String count = eventsKey(rank);
        misc.lock(count, LOCK_LEASE_SECONDS, TimeUnit.SECONDS);
        try {
            long old = eventCount(rank);
            set(misc, count, ByteBuffer.allocate(8).putLong(0, 0).array());
            for (long i = 0; i < old; i++) {
                misc.delete(count + "/" + i);
            }
            for (int i = 0; i < records.size(); i++) {
                set(misc, count + "/" + i, CheckpointFormatDescriptor.eventRecord(records.get(i)));
            }
            set(misc, count, ByteBuffer.allocate(8).putLong(0, records.size()).array());
        } finally {
            misc.unlock(count);
        }
    }

    private long eventCount(int rank) {
        byte[] n = get(misc, eventsKey(rank));
        return n == null ? 0 : ByteBuffer.wrap(n).getLong(0);
    }

    private static String eventsKey(int rank) {
        return "events/" + rank;
    }

    @Override
    public void close() {
        closed = true;
    }

    // ------------------------------------------------------------------ files in chunks

    /**
     * Writes {@code file} under {@code key}: its chunks (replacing those of an earlier file there), then its
     * descriptor, then drops chunks an earlier, longer file left beyond the new one's.
     */
    private void writeFile(String key, byte[] file) {
        byte[] before = get(files, key);
        int count = chunkCount(file.length);
        List<CompletionStage<Void>> pending = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            int from = k * CHUNK;
            int length = Math.min(CHUNK, file.length - from);
            byte[] value = new byte[4 + length];
            ByteBuffer.wrap(value).putInt(CheckpointFormatDescriptor.crc32c(file, from, length));
            System.arraycopy(file, from, value, 4, length);
            String chunk = chunkKey(key, k);
            pending.add(chunks.setAsync(chunk, sealer == null ? value : sealer.seal(chunks.getName() + "/" + chunk,
                    value)));
            if (pending.size() == BATCH || k == count - 1) {
                awaitAll(pending, key);
            }
        }
        set(files, key, descriptor(file.length, count, CheckpointFormatDescriptor.crc32c(file, 0, file.length)));
        if (before != null) {
            int old = ByteBuffer.wrap(before).getInt(12);
            for (int k = count; k < old; k++) {
                chunks.delete(chunkKey(key, k));
            }
        }
    }

    private static void awaitAll(List<CompletionStage<Void>> pending, String key) {
        try {
            for (CompletionStage<Void> p : pending) {
                p.toCompletableFuture().get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CheckpointStoreException("interrupted while writing " + key + " to the cluster store", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new CheckpointStoreException("cannot write " + key + " to the cluster store: " + e.getCause(),
                    e.getCause());
        } finally {
            pending.clear();
        }
    }

    /** The file under {@code key}, every chunk checked against its checksum and the whole against the descriptor's. */
    private byte[] readFile(String key, String where) {
        byte[] d = get(files, key);
        if (d == null) {
            throw new CheckpointStoreException(where + " is missing");
        }
        ByteBuffer desc = ByteBuffer.wrap(d);
        if (d.length != 20 || desc.getInt(0) != DESCRIPTOR_MAGIC) {
            throw CheckpointFormatDescriptor.corrupt(where, "has a damaged descriptor");
        }
        long length = desc.getLong(4);
        int count = desc.getInt(12);
        if (length < 0 || length > Integer.MAX_VALUE - 8 || count != chunkCount((int) length)) {
            throw CheckpointFormatDescriptor.corrupt(where, "has a damaged descriptor (" + length + " bytes in "
                    + count + " chunks)");
        }
        byte[] file = new byte[(int) length];
        for (int first = 0; first < count; first += BATCH) {
            Set<String> keys = new HashSet<>();
            for (int k = first; k < Math.min(count, first + BATCH); k++) {
                keys.add(chunkKey(key, k));
            }
            Map<String, byte[]> got = chunks.getAll(keys);
            for (int k = first; k < Math.min(count, first + BATCH); k++) {
                byte[] value = got.get(chunkKey(key, k));
                int from = k * CHUNK;
                int expected = (int) Math.min(CHUNK, length - from);
                if (value == null) {
                    throw new CheckpointStoreException(where + ": chunk " + (k + 1) + " of " + count + " is missing "
                            + "from the cluster (a member left with it and no backup copy)");
                }
                if (sealer != null) {
                    try {
                        value = sealer.open(chunks.getName() + "/" + chunkKey(key, k), value);
                    } catch (Sealer.SealException e) {
                        throw CheckpointFormatDescriptor.corrupt(where, "has a chunk " + (k + 1) + " of " + count
                                + " that does not open with this cluster's secret (changed or moved)");
                    }
                }
                if (value.length != 4 + expected
                        || ByteBuffer.wrap(value).getInt(0) != CheckpointFormatDescriptor.crc32c(value, 4, expected)) {
                    throw CheckpointFormatDescriptor.corrupt(where, "has a corrupt chunk " + (k + 1) + " of " + count);
                }
                System.arraycopy(value, 4, file, from, expected);
            }
        }
        if (desc.getInt(16) != CheckpointFormatDescriptor.crc32c(file, 0, file.length)) {
            throw CheckpointFormatDescriptor.corrupt(where, "does not match its descriptor's checksum (chunks of two "
                    + "writes mixed?)");
        }
        return file;
    }

    private void deleteFile(String key) {
        byte[] d = get(files, key);
        files.delete(key);
        if (d != null && d.length == 20) {
            int count = ByteBuffer.wrap(d).getInt(12);
            for (int k = 0; k < count; k++) {
                chunks.delete(chunkKey(key, k));
            }
        }
    }

    /** {@code value} under {@code key} in {@code map}, sealed when the store seals. */
    private void set(IMap<String, byte[]> map, String key, byte[] value) {
        map.set(key, sealer == null ? value : sealer.seal(map.getName() + "/" + key, value));
    }

    /**
     * The value under {@code key} in {@code map}, opened when the store seals; null when there is none.
     *
     * @throws CheckpointFormatException when it does not open: the store was written with another secret (or the
     *     value was changed by a process without it), which is not damage to fall back from
     */
    private byte[] get(IMap<String, byte[]> map, String key) {
        byte[] value = map.get(key);
        if (value == null || sealer == null) {
            return value;
        }
        try {
            return sealer.open(map.getName() + "/" + key, value);
        } catch (Sealer.SealException e) {
            throw new CheckpointFormatException("the cluster store '" + name + "' holds a value (" + key + ") that does "
                    + "not open with this cluster's secret: it was written with another --secret-file, or changed by "
                    + "a process without it; use the secret file it was written with");
        }
    }

    private static byte[] descriptor(long length, int chunkCount, int crc) {
        return ByteBuffer.allocate(20).putInt(DESCRIPTOR_MAGIC).putLong(length).putInt(chunkCount).putInt(crc).array();
    }

    private static int chunkCount(int length) {
        return Math.max(1, (length + CHUNK - 1) / CHUNK);
    }

    /** Runs {@code body} under the store's cluster-wide lock. */
    private <T> T locked(java.util.function.Supplier<T> body) {
        misc.lock(STORE_LOCK, LOCK_LEASE_SECONDS, TimeUnit.SECONDS);
        try {
            return body.get();
        } finally {
            misc.unlock(STORE_LOCK);
        }
    }

    private static String idKey(CheckpointId id) {
        return String.format("%020d", id.value());
    }

    private static String pieceKey(CheckpointId id, int rank) {
        return PIECE + id.value() + "/" + rank;
    }

    private static long pieceId(String key) {
        return Long.parseLong(key.substring(PIECE.length(), key.indexOf('/', PIECE.length())));
    }

    private static String localKey(int rank, long index) {
        return LOCAL + rank + "/" + index;
    }

    private static String chunkKey(String fileKey, int k) {
        return fileKey + "#" + k;
    }

    private String where(CheckpointId id, int rank) {
        return "piece of rank " + rank + " of checkpoint " + id + " in the cluster store '" + name + "'";
    }

    private String localWhere(int rank, long index) {
        return "local checkpoint " + index + " of rank " + rank + " in the cluster store '" + name + "'";
    }

    private void ensureOpen() {
        if (closed) {
            throw new CheckpointStoreException("the cluster store '" + name + "' is closed");
        }
    }
}
