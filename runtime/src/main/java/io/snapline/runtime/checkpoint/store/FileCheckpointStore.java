package io.snapline.runtime.checkpoint.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The durable store: one owner-only directory per checkpoint under the {@code --store} directory, pieces and
 * MANIFEST written atomically and checksummed as {@link CheckpointFormatDescriptor} describes, each recording the job's
 * fingerprint. Several instances (one per rank process) may share a directory; only the coordinator's instance
 * commits, recovers, retains and collects garbage. Opened for incremental writes ({@code --incremental}), it cuts each
 * piece's payload into chunks kept once in {@code chunks/} ({@link ChunkStore}) and writes as the piece the list of
 * them ({@link ChunkList}); it reads pieces of both kinds whichever way it was opened. Which job may use the directory
 * is {@link StoreLock}'s business, not this class's.
 */
public final class FileCheckpointStore implements CheckpointStore {

    private final Path root;
    private final JobFingerprint fingerprint;
    private final byte[] fingerprintBytes;
    /** Whether pieces are written as chunk lists ({@code --incremental}). */
    private final boolean incremental;
    private final ChunkStore chunks;
    /** Held by a garbage collection and by moves of pieces (set aside), so that no marking misses a moving piece. */
    private final Object gcLock = new Object();
    /** Checkpoints {@link #latest()} found damaged: retention never counts them among those it keeps. */
    private final java.util.Set<CheckpointId> damaged = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Chunks this store has read back with their SHA-256 for retention ({@link #chunksSound}). */
    private final java.util.Set<String> verifiedChunks = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * Opens (creating if needed) the store in {@code root} for reading, and for writing checkpoints that record no
     * job fingerprint (tools and tests; a job that writes them cannot be resumed).
     */
    public FileCheckpointStore(Path root) {
        this(root, null);
    }

    /**
     * Opens (creating if needed) the store in {@code root} for the job of {@code fingerprint}, which every manifest and
     * piece written through it records (null: none, as {@link #FileCheckpointStore(Path)}).
     */
    public FileCheckpointStore(Path root, JobFingerprint fingerprint) {
        this(root, fingerprint, false);
    }

    /**
     * {@link #FileCheckpointStore(Path, JobFingerprint)}, writing incremental pieces when {@code incremental}: each
     * piece's payload is cut into chunks, only the chunks the store does not have are written, and the piece holds
     * the list of them. Opening moves back what an interrupted garbage collection left in {@code chunks/trash/}.
     */
    public FileCheckpointStore(Path root, JobFingerprint fingerprint, boolean incremental) {
        this.incremental = incremental;
        this.fingerprint = fingerprint;
        this.fingerprintBytes = FingerprintLines.bytes(fingerprint);
        this.root = root.toAbsolutePath().normalize();
        try {
            OwnerOnlyFiles.createDirectory(this.root);
        } catch (IOException e) {
            throw new CheckpointStoreException("cannot create checkpoint directory " + this.root
                    + "; pass a writable directory with --store", e);
        }
        this.chunks = new ChunkStore(this.root.resolve(ChunkStore.DIR));
    }

    /** The default {@code --store} directory: {@code ./snapline-checkpoints/<jobId>}. */
    public static Path defaultDirectory(String jobId) {
        if (jobId == null || jobId.isEmpty() || jobId.equals(".") || jobId.equals("..")
                || !jobId.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.')) {
            throw new CheckpointStoreException("job id '" + jobId + "' cannot name a directory; use letters, "
                    + "digits, '-', '_' and '.' only");
        }
        return Path.of("snapline-checkpoints", jobId);
    }

    public Path root() {
        return root;
    }

    /** {@code spill/} under the store's directory. */
    @Override
    public Optional<Path> scratchDirectory() {
        return Optional.of(root.resolve("spill"));
    }

    @Override
    public PieceRef writePiece(CheckpointId id, int rank, byte[] payload) {
        return writePiece(id, rank, java.nio.ByteBuffer.wrap(payload));
    }

    @Override
    public PieceRef writePiece(CheckpointId id, int rank, java.nio.ByteBuffer... payload) {
        return writePieceCounted(id, rank, payload).piece();
    }

    @Override
    public PieceWrite writePieceCounted(CheckpointId id, int rank, java.nio.ByteBuffer... payload) {
        return writePieceCounted(id, rank, FixedCuts.NONE, payload);
    }

    @Override
    public PieceWrite writePieceCounted(CheckpointId id, int rank, FixedCuts fixed, java.nio.ByteBuffer... payload) {
        ensureOpen();
        if (rank < 0) {
            throw new CheckpointStoreException("rank must be non-negative, got " + rank);
        }
        return writePieceFile(checkpointDir(id), CheckpointFormatDescriptor.pieceFileName(rank), id, rank, fixed,
                payload, "rank " + rank + "'s piece of checkpoint " + id);
    }

    @Override
    public byte[] readPiece(CheckpointId id, PieceRef piece) {
        ensureOpen();
        Path file = checkpointDir(id).resolve(piece.fileName());
        return payload(file.toString(), CheckpointFormatDescriptor.verifyPieceFile(file.toString(), read(file, "piece"),
                id, piece));
    }

    /** A verified piece's real payload: its own, or the chunks its chunk list names, each checked. */
    private byte[] payload(String where, CheckpointFormatDescriptor.VerifiedPiece piece) {
        if (!piece.header().chunked()) {
            return piece.payload();
        }
        return chunks.assemble(where, ChunkList.decode(where, piece.payload()));
    }

    @Override
    public void commit(Manifest manifest) {
        ensureOpen();
        Path dir = checkpointDir(manifest.id());
        for (PieceRef piece : manifest.pieces()) {
            Path file = dir.resolve(piece.fileName());
            long size = sizeOrMinusOne(file);
            if (size != piece.size()) {
                throw new CheckpointStoreException("cannot commit checkpoint " + manifest.id() + ": rank "
                        + piece.rank() + "'s piece " + file + (size < 0 ? " is missing" : " is " + size
                        + " bytes, not " + piece.size()) + "; commit only after every rank has written its piece");
            }
        }
        Optional<CheckpointId> newest = newestCommitted();
        if (newest.isPresent() && manifest.id().compareTo(newest.get()) <= 0
                && intact(newest.get())) {
            throw new CheckpointStoreException("cannot commit checkpoint " + manifest.id()
                    + ": checkpoint " + newest.get() + " is already committed; use a newer id");
        }
        try {
            OwnerOnlyFiles.writeAtomically(dir.resolve(CheckpointFormatDescriptor.MANIFEST_FILE),
                    CheckpointFormatDescriptor.encodeManifest(manifest, fingerprint));
        } catch (IOException e) {
            throw new CheckpointStoreException("cannot commit checkpoint " + manifest.id() + " in " + dir
                    + "; check free space and permissions of the --store directory", e);
        }
    }

    @Override
    public Optional<Recovered> latest() {
        ensureOpen();
        deleteTemporaries();
        return Recovered.newestWhole(list(), new ArrayList<>(), this::verified, damaged::add, root.toString(),
                "; restore the files from a backup, or move the directory away to start the job from scratch");
    }

    /**
     * {@inheritDoc} The store may belong to a running job (a tool reading it): the directories are listed again after
     * their manifests were looked at, until no checkpoint directory came or went meanwhile, so that a listing taken
     * before a commit is not checked after the retention that followed it (which would miss every checkpoint).
     */
    @Override
    public List<CheckpointId> list() {
        ensureOpen();
        List<Path> dirs = checkpointDirs();
        List<CheckpointId> ids = new ArrayList<>();
        for (int attempt = 0; attempt < 20; attempt++) {
            ids = new ArrayList<>();
            for (Path dir : dirs) {
                if (Files.exists(dir.resolve(CheckpointFormatDescriptor.MANIFEST_FILE))) {
                    ids.add(CheckpointId.of(idOf(dir)));
                }
            }
            List<Path> again = checkpointDirs();
            if (again.equals(dirs)) {
                break;
            }
            dirs = again;
        }
        return ids;
    }

    @Override
    public void retain(int k) {
        ensureOpen();
        if (k < 1) {
            throw new CheckpointStoreException("must retain at least 1 checkpoint, got " + k
                    + "; the newest complete checkpoint is never deleted");
        }
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
            return;
        }
        for (Path dir : checkpointDirs()) {
            if (idOf(dir) < oldestKept.value()) {
                deleteCheckpointDir(dir);
            }
        }
    }

    /**
     * Deletes rank {@code rank}'s pieces of the checkpoints older than {@code keepFrom} that were never committed here
     * (a directory with a manifest is left alone), and their directories once empty: for a store that holds copies of
     * pieces committed elsewhere (the host copies of a {@link TieredCheckpointStore}), which nothing else deletes.
     *
     * @throws CheckpointStoreException if a piece cannot be deleted
     */
    public void deleteUncommittedPieces(int rank, CheckpointId keepFrom) {
        ensureOpen();
        for (Path dir : checkpointDirs()) {
            if (idOf(dir) >= keepFrom.value() || Files.exists(dir.resolve(CheckpointFormatDescriptor.MANIFEST_FILE))) {
                continue;
            }
            try {
                Files.deleteIfExists(dir.resolve(CheckpointFormatDescriptor.pieceFileName(rank)));
                try (Stream<Path> left = Files.list(dir)) {
                    if (left.findAny().isEmpty()) {
                        Files.deleteIfExists(dir);
                    }
                }
            } catch (java.nio.file.DirectoryNotEmptyException | java.nio.file.NoSuchFileException raced) {
                // another rank on this host wrote into, or emptied, the directory meanwhile: its own call tidies it
            } catch (IOException e) {
                throw new CheckpointStoreException("cannot delete rank " + rank + "'s old piece in " + dir + ": " + e, e);
            }
        }
    }

    @Override
    public PieceRef writeLocal(int rank, long index, java.nio.ByteBuffer... payload) {
        return writeLocalCounted(rank, index, payload).piece();
    }

    @Override
    public PieceWrite writeLocalCounted(int rank, long index, java.nio.ByteBuffer... payload) {
        return writeLocalCounted(rank, index, FixedCuts.NONE, payload);
    }

    @Override
    public PieceWrite writeLocalCounted(int rank, long index, FixedCuts fixed, java.nio.ByteBuffer... payload) {
        ensureOpen();
        CheckpointFormatDescriptor.requireLocal(rank, index);
        return writePieceFile(localDir().resolve(CheckpointFormatDescriptor.localRankDirName(rank)),
                CheckpointFormatDescriptor.localPieceFileName(index), CheckpointId.of(index), rank, fixed, payload,
                "rank " + rank + "'s local checkpoint " + index);
    }

    /**
     * Writes {@code payload} as the piece file {@code dir/name} (creating {@code dir}), header, fingerprint and CRC32C
     * included; incrementally when the store was opened so: intent, missing chunks, the chunk list as the piece, then
     * the intent deleted ({@link ChunkStore}), the stretches of {@code fixed} cut at fixed offsets.
     */
    private PieceWrite writePieceFile(Path dir, String name, CheckpointId id, int rank, FixedCuts fixed,
            java.nio.ByteBuffer[] payload, String what) {
        long length = 0;
        for (java.nio.ByteBuffer p : payload) {
            length += p.remaining();
        }
        long full = CheckpointFormatDescriptor.PIECE_HEADER_SIZE + fingerprintBytes.length + length;
        if (!incremental) {
            return PieceWrite.whole(writePieceFile(dir, name, id, rank, payload, 0, what));
        }
        ChunkList list = ChunkList.of(fixed, payload);
        try (ChunkStore.Intent intent = chunks.begin(list)) {
            long written = chunks.putMissing(list, payload);
            PieceRef piece = writePieceFile(dir, name, id, rank, new java.nio.ByteBuffer[] {
                java.nio.ByteBuffer.wrap(list.encode())}, CheckpointFormatDescriptor.FLAG_CHUNK_LIST, what);
            return new PieceWrite(piece, piece.size() + written, full);
        }
    }

    private PieceRef writePieceFile(Path dir, String name, CheckpointId id, int rank,
            java.nio.ByteBuffer[] payload, int flags, String what) {
        long length = 0;
        for (java.nio.ByteBuffer p : payload) {
            length += p.remaining();
        }
        int crc = CheckpointFormatDescriptor.crc32c(payload);
        byte[] header = CheckpointFormatDescriptor.pieceHeader(id, rank, fingerprintBytes, length, crc, flags);
        java.nio.ByteBuffer[] parts = new java.nio.ByteBuffer[payload.length + 2];
        parts[0] = java.nio.ByteBuffer.wrap(header);
        parts[1] = java.nio.ByteBuffer.wrap(fingerprintBytes);
        System.arraycopy(payload, 0, parts, 2, payload.length);
        try {
            OwnerOnlyFiles.createDirectory(dir);
            OwnerOnlyFiles.writeAtomically(dir.resolve(name), parts);
        } catch (IOException e) {
            throw new CheckpointStoreException("cannot write " + what + " to " + dir
                    + "; check free space and permissions of the --store directory", e);
        }
        return new PieceRef(rank, name, header.length + fingerprintBytes.length + length, crc);
    }

    @Override
    public byte[] readLocal(int rank, long index) {
        ensureOpen();
        Path file = localFile(rank, index);
        return payload(file.toString(), CheckpointFormatDescriptor.verifyLocalPieceFile(file.toString(),
                read(file, "local checkpoint"), CheckpointId.of(index), rank));
    }

    @Override
    public String localLocation(int rank, long index) {
        return localFile(rank, index).toString();
    }

    @Override
    public byte[] verifyLocal(int rank, long index, int headBytes) {
        ensureOpen();
        Path file = localFile(rank, index);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (chunked(readUpTo(channel, CheckpointFormatDescriptor.PIECE_HEADER_SIZE))) {
                String where = file.toString();
                byte[] list = CheckpointFormatDescriptor.verifyLocalPieceFile(where, read(file, "local checkpoint"),
                        CheckpointId.of(index), rank).payload();
                return chunks.verify(where, ChunkList.decode(where, list), headBytes);
            }
            channel.position(0);
            return CheckpointFormatDescriptor.verifyLocalPiece(file.toString(), channel, channel.size(),
                    CheckpointId.of(index), rank, headBytes);
        } catch (NoSuchFileException e) {
            throw new CheckpointStoreException(file + " (local checkpoint) is missing");
        } catch (IOException e) {
            throw new CheckpointStoreException("cannot read local checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<JobFingerprint> localFingerprint(int rank, long index) {
        ensureOpen();
        Path file = localFile(rank, index);
        return Optional.ofNullable(CheckpointFormatDescriptor.pieceFingerprint(file.toString(),
                readFingerprintSection(file), CheckpointId.of(index), rank));
    }

    /** The header and fingerprint section of the piece {@code file} (fewer bytes if the file is shorter). */
    private static byte[] readFingerprintSection(Path file) {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.READ)) {
            byte[] header = readUpTo(channel, CheckpointFormatDescriptor.PIECE_HEADER_SIZE);
            if (header.length < CheckpointFormatDescriptor.PIECE_HEADER_SIZE) {
                return header;
            }
            int end = CheckpointFormatDescriptor.fingerprintEnd(header);
            channel.position(0);
            return readUpTo(channel, Math.min(end, (int) Math.min(Integer.MAX_VALUE, channel.size())));
        } catch (NoSuchFileException e) {
            throw new CheckpointStoreException(file + " (local checkpoint) is missing");
        } catch (IOException e) {
            throw new CheckpointStoreException("cannot read local checkpoint " + file, e);
        }
    }

