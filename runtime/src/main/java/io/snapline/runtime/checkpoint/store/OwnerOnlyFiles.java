package io.snapline.runtime.checkpoint.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * File-system steps of the file store: owner-only directories, and atomic durable writes
 * (temporary name, fsync the file, rename, fsync the directory).
 */
final class OwnerOnlyFiles {

    static final Set<PosixFilePermission> DIR_PERMISSIONS = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE_PERMISSIONS = PosixFilePermissions.fromString("rw-------");
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private OwnerOnlyFiles() {
    }

    /**
     * Creates {@code dir} (and missing parents) owner-only. An existing directory keeps its permissions: the
     * user may have chosen them for {@code --store}, and the checkpoint directories inside are owner-only.
     */
    static void createDirectory(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (POSIX) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_PERMISSIONS));
            Files.setPosixFilePermissions(dir, DIR_PERMISSIONS); // in case the umask removed owner bits
        } else {
            Files.createDirectories(dir);
        }
    }

    /** Durably and atomically replaces {@code target} with {@code parts} written in order. */
    static void writeAtomically(Path target, byte[]... parts) throws IOException {
        ByteBuffer[] buffers = new ByteBuffer[parts.length];
        for (int i = 0; i < parts.length; i++) {
            buffers[i] = ByteBuffer.wrap(parts[i]);
        }
        writeAtomically(target, buffers);
    }

    /** {@link #writeAtomically(Path, byte[]...)} for buffers, written with one gathering write where possible. */
    static void writeAtomically(Path target, ByteBuffer... parts) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + CheckpointFormatDescriptor.TEMP_SUFFIX);
        Files.deleteIfExists(temp);
        writeVia(temp, target, parts);
    }

    /**
     * {@link #writeAtomically(Path, ByteBuffer...)} through a temporary file of a name no other writer uses
     * ({@code <name>.<random>.tmp}), for files that writers in several processes may write at once with the same
     * content (chunks): each renames its own complete file over the other's.
     */
    static void writeAtomicallyAlongsideOthers(Path target, ByteBuffer... parts) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + "." + java.util.UUID.randomUUID()
                + CheckpointFormatDescriptor.TEMP_SUFFIX);
        writeVia(temp, target, parts);
    }

    private static void writeVia(Path temp, Path target, ByteBuffer... parts) throws IOException {
        FileAttribute<?>[] attributes = ownerOnly();
        try (FileChannel channel = FileChannel.open(temp,
                Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attributes)) {
            ByteBuffer[] buffers = new ByteBuffer[parts.length];
            long left = 0;
            for (int i = 0; i < parts.length; i++) {
                buffers[i] = parts[i].duplicate();
                left += buffers[i].remaining();
            }
            while (left > 0) {
                left -= channel.write(buffers);
            }
            channel.force(true);
        }
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        syncDirectory(target.getParent());
    }

    /** Owner-only permissions for a new file, where the file system has POSIX permissions. */
    private static FileAttribute<?>[] ownerOnly() {
        return POSIX ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_PERMISSIONS)}
                : new FileAttribute<?>[0];
    }

    /**
     * Opens {@code file} (created owner-only if absent) for appending: what is written survives the failure of this
     * process once the write returns (it is not synced to the disk).
     */
    static FileChannel openForAppending(Path file) throws IOException {
        FileAttribute<?>[] attributes = ownerOnly();
        return FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND), attributes);
    }

    /** Makes a rename or delete in {@code dir} durable; a no-op where directories cannot be opened. */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (AccessDeniedException | UnsupportedOperationException e) {
            // Windows cannot open a directory; NTFS journals the rename itself.
        } catch (IOException e) {
            if (POSIX) {
                throw e;
            }
        }
    }
}
