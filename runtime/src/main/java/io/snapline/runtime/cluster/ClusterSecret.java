package io.snapline.runtime.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret that every agent and client of a cluster shares (the file given with {@code --secret-file}), and the keys
 * derived from it with HKDF-SHA256 (RFC 5869), one per use: sealing what the cluster stores ({@link Sealer}),
 * signing commands ({@link #sign}), and naming the cluster. Hazelcast's open-source edition lets any process that
 * reaches a member's port join: what the secret protects is that such a process can read nothing it stores (sealed)
 * and have no command or submission accepted (signed).
 *
 * <p>The file holds at least {@link #MIN_BYTES} bytes of secret (for example 32 random bytes in hexadecimal, as
 * {@link #generate} writes them; a trailing newline is not part of it) and must be readable by its owner only.
 */
public final class ClusterSecret {
    /** The least secret a file must hold. */
    public static final int MIN_BYTES = 32;
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    /** The secret itself: only for the processes an agent starts on its own host ({@link AgentEnvironment}). */
    private final byte[] secret;
    private final byte[] sealKey;
    private final byte[] signKey;
    private final String clusterTag;

    private ClusterSecret(byte[] secret) {
        this.secret = secret;
        byte[] prk = hmac(salt(), secret);
        sealKey = expand(prk, "snapline seal v1", 32);
        signKey = expand(prk, "snapline sign v1", 32);
        clusterTag = HexFormat.of().formatHex(expand(prk, "snapline cluster name v1", 6));
    }

    /** The secret {@code secret} holds (at least {@link #MIN_BYTES} bytes), for tests and in-process use. */
    public static ClusterSecret of(byte[] secret) {
        if (secret.length < MIN_BYTES) {
            throw new IllegalArgumentException("a cluster secret needs at least " + MIN_BYTES + " bytes, got "
                    + secret.length);
        }
        return new ClusterSecret(secret.clone());
    }

    /**
     * Reads the secret in {@code file}.
     *
     * @throws IllegalArgumentException saying what is wrong: missing, not a regular file, readable by others than its
     *     owner, or too short
     */
    public static ClusterSecret read(Path file) {
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException("--secret-file " + file + ": " + (Files.exists(file)
                    ? "not a regular file" : "no such file") + " (create one with: bin/snapline secret " + file + ")");
        }
        try {
            if (Files.getFileStore(file).supportsFileAttributeView("posix")) {
                Set<PosixFilePermission> p = Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS);
                p.retainAll(OTHERS);
                if (!p.isEmpty()) {
                    throw new IllegalArgumentException("--secret-file " + file + " can be read or changed by others "
                            + "than its owner (" + p + "); make it private: chmod 600 " + file);
                }
            }
            byte[] bytes = Files.readAllBytes(file);
            int end = bytes.length;
            while (end > 0 && (bytes[end - 1] == '\n' || bytes[end - 1] == '\r')) {
                end--;
            }
            if (end < MIN_BYTES) {
                throw new IllegalArgumentException("--secret-file " + file + " holds " + end + " bytes of secret, "
                        + "fewer than " + MIN_BYTES + " (create one with: bin/snapline secret " + file + ")");
            }
            return new ClusterSecret(Arrays.copyOf(bytes, end));
        } catch (IOException e) {
            throw new IllegalArgumentException("--secret-file " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * Writes a new secret of 32 random bytes (in hexadecimal, with a newline) to {@code file}, readable by its owner
     * only; refuses to replace an existing file.
     */
    public static void generate(Path file) throws IOException {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        byte[] text = (HexFormat.of().formatHex(secret) + "\n").getBytes(StandardCharsets.US_ASCII);
        if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE)));
        } else {
            Files.createFile(file);
        }
        Files.write(file, text);
    }

    /** The secret's bytes (a copy). */
    byte[] bytes() {
        return secret.clone();
    }

    /** What seals the cluster's stored values with this secret (see {@link #sealer(String)} for a key of its own). */
    public Sealer sealer() {
        return new Sealer(sealKey);
    }

    /**
     * What seals values for {@code purpose} (a store's name, the agents' map) with a key of its own, derived from the
     * sealing key: values of one purpose never open for another, and no one key seals so many values that random
     * nonces could repeat.
     */
    public Sealer sealer(String purpose) {
        return new Sealer(expand(sealKey, "snapline seal for " + purpose, 32));
    }

    /** The HMAC-SHA256 of {@code message} under the signing key, bound to {@code purpose} (what the message is). */
    public byte[] sign(String purpose, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(signKey, "HmacSHA256"));
            byte[] p = purpose.getBytes(StandardCharsets.UTF_8);
            mac.update(java.nio.ByteBuffer.allocate(4).putInt(0, p.length).array());
            mac.update(p);
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    /** Whether {@code signature} is {@link #sign}{@code (purpose, message)}; compared in constant time. */
    public boolean verify(String purpose, byte[] message, byte[] signature) {
        return signature != null && MessageDigest.isEqual(sign(purpose, message), signature);
    }

    /**
     * The name of the cluster called {@code name} as Hazelcast sees it: the name with a tag derived from the secret,
     * so that agents with different secrets never form one cluster by mistake.
     */
    public String clusterName(String name) {
        return name + "-" + clusterTag;
    }

    // ------------------------------------------------------------------ HKDF-SHA256 (RFC 5869)

    private static byte[] salt() {
        return "snapline cluster secret".getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] expand(byte[] prk, String text, int length) {
        byte[] info = text.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[length];
        byte[] t = new byte[0];
        int done = 0;
        for (int i = 1; done < length; i++) {
            byte[] input = new byte[t.length + info.length + 1];
            System.arraycopy(t, 0, input, 0, t.length);
            System.arraycopy(info, 0, input, t.length, info.length);
            input[input.length - 1] = (byte) i;
            t = hmac(prk, input);
            int n = Math.min(t.length, length - done);
            System.arraycopy(t, 0, out, done, n);
            done += n;
        }
        return out;
    }

    private static byte[] hmac(byte[] key, byte[] data) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }
}
