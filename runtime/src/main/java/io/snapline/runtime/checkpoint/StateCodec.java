package io.snapline.runtime.checkpoint;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.unsafe.UnsafeInput;
import com.esotericsoftware.kryo.unsafe.UnsafeOutput;
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
    /** Reused from checkpoint to checkpoint, so a large state is not regrown each time; native byte order, bulk copies. */
    private final Output output = new UnsafeOutput(64 * 1024, -1);

    /** MPI handles: tied to the running job; programs re-create them in setup code instead of saving them. */
    private static final String[] MPI_HANDLES = {"mpi.Comm", "mpi.Group", "mpi.Request", "mpi.Datatype", "mpi.Op",
        "mpi.Errhandler"};

    StateCodec(ClassLoader programLoader) {
        kryo = KryoObjectCodec.newKryo(programLoader);
        for (String name : MPI_HANDLES) {
            try {
                Class<?> c = Class.forName(name, false, programLoader);
                kryo.addDefaultSerializer(c, new MpiHandle(c.getSimpleName()));
            } catch (ClassNotFoundException e) {
                // a program without the mpi facade on its class path cannot hold its objects either
            }
        }
    }

    /** Refuses to save an MPI handle, saying what to do instead. */
    private static final class MpiHandle extends Serializer<Object> {
        private final String kind;

        MpiHandle(String kind) {
            this.kind = kind;
        }

        @Override
        public void write(com.esotericsoftware.kryo.Kryo k, Output out, Object object) {
            throw new CheckpointException("cannot save the checkpoint state: it holds an MPI " + kind + " ("
                    + object.getClass().getName() + "); MPI objects belong to the running job. Create communicators, "
                    + "groups, datatypes and operations in setup code before the first safe point (it runs again "
                    + "after a restart) and keep them out of the registered state (e.g. in a transient field)");
        }

        @Override
        public Object read(com.esotericsoftware.kryo.Kryo k, Input in, Class<? extends Object> type) {
            throw new CheckpointException("a checkpoint cannot hold an MPI " + kind);
        }
    }

    <T> void register(Class<T> type, Serializer<? super T> serializer) {
        kryo.addDefaultSerializer(type, serializer);
    }

    /**
     * Encodes {@code states}; returns a view of this codec's buffer, valid until the next call (the buffer is kept, so
     * a large state is encoded without regrowing or copying it).
     */
    java.nio.ByteBuffer encode(Map<String, Object> states) {
        output.reset();
        try {
            kryo.writeObject(output, new LinkedHashMap<>(states));
        } catch (CheckpointException e) {
            throw e;
        } catch (RuntimeException e) { // Kryo and reflection fail in many unchecked ways; all mean "cannot encode"
            if (e.getCause() instanceof CheckpointException c) {
                throw c;
            }
            throw new CheckpointException("cannot save the checkpoint state: "
                    + KryoObjectCodec.describeFailure(states.values().toArray(), e)
                    + " (mark fields that need not be saved transient, and rebuild them in Restorable.afterRestore;"
                    + " or register a serializer with Checkpoint.serializer)", e);
        } finally {
            kryo.reset();
        }
        return java.nio.ByteBuffer.wrap(output.getBuffer(), 0, output.position()).slice();
    }

    /**
     * Grows the reused buffer to at least {@code bytes} now, so that the next {@link #encode} of a state that size does
     * not grow it while the program is held back (a restored rank knows its state's size from its checkpoint).
     */
    void presize(int bytes) {
        if (output.getBuffer().length < bytes) {
            output.setBuffer(new byte[bytes], -1);
        }
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> decode(java.nio.ByteBuffer bytes) {
        try (Input input = new UnsafeInput(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining())) {
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
