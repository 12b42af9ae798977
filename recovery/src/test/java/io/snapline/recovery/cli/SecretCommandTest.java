package io.snapline.recovery.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.cluster.ClusterSecret;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretCommandTest {
    @TempDir
    Path dir;

    @Test
    void shouldWriteASecretThatAgentsCanReadAndNeverReplaceIt() throws Exception {
        Path file = dir.resolve("cluster.secret");
        CliRun first = CliRun.of("secret", file.toString());

        assertEquals(0, first.status(), first.err());
        assertTrue(first.out().startsWith("wrote a new cluster secret to " + file), first.out());
        String secret = Files.readString(file);
        ClusterSecret.read(file); // readable as a --secret-file: private, long enough

        CliRun again = CliRun.of("secret", file.toString());
        assertEquals(2, again.status());
        assertTrue(again.err().contains(file + " exists; a secret is never replaced"), again.err());
        assertEquals(secret, Files.readString(file));
    }
}
