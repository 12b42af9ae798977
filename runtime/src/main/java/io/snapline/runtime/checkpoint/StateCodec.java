package io.snapline.runtime.checkpoint;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import io.snapline.checkpoint.CheckpointException;
import io.snapline.runtime.serial.KryoObjectCodec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Encodes a rank's named state objects with Kryo as one object graph, so references shared between them survive.
 * Fields marked {@code transient} are left out. Programs add serializers for their own types with
 * {@link #register}. One instance per rank.
 */
final class StateCodec {
    private final Kryo kryo;
    private final Output output = new Output(64 * 1024, -1);

    StateCodec(ClassLoader programLoader) {
        kryo = KryoObjectCodec.newKryo(programLoader);
    }

    <T> void register(Class<T> type, Serializer<? super T> serializer) {
        kryo.addDefaultSerializer(type, serializer);
    }

    byte[] encode(Map<String, Object> states) {
        output.reset();
        try {
            kryo.writeObject(output, new LinkedHashMap<>(states));
        } catch (RuntimeException e) { // Kryo and reflection fail in many unchecked ways; all mean "cannot encode"
            throw new CheckpointException("cannot save the checkpoint state: "
                    + KryoObjectCodec.describeFailure(states.values().toArray(), e)
                    + " (mark fields that need not be saved transient, and rebuild them in Restorable.afterRestore;"
                    + " or register a serializer with Checkpoint.serializer)", e);
        } finally {
            kryo.reset();
        }
        return output.toBytes();
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> decode(byte[] bytes) {
        try (Input input = new Input(bytes)) {
            return kryo.readObject(input, LinkedHashMap.class);
        } catch (RuntimeException e) {
            throw new CheckpointException("cannot restore the checkpoint state: " + e.getMessage()
                    + " (is the program the same version as the one that took the checkpoint, and is every custom "
                    + "serializer registered before Checkpoint.restoreOr?)", e);
        } finally {
            kryo.reset();
        }
    }
}
