package io.snapline.runtime.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * A class path as it travels to agents: each entry a file named by the SHA-256 of its bytes, so that an agent keeps
 * one copy of each and fetches only what it does not have. A jar goes as it is; a directory of classes is packed into
 * a jar whose bytes depend only on the files in it (entries sorted, times fixed), so that the same classes make the
 * same file and are fetched once.
 */
public final class ClassPathBundle {
    /** One class path entry: its file here and its content address. */
    public record Entry(String name, String sha256, long size, Path file) {
        /** The entry as a launch request names it. */
        public LaunchSpec.ClassPathEntry spec() {
            return new LaunchSpec.ClassPathEntry(name, sha256, size);
        }
    }

    private ClassPathBundle() {
    }

    /** The entries of {@code classPath}, directories packed into jars under {@code scratch}. */
    public static List<Entry> of(List<Path> classPath, Path scratch) throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (Path p : classPath) {
            if (Files.isDirectory(p)) {
                Path jar = Files.createTempFile(scratch, "classes-", ".jar");
                jar.toFile().deleteOnExit(); // also when the launcher is terminated before it closes the job
                pack(p, jar);
                entries.add(entry(p.getFileName() + ".jar", jar));
            } else if (Files.isRegularFile(p)) {
                entries.add(entry(p.getFileName().toString(), p));
            } else {
                throw new IOException("class path entry " + p + " is neither a file nor a directory");
            }
        }
        return entries;
    }

    private static Entry entry(String name, Path file) throws IOException {
        return new Entry(name, sha256(file), Files.size(file), file);
    }

    /** The SHA-256 of {@code file}'s bytes, in hexadecimal. */
    static String sha256(Path file) throws IOException {
        MessageDigest d = digest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                d.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    /** Packs the files under {@code dir} into {@code jar}, in name order, every entry dated 1980-01-01. */
    private static void pack(Path dir, Path jar) throws IOException {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out)) {
            for (Path f : files) {
                JarEntry e = new JarEntry(dir.relativize(f).toString().replace('\\', '/'));
                e.setTime(315532800000L);
                j.putNextEntry(e);
                Files.copy(f, j);
                j.closeEntry();
            }
        }
    }
}