    private static byte[] readUpTo(java.nio.channels.FileChannel channel, int n) throws IOException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(n);
        while (b.hasRemaining() && channel.read(b) >= 0) {
            // keep reading
        }
        return java.util.Arrays.copyOf(b.array(), b.position());
    }

    @Override
    public List<Long> localIndexes(int rank) {
        ensureOpen();
        Path dir = localDir().resolve(CheckpointFormatDescriptor.localRankDirName(rank));
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(p -> CheckpointFormatDescriptor.parseLocalPieceFileName(p.getFileName().toString()))
                    .filter(i -> i > 0).sorted().toList();
        } catch (IOException e) {
            throw new CheckpointStoreException("cannot list local checkpoints in " + dir, e);
        }
    }

    @Override
    public List<Integer> localRanks() {
        ensureOpen();
        if (!Files.isDirectory(localDir())) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(localDir())) {
            return entries.filter(Files::isDirectory)
                    .map(p -> CheckpointFormatDescriptor.parseLocalRankDirName(p.getFileName().toString()))
                    .filter(r -> r >= 0).sorted().toList();
        } catch (IOException e) {
            throw new CheckpointStoreException("cannot list local checkpoints in " + localDir(), e);
        }
    }

    @Override
    public void deleteLocal(int rank, long index) {
        ensureOpen();
        Path file = localFile(rank, index);
        try {
            Files.deleteIfExists(file);
            OwnerOnlyFiles.syncDirectory(file.getParent());
        } catch (IOException e) {
            throw new CheckpointStoreException("cannot delete local checkpoint " + file
                    + "; check permissions of the --store directory", e);
        }
    }

    /**
     * Moves the piece to {@code DIR/set-aside/local/rank-R/} (owner-only), under its own name or, when a piece of that
     * name was set aside before, with {@code .1}, {@code .2}, ... appended.
     */
    @Override
    public String setAsideLocal(int rank, long index) {
        ensureOpen();
        synchronized (gcLock) {
            return setAside(rank, index);
        }
    }

    private String setAside(int rank, long index) {
        Path file = localFile(rank, index);
        Path dir = root.resolve(CheckpointFormatDescriptor.SET_ASIDE_DIR).resolve("local")
                .resolve(CheckpointFormatDescriptor.localRankDirName(rank));
        try {
            OwnerOnlyFiles.createDirectory(root.resolve(CheckpointFormatDescriptor.SET_ASIDE_DIR));
            OwnerOnlyFiles.createDirectory(dir.getParent());
            OwnerOnlyFiles.createDirectory(dir);
            Path target = dir.resolve(file.getFileName());
            for (int n = 1; Files.exists(target); n++) {
                target = dir.resolve(file.getFileName() + "." + n);
            }
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
            OwnerOnlyFiles.syncDirectory(file.getParent());
            OwnerOnlyFiles.syncDirectory(dir);
            return target.toString();
        } catch (NoSuchFileException e) {
            return file + " was missing";
        } catch (IOException e) {
            throw new CheckpointStoreException("cannot move local checkpoint " + file + " to " + dir
                    + "; check free space and permissions of the --store directory", e);
        }
    }

    @Override
    public void writeRecoveryLine(long[] line) {
        ensureOpen();
        try {
            OwnerOnlyFiles.createDirectory(localDir());
            OwnerOnlyFiles.writeAtomically(localDir().resolve(CheckpointFormatDescriptor.RECOVERY_LINE_FILE),
                    CheckpointFormatDescriptor.encodeRecoveryLine(line));
        } catch (IOException e) {
            throw new CheckpointStoreException("cannot record the recovery line in " + localDir()
                    + "; check free space and permissions of the --store directory", e);
        }
    }

    @Override
    public Optional<long[]> recoveryLine() {
        ensureOpen();
        Path file = localDir().resolve(CheckpointFormatDescriptor.RECOVERY_LINE_FILE);
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        return Optional.of(CheckpointFormatDescriptor.decodeRecoveryLine(file.toString(), read(file, "recovery line")));
    }

    @Override
    public synchronized void appendEvents(int rank, byte[] record) {
        ensureOpen();
        CheckpointFormatDescriptor.requireLocal(rank, 1);
        Path dir = localDir().resolve(CheckpointFormatDescriptor.localRankDirName(rank));
        Path file = dir.resolve(CheckpointFormatDescriptor.EVENTS_FILE);
        try {
            java.nio.channels.FileChannel c = appenders.get(rank);
            if (c == null || !c.isOpen()) {
                OwnerOnlyFiles.createDirectory(dir);
                c = OwnerOnlyFiles.openForAppending(file);
                appenders.put(rank, c);
            }
            java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(CheckpointFormatDescriptor.eventRecord(record));
            while (b.hasRemaining()) {
                c.write(b);
            }
        } catch (IOException e) {
            closeAppender(rank);
            throw new CheckpointStoreException("cannot append to rank " + rank + "'s event stream " + file
                    + "; check free space and permissions of the --store directory", e);
        }
    }

    @Override
    public List<byte[]> readEvents(int rank) {
        ensureOpen();
        Path file = localDir().resolve(CheckpointFormatDescriptor.localRankDirName(rank))
                .resolve(CheckpointFormatDescriptor.EVENTS_FILE);
        if (!Files.exists(file)) {
            return List.of();
        }
        try {
            return CheckpointFormatDescriptor.eventRecords(file.toString(), Files.readAllBytes(file));
        } catch (IOException e) {
            throw new CheckpointStoreException("cannot read rank " + rank + "'s event stream " + file, e);
        }
    }

    @Override
    public synchronized void replaceEvents(int rank, List<byte[]> records) {
        ensureOpen();
        closeAppender(rank); // the next append opens the new file
        Path dir = localDir().resolve(CheckpointFormatDescriptor.localRankDirName(rank));
        Path file = dir.resolve(CheckpointFormatDescriptor.EVENTS_FILE);
        try {
            if (records.isEmpty()) {
                Files.deleteIfExists(file);
                return;
            }
            byte[][] parts = new byte[records.size()][];
            for (int k = 0; k < parts.length; k++) {
                parts[k] = CheckpointFormatDescriptor.eventRecord(records.get(k));
            }
            OwnerOnlyFiles.createDirectory(dir);
            OwnerOnlyFiles.writeAtomically(file, parts);
        } catch (IOException e) {
            throw new CheckpointStoreException("cannot rewrite rank " + rank + "'s event stream " + file, e);
        }
    }

    private Path localDir() {
        return root.resolve("local");
    }

    private Path localFile(int rank, long index) {
        return localDir().resolve(CheckpointFormatDescriptor.localRankDirName(rank))
                .resolve(CheckpointFormatDescriptor.localPieceFileName(index));
    }

    @Override
    public void close() {
        closed = true;
        closeAppenders();
    }

    /** Open channels appending to event streams, by rank: a stream is appended to often (before a rank's sends). */
    private final java.util.Map<Integer, java.nio.channels.FileChannel> appenders = new java.util.HashMap<>();

    private synchronized void closeAppenders() {
        for (java.nio.channels.FileChannel c : appenders.values()) {
            try {
                c.close();
            } catch (IOException e) {
                // nothing was pending: every append wrote in full
            }
        }
        appenders.clear();
    }

    private synchronized void closeAppender(int rank) {
        java.nio.channels.FileChannel c = appenders.remove(rank);
        if (c != null) {
            try {
                c.close();
            } catch (IOException e) {
                // as above
            }
        }
    }

    /** The manifest of {@code id} after verifying it and every piece it names (reads every piece). */
    private Manifest verified(CheckpointId id) {
        Manifest manifest = manifest(id);
        for (PieceRef piece : manifest.pieces()) {
            readPiece(id, piece);
        }
        return manifest;
    }

    @Override
    public Manifest manifest(CheckpointId id) {
        return manifestFile(id).manifest();
    }

    @Override
    public Optional<JobFingerprint> fingerprint(CheckpointId id) {
        ensureOpen();
        return Optional.ofNullable(manifestFile(id).fingerprint());
    }

    private CheckpointFormatDescriptor.ManifestFile manifestFile(CheckpointId id) {
        Path file = checkpointDir(id).resolve(CheckpointFormatDescriptor.MANIFEST_FILE);
        CheckpointFormatDescriptor.ManifestFile decoded = CheckpointFormatDescriptor.decodeManifest(file.toString(),
                read(file, "manifest"));
        if (!decoded.manifest().id().equals(id)) {
            throw new CheckpointStoreException(file + " names checkpoint " + decoded.manifest().id() + ", not " + id);
        }
        return decoded;
    }

    /**
     * The completeness check of commit and retention: the manifest verifies, every piece has its stated size, the
     * chunks of an incremental piece read back with their SHA-256 ({@link #chunksSound}: each chunk hashed once), and
     * {@link #latest()} has not found the checkpoint damaged (it verifies every piece's checksums).
     */
    private boolean intact(CheckpointId id) {
        if (damaged.contains(id)) {
            return false; // found damaged on restart: a size check alone would take a flipped bit for a good one
        }
        try {
            Manifest manifest = manifest(id);
            Path dir = checkpointDir(id);
            return manifest.pieces().stream().allMatch(p -> sizeOrMinusOne(dir.resolve(p.fileName())) == p.size()
                    && chunksSound(dir.resolve(p.fileName())));
        } catch (CheckpointStoreException e) {
            return false;
        }
    }

    private Optional<CheckpointId> newestCommitted() {
        List<CheckpointId> ids = list();
        return ids.isEmpty() ? Optional.empty() : Optional.of(ids.get(ids.size() - 1));
    }

    private Path checkpointDir(CheckpointId id) {
        return root.resolve(CheckpointFormatDescriptor.checkpointDirName(id));
    }

    private static long idOf(Path dir) {
        return CheckpointFormatDescriptor.parseCheckpointDirName(dir.getFileName().toString());
    }

    /** Checkpoint directories, oldest first. */
    private List<Path> checkpointDirs() {
        try (Stream<Path> entries = Files.list(root)) {
            return entries.filter(p -> idOf(p) > 0)
                    .filter(Files::isDirectory).sorted().toList();
        } catch (IOException e) {
            throw new CheckpointStoreException("cannot list checkpoint directory " + root
                    + "; check that it exists and is readable", e);
        }
    }

    /**
     * Deletes every {@code *.tmp} file under the store (global and local checkpoints, the floor, set-aside ones,
     * chunks) and every chunk intent: no writer runs.
     */
    @Override
    public void deleteInterruptedWrites() {
        ensureOpen();
        chunks.restoreTrash();
        chunks.deleteIntents();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.filter(p -> p.getFileName().toString().endsWith(CheckpointFormatDescriptor.TEMP_SUFFIX))
                    .filter(p -> !p.getFileName().toString().startsWith(".write-check-")) // another launcher's probe
                    .filter(Files::isRegularFile).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new CheckpointStoreException("cannot remove what interrupted writes left in " + root
                    + "; check permissions of the --store directory", e);
        }
    }

    private void deleteTemporaries() {
        for (Path dir : checkpointDirs()) {
            try (Stream<Path> entries = Files.list(dir)) {
                for (Path p : entries.filter(p -> p.getFileName().toString()
                        .endsWith(CheckpointFormatDescriptor.TEMP_SUFFIX)).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                throw new CheckpointStoreException("cannot remove temporary files in " + dir
                        + "; check permissions of the --store directory", e);
            }
        }
    }

    private void deleteCheckpointDir(Path dir) {
        try {
            Path manifest = dir.resolve(CheckpointFormatDescriptor.MANIFEST_FILE);
            Files.deleteIfExists(manifest);
            OwnerOnlyFiles.syncDirectory(dir);
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
            OwnerOnlyFiles.syncDirectory(root);
        } catch (IOException | UncheckedIOException e) {
            throw new CheckpointStoreException("cannot delete old checkpoint " + dir
                    + "; check permissions of the --store directory", e);
        }
    }

    /**
     * Whether the piece file {@code file} holds its payload, or names chunks that all read back with their SHA-256
     * (each chunk hashed once by this store: {@link #verifiedChunks}). Retention counts a checkpoint as complete only
     * then: a chunk damaged on disk is reused by every later checkpoint that holds the same bytes, and those must not
     * push the last checkpoint without it out of the store. False when it cannot be read.
     */
    private boolean chunksSound(Path file) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            if (!chunked(readUpTo(channel, CheckpointFormatDescriptor.PIECE_HEADER_SIZE))) {
                return true;
            }
            return chunks.sound(chunkList(file), verifiedChunks);
        } catch (IOException | CheckpointStoreException e) {
            return false;
        }
    }

    /** Whether a piece's first bytes {@code header} are a header saying the payload is a chunk list (not verified). */
    private static boolean chunked(byte[] header) {
        return header.length >= CheckpointFormatDescriptor.PIECE_HEADER_SIZE
                && (java.nio.ByteBuffer.wrap(header).getShort(6) & CheckpointFormatDescriptor.FLAG_CHUNK_LIST) != 0;
    }

    /** The chunk list of the incremental piece {@code file}, verified (its header for the ids it records). */
    private static ChunkList chunkList(Path file) {
        String where = file.toString();
        byte[] bytes = read(file, "piece");
        PieceHeader h = PieceHeader.parseAny(where, bytes);
        if (bytes.length != h.fileSize()) {
            throw CheckpointFormatDescriptor.corrupt(where, "is " + bytes.length + " bytes, its header says "
                    + h.fileSize() + " (torn write?)");
        }
        return ChunkList.decode(where, h.payload(where, bytes));
    }

    /**
     * {@inheritDoc} Runs the collection of {@link ChunkStore}: the chunks no intent and no piece file in the store
     * names (committed or not, global or local, set aside) are deleted. A piece file that fails its checks names no
     * chunk: no restart can use it.
     */
    @Override
    public Collected collectGarbage() {
        ensureOpen();
        if (!Files.isDirectory(chunks.directory())) {
            return Collected.NOTHING;
        }
        synchronized (gcLock) {
            ChunkStore.Collection collection = collection();
            CheckpointStore.Collected freed = collection.run();
            collection.deleted().forEach(verifiedChunks::remove); // the set stays as large as the chunks kept
            return freed;
        }
    }

    /** A collection of the chunks no intent and no piece in the store names, to be run step by step (tests). */
    ChunkStore.Collection collection() {
        return chunks.collection(this::chunksNamedByPieces);
    }

    /**
     * The chunks the piece files in the store name now. A piece deleted or renamed while the store is walked names
     * none (a writer's intent covers a piece that appears meanwhile); a piece read whole that fails its checks names
     * none (no restart can use it); any other failure to read a piece or a directory aborts the collection before it
     * moves a chunk, so that a piece it could not read never loses the chunks it needs.
     */
    private java.util.Set<String> chunksNamedByPieces() {
        java.util.Set<String> named = new java.util.HashSet<>();
        Path chunkDir = chunks.directory();
        Path spill = scratchDirectory().orElseThrow();
        try {
            Files.walkFileTree(root, new java.nio.file.SimpleFileVisitor<>() {
                @Override
                public java.nio.file.FileVisitResult preVisitDirectory(Path dir,
                        java.nio.file.attribute.BasicFileAttributes attrs) {
                    return dir.equals(chunkDir) || dir.equals(spill) ? java.nio.file.FileVisitResult.SKIP_SUBTREE
                            : java.nio.file.FileVisitResult.CONTINUE;
                }

                @Override
                public java.nio.file.FileVisitResult visitFile(Path file,
                        java.nio.file.attribute.BasicFileAttributes attrs) throws IOException {
                    if (attrs.isRegularFile() && isPieceFileName(file)) {
                        addChunksOf(file, named);
                    }
                    return java.nio.file.FileVisitResult.CONTINUE;
                }

                @Override
                public java.nio.file.FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return java.nio.file.FileVisitResult.CONTINUE; // gone meanwhile (a renamed temporary)
                    }
                    throw e;
                }

                @Override
                public java.nio.file.FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null && !(e instanceof NoSuchFileException)) {
                        throw e;
                    }
                    return java.nio.file.FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException | UncheckedIOException e) {
            throw new CheckpointStoreException("cannot read the pieces in " + root + " to collect unused chunks ("
                    + e + "); nothing was collected; check permissions of the --store directory", e);
        }
        return named;
    }

    /** Adds the chunks piece {@code file} names, if it is an incremental piece that passes its checks. */
    private static void addChunksOf(Path file, java.util.Set<String> named) throws IOException {
        byte[] head;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            head = readUpTo(channel, CheckpointFormatDescriptor.PIECE_HEADER_SIZE);
        } catch (NoSuchFileException e) {
            return; // deleted meanwhile
        }
        if (!chunked(head)) {
            return;
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return;
        }
        String where = file.toString();
        try {
            PieceHeader h = PieceHeader.parseAny(where, bytes);
            if (bytes.length != h.fileSize()) {
                return; // torn: no restart can use it
            }
            ChunkList.decode(where, h.payload(where, bytes)).chunks().forEach(c -> named.add(c.hash()));
        } catch (CheckpointStoreException damaged) {
            // read whole and damaged: never restored, so the chunks it may name are needed by no restart
        }
    }

    /** A piece file's name, set-aside ones ({@code .piece.1}) included; never a temporary file. */
    private static boolean isPieceFileName(Path p) {
        String name = p.getFileName().toString();
        return !name.endsWith(CheckpointFormatDescriptor.TEMP_SUFFIX)
                && (name.endsWith(".piece") || name.matches(".*\\.piece\\.[0-9]+"));
    }

    private static byte[] read(Path file, String what) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new CheckpointStoreException(file + " (" + what + ") is missing");
        } catch (IOException e) {
            throw new CheckpointStoreException("cannot read " + what + " " + file, e);
        }
    }

    private static long sizeOrMinusOne(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new CheckpointStoreException("checkpoint store " + root + " is closed");
        }
    }
}
