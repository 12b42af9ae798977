package io.snapline.runtime.checkpoint.store;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The checks a job makes on its store directory before it starts, so that a store it cannot use ends the launch with
 * a reason instead of failing at the first checkpoint: the directory exists or can be created (owner-only), a file
 * can be created and deleted in it, and neither it nor anything the store keeps in it can be written by other users.
 *
 * <p>Other users' write access is refused rather than tightened: a piece that passes its checksum is decoded with
 * Kryo, which may instantiate any class on the class path, so a writable store lets another user run code in the
 * job; what they may already have planted is not undone by changing the permissions now, and the permissions of a
 * directory the user chose are the user's to change.
 */
public final class StoreDirectory {
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Set<PosixFilePermission> OTHERS_WRITE = Set.of(PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.OTHERS_WRITE);

    private StoreDirectory() {
    }

    /**
     * Makes sure a job can use {@code dir} as its store: creates it (owner-only) if it does not exist.
     *
     * @throws CheckpointStoreException saying why it cannot be used and what to do
     */
    public static void prepare(Path dir) {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new CheckpointStoreException("the checkpoint store " + dir + " is not a directory; pass a "
                    + "directory with --store");
        }
        try {
            OwnerOnlyFiles.createDirectory(dir);
        } catch (IOException e) {
            throw new CheckpointStoreException("cannot create the checkpoint store " + dir + ": " + reason(e)
                    + "; pass a writable directory with --store", e);
        }
        refuseOthersWrite(dir);
        Path probe = dir.resolve(".write-check-" + ProcessHandle.current().pid()
                + CheckpointFormatDescriptor.TEMP_SUFFIX);
        try {
            Files.deleteIfExists(probe);
            Files.write(probe, new byte[] {1}, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.delete(probe);
        } catch (IOException e) {
            throw new CheckpointStoreException("cannot write to the checkpoint store " + dir + ": " + reason(e)
                    + "; pass a writable directory with --store", e);
        }
    }

    /** Refuses {@code dir}, or an entry the store keeps in it, that users other than its owner may write. */
    private static void refuseOthersWrite(Path dir) {
        if (!POSIX) {
            return;
        }
        List<String> open = new ArrayList<>();
        for (Path p : storeEntries(dir)) {
            try {
                Set<PosixFilePermission> perms = p.equals(dir) ? Files.getPosixFilePermissions(p) // may be a link
                        : Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
                if (perms.stream().anyMatch(OTHERS_WRITE::contains)) {
                    open.add(p + " (" + PosixFilePermissions.toString(perms) + ")");
                }
            } catch (IOException e) {
                throw new CheckpointStoreException("cannot read the permissions of " + p + ": " + reason(e), e);
            }
        }
        if (!open.isEmpty()) {
            throw new CheckpointStoreException("the checkpoint store " + dir + " can be written by other users: "
                    + String.join(", ", open.subList(0, Math.min(3, open.size())))
                    + (open.size() > 3 ? " and " + (open.size() - 3) + " more" : "")
                    + ". A checkpoint planted there would be loaded into the program (its state is decoded with Kryo,"
                    + " which may create objects of any class); make the store owner-only (chmod -R go-w " + dir
                    + ") or pass another --store");
        }
    }

    /** The directory and what the store keeps in it: checkpoint directories, local checkpoints, the lock. */
    private static List<Path> storeEntries(Path dir) {
        List<Path> entries = new ArrayList<>(List.of(dir));
        try (Stream<Path> top = Files.list(dir)) {
            for (Path p : top.toList()) {
                String name = p.getFileName().toString();
                if (CheckpointFormatDescriptor.parseCheckpointDirName(name) > 0 || name.equals("local")
                        || name.equals(StoreLock.FILE)) {
                    entries.add(p);
                    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                        try (Stream<Path> below = Files.walk(p, 2)) {
                            below.skip(1).forEach(entries::add);
                        }
                    }
                }
            }
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new CheckpointStoreException("cannot list the checkpoint store " + dir + ": " + e, e);
        }
        return entries;
    }

    /** Why an I/O operation failed, in words (the JDK's messages often give only the path). */
    public static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.toString();
    }
}
