package io.snapline.runtime.checkpoint;

import java.util.Arrays;
import java.util.Objects;

/**
 * A message saved in a checkpoint: its envelope and its payload in packed form (little-endian; for objects, the
 * encoded objects). The runtime saves those accepted but not yet received in a {@link RankImage}; a policy that logs
 * messages ({@link TrafficHook#log}) keeps them in its own data and hands them back from
 * {@link RankPolicy#onRestore}.
 *
 * @param source   the sender's world rank
 * @param context  the communicator context the message was sent on
 * @param tag      the message's tag
 * @param type     the runtime's code for the element type: opaque to policies, which store it as it is (it fits in
 *                 one unsigned byte) and may check it with {@link #isKnownType}
 * @param elements how many elements the message carries
 * @param payload  the packed payload (not copied)
 */
public record SavedMessage(int source, int context, int tag, int type, int elements, byte[] payload) {
    public SavedMessage {
        Objects.requireNonNull(payload, "payload");
    }

    /** Whether {@code type} is an element type code of this runtime (what a decoder checks before trusting it). */
    public static boolean isKnownType(int type) {
        return EngineMessages.isKnownType(type);
    }

    /** Equal when the envelopes and the payloads' bytes are. */
    @Override
    public boolean equals(Object o) {
        return o instanceof SavedMessage m && m.source == source && m.context == context && m.tag == tag
                && m.type == type && m.elements == elements && Arrays.equals(m.payload, payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(source, context, tag, type, elements, Arrays.hashCode(payload));
    }

    @Override
    public String toString() {
        return "SavedMessage[source=" + source + ", context=" + context + ", tag=" + tag + ", type=" + type
                + ", elements=" + elements + ", payload=" + payload.length + " bytes]";
    }
}
