package io.snapline.runtime.checkpoint.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The chunks of a file store's incremental pieces, each kept once, named by its SHA-256, under {@code DIR/chunks/}:
 *
 * <pre>
 * chunks/
 *   3f/3f9a...(64 hex digits)    a chunk: exactly its bytes (rw-------), written atomically and durably, only if absent
 *   intents/&lt;random&gt;.intent   a writer's intent: the chunks it is about to reference (below)
 *   trash/&lt;64 hex digits&gt;       chunks a collection is about to delete (below)
 * </pre>
 *
 * <p><b>Writing</b> (a rank, in any process): {@link #begin} durably writes an intent naming every chunk of the
 * piece; {@link #putMissing} then writes each chunk not yet present; the caller writes its piece (the chunk list);
 * {@link Intent#close()} deletes the intent. A crash leaves at most an intent and chunks no piece names: nothing
 * committed depends on them, and {@link #deleteIntents()} (while no rank runs) lets the next collection free them.
 *
 * <p><b>Collecting</b> (the coordinator only, one collection at a time; {@link Collection}): mark every chunk named
 * by an intent and then by a piece present in the store, committed or not; move every unmarked chunk to
 * {@code trash/}; mark again, intents first, then pieces; move back from {@code trash/} every chunk marked now; sync;
 * delete what is left in {@code trash/}.
 *
 * <p><b>Why a chunk anyone relies on is never deleted.</b> A writer relies on a chunk it finds present: it made its
 * intent durable before looking. If the collection moved the chunk to {@code trash/} before the writer looked, the
 * writer finds it absent and writes it again (the collection's later deletion touches only {@code trash/}). If the
 * writer looked before the move, its intent existed before the move, hence before the second marking, which follows
 * the move: the second marking reads the intent, or, if the writer has finished and deleted it, the piece the writer
 * wrote before deleting it (intents are read before pieces for this reason). Either way the chunk is moved back. A
 * committed checkpoint's pieces are present at both markings, so its chunks are never moved at all. A crash of the
 * collection leaves chunks in {@code trash/}: opening the store ({@link #ChunkStore}) moves them all back, so it loses
 * nothing; the next collection sorts them again. A reader that misses a chunk looks in {@code trash/}, then once more
 * in place (it may have been moved back meanwhile).
 *
 * <p><b>Damage.</b> A chunk is read whole and checked against its length and SHA-256; a missing or damaged chunk is a
 * {@link CheckpointStoreException} naming the chunk and the piece, so every checkpoint that uses it is skipped as
 * damaged by the fallback ({@link Recovered}). A writer that finds a chunk present checks its size only (re-hashing
 * every chunk would read the whole state back): a chunk damaged in place is not rewritten, and each checkpoint that
 * uses it is damaged.
 *
 * <p>Safe for concurrent use by writers and readers in several processes; collections must not overlap.
 */
final class ChunkStore {
    static final String DIR = "chunks";
    private static final String INTENTS = "intents";
    private static final String TRASH = "trash";
    private static final String INTENT_SUFFIX = ".intent";
    private static final String INTENT_FIRST_LINE = "snapline-chunk-intent 1";

    private final Path dir;

    /** Opens the chunk directory {@code dir} (created when first written). Reads and writes nothing. */
    ChunkStore(Path dir) {
        this.dir = dir;
    }

    /**
     * Moves back every chunk a collection left in {@code trash/} when it was interrupted (readers find it there
     * meanwhile). For the job that holds the store's lock, while none of its ranks runs: a read-only tool never moves
     * anything.
     */
    void restoreTrash() {
        Path trash = dir.resolve(TRASH);
        if (!Files.isDirectory(trash)) {
            return;
        }
        try {
            for (Path p : list(trash)) {
                String hash = p.getFileName().toString();
                if (isHash(hash)) {
                    restore(hash);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            throw new CheckpointStoreException("cannot move chunks back from " + trash + " (an interrupted "
                    + "garbage collection); check permissions of the --store directory", e);
        }
    }

    Path directory() {
        return dir;
    }

    /** Where chunk {@code hash} lives. */
    Path file(String hash) {
        return dir.resolve(hash.substring(0, 2)).resolve(hash);
    }

    private Path trashFile(String hash) {
        return dir.resolve(TRASH).resolve(hash);
    }

    /** A writer's durable intent to reference chunks; closing it (after the piece is written) deletes it. */
    final class Intent implements AutoCloseable {
        private final Path file;

        private Intent(Path file) {
            this.file = file;
        }

        @Override
        public void close() {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new CheckpointStoreException("cannot delete the chunk intent " + file
                        + "; check permissions of the --store directory", e);
            }
        }
    }

    /** Durably records that the caller is about to reference {@code list}'s chunks: step 1 of a write. */
    Intent begin(ChunkList list) {
        StringBuilder text = new StringBuilder(INTENT_FIRST_LINE).append('\n');
        for (ChunkList.Chunk c : list.chunks()) {
            text.append(c.hash()).append('\n');
        }
        Path file = dir.resolve(INTENTS).resolve(java.util.UUID.randomUUID() + INTENT_SUFFIX);
        try {
            OwnerOnlyFiles.createDirectory(file.getParent());
            OwnerOnlyFiles.writeAtomically(file, text.toString().getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new CheckpointStoreException("cannot write the chunk intent " + file
                    + "; check free space and permissions of the --store directory", e);
        }
        return new Intent(file);
    }

    /**
     * Writes each chunk of {@code list} (its bytes taken from {@code parts}, the payload the list was cut from) that
     * is not present with its length: step 2 of a write, after {@link #begin}. Returns the bytes of the chunks written.
     */
    long putMissing(ChunkList list, ByteBuffer... parts) {
        ChunkList.Cursor cursor = new ChunkList.Cursor(parts);
        Set<String> seen = new HashSet<>();
        long written = 0;
        for (ChunkList.Chunk c : list.chunks()) {
            ByteBuffer[] bytes = cursor.next(c.length());
            Path file = file(c.hash());
            if (!seen.add(c.hash()) || size(file) == c.length()) {
                continue;
            }
            try {
                OwnerOnlyFiles.createDirectory(dir);
                OwnerOnlyFiles.createDirectory(file.getParent());
                OwnerOnlyFiles.writeAtomicallyAlongsideOthers(file, bytes);
            } catch (IOException e) {
                throw new CheckpointStoreException("cannot write chunk " + file
                        + "; check free space and permissions of the --store directory", e);
            }
            written += c.length();
        }
        return written;
    }

    /**
     * The payload {@code list} stands for, every chunk read and checked.
     *
     * @throws CheckpointStoreException naming the chunk and {@code piece} when a chunk is missing or damaged
     */
    byte[] assemble(String piece, ChunkList list) {
        if (list.total() > Integer.MAX_VALUE - 8) {
            throw new CheckpointStoreException(piece + " stands for " + list.total() + " bytes, more than a piece "
                    + "can hold");
        }
        byte[] all = new byte[(int) list.total()];
        int at = 0;
        for (ChunkList.Chunk c : list.chunks()) {
            byte[] bytes = read(piece, c);
            System.arraycopy(bytes, 0, all, at, bytes.length);
            at += bytes.length;
        }
        return all;
    }

    /**
     * Checks every chunk of {@code list} as {@link #assemble} does, holding one chunk at a time, and returns the first
     * {@code headBytes} bytes of the payload (all of it when shorter).
     */
    byte[] verify(String piece, ChunkList list, int headBytes) {
        byte[] head = new byte[(int) Math.min(Math.max(0, headBytes), list.total())];
        int at = 0;
        for (ChunkList.Chunk c : list.chunks()) {
            byte[] bytes = read(piece, c);
            if (at < head.length) {
                int n = Math.min(head.length - at, bytes.length);
                System.arraycopy(bytes, 0, head, at, n);
            }
            at += Math.min(bytes.length, Integer.MAX_VALUE - at);
        }
        return head;
    }

    /**
     * Whether every chunk of {@code list} reads back with its SHA-256, skipping those in {@code verified} and adding
     * each one checked to it (one chunk held at a time).
     */
    boolean sound(ChunkList list, Set<String> verified) {
        for (ChunkList.Chunk c : list.chunks()) {
            if (verified.contains(c.hash())) {
                continue;
            }
            try {
                read("a retained checkpoint", c);
            } catch (CheckpointStoreException damaged) {
                return false;
            }
            verified.add(c.hash());
        }
        return true;
    }

    /** Chunk {@code c}'s bytes, checked; looked for in place, in {@code trash/}, then in place again. */
    private byte[] read(String piece, ChunkList.Chunk c) {
        byte[] bytes = readIfThere(file(c.hash()));
        if (bytes == null) {
            bytes = readIfThere(trashFile(c.hash()));
        }
        if (bytes == null) {
            bytes = readIfThere(file(c.hash()));
        }
        if (bytes == null) {
            throw new CheckpointStoreException("chunk " + c.hash() + " of " + piece + " is missing from " + dir);
        }
        if (bytes.length != c.length()) {
            throw new CheckpointStoreException("chunk " + file(c.hash()) + " of " + piece + " is " + bytes.length
                    + " bytes, the chunk list says " + c.length() + " (damaged)");
        }
        if (!ChunkList.sha256(bytes, 0, bytes.length).equals(c.hash())) {
            throw new CheckpointStoreException("chunk " + file(c.hash()) + " of " + piece + " does not match its "
                    + "SHA-256 (damaged)");
        }
        return bytes;
    }

    private static byte[] readIfThere(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new CheckpointStoreException("cannot read chunk " + file, e);
        }
    }

    /** The chunks named by writers' intents now. */
    Set<String> intents() {
        Set<String> named = new HashSet<>();
        Path intents = dir.resolve(INTENTS);
        if (!Files.isDirectory(intents)) {
            return named;
        }
        for (Path p : list(intents)) {
            if (!p.getFileName().toString().endsWith(INTENT_SUFFIX)) {
                continue;
            }
            String text;
            try {
                text = Files.readString(p, StandardCharsets.US_ASCII);
            } catch (NoSuchFileException e) {
                continue; // its writer finished: its piece is present now
            } catch (IOException e) {
                throw new CheckpointStoreException("cannot read the chunk intent " + p, e);
            }
            String[] lines = text.split("\n");
            if (!text.endsWith("\n") || !lines[0].equals(INTENT_FIRST_LINE)) {
                throw new CheckpointStoreException("the chunk intent " + p + " is damaged; no chunk is collected "
                        + "while it is there (it is deleted at the next restart)");
            }
            for (int i = 1; i < lines.length; i++) {
                if (!isHash(lines[i])) {
                    throw new CheckpointStoreException("the chunk intent " + p + " names '" + lines[i]
                            + "', not a chunk; no chunk is collected while it is there");
                }
                named.add(lines[i]);
            }
        }
        return named;
    }

    /** Deletes every intent: only while no writer runs (what a killed writer left). */
    void deleteIntents() {
        Path intents = dir.resolve(INTENTS);
        if (!Files.isDirectory(intents)) {
            return;
        }
        try {
            for (Path p : list(intents)) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new CheckpointStoreException("cannot delete the chunk intents in " + intents
                    + "; check permissions of the --store directory", e);
        }
    }

    /** Every chunk in place now, by name. */
    List<String> chunks() {
        List<String> all = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return all;
        }
        for (Path sub : list(dir)) {
            String name = sub.getFileName().toString();
            if (name.length() == 2 && Files.isDirectory(sub)) {
                for (Path p : list(sub)) {
                    if (isHash(p.getFileName().toString())) {
                        all.add(p.getFileName().toString());
                    }
                }
            }
        }
        return all;
    }

    /** A collection of the chunks no piece and no intent names, done step by step (see the class comment). */
    Collection collection(Supplier<Set<String>> pieces) {
        return new Collection(pieces);
    }

    /**
     * One garbage collection. {@link #run()} does every step; tests call the steps one by one, interleaved with a
     * writer's, or stop after one of them as a crash would.
     */
    final class Collection {
        private final Supplier<Set<String>> pieces;
        private Set<String> marked;
        private final List<String> moved = new ArrayList<>();
        private final List<String> deleted = new ArrayList<>();

        private Collection(Supplier<Set<String>> pieces) {
            this.pieces = pieces;
        }

        /** Every step, in order. */
        CheckpointStore.Collected run() {
            mark();
            try {
                moveUnmarked();
                markAgain();
            } catch (CheckpointStoreException e) {
                putBack(); // at the least: what stays in trash/ is still read, and moved back at the next resume
                throw e;
            }
            return deleteTrash();
        }

        /** After a failed step: moves back what this collection moved, as far as it can. */
        private void putBack() {
            for (String hash : moved) {
                try {
                    restore(hash);
                } catch (IOException | RuntimeException e) {
                    // left in trash/: readers look there too
                }
            }
            moved.clear();
        }

        /** Step 1: the chunks intents and then pieces name. */
        void mark() {
            marked = named();
        }

        private Set<String> named() {
            Set<String> named = new HashSet<>(intents());
            named.addAll(pieces.get());
            return named;
        }

        /** Step 2: every chunk not marked goes to {@code trash/}. */
        void moveUnmarked() {
            Path trash = dir.resolve(TRASH);
            try {
                for (String hash : chunks()) {
                    if (marked.contains(hash)) {
                        continue;
                    }
                    OwnerOnlyFiles.createDirectory(trash);
                    try {
                        Files.move(file(hash), trashFile(hash), StandardCopyOption.ATOMIC_MOVE,
                                StandardCopyOption.REPLACE_EXISTING);
                        moved.add(hash);
                    } catch (NoSuchFileException e) {
                        // gone meanwhile
                    }
                }
            } catch (IOException e) {
                throw new CheckpointStoreException("cannot move unused chunks to " + trash
                        + "; check permissions of the --store directory", e);
            }
        }

        /** Step 3: marks again, intents first, and moves back every moved chunk marked now. */
        void markAgain() {
            Set<String> now = named();
            try {
                for (java.util.Iterator<String> i = moved.iterator(); i.hasNext();) {
                    String hash = i.next();
                    if (now.contains(hash)) {
                        restore(hash);
                        i.remove();
                    }
                }
            } catch (IOException e) {
                throw new CheckpointStoreException("cannot move chunks back from " + dir.resolve(TRASH)
                        + "; check permissions of the --store directory", e);
            }
        }

        /** Step 4: deletes the chunks left in {@code trash/}; returns what that freed. */
        CheckpointStore.Collected deleteTrash() {
            long bytes = 0;
            int count = 0;
            try {
                for (String hash : moved) {
                    long size = size(trashFile(hash));
                    if (Files.deleteIfExists(trashFile(hash))) {
                        count++;
                        bytes += Math.max(0, size);
                    }
                }
                if (!moved.isEmpty()) {
                    OwnerOnlyFiles.syncDirectory(dir.resolve(TRASH));
                }
            } catch (IOException e) {
                throw new CheckpointStoreException("cannot delete unused chunks in " + dir.resolve(TRASH)
                        + "; check permissions of the --store directory", e);
            }
            deleted.addAll(moved);
            moved.clear();
            return new CheckpointStore.Collected(count, bytes);
        }

        /** The chunks this collection deleted. */
        List<String> deleted() {
            return List.copyOf(deleted);
        }
    }

    /** Moves chunk {@code hash} from {@code trash/} back in place (dropping the trash copy if it is there already). */
    private void restore(String hash) throws IOException {
        Path target = file(hash);
        OwnerOnlyFiles.createDirectory(target.getParent());
        if (Files.exists(target)) {
            Files.deleteIfExists(trashFile(hash)); // written again meanwhile: the same bytes
        } else {
            try {
                Files.move(trashFile(hash), target, StandardCopyOption.ATOMIC_MOVE);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                Files.deleteIfExists(trashFile(hash));
            } catch (NoSuchFileException e) {
                return; // moved back by another opener
            }
        }
        OwnerOnlyFiles.syncDirectory(target.getParent());
    }

    static boolean isHash(String name) {
        return name.length() == 64 && name.chars().allMatch(c -> c >= '0' && c <= '9' || c >= 'a' && c <= 'f');
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new CheckpointStoreException("cannot list " + dir, e);
        }
    }

}
