package io.snapline.runtime.cluster;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Seals values with AES-256-GCM under a key derived from the cluster's secret ({@link ClusterSecret#sealer()}): a
 * sealed value reveals nothing of its contents to a process without the secret, and opening it proves that it was
 * sealed with the secret for the same place ({@code where}: the map and key it is stored under, so that a value moved
 * to another key does not open). Each value gets a random 96-bit nonce, stored in front of it. Thread-safe.
 */
public final class Sealer {
    /** Bytes a sealed value has beyond the plain one: the nonce and the authentication tag. */
    public static final int OVERHEAD = 12 + 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    Sealer(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
    }

    /** {@code plain} sealed for {@code where}. */
    public byte[] seal(String where, byte[] plain) {
        return seal(where, plain, 0, plain.length);
    }

    /** {@code plain[offset, offset + length)} sealed for {@code where}. */
    public byte[] seal(String where, byte[] plain, int offset, int length) {
        byte[] nonce = new byte[12];
        RANDOM.nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            c.updateAAD(where.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = new byte[OVERHEAD + length];
            System.arraycopy(nonce, 0, sealed, 0, 12);
            c.doFinal(plain, offset, length, sealed, 12);
            return sealed;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is not available in this JVM", e);
        }
    }

    /**
     * The plain value of {@code sealed}, which must have been sealed for {@code where} with the same secret.
     *
     * @throws SealException when it was not (another secret, another place, or damaged)
     */
    public byte[] open(String where, byte[] sealed) {
        if (sealed.length < OVERHEAD) {
            throw new SealException(where + " is not a sealed value (" + sealed.length + " bytes)");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, ByteBuffer.wrap(sealed, 0, 12).array(), 0, 12));
            c.updateAAD(where.getBytes(StandardCharsets.UTF_8));
            return c.doFinal(sealed, 12, sealed.length - 12);
        } catch (AEADBadTagException e) {
            throw new SealException(where + " was not sealed with this cluster's secret for this place, or is damaged");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES/GCM is not available in this JVM", e);
        }
    }

    /** A value that does not open: sealed with another secret, for another place, or damaged. */
    public static final class SealException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SealException(String message) {
            super(message);
        }
    }
}
