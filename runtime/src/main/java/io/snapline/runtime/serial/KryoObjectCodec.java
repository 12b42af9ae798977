package io.snapline.runtime.serial;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.DataMover;
import io.snapline.runtime.engine.EngineException;
import io.snapline.runtime.engine.ObjectCodec;
import io.snapline.runtime.engine.TypeMap;
import java.util.ArrayList;
import java.util.List;
import org.objenesis.strategy.StdInstantiatorStrategy;

/**
 * Encodes {@code MPI.OBJECT} buffers with Kryo. Any class works, Serializable or not; the elements of one message
 * form one object graph, so shared references and cycles survive. Not thread-safe: one instance per rank, used by
 * that rank's threads one at a time.
 */
public final class KryoObjectCodec implements ObjectCodec {
    private final ClassLoader classLoader;
    /** Made at the first message: a rank that never sends objects (most ranks of a large job) never pays for it. */
    private Kryo kryo;
    private Output output;

    public KryoObjectCodec(ClassLoader classLoader) {
        this.classLoader = classLoader;
    }

    private Kryo kryo() {
        if (kryo == null) {
            kryo = newKryo(classLoader);
            output = new Output(256, -1);
        }
        return kryo;
    }

    /**
     * A Kryo configured as Snapline uses it for program objects: any class (no registration), shared references and
     * cycles kept, objects created without calling constructors, classes resolved in {@code classLoader}, and
     * process-bound types (threads, locks, streams, sockets) refused with a clear error.
     */
    public static Kryo newKryo(ClassLoader classLoader) {
        Kryo kryo = new Kryo();
        kryo.setRegistrationRequired(false);
        kryo.setWarnUnregisteredClasses(false);
        kryo.setReferences(true);
        kryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
        kryo.setClassLoader(classLoader);
        for (Class<?> c : PROCESS_BOUND) {
            kryo.addDefaultSerializer(c, new ProcessBound(c));
        }
        kryo.addDefaultSerializer(java.nio.ByteBuffer.class, new ByteBufferSerializer());
        return kryo;
    }

    /**
     * A {@link java.nio.ByteBuffer} (heap, direct, read-only; the message buffers of {@code MPI.newByteBuffer}) by
     * value: its bytes up to the capacity, position, limit, byte order and kind. A direct buffer comes back as a new
     * direct buffer; its address in the old process means nothing.
     */
    private static final class ByteBufferSerializer extends com.esotericsoftware.kryo.Serializer<java.nio.ByteBuffer> {
        @Override
        public void write(Kryo k, Output out, java.nio.ByteBuffer b) {
            out.writeVarInt(b.capacity(), true);
            out.writeVarInt(b.limit(), true);
            out.writeVarInt(b.position(), true);
            out.writeBoolean(b.order() == java.nio.ByteOrder.LITTLE_ENDIAN);
            out.writeBoolean(b.isDirect());
            out.writeBoolean(b.isReadOnly());
            byte[] bytes = new byte[b.capacity()];
            b.duplicate().clear().get(bytes);
            out.writeBytes(bytes);
        }

        @Override
        public java.nio.ByteBuffer read(Kryo k, Input in, Class<? extends java.nio.ByteBuffer> type) {
            int capacity = in.readVarInt(true);
            int limit = in.readVarInt(true);
            int position = in.readVarInt(true);
            java.nio.ByteOrder order = in.readBoolean() ? java.nio.ByteOrder.LITTLE_ENDIAN : java.nio.ByteOrder.BIG_ENDIAN;
            boolean direct = in.readBoolean();
            boolean readOnly = in.readBoolean();
            java.nio.ByteBuffer b = direct ? java.nio.ByteBuffer.allocateDirect(capacity) : java.nio.ByteBuffer.allocate(capacity);
            b.put(0, in.readBytes(capacity));
            b.limit(limit).position(position);
            b.order(order);
            return readOnly ? b.asReadOnlyBuffer().order(order) : b;
        }
    }

    /**
     * Types whose instances belong to this process (threads, locks, streams, sockets, class loaders): they are
     * refused with a clear error whatever the JVM's module flags would let reflection reach.
     */
    private static final Class<?>[] PROCESS_BOUND = {Thread.class, ThreadGroup.class, ClassLoader.class,
        java.util.concurrent.locks.Lock.class, java.util.concurrent.locks.ReadWriteLock.class,
        java.util.concurrent.locks.Condition.class, java.util.concurrent.Executor.class, java.io.InputStream.class,
        java.io.OutputStream.class, java.io.Reader.class, java.io.Writer.class, java.nio.channels.Channel.class,
        java.net.Socket.class, java.net.ServerSocket.class, Process.class};

    /** Refuses to write a process-bound object. */
    private static final class ProcessBound extends com.esotericsoftware.kryo.Serializer<Object> {
        private final Class<?> kind;

        ProcessBound(Class<?> kind) {
            this.kind = kind;
        }

        @Override
        public void write(Kryo k, Output out, Object object) {
            throw new ProcessBoundException(object.getClass(), kind);
        }

