package io.snapline.runtime.launch;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * The digest of a program's class-path contents that goes into the job's fingerprint: what the program's classes are,
 * not where they are or when they were built. For each entry in order: a directory contributes every {@code .class}
 * file in it and in its package directories (by relative path), a jar every entry but directories and
 * {@code META-INF/maven/} (by name, the uncompressed contents), any other file its bytes, a missing entry its absence;
 * every tag, name and content is preceded by its length. Layout in {@code docs/checkpoint-format.md}.
 */
final class ClassPathDigest {
    private static final String MAVEN_METADATA = "META-INF/maven/";

    private final MessageDigest sha;

    private ClassPathDigest() {
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no SHA-256", e);
        }
    }

    /**
     * {@code sha256:} and the hex SHA-256 of the contents of {@code entries}, in order.
     *
     * @throws UsageException if an entry cannot be read
     */
    static String of(List<Path> entries) {
        ClassPathDigest d = new ClassPathDigest();
        for (Path entry : entries) {
            try {
                d.entry(entry);
            } catch (IOException | UncheckedIOException e) {
                throw new UsageException("cannot read class path entry " + entry + " to fingerprint the job: " + e);
            }
        }
        return "sha256:" + HexFormat.of().formatHex(d.sha.digest());
    }

    private void entry(Path entry) throws IOException {
        if (Files.isDirectory(entry)) {
            field("dir".getBytes(StandardCharsets.US_ASCII));
            List<String> classes = classFiles(entry);
            for (String name : classes) {
                field(name.getBytes(StandardCharsets.UTF_8));
                field(Files.readAllBytes(entry.resolve(name)));
            }
        } else if (Files.isRegularFile(entry)) {
            try (ZipFile jar = new ZipFile(entry.toFile())) {
                jar(jar);
            } catch (ZipException notAJar) {
                field("file".getBytes(StandardCharsets.US_ASCII));
                field(Files.readAllBytes(entry));
            }
        } else {
            field("missing".getBytes(StandardCharsets.US_ASCII));
        }
    }

    /**
     * The {@code .class} files under {@code dir}, by relative path. Only directories whose names are Java identifiers
     * are entered (no class loader finds a class elsewhere), so data directories with other names ({@code .git},
     * {@code snapline-checkpoints}) are not read.
     */
    private static List<String> classFiles(Path dir) throws IOException {
        List<String> classes = new ArrayList<>();
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                return d.equals(dir) || isIdentifier(d.getFileName().toString()) ? FileVisitResult.CONTINUE
                        : FileVisitResult.SKIP_SUBTREE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                if (attrs.isRegularFile() && f.getFileName().toString().endsWith(".class")) {
                    classes.add(dir.relativize(f).toString().replace('\\', '/'));
                }
                return FileVisitResult.CONTINUE;
            }
        });
        Collections.sort(classes);
        return classes;
    }

    private static boolean isIdentifier(String name) {
        if (name.isEmpty() || !Character.isJavaIdentifierStart(name.charAt(0))) {
            return false;
        }
        return name.chars().skip(1).allMatch(Character::isJavaIdentifierPart);
    }

    private void jar(ZipFile jar) throws IOException {
        List<ZipEntry> entries = new ArrayList<>();
        jar.stream().filter(e -> !e.isDirectory() && !e.getName().startsWith(MAVEN_METADATA)).forEach(entries::add);
        entries.sort((a, b) -> a.getName().compareTo(b.getName()));
        field("jar".getBytes(StandardCharsets.US_ASCII));
        for (ZipEntry e : entries) {
            field(e.getName().getBytes(StandardCharsets.UTF_8));
            try (InputStream in = jar.getInputStream(e)) {
                field(in.readAllBytes());
            }
        }
    }

    private void field(byte[] bytes) {
        long n = bytes.length;
        for (int shift = 56; shift >= 0; shift -= 8) {
            sha.update((byte) (n >>> shift));
        }
        sha.update(bytes);
    }
}
