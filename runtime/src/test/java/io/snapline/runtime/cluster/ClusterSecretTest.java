package io.snapline.runtime.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterSecretTest {
    private static final byte[] ONE = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TWO = "0123456789abcdef0123456789abcdeX".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path dir;

    @Test
    void shouldReadAGeneratedSecretThatOnlyItsOwnerCanRead() throws Exception {
        Path file = dir.resolve("secret");
        ClusterSecret.generate(file);

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertTrue(Files.readString(file).matches("[0-9a-f]{64}\n"), Files.readString(file));
        ClusterSecret read = ClusterSecret.read(file);
        byte[] sealed = read.sealer().seal("here", new byte[] {1, 2, 3});
        assertArrayEquals(new byte[] {1, 2, 3}, ClusterSecret.read(file).sealer().open("here", sealed));
        assertThrows(java.nio.file.FileAlreadyExistsException.class, () -> ClusterSecret.generate(file));
    }

    @Test
    void shouldSayWhatIsWrongWithASecretFile() throws Exception {
        Path missing = dir.resolve("none");
        assertMessage(missing, "--secret-file " + missing + ": no such file (create one with: bin/snapline secret ");
        Path open = dir.resolve("open");
        Files.write(open, ONE);
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-r--r--"));
        assertMessage(open, "can be read or changed by others than its owner");
        assertMessage(open, "chmod 600 " + open);
        Path shortOne = dir.resolve("short");
        Files.write(shortOne, "too short\n".getBytes(StandardCharsets.US_ASCII));
        Files.setPosixFilePermissions(shortOne, PosixFilePermissions.fromString("rw-------"));
        assertMessage(shortOne, "holds 9 bytes of secret, fewer than 32");
        assertMessage(dir, "not a regular file");
    }

    @Test
    void shouldSignAndNameClustersDifferentlyForAnotherSecret() {
        ClusterSecret one = ClusterSecret.of(ONE);
        ClusterSecret two = ClusterSecret.of(TWO);
        byte[] message = "submit job 7".getBytes(StandardCharsets.US_ASCII);
        byte[] signature = one.sign("submit", message);

        assertTrue(ClusterSecret.of(ONE).verify("submit", message, signature));
        assertFalse(two.verify("submit", message, signature));
        assertFalse(one.verify("stop", message, signature), "a signature is bound to its purpose");
        assertFalse(one.verify("submit", "submit job 8".getBytes(StandardCharsets.US_ASCII), signature));
        assertFalse(one.verify("submit", message, null));
        assertEquals(one.clusterName("lab"), ClusterSecret.of(ONE).clusterName("lab"));
        assertTrue(one.clusterName("lab").matches("lab-[0-9a-f]{12}"), one.clusterName("lab"));
        assertNotEquals(one.clusterName("lab"), two.clusterName("lab"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClusterSecret.of(new byte[31]));
        assertEquals("a cluster secret needs at least 32 bytes, got 31", e.getMessage());
    }

    @Test
    void shouldOpenOnlyWhatWasSealedWithTheSameSecretForTheSamePlace() {
        Sealer sealer = ClusterSecret.of(ONE).sealer();
        byte[] plain = "checkpoint bytes".getBytes(StandardCharsets.US_ASCII);
        byte[] a = sealer.seal("map/key", plain);
        byte[] b = sealer.seal("map/key", plain);

        assertEquals(plain.length + Sealer.OVERHEAD, a.length);
        assertFalse(java.util.Arrays.equals(a, b), "each value gets its own nonce");
        assertArrayEquals(plain, sealer.open("map/key", b));
        assertThrows(Sealer.SealException.class, () -> sealer.open("map/other", a));
        assertThrows(Sealer.SealException.class, () -> ClusterSecret.of(TWO).sealer().open("map/key", a));
        a[a.length - 20] ^= 1;
        Sealer.SealException damaged = assertThrows(Sealer.SealException.class, () -> sealer.open("map/key", a));
        assertEquals("map/key was not sealed with this cluster's secret for this place, or is damaged",
                damaged.getMessage());
        assertThrows(Sealer.SealException.class, () -> sealer.open("map/key", new byte[5]));

        Sealer store = ClusterSecret.of(ONE).sealer("store lab");
        byte[] sealedForStore = store.seal("map/key", plain);
        assertArrayEquals(plain, ClusterSecret.of(ONE).sealer("store lab").open("map/key", sealedForStore));
        assertThrows(Sealer.SealException.class, () -> ClusterSecret.of(ONE).sealer("store other").open("map/key",
                sealedForStore), "a key of its own per purpose");
        assertThrows(Sealer.SealException.class, () -> sealer.open("map/key", sealedForStore));
    }

    private static void assertMessage(Path file, String part) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ClusterSecret.read(file));
        assertTrue(e.getMessage().contains(part), e.getMessage());
    }
}
