package io.snapline.runtime.checkpoint.store;

import com.hazelcast.config.MapConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.snapline.runtime.cluster.Sealer;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * name sees the same checkpoints. A file (a piece or a local checkpoint) is written as a new generation: its chunks
 * under keys of their own, then its descriptor (length, chunk count, checksum, generation) in one put, then the
 * previous generation's chunks are deleted; so a write that fails half way leaves the previous file whole, and a
 * reader never mixes two writes. A checkpoint commits with one put of its manifest once every piece's descriptor is
 * there; the newest committed id is kept beside the manifests, so that a store whose newest manifests were lost with
 * members says so instead of starting the job from scratch. Commits and retention take a cluster-wide lock, so that
 * two supervisors of one store never interleave them. Retention removes a manifest before the pieces it names: a
 * failure between the two leaves unreferenced chunks ({@link #deleteInterruptedWrites()} removes them), never a
 * manifest without its pieces. An event stream is replaced as a new generation too, switched to in one put.
 *
 * <p>With a {@link Sealer}, every value is sealed for the map and key it is stored under: a process without the
 * cluster's secret reads nothing of the checkpoints, and a value it changed or moved does not open and counts as
 * damage. Not covered: such a process can put back an older value of the same key (its sealing is still valid), or
 * delete entries; the store then falls back to older checkpoints or reports what is missing.
 *
 * <p>The store does not own the Hazelcast instance: {@link #close()} leaves it running.
 */
public final class HazelcastCheckpointStore implements CheckpointStore {
    /** The most bytes one chunk of a piece holds. */
    public static final int CHUNK = 1 << 20;
    /** The default number of backup copies of every entry. */
    public static final int DEFAULT_BACKUPS = 1;
    private static final int DESCRIPTOR_MAGIC = 0x534c4844; // "SLHD"
    private static final int DESCRIPTOR_LENGTH = 28;
    private static final String PIECE = "p/";
    private static final String LOCAL = "l/";
    private static final String ASIDE = "a/";
    private static final String EVENTS = "events/";
    private static final String RECOVERY_LINE = "recovery-line";
    private static final String NEWEST = "newest-committed";
    private static final String STORE_LOCK = "store-lock";
    private static final Pattern ID_KEY = Pattern.compile("\\d{20}");
    private static final Pattern PIECE_KEY = Pattern.compile("p/(\\d{1,19})/(\\d{1,10})");
    private static final Pattern LOCAL_KEY = Pattern.compile("l/(\\d{1,10})/(\\d{1,19})");
    private static final Pattern EVENTS_KEY = Pattern.compile("events/(\\d{1,10})");
    /** Chunks read or written at a time: bounds what one call holds in flight. */
    private static final int BATCH = 16;
    private static final long LOCK_LEASE_SECONDS = 60;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String name;
    private final JobFingerprint fingerprint;
    /** By file key: a file's descriptor (see {@link Descriptor}). */
    private final IMap<String, byte[]> files;
    /** By file key, generation and chunk number: the chunk's CRC32C and bytes. */
    private final IMap<String, byte[]> chunks;
    /** By checkpoint id (20 digits, so that the keys sort as the ids): the manifest. */
    private final IMap<String, byte[]> manifests;
    /** The recovery line, the newest committed id, the event streams and the store's lock. */
    private final IMap<String, byte[]> misc;
    private final Sealer sealer;
    private final UUID lostListener;
    private volatile boolean closed;
    /** Members left with the only copies of some manifests while the store was open here. */
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
     * A store written with one secret and opened with another finds every value damaged and says that none opens with
     * this secret.
     */
    public HazelcastCheckpointStore(HazelcastInstance hazelcast, String name, JobFingerprint fingerprint, int backups,
            Sealer sealer) {
        if (name == null || !name.matches("[A-Za-z0-9_-]{1,100}")) {
            throw new CheckpointStoreException("a cluster store's name is 1 to 100 letters, digits, '_' or '-', got '"
                    + name + "'");
        }
        if (backups < 0 || backups > MapConfig.MAX_BACKUP_COUNT) {
            throw new CheckpointStoreException("a cluster store keeps 0 to " + MapConfig.MAX_BACKUP_COUNT
                    + " backup copies, got " + backups);
        }
        this.name = name;
        this.fingerprint = fingerprint;
        this.sealer = sealer;
        String prefix = "snapline.store." + name + ".";
        configure(hazelcast, prefix, backups);
        files = hazelcast.getMap(prefix + "files");
        chunks = hazelcast.getMap(prefix + "chunks");
        manifests = hazelcast.getMap(prefix + "manifests");
        misc = hazelcast.getMap(prefix + "misc");
        lostListener = manifests.addPartitionLostListener(event -> manifestsLost = true);
    }

    /** Sets the store's maps' backup count, unless the cluster has them configured already. */
    private static void configure(HazelcastInstance hazelcast, String prefix, int backups) {
        MapConfig config = new MapConfig(prefix + "*").setBackupCount(backups).setAsyncBackupCount(0);
        try {
            if (hazelcast.getConfig().getMapConfigOrNull(prefix + "*") != null) {
                return;
            }
        } catch (UnsupportedOperationException client) {
            // a client cannot read the members' configuration; adding it is still allowed (and refused when it
            // differs from one already there, which then stays)
        }
        try {
            hazelcast.getConfig().addMapConfig(config);
        } catch (RuntimeException alreadyThere) {
            // another member or client configured the store first: its backup count applies
        }
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
                Descriptor d = descriptor(pieceKey(manifest.id(), piece.rank()));
                if (d == null || d.length != piece.size()) {
                    throw new CheckpointStoreException("cannot commit checkpoint " + manifest.id() + ": rank "
                            + piece.rank() + "'s piece " + (d == null ? "is missing" : "is " + d.length
                            + " bytes, not " + piece.size()) + "; commit only after every rank has written its piece");
                }
            }
            List<CheckpointId> ids = list();
            if (!ids.isEmpty() && manifest.id().compareTo(ids.get(ids.size() - 1)) <= 0) {
                throw new CheckpointStoreException("cannot commit checkpoint " + manifest.id() + ": checkpoint "
                        + ids.get(ids.size() - 1) + " is already committed; use a newer id");
            }
            set(manifests, idKey(manifest.id()), CheckpointFormatDescriptor.encodeManifest(manifest, fingerprint));
            set(misc, NEWEST, ByteBuffer.allocate(8).putLong(0, manifest.id().value()).array());
            return null;
        });
    }

    @Override
    public Optional<Recovered> latest() {
        ensureOpen();
        List<String> warnings = new ArrayList<>();
        List<CheckpointId> ids = list();
        long newest = newestCommitted();
        long listed = ids.isEmpty() ? 0 : ids.get(ids.size() - 1).value();
        if (newest > listed || manifestsLost) {
            String lost = newest > listed ? "checkpoint " + newest + " was committed but its manifest is gone"
                    : "members left the cluster with the only copies of some of the store's manifests";
            if (ids.isEmpty()) {
                throw new CheckpointStoreException("no checkpoint left in the cluster store '" + name + "': " + lost
                        + " (members left with the only copies), so the job cannot restart from it; resume from "
                        + "another store, or open the store under a new name to start the job from scratch");
            }
            warnings.add(lost + "; checkpoints newer than " + listed + " may have been lost");
        }
        return Recovered.newestWhole(ids, warnings, id -> {
            Manifest manifest = manifest(id);
            for (PieceRef piece : manifest.pieces()) {
                readPiece(id, piece);
            }
            return manifest;
        }, id -> { }, "the cluster store '" + name + "'",
                " (a store with more backup copies survives the loss of more members at once)");
    }

    /** The id of the newest checkpoint ever committed in the store, or 0. */
    private long newestCommitted() {
        try {
            byte[] b = get(misc, NEWEST);
            return b == null || b.length != 8 ? 0 : ByteBuffer.wrap(b).getLong(0);
        } catch (CheckpointStoreException unopened) {
            return 0;
        }
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
        return new TreeSet<>(manifests.keySet()).stream().filter(k -> ID_KEY.matcher(k).matches())
                .map(k -> CheckpointId.of(Long.parseLong(k))).toList();
    }

    /**
     * {@inheritDoc} Only checkpoints whose manifest opens and whose pieces' descriptors and chunks are all there count
     * as complete.
     */
    @Override
    public void retain(int k) {
        ensureOpen();
        if (k < 1) {
            throw new CheckpointStoreException("must retain at least 1 checkpoint, got " + k
                    + "; the newest complete checkpoint is never deleted");
        }
        locked(() -> {
            List<CheckpointId> ids = list();
            int kept = 0;
            CheckpointId oldestKept = null;
            for (int i = ids.size() - 1; i >= 0 && kept < k; i--) {
                if (intact(ids.get(i))) {
                    kept++;
                    oldestKept = ids.get(i);
                }
            }
            if (oldestKept == null) {
                return null;
            }
            for (CheckpointId id : ids) {
                if (id.compareTo(oldestKept) < 0) {
                    manifests.delete(idKey(id)); // first: a failure from here on leaves only unreferenced pieces
                }
            }
            for (String key : new ArrayList<>(files.keySet())) {
                Matcher m = PIECE_KEY.matcher(key);
                if (m.matches() && Long.parseLong(m.group(1)) < oldestKept.value()) {
                    deleteFile(key);
                }
            }
            return null;
        });
    }

    /** Whether checkpoint {@code id}'s manifest opens and each of its pieces has its descriptor and every chunk. */
    private boolean intact(CheckpointId id) {
        try {
            for (PieceRef piece : manifest(id).pieces()) {
                Descriptor d = descriptor(pieceKey(id, piece.rank()));
                if (d == null || d.length != piece.size()) {
                    return false;
                }
                for (int k = 0; k < d.count; k++) {
                    if (!chunks.containsKey(chunkKey(pieceKey(id, piece.rank()), d.generation, k))) {
                        return false;
                    }
                }
            }
            return true;
        } catch (CheckpointStoreException e) {
            return false;
        }
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
        List<Long> indexes = new ArrayList<>();
        for (String key : files.keySet()) {
            Matcher m = LOCAL_KEY.matcher(key);
            if (m.matches() && Integer.parseInt(m.group(1)) == rank) {
                indexes.add(Long.parseLong(m.group(2)));
            }
        }
        indexes.sort(null);
        return indexes;
    }

    @Override
    public List<Integer> localRanks() {
        ensureOpen();
        TreeSet<Integer> ranks = new TreeSet<>();
        for (String key : files.keySet()) {
            Matcher m = LOCAL_KEY.matcher(key);
            if (m.matches()) {
                ranks.add(Integer.parseInt(m.group(1)));
            }
        }
        for (String key : misc.keySet()) {
            Matcher m = EVENTS_KEY.matcher(key);
            if (m.matches()) {
                ranks.add(Integer.parseInt(m.group(1)));
            }
        }
        return List.copyOf(ranks);
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
            byte[] raw = files.get(key);
            if (raw == null) {
                return "not there";
            }
            String aside = null;
            for (int n = 1; aside == null || files.containsKey(aside); n++) {
                aside = ASIDE + rank + "/" + index + "-" + n;
            }
            for (String chunk : chunkKeysOf(key)) {
                byte[] value = chunks.get(chunk);
                if (value != null) {
                    String moved = aside + chunk.substring(key.length());
                    chunks.set(moved, reseal(chunks, chunk, moved, value));
                }
            }
            files.set(aside, reseal(files, key, aside, raw));
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

    /** {@inheritDoc} Chunks of no file's current generation: writes a rank did not finish, and retentions cut short. */
    @Override
    public void deleteInterruptedWrites() {
        ensureOpen();
        Map<String, Long> current = new java.util.HashMap<>();
        for (String chunk : new ArrayList<>(chunks.keySet())) {
            int hash = chunk.lastIndexOf('#');
            String file = hash < 0 ? "" : chunk.substring(0, hash);
            if (file.startsWith(ASIDE)) {
                continue;
            }
            Long generation = current.computeIfAbsent(file, f -> {
                Descriptor d = descriptorOrNull(f);
                return d == null ? -1L : d.generation;
            });
            if (!chunk.startsWith(file + "#" + Long.toHexString(generation) + "/")) {
                chunks.delete(chunk);
            }
        }
    }

    // ------------------------------------------------------------------ event streams

    @Override
    public void appendEvents(int rank, byte[] record) {
        ensureOpen();
        String stream = eventsKey(rank);
        misc.lock(stream, LOCK_LEASE_SECONDS, TimeUnit.SECONDS);
        try {
            long[] gn = eventStream(rank);
            set(misc, stream + "/" + gn[0] + "/" + gn[1], CheckpointFormatDescriptor.eventRecord(record));
            set(misc, stream, ByteBuffer.allocate(16).putLong(0, gn[0]).putLong(8, gn[1] + 1).array());
        } finally {
            misc.unlock(stream);
        }
    }

    @Override
    public List<byte[]> readEvents(int rank) {
        ensureOpen();
        long[] gn = eventStream(rank);
        List<byte[]> records = new ArrayList<>();
        for (long i = 0; i < gn[1]; i++) {
            String where = "event record " + i + " of rank " + rank + " in the cluster store '" + name + "'";
            byte[] framed = get(misc, eventsKey(rank) + "/" + gn[0] + "/" + i);
            if (framed == null) {
                throw new CheckpointStoreException(where + " is missing (a member left with it and no backup copy)");
            }
            records.addAll(CheckpointFormatDescriptor.eventRecords(where, framed));
        }
        return records;
    }

    /**
     * {@inheritDoc} The records are written as a new generation of the stream, switched to with one put; the previous
     * generation is deleted afterwards, so a failure at any point leaves one whole stream, old or new.
     */
    @Override
    public void replaceEvents(int rank, List<byte[]> records) {
        ensureOpen();
        String stream = eventsKey(rank);
        misc.lock(stream, LOCK_LEASE_SECONDS, TimeUnit.SECONDS);
        try {
            long[] old = eventStream(rank);
            long generation = old[0] + 1;
            for (int i = 0; i < records.size(); i++) {
                set(misc, stream + "/" + generation + "/" + i, CheckpointFormatDescriptor.eventRecord(records.get(i)));
            }
            set(misc, stream, ByteBuffer.allocate(16).putLong(0, generation).putLong(8, records.size()).array());
            for (long i = 0; i < old[1]; i++) {
                misc.delete(stream + "/" + old[0] + "/" + i);
            }
        } finally {
            misc.unlock(stream);
        }
    }

    /** Rank {@code rank}'s event stream: its generation and record count ({0, 0} when it has none). */
    private long[] eventStream(int rank) {
        byte[] n = get(misc, eventsKey(rank));
        if (n == null) {
            return new long[] {0, 0};
        }
        if (n.length != 16) {
            throw new CheckpointStoreException("the event stream of rank " + rank + " in the cluster store '" + name
                    + "' has a damaged header");
        }
        ByteBuffer b = ByteBuffer.wrap(n);
        return new long[] {b.getLong(0), b.getLong(8)};
    }

    private static String eventsKey(int rank) {
        return EVENTS + rank;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                manifests.removePartitionLostListener(lostListener);
            } catch (RuntimeException e) {
                // the instance is shutting down: the listener goes with it
            }
        }
    }

    // ------------------------------------------------------------------ files in chunks

    /** A file's descriptor: its length, chunk count, CRC32C and the generation its chunks are stored under. */
    private record Descriptor(long length, int count, int crc, long generation) {
        byte[] encode() {
            return ByteBuffer.allocate(DESCRIPTOR_LENGTH).putInt(DESCRIPTOR_MAGIC).putLong(length).putInt(count)
                    .putInt(crc).putLong(generation).array();
        }

        static Descriptor decode(byte[] d, String where) {
            ByteBuffer b = ByteBuffer.wrap(d);
            if (d.length != DESCRIPTOR_LENGTH || b.getInt(0) != DESCRIPTOR_MAGIC) {
                throw CheckpointFormatDescriptor.corrupt(where, "has a damaged descriptor");
            }
            Descriptor x = new Descriptor(b.getLong(4), b.getInt(12), b.getInt(16), b.getLong(20));
            if (x.length < 0 || x.length > Integer.MAX_VALUE - 8 || x.count != chunkCount(x.length)) {
                throw CheckpointFormatDescriptor.corrupt(where, "has a damaged descriptor (" + x.length + " bytes in "
                        + x.count + " chunks)");
            }
            return x;
        }
    }

    /** The descriptor of the file under {@code key}, or null when there is none. */
    private Descriptor descriptor(String key) {
        byte[] d = get(files, key);
        return d == null ? null : Descriptor.decode(d, key);
    }

    /** {@link #descriptor}, or null also when it does not open or is damaged. */
    private Descriptor descriptorOrNull(String key) {
        try {
            return descriptor(key);
        } catch (CheckpointStoreException e) {
            return null;
        }
    }

    /**
     * Writes {@code file} under {@code key} as a new generation: its chunks, then its descriptor, then the previous
     * generation's chunks are deleted.
     */
    private void writeFile(String key, byte[] file) {
        Descriptor before = descriptorOrNull(key);
        long generation = RANDOM.nextLong() & Long.MAX_VALUE;
        int count = chunkCount(file.length);
        List<CompletionStage<Void>> pending = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            int from = k * CHUNK;
            int length = Math.min(CHUNK, file.length - from);
            byte[] value = new byte[4 + length];
            ByteBuffer.wrap(value).putInt(CheckpointFormatDescriptor.crc32c(file, from, length));
            System.arraycopy(file, from, value, 4, length);
            String chunk = chunkKey(key, generation, k);
            pending.add(chunks.setAsync(chunk, sealer == null ? value : sealer.seal(chunks.getName() + "/" + chunk,
                    value)));
            if (pending.size() == BATCH || k == count - 1) {
                awaitAll(pending, key);
            }
        }
        set(files, key, new Descriptor(file.length, count, CheckpointFormatDescriptor.crc32c(file, 0, file.length),
                generation).encode());
        if (before != null) {
            for (int k = 0; k < before.count; k++) {
                chunks.delete(chunkKey(key, before.generation, k));
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
        byte[] raw = get(files, key);
        if (raw == null) {
            throw new CheckpointStoreException(where + " is missing");
        }
        Descriptor d = Descriptor.decode(raw, where);
        byte[] file = new byte[(int) d.length];
        for (int first = 0; first < d.count; first += BATCH) {
            Set<String> keys = new HashSet<>();
            for (int k = first; k < Math.min(d.count, first + BATCH); k++) {
                keys.add(chunkKey(key, d.generation, k));
            }
            Map<String, byte[]> got = chunks.getAll(keys);
            for (int k = first; k < Math.min(d.count, first + BATCH); k++) {
                String chunk = chunkKey(key, d.generation, k);
                byte[] value = got.get(chunk);
                int from = k * CHUNK;
                int expected = (int) Math.min(CHUNK, d.length - from);
                if (value == null) {
                    throw new CheckpointStoreException(where + ": chunk " + (k + 1) + " of " + d.count + " is missing "
                            + "from the cluster (a member left with it and no backup copy)");
                }
                if (sealer != null) {
                    try {
                        value = sealer.open(chunks.getName() + "/" + chunk, value);
                    } catch (Sealer.SealException e) {
                        throw CheckpointFormatDescriptor.corrupt(where, "has a chunk " + (k + 1) + " of " + d.count
                                + " that does not open with this cluster's secret (changed or moved)");
                    }
                }
                if (value.length != 4 + expected
                        || ByteBuffer.wrap(value).getInt(0) != CheckpointFormatDescriptor.crc32c(value, 4, expected)) {
                    throw CheckpointFormatDescriptor.corrupt(where, "has a corrupt chunk " + (k + 1) + " of "
                            + d.count);
                }
                System.arraycopy(value, 4, file, from, expected);
            }
        }
        if (d.crc != CheckpointFormatDescriptor.crc32c(file, 0, file.length)) {
            throw CheckpointFormatDescriptor.corrupt(where, "does not match its descriptor's checksum");
        }
        return file;
    }

    /** Deletes the file under {@code key}: its descriptor, then its chunks (all generations, should it be damaged). */
    private void deleteFile(String key) {
        Descriptor d = descriptorOrNull(key);
        files.delete(key);
        if (d != null) {
            for (int k = 0; k < d.count; k++) {
                chunks.delete(chunkKey(key, d.generation, k));
            }
        } else {
            chunkKeysOf(key).forEach(chunks::delete);
        }
    }

    /** Every chunk key of the file under {@code key}, whatever its generation (a scan of all chunk keys). */
    private List<String> chunkKeysOf(String key) {
        return chunks.keySet().stream().filter(c -> c.startsWith(key + "#")).toList();
    }

    /** {@code value} under {@code key} in {@code map}, sealed when the store seals. */
    private void set(IMap<String, byte[]> map, String key, byte[] value) {
        map.set(key, sealer == null ? value : sealer.seal(map.getName() + "/" + key, value));
    }

    /**
     * The value under {@code key} in {@code map}, opened when the store seals; null when there is none.
     *
     * @throws CheckpointStoreException when it does not open (damage: written with another secret, or changed by a
     *     process without it)
     */
    private byte[] get(IMap<String, byte[]> map, String key) {
        byte[] value = map.get(key);
        if (value == null || sealer == null) {
            return value;
        }
        try {
            return sealer.open(map.getName() + "/" + key, value);
        } catch (Sealer.SealException e) {
            throw new CheckpointStoreException(key + " in the cluster store '" + name + "' does not open with this "
                    + "cluster's secret: it was written with another --secret-file, or changed by a process without "
                    + "it");
        }
    }

    private static int chunkCount(long length) {
        return (int) Math.max(1, (length + CHUNK - 1) / CHUNK);
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

    private static String localKey(int rank, long index) {
        return LOCAL + rank + "/" + index;
    }

    private static String chunkKey(String fileKey, long generation, int k) {
        return fileKey + "#" + Long.toHexString(generation) + "/" + k;
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
