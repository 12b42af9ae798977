package io.snapline.checkpoint.independent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.snapline.runtime.launch.Launcher;
import io.snapline.runtime.testing.GatedRing;
import io.snapline.runtime.testing.MpiRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store with host copies ({@code local+hazelcast://}) commits a checkpoint once every rank's piece is in the
 * replica; a rank of the independent policy commits its own checkpoints alone, so the combination is refused before
 * the cluster is asked for anything.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HostCopiesRefusedTest {
    @TempDir
    Path tmp;

    @Test
    void shouldRefuseHostCopiesForAPolicyThatKeepsLocalCheckpoints() throws Exception {
        Path secret = tmp.resolve("lab.secret");
        Files.writeString(secret, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
        Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rw-------"));
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Launcher.run(new String[] {"-np", "2", "--cluster", "lab@127.0.0.1:1", "--secret-file",
            secret.toString(), "--checkpoint", "independent", "--store", "local+hazelcast://ck?backups=2", "-cp",
            MpiRun.classPathOf(GatedRing.class), GatedRing.class.getName(), "4", "2", tmp.resolve("gate").toString()},
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertEquals(2, status, err.toString(StandardCharsets.UTF_8));
        assertEquals("snaprun: --store local+hazelcast://ck?backups=2 keeps a copy of global checkpoints on each "
                + "rank's host, and --checkpoint independent keeps each rank's own checkpoints, which it commits alone "
                + "before their replica is written; use hazelcast://ck?backups=2\n",
                err.toString(StandardCharsets.UTF_8));
    }
}
