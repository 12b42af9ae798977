package io.snapline.runtime.checkpoint.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The launch-time checks of a store directory: creatable, writable, and not writable by other users. */
class StoreDirectoryTest {
    @TempDir
    Path tmp;

    private static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    @Test
    void shouldCreateTheDirectoryOwnerOnlyAndLeaveNothingBehindWhenItIsMissing() throws IOException {
        Path store = tmp.resolve("a").resolve("store");

        StoreDirectory.prepare(store);

        assertTrue(Files.isDirectory(store));
        if (posix()) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store)));
        }
        try (Stream<Path> left = Files.list(store)) {
            assertEquals(List.of(), left.toList(), "the write check removed its file");
        }
    }

    @Test
    void shouldSayWhyWhenTheStoreCannotBeCreated() throws IOException {
        Path file = Files.writeString(tmp.resolve("plain-file"), "x");

        CheckpointStoreException e = assertThrows(CheckpointStoreException.class,
                () -> StoreDirectory.prepare(file.resolve("store")));

        assertEquals("cannot create the checkpoint store " + file.resolve("store") + ": Not a directory; pass a "
                + "writable directory with --store", e.getMessage());
    }

    @Test
    void shouldRefuseAFileWhereTheStoreShouldBe() throws IOException {
        Path file = Files.writeString(tmp.resolve("plain-file"), "x");

        CheckpointStoreException e = assertThrows(CheckpointStoreException.class, () -> StoreDirectory.prepare(file));

        assertEquals("the checkpoint store " + file + " is not a directory; pass a directory with --store",
                e.getMessage());
    }

    @Test
    void shouldSayWhyWhenTheStoreExistsButCannotBeWritten() throws IOException {
        assumeTrue(posix());
        Path store = Files.createDirectory(tmp.resolve("read-only"));
        Files.setPosixFilePermissions(store, PosixFilePermissions.fromString("r-x------"));
        try {
            assumeTrue(!Files.isWritable(store), "the superuser writes anywhere");

            CheckpointStoreException e = assertThrows(CheckpointStoreException.class,
                    () -> StoreDirectory.prepare(store));

            assertEquals("cannot write to the checkpoint store " + store + ": permission denied; pass a writable "
                    + "directory with --store", e.getMessage());
        } finally {
            Files.setPosixFilePermissions(store, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void shouldSayWhyWhenTheStoreIsOnAFileSystemNobodyMayWrite() {
        Path proc = Path.of("/proc/self");
        assumeTrue(Files.isDirectory(proc), "Linux /proc");

        CheckpointStoreException e = assertThrows(CheckpointStoreException.class, () -> StoreDirectory.prepare(proc));

        assertTrue(e.getMessage().startsWith("cannot write to the checkpoint store /proc/self: "), e.getMessage());
    }

    @Test
    void shouldRefuseAStoreOtherUsersCanWriteNamingIt() throws IOException {
        assumeTrue(posix());
        Path store = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(store, PosixFilePermissions.fromString("rwxrwxr-x"));

        CheckpointStoreException e = assertThrows(CheckpointStoreException.class, () -> StoreDirectory.prepare(store));

        assertTrue(e.getMessage().startsWith("the checkpoint store " + store + " can be written by other users: "
                + store + " (rwxrwxr-x). A checkpoint planted there would be loaded into the program"), e.getMessage());
        assertTrue(e.getMessage().endsWith("make the store owner-only (chmod -R go-w " + store
                + ") or pass another --store"), e.getMessage());
        assertEquals("rwxrwxr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(store)),
                "refused, not changed");
    }

    @Test
    void shouldRefuseAStoreWhosePieceOtherUsersCanWrite() throws IOException {
        assumeTrue(posix());
        Path store = tmp.resolve("store");
        try (FileCheckpointStore s = new FileCheckpointStore(store)) {
            s.writePiece(CheckpointId.of(3), 1, new byte[] {1, 2});
        }
        Path piece = store.resolve("ckpt-00000000000000000003").resolve("rank-00001.piece");
        Files.setPosixFilePermissions(piece, PosixFilePermissions.fromString("rw-rw-rw-"));
        Files.writeString(store.resolve("notes.txt"), "not the store's");
        Files.setPosixFilePermissions(store.resolve("notes.txt"), PosixFilePermissions.fromString("rw-rw-rw-"));

        CheckpointStoreException e = assertThrows(CheckpointStoreException.class, () -> StoreDirectory.prepare(store));

        assertTrue(e.getMessage().contains("can be written by other users: " + piece + " (rw-rw-rw-)."),
                e.getMessage());
    }
}
