package io.snapline.runtime.checkpoint;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.unsafe.UnsafeInput;
import com.esotericsoftware.kryo.unsafe.UnsafeOutput;
import com.esotericsoftware.kryo.serializers.DefaultArraySerializers;
import io.snapline.checkpoint.CheckpointException;
import io.snapline.runtime.checkpoint.store.Chunker;
import io.snapline.runtime.checkpoint.store.FixedCuts;
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
    /** Where the last {@link #encode} put the bytes of each large primitive array ({@link #arrays()}). */
    private final FixedCuts.Builder arrays = new FixedCuts.Builder();

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
        recordArrays(byte[].class, new DefaultArraySerializers.ByteArraySerializer(), a -> a.length, Byte.BYTES);
        recordArrays(short[].class, new DefaultArraySerializers.ShortArraySerializer(), a -> a.length, Short.BYTES);
        recordArrays(char[].class, new DefaultArraySerializers.CharArraySerializer(), a -> a.length, Character.BYTES);
        recordArrays(float[].class, new DefaultArraySerializers.FloatArraySerializer(), a -> a.length, Float.BYTES);
        recordArrays(double[].class, new DefaultArraySerializers.DoubleArraySerializer(), a -> a.length,
                Double.BYTES);
    }

    private <T> void recordArrays(Class<T> type, Serializer<T> plain, java.util.function.ToIntFunction<T> length,
            int elementBytes) {
        kryo.addDefaultSerializer(type, new ArrayStretch<>(plain, length, elementBytes));
    }

    /**
     * Writes a primitive array exactly as Kryo's own serializer does (the encoding is unchanged), and when the array
     * has at least {@link Chunker#FIXED_FROM} bytes and they went out as one bulk copy, records where they lie. Only
     * for the arrays Kryo copies in bulk: it writes {@code int[]} and {@code long[]} element by element, as varints.
     */
    private final class ArrayStretch<T> extends Serializer<T> {
        private final Serializer<T> plain;
        private final java.util.function.ToIntFunction<T> length;
        private final int elementBytes;

        ArrayStretch(Serializer<T> plain, java.util.function.ToIntFunction<T> length, int elementBytes) {
            super(plain.getAcceptsNull(), plain.isImmutable());
            this.plain = plain;
            this.length = length;
            this.elementBytes = elementBytes;
        }

        @Override
        public void write(Kryo k, Output out, T array) {
            int start = out.position();
            plain.write(k, out, array);
            if (array == null) {
                return;
            }
            if (out != output) {
                return; // a program's serializer writing into an Output of its own: not the encoding's positions
            }
            int elements = length.applyAsInt(array);
            long bytes = (long) elements * elementBytes;
            int end = out.position();
            if (bytes >= Chunker.FIXED_FROM && end - start == Output.varIntLength(elements + 1, true) + bytes) {
                arrays.tryAdd(end - bytes, bytes); // where cuts fall only: one out of order is left out
            }
        }

        @Override
        public T read(Kryo k, Input in, Class<? extends T> type) {
            return plain.read(k, in, type);
        }

        @Override
        public T copy(Kryo k, T original) {
            return plain.copy(k, original);
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
        arrays.clear();
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
     * Where the last {@link #encode} put the bytes of each primitive array of at least {@link Chunker#FIXED_FROM}
     * bytes, as offsets into the buffer it returned (for the store to cut at fixed offsets).
     */
    FixedCuts arrays() {
        return arrays.build();
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
