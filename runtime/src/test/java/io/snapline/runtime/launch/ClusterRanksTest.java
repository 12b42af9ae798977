package io.snapline.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The class path a cluster job sends to its agents: the files {@code java} would read. */
class ClusterRanksTest {
    @TempDir
    Path dir;

    @Test
    void shouldSendTheFilesJavaWouldReadWhenTheClassPathHasWildcardsEmptyAndMissingEntries() throws Exception {
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Path b = Files.createFile(lib.resolve("b.jar"));
        Path a = Files.createFile(lib.resolve("a.jar"));
        Files.createFile(lib.resolve("notes.txt"));
        Path app = Files.createFile(dir.resolve("app.jar"));

        List<Path> shipped = ClusterRanks.shipped(List.of(classes.toString(), lib + File.separator + "*",
                dir.resolve("missing.jar").toString(), app.toString(), ""));

        assertEquals(List.of(classes, a, b, app, Path.of(".")), shipped);
    }
}