        @Override
        public Object read(Kryo k, Input in, Class<? extends Object> type) {
            throw new ProcessBoundException(type, kind);
        }
    }

    /** A process-bound object was found in a message. */
    static final class ProcessBoundException extends com.esotericsoftware.kryo.KryoException {
        private static final long serialVersionUID = 1L;
        final String className;

        ProcessBoundException(Class<?> type, Class<?> kind) {
            super(type.getName() + " is a " + kind.getSimpleName() + ", tied to this process; it cannot be sent to"
                    + " another rank");
            this.className = type.getName();
        }
    }

    @Override
    public byte[] encode(Object[] src, int offset, TypeMap type, int n) {
        Object[] dense = (Object[]) DataMover.gather(src, offset, type, n);
        Kryo kryo = kryo();
        output.reset();
        try {
            kryo.writeObject(output, dense);
        } catch (RuntimeException e) { // Kryo and reflection fail in many unchecked ways; all mean "cannot serialize"
            throw new EngineException("MPI.OBJECT: cannot serialize " + describeFailure(dense, e), e);
        } finally {
            kryo.reset();
        }
        return output.toBytes();
    }

    @Override
    public void decode(byte[] bytes, Object[] dst, int offset, TypeMap type, int n) {
        Object[] dense;
        Kryo kryo = kryo();
        try (Input input = new Input(bytes)) {
            dense = kryo.readObject(input, Object[].class);
        } catch (RuntimeException e) {
            throw new EngineException("MPI.OBJECT: cannot deserialize the received objects: " + e.getMessage()
                    + " (is every class of the message on the receiving rank's class path, in the same version?)", e);
        } finally {
            kryo.reset();
        }
        if (dense.length != n) {
            throw new EngineException("MPI.OBJECT: expected " + n + " objects, decoded " + dense.length);
        }
        if (!dst.getClass().getComponentType().isAssignableFrom(Object.class)) {
            for (Object o : dense) {
                if (o != null && !dst.getClass().getComponentType().isInstance(o)) {
                    throw new EngineException("MPI.OBJECT: received a " + o.getClass().getName() + " but the receive buffer is a "
                            + dst.getClass().getComponentType().getName() + "[]");
                }
            }
        }
        DataMover.copy(dense, 0, TypeMap.basic(BaseType.OBJECT), dst, offset, type, n);
    }

    /**
     * Says which class could not be serialized and where it was reached from: the class whose field was
     * inaccessible (from the root cause), else the class Kryo was writing, with Kryo's field path.
     */
    public static String describeFailure(Object[] objects, RuntimeException e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String failing = null;
        if (root instanceof ProcessBoundException) {
            failing = ((ProcessBoundException) root).className;
        } else if (root instanceof java.lang.reflect.InaccessibleObjectException) {
            failing = declaringClassOfField(String.valueOf(root.getMessage()));
        }
        List<String> trace = serializationTrace(String.valueOf(e.getMessage()));
        if (failing == null && !trace.isEmpty()) {
            failing = trace.get(0).replaceAll("^.*\\((.*)\\)$", "$1");
        }
        if (failing == null) {
            StringBuilder classes = new StringBuilder();
            for (Object o : objects) {
                if (o != null && classes.indexOf(o.getClass().getName()) < 0) {
                    classes.append(classes.length() == 0 ? "" : ", ").append(o.getClass().getName());
                }
            }
            failing = classes.length() == 0 ? "?" : classes.toString();
        }
        StringBuilder m = new StringBuilder("class ").append(failing);
        if (!trace.isEmpty()) {
            m.append(" (reached through ");
            for (int i = trace.size() - 1; i >= 0; i--) {
                m.append(trace.get(i)).append(i > 0 ? " -> " : "");
            }
            m.append(')');
        }
        m.append(": ").append(firstLine(root.getMessage() == null ? root.toString() : root.getMessage()));
        if (root instanceof java.lang.reflect.InaccessibleObjectException || root instanceof ProcessBoundException) {
            m.append(". JDK internals such as threads, locks, streams and sockets cannot be sent; mark such fields"
                    + " transient or send the plain data they hold");
        }
        return m.toString();
    }

    /** "Unable to make field private X a.b.C.f accessible: ..." gives "a.b.C". */
    private static String declaringClassOfField(String message) {
        int at = message.indexOf(" accessible");
        if (!message.startsWith("Unable to make field ") || at < 0) {
            return null;
        }
        String before = message.substring(0, at);
        String qualifiedField = before.substring(before.lastIndexOf(' ') + 1);
        int dot = qualifiedField.lastIndexOf('.');
        return dot < 0 ? null : qualifiedField.substring(0, dot);
    }

    /** Kryo's "Serialization trace:" lines, innermost first, e.g. {@code worker (com.x.Holder)}. */
    private static List<String> serializationTrace(String message) {
        int at = message.indexOf("Serialization trace:");
        if (at < 0) {
            return List.of();
        }
        List<String> lines = new ArrayList<>();
        for (String line : message.substring(at + "Serialization trace:".length()).split("\n")) {
            if (!line.isBlank()) {
                lines.add(line.strip());
            }
        }
        return lines;
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
