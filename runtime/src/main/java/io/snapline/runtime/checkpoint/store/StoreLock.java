package io.snapline.runtime.checkpoint.store;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The lock that makes a store directory one job's: an exclusive OS lock ({@link FileChannel#tryLock()}) on
 * {@code DIR/LOCK}, whose text names the holder (host, pid, job id, since when). The launcher takes it before it reads
 * or writes the store and holds it for the whole job, restarts included; rank processes never touch it, and
 * {@code recovery-line} only reads the store without it.
 *
 * <pre>
 * snapline-lock 1
 * host node17
 * pid 48213
 * job Heat2D-20250101-120000-48213
 * since 2025-01-01T12:00:00Z
 * </pre>
 *
 * A job that ends releases the lock and empties the file. The OS drops the lock of a process that dies, so a file
 * that still names a holder while the lock is free was left by a dead job: it is taken over with a warning. The
 * recorded process is also looked up when it ran on this host, which guards file systems whose locks do not work: a
 * holder still alive (and not a newer process with a reused pid) keeps the store even then.
 *
 * <p>POSIX drops a process's lock on a file when <em>any</em> descriptor of that file is closed, so within this JVM the
 * file is opened only here, once per lock; a second job in the same JVM is refused from {@link #HELD} without
 * opening it.
 */
public final class StoreLock implements AutoCloseable {
    public static final String FILE = "LOCK";
    private static final String FIRST_LINE = "snapline-lock 1";
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    /** The stores this JVM holds, by real path. */
    private static final Map<Path, Holder> HELD = new HashMap<>();

    /** Who holds a store: the job's launcher process and when it took the lock. */
    public record Holder(String host, long pid, String job, Instant since) {
        /** {@code job X (pid P on host H, since T)}. */
        public String describe() {
            return "job " + job + " (pid " + pid + " on host " + host + ", since " + since + ")";
        }

        String encode() {
            return FIRST_LINE + "\nhost " + host + "\npid " + pid + "\njob " + job + "\nsince " + since + "\n";
        }

        /** The holder a lock file names, empty when it names none; throws IllegalArgumentException if it is torn. */
        static Optional<Holder> decode(String text) {
            if (text.isEmpty()) {
                return Optional.empty();
            }
            String[] lines = text.split("\n");
            if (lines.length != 5 || !lines[0].equals(FIRST_LINE) || !text.endsWith("\n")) {
                throw new IllegalArgumentException("not a complete snapline lock record");
            }
            return Optional.of(new Holder(value(lines[1], "host"), Long.parseLong(value(lines[2], "pid")),
                    value(lines[3], "job"), Instant.parse(value(lines[4], "since"))));
        }

        private static String value(String line, String key) {
            if (!line.startsWith(key + " ")) {
                throw new IllegalArgumentException("expected a '" + key + "' line, got '" + line + "'");
            }
            return line.substring(key.length() + 1);
        }

        /** Whether this holder is a live process on this host other than this one (and not a reused pid). */
        boolean aliveHere() {
            if (!host.equals(localHost()) || pid == ProcessHandle.current().pid()) {
                return false;
            }
            Optional<ProcessHandle> p = ProcessHandle.of(pid);
            if (p.isEmpty() || !p.get().isAlive()) {
                return false;
            }
            Optional<Instant> started = p.get().info().startInstant();
            return started.isEmpty() || !started.get().isAfter(since.plus(Duration.ofSeconds(1)));
        }
    }

    private final Path dir;
    private final FileChannel channel;
    private final FileLock lock;
    private final Holder holder;

    private StoreLock(Path dir, FileChannel channel, FileLock lock, Holder holder) {
        this.dir = dir;
        this.channel = channel;
        this.lock = lock;
        this.holder = holder;
    }

    /**
     * Takes the lock of the store directory {@code dir} (which must exist) for job {@code jobId}. A lock left by a
     * job that is gone is taken over, and {@code warn} is told whose it was.
     *
     * @throws StoreLockedException naming the holder if another job holds the store
     * @throws CheckpointStoreException if the lock file cannot be created or written
     */
    public static StoreLock acquire(Path dir, String jobId, Consumer<String> warn) {
        Path real;
        try {
            real = dir.toRealPath();
        } catch (IOException e) {
            throw new CheckpointStoreException("cannot lock the checkpoint store " + dir + ": " + e, e);
        }
        synchronized (HELD) {
            Holder inThisJvm = HELD.get(real);
            if (inThisJvm != null) {
                throw new StoreLockedException(dir, inThisJvm);
            }
            Path file = real.resolve(FILE);
            FileChannel channel = open(file);
            try {
                StoreLock taken = take(dir, file, channel, jobId, warn);
                HELD.put(real, taken.holder);
                return taken;
            } catch (RuntimeException e) {
                closeQuietly(channel);
                throw e;
            }
        }
    }

    private static StoreLock take(Path dir, Path file, FileChannel channel, String jobId, Consumer<String> warn) {
        FileLock lock = null;
        boolean locksWork = true;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            throw new StoreLockedException(dir, null); // this JVM holds it through another name of the directory
        } catch (IOException e) {
            locksWork = false; // e.g. ENOLCK on a network file system without a lock daemon
        }
        Optional<Holder> previous;
        try {
            previous = Holder.decode(read(channel));
        } catch (IllegalArgumentException | java.time.format.DateTimeParseException torn) {
            previous = Optional.empty();
            if (lock != null) {
                warn.accept("the lock file " + file + " holds no complete record (a job died while taking the lock); "
                        + "taking the lock over");
            } else {
                throw new StoreLockedException(dir, null);
            }
        } catch (IOException e) {
            throw new CheckpointStoreException("cannot read the lock file " + file + ": " + e, e);
        }
        if (locksWork && lock == null || previous.isPresent() && previous.get().aliveHere()) {
            throw new StoreLockedException(dir, previous.orElse(null));
        }
        if (!locksWork) {
            if (previous.isPresent() && !previous.get().host().equals(localHost())) {
                throw new StoreLockedException(dir, previous.get());
            }
            warn.accept("file locks do not work in " + dir + "; the store is guarded by its lock file only, which "
                    + "cannot tell whether a job on another host still uses it");
        }
        previous.ifPresent(p -> warn.accept("the checkpoint store " + dir + " was locked by " + p.describe()
                + ", which ended without releasing it (killed or interrupted); taking the lock over"));
        Holder mine = new Holder(localHost(), ProcessHandle.current().pid(), jobId,
                Instant.now().truncatedTo(ChronoUnit.SECONDS));
        try {
            byte[] record = mine.encode().getBytes(StandardCharsets.UTF_8);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(record), 0);
            channel.force(true);
        } catch (IOException e) {
            throw new CheckpointStoreException("cannot write the lock file " + file
                    + "; check free space and permissions of the --store directory", e);
        }
        return new StoreLock(dir, channel, lock, mine);
    }

    /** Who holds the lock: this process. */
    public Holder holder() {
        return holder;
    }

    /** Releases the lock and empties the lock file, so the next job takes it without a warning. */
    @Override
    public void close() {
        synchronized (HELD) {
            if (!channel.isOpen()) {
                return;
            }
            try {
                channel.truncate(0);
                channel.force(true);
            } catch (IOException e) {
                // The record stays: the next job takes the lock over with a warning; nothing is lost.
            }
            try {
                if (lock != null) {
                    lock.release();
                }
            } catch (IOException e) {
                // closing the channel below releases it too
            }
            closeQuietly(channel);
            try {
                HELD.remove(dir.toRealPath());
            } catch (IOException e) {
                HELD.values().remove(holder);
            }
        }
    }

    private static FileChannel open(Path file) {
        FileAttribute<?>[] attributes = POSIX && !Files.exists(file)
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OwnerOnlyFiles.FILE_PERMISSIONS)}
                : new FileAttribute<?>[0];
        try {
            return FileChannel.open(file, Set.of(StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE), attributes);
        } catch (IOException e) {
            throw new CheckpointStoreException("cannot open the lock file " + file + ": " + StoreDirectory.reason(e)
                    + "; pass a writable directory with --store", e);
        }
    }

    private static String read(FileChannel channel) throws IOException {
        long size = channel.size();
        if (size > 4096) {
            throw new IllegalArgumentException("a lock record of " + size + " bytes");
        }
        ByteBuffer b = ByteBuffer.allocate((int) size);
        while (b.hasRemaining() && channel.read(b, b.position()) >= 0) {
            // keep reading
        }
        return new String(b.array(), 0, b.position(), StandardCharsets.UTF_8);
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing more to release
        }
    }

    private static volatile String localHost;

    /** This host's name, as lock records give it. */
    static String localHost() {
        String h = localHost;
        if (h == null) {
            h = readHostName();
            localHost = h;
        }
        return h;
    }

    private static String readHostName() {
        try {
            String name = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.US_ASCII).trim();
            if (!name.isEmpty()) {
                return name;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: ask the resolver
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
