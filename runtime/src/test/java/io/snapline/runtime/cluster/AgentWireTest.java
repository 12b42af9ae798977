package io.snapline.runtime.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import org.junit.jupiter.api.Test;

/** Frames after the handshake: what arrives is what was sent, and nothing changed, replayed or reflected passes. */
class AgentWireTest {
    private static final byte[] KEY = new byte[32];

    @Test
    void shouldRefuseAFrameThatWasChangedReplayedOrSentBackToItsSender() throws Exception {
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        AgentWire client = AgentWire.open(new DataInputStream(new ByteArrayInputStream(new byte[0])),
                new DataOutputStream(sent), () -> { }, KEY, true);
        client.send(AgentServer.KILL, new byte[] {1});
        byte[] frame = sent.toByteArray();

        AgentWire.Frame f = agentReading(frame).receive();
        assertEquals(AgentServer.KILL, f.type());
        assertArrayEquals(new byte[] {1}, f.payload());

        byte[] changed = frame.clone();
        changed[5] ^= 1; // the payload: kill forcibly becomes a gentle kill
        AgentWire.Refused e = assertThrows(AgentWire.Refused.class, () -> agentReading(changed).receive());
        assertTrue(e.getMessage().startsWith("a frame that does not verify"), e.getMessage());

        byte[] twice = new byte[2 * frame.length];
        System.arraycopy(frame, 0, twice, 0, frame.length);
        System.arraycopy(frame, 0, twice, frame.length, frame.length);
        AgentWire replayed = agentReading(twice);
        replayed.receive();
        assertThrows(AgentWire.Refused.class, replayed::receive);

        AgentWire clientReading = AgentWire.open(new DataInputStream(new ByteArrayInputStream(frame)),
                new DataOutputStream(new ByteArrayOutputStream()), () -> { }, KEY, true);
        assertThrows(AgentWire.Refused.class, clientReading::receive, "a client's frame reflected back to it");
    }

    private static AgentWire agentReading(byte[] bytes) throws Exception {
        return AgentWire.open(new DataInputStream(new ByteArrayInputStream(bytes)),
                new DataOutputStream(new ByteArrayOutputStream()), () -> { }, KEY, false);
    }
}
