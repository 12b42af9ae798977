package io.snapline.runtime.serial;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.DataMover;
import io.snapline.runtime.engine.EngineException;
import io.snapline.runtime.engine.ObjectCodec;
import io.snapline.runtime.engine.TypeMap;
import org.objenesis.strategy.StdInstantiatorStrategy;

/**
 * Encodes {@code MPI.OBJECT} buffers with Kryo. Any class works, Serializable or not; the elements of one message
 * form one object graph, so shared references and cycles survive. Not thread-safe: one instance per rank, used by
 * that rank's threads one at a time.
 */
public final class KryoObjectCodec implements ObjectCodec {
    private final Kryo kryo;
    private final Output output = new Output(256, -1);

    public KryoObjectCodec(ClassLoader classLoader) {
        kryo = new Kryo();
        kryo.setRegistrationRequired(false);
        kryo.setWarnUnregisteredClasses(false);
        kryo.setReferences(true);
        kryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
        kryo.setClassLoader(classLoader);
    }

    @Override
    public byte[] encode(Object[] src, int offset, TypeMap type, int n) {
        Object[] dense = (Object[]) DataMover.gather(src, offset, type, n);
        output.reset();
        try {
            kryo.writeObject(output, dense);
        } catch (KryoException | IllegalArgumentException | UnsupportedOperationException e) {
            throw new EngineException("MPI.OBJECT: cannot serialize " + describeFailure(dense, e) + ": " + e.getMessage(), e);
        } finally {
            kryo.reset();
        }
        return output.toBytes();
    }

    @Override
    public void decode(byte[] bytes, Object[] dst, int offset, TypeMap type, int n) {
        Object[] dense;
        try (Input input = new Input(bytes)) {
            dense = kryo.readObject(input, Object[].class);
        } catch (KryoException | IllegalArgumentException e) {
            throw new EngineException("MPI.OBJECT: cannot deserialize the received objects: " + e.getMessage(), e);
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

    /** Names the class that failed, from Kryo's serialization trace when it has one. */
    private static String describeFailure(Object[] objects, RuntimeException e) {
        String msg = String.valueOf(e.getMessage());
        for (Object o : objects) {
            if (o != null && msg.contains(o.getClass().getName())) {
                return "an instance of " + o.getClass().getName();
            }
        }
        StringBuilder classes = new StringBuilder();
        for (Object o : objects) {
            if (o != null && classes.indexOf(o.getClass().getName()) < 0) {
                classes.append(classes.length() == 0 ? "" : ", ").append(o.getClass().getName());
            }
        }
        return "objects of class " + (classes.length() == 0 ? "?" : classes);
    }
}
