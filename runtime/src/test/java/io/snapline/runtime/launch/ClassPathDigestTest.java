package io.snapline.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The class-path digest of the job fingerprint: the classes' contents count, their times and places do not. */
class ClassPathDigestTest {
    @TempDir
    Path tmp;

    private Path dir(String name, Map<String, String> files) throws IOException {
        Path root = tmp.resolve(name);
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = root.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue());
        }
        return root;
    }

    private Path jar(String name, Map<String, String> entries, long time, int level) throws IOException {
        Path jar = tmp.resolve(name);
        try (OutputStream out = Files.newOutputStream(jar); ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.setLevel(level);
            for (Map.Entry<String, String> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                entry.setTime(time);
                zip.putNextEntry(entry);
                zip.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                zip.closeEntry();
            }
        }
        return jar;
    }

    private static void field(MessageDigest sha, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        sha.update(ByteBuffer.allocate(8).putLong(b.length).array());
        sha.update(b);
    }

    @Test
    void shouldHashLengthPrefixedPathsAndContentsWhenGivenADirectory() throws Exception {
        Path classes = dir("classes", Map.of("demo/Main.class", "main", "A.class", "a", "notes.txt", "ignored"));
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        for (String f : List.of("dir", "A.class", "a", "demo/Main.class", "main")) {
            field(sha, f);
        }

        assertEquals("sha256:" + HexFormat.of().formatHex(sha.digest()), ClassPathDigest.of(List.of(classes)));
    }

    @Test
    void shouldGiveTheSameDigestWhenTheClassesAreMovedOrTouchedOrDataLiesBesideThem() throws IOException {
        Path a = dir("a", Map.of("demo/Main.class", "main", "demo/Util.class", "util"));
        Path b = dir("b", Map.of("demo/Util.class", "util", "demo/Main.class", "main", "output.dat", "results",
                "snapline-checkpoints/run-1/Stray.class", "not in a package directory"));
        Files.setLastModifiedTime(b.resolve("demo/Main.class"), FileTime.fromMillis(0));

        assertEquals(ClassPathDigest.of(List.of(a)), ClassPathDigest.of(List.of(b)));
    }

    @Test
    void shouldGiveAnotherDigestWhenAClassChangesOrTheOrderOfEntriesDoes() throws IOException {
        Path a = dir("a", Map.of("demo/Main.class", "main"));
        Path changed = dir("changed", Map.of("demo/Main.class", "main2"));
        Path other = dir("other", Map.of("lib/Lib.class", "lib"));

        assertNotEquals(ClassPathDigest.of(List.of(a)), ClassPathDigest.of(List.of(changed)));
        assertNotEquals(ClassPathDigest.of(List.of(a, other)), ClassPathDigest.of(List.of(other, a)));
    }

    @Test
    void shouldHashAJarByItsEntriesWhenItIsRebuiltWithOtherTimesAndCompression() throws IOException {
        Path first = jar("first.jar", Map.of("demo/Main.class", "main", "META-INF/maven/demo/pom.properties",
                "#built at noon"), 0L, 9);
        Path again = jar("again.jar", Map.of("demo/Main.class", "main", "META-INF/maven/demo/pom.properties",
                "#built at one"), 86_400_000L * 365, 0);
        Path changed = jar("changed.jar", Map.of("demo/Main.class", "main!"), 0L, 9);

        assertEquals(ClassPathDigest.of(List.of(first)), ClassPathDigest.of(List.of(again)));
        assertNotEquals(ClassPathDigest.of(List.of(first)), ClassPathDigest.of(List.of(changed)));
    }
}
