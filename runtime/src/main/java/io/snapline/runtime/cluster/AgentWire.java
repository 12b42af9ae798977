package io.snapline.runtime.cluster;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * One authenticated connection between a client (the submitting launcher) and an agent. Both prove they hold the
 * cluster's secret without sending it: the agent sends a random challenge, the client answers with its own challenge
 * and its signature of both, the agent answers with its signature of both the other way round. Both then derive a
 * session key from the two challenges, and every frame after that carries an HMAC-SHA256 of its direction, its
 * number on the connection, its type and its payload: a frame that was changed, replayed, reordered or sent by a
 * process without the secret ends the connection.
 *
 * <p>A frame: type (1 byte), payload length (4 bytes, at most {@link #MAX_PAYLOAD}), payload, MAC (32 bytes).
 */
final class AgentWire implements AutoCloseable {
    /** The most bytes one frame carries. */
    static final int MAX_PAYLOAD = 1 << 20;
    private static final int NONCE = 32;
    private static final int MAC = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DataInputStream in;
    private final DataOutputStream out;
    private final AutoCloseable socket;
    private final Mac sendMac;
    private final Mac receiveMac;
    private long sent;
    private long received;

    private AgentWire(DataInputStream in, DataOutputStream out, AutoCloseable socket, byte[] key, boolean client)
            throws GeneralSecurityException {
        this.in = in;
        this.out = out;
        this.socket = socket;
        sendMac = Mac.getInstance("HmacSHA256");
        sendMac.init(new SecretKeySpec(key, "HmacSHA256"));
        receiveMac = Mac.getInstance("HmacSHA256");
        receiveMac.init(new SecretKeySpec(key, "HmacSHA256"));
        this.client = client;
    }

    private final boolean client;

    /** A refused or broken handshake, or a frame that does not verify: the connection cannot be trusted. */
    static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    /** The agent's side of the handshake on a new connection. */
    static AgentWire acceptAsAgent(DataInputStream in, DataOutputStream out, AutoCloseable socket,
            ClusterSecret secret) throws IOException {
        byte[] agentNonce = nonce();
        out.write(agentNonce);
        out.flush();
        byte[] clientNonce = in.readNBytes(NONCE);
        byte[] proof = in.readNBytes(MAC);
        if (clientNonce.length != NONCE || proof.length != MAC) {
            throw new Refused("the client closed the connection during the handshake");
        }
        byte[] both = concat(agentNonce, clientNonce);
        if (!secret.verify("agent wire: client", both, proof)) {
            out.write(new byte[MAC]); // a reply of the right length that proves nothing
            out.flush();
            throw new Refused("a client without the cluster's secret tried to connect");
        }
        out.write(secret.sign("agent wire: agent", concat(clientNonce, agentNonce)));
        out.flush();
        return open(in, out, socket, secret.sign("agent wire: session", both), false);
    }

    /** The client's side of the handshake on a new connection to an agent. */
    static AgentWire connectAsClient(DataInputStream in, DataOutputStream out, AutoCloseable socket,
            ClusterSecret secret) throws IOException {
        byte[] agentNonce = in.readNBytes(NONCE);
        if (agentNonce.length != NONCE) {
            throw new Refused("the agent closed the connection during the handshake");
        }
        byte[] clientNonce = nonce();
        byte[] both = concat(agentNonce, clientNonce);
        out.write(clientNonce);
        out.write(secret.sign("agent wire: client", both));
        out.flush();
        byte[] proof = in.readNBytes(MAC);
        if (proof.length != MAC) {
            throw new Refused("the agent closed the connection during the handshake");
        }
        if (!secret.verify("agent wire: agent", concat(clientNonce, agentNonce), proof)) {
            throw new Refused("the agent and this client do not hold the same cluster secret (--secret-file): the "
                    + "agent refused this client, or is not to be trusted");
        }
        return open(in, out, socket, secret.sign("agent wire: session", both), true);
    }

    static AgentWire open(DataInputStream in, DataOutputStream out, AutoCloseable socket, byte[] key,
            boolean client) throws IOException {
        try {
            return new AgentWire(in, out, socket, key, client);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    /** Sends one frame. Thread-safe. */
    synchronized void send(byte type, byte[] payload) throws IOException {
        if (payload.length > MAX_PAYLOAD) {
            throw new IllegalArgumentException("a frame carries at most " + MAX_PAYLOAD + " bytes, got "
                    + payload.length);
        }
        out.writeByte(type);
        out.writeInt(payload.length);
        out.write(payload);
        out.write(mac(sendMac, client, sent++, type, payload));
        out.flush();
    }

    /**
     * Receives one frame, verified. Only one thread receives.
     *
     * @throws EOFException when the other side closed the connection
     * @throws Refused when the frame does not verify
     */
    Frame receive() throws IOException {
        byte type = in.readByte();
        int length = in.readInt();
        if (length < 0 || length > MAX_PAYLOAD) {
            throw new Refused("a frame of " + length + " bytes: the connection is not an agent's, or is damaged");
        }
        byte[] payload = in.readNBytes(length);
        byte[] mac = in.readNBytes(MAC);
        if (payload.length != length || mac.length != MAC) {
            throw new EOFException("the connection ended inside a frame");
        }
        if (!MessageDigest.isEqual(mac, mac(receiveMac, !client, received++, type, payload))) {
            throw new Refused("a frame that does not verify (changed, replayed or forged): the connection is closed");
        }
        return new Frame(type, payload);
    }

    /** A verified frame. */
    record Frame(byte type, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    private static byte[] mac(Mac mac, boolean fromClient, long number, byte type, byte[] payload) {
        synchronized (mac) {
            mac.update(ByteBuffer.allocate(10).put((byte) (fromClient ? 1 : 2)).putLong(number).put(type).array());
            return mac.doFinal(payload);
        }
    }

    private static byte[] nonce() {
        byte[] n = new byte[NONCE];
        RANDOM.nextBytes(n);
        return n;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (Exception e) {
            // closing: nothing to do about it
        }
    }
}
