package io.snapline.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.unsafe.UnsafeOutput;
import io.snapline.runtime.checkpoint.store.Chunker;
import io.snapline.runtime.checkpoint.store.FixedCuts;
import io.snapline.runtime.serial.KryoObjectCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The capture's snapshot buffer: one per rank, reused from capture to capture, presized after a restore; and where the
 * bytes of large primitive arrays lie in it.
 */
class StateCodecTest {
    private final StateCodec codec = new StateCodec(StateCodecTest.class.getClassLoader());

    private static Map<String, Object> plate(int cells) {
        double[] t = new double[cells];
        for (int i = 0; i < cells; i++) {
            t[i] = i * 0.5;
        }
        Map<String, Object> states = new LinkedHashMap<>();
        states.put("plate", t);
        states.put("step", 7L);
        return states;
    }

    @Test
    void shouldEncodeEveryCaptureIntoTheSameBufferOnceItHasGrown() {
        byte[] first = codec.encode(plate(200_000)).array();
        byte[] second = codec.encode(plate(200_000)).array();
        assertSame(first, second, "the second capture neither allocates nor grows a buffer");
        assertArrayEquals((double[]) plate(200_000).get("plate"),
                (double[]) codec.decode(codec.encode(plate(200_000))).get("plate"));
    }

    @Test
    void shouldNotGrowTheBufferAtTheFirstCaptureWhenPresizedFromTheRestoredState() {
        int size = new StateCodec(StateCodecTest.class.getClassLoader()).encode(plate(200_000)).remaining();
        byte[] small = codec.encode(Map.of("step", 1L)).array();
        assertNotSame(small, codec.encode(plate(200_000)).array(), "without presizing, the first capture grows it");

        StateCodec restored = new StateCodec(StateCodecTest.class.getClassLoader());
        restored.presize(size);
        byte[] presized = restored.encode(Map.of("step", 1L)).array();
        assertSame(presized, restored.encode(plate(200_000)).array());
    }

    /** A program's object holding a grid among small fields. */
    static final class Grid {
        int rows;
        double[] u;
        String name;
    }

    static Map<String, Object> mixed() {
        Grid g = new Grid();
        g.rows = 3;
        g.u = new double[40_000]; // 320,000 bytes
        for (int i = 0; i < g.u.length; i++) {
            g.u[i] = Math.sin(i);
        }
        g.u[7] = Double.longBitsToDouble(0x7ff8_0000_0000_1234L);
        g.u[8] = -0.0;
        g.name = "plate";
        long[] counts = new long[70_000];
        java.util.Arrays.setAll(counts, i -> i * 31L);
        float[] edge = new float[Chunker.FIXED_FROM / Float.BYTES]; // exactly the threshold
        java.util.Arrays.fill(edge, 1.5f);
        Map<String, Object> states = new LinkedHashMap<>();
        states.put("grid", g);
        states.put("small", new int[] {1, 2, 3});
        states.put("counts", counts);
        states.put("again", g.u); // a second reference to the grid: written as a reference, no bytes of its own
        states.put("justBelow", new byte[Chunker.FIXED_FROM - 1]);
        states.put("edge", edge);
        return states;
    }

    @Test
    void shouldEncodeAsKryoDoesAndMarkWhereTheBytesOfEachLargePrimitiveArrayLie() {
        Map<String, Object> states = mixed();
        ByteBuffer encoded = codec.encode(states);

        Kryo plain = KryoObjectCodec.newKryo(StateCodecTest.class.getClassLoader());
        UnsafeOutput out = new UnsafeOutput(1024, -1);
        plain.writeObject(out, new LinkedHashMap<>(states));
        assertEquals(ByteBuffer.wrap(out.toBytes()), encoded, "the encoding is Kryo's, byte for byte");

        FixedCuts arrays = codec.arrays(); // not the long[]: Kryo writes its elements as varints, not as a bulk copy
        assertEquals(2, arrays.count(), arrays.toString());
        Grid g = (Grid) states.get("grid");
        ByteBuffer u = ByteBuffer.allocate(g.u.length * 8).order(ByteOrder.nativeOrder());
        u.asDoubleBuffer().put(g.u);
        ByteBuffer edge = ByteBuffer.allocate(Chunker.FIXED_FROM).order(ByteOrder.nativeOrder());
        edge.asFloatBuffer().put((float[]) states.get("edge"));
        ByteBuffer[] expected = {u, edge};
        for (int i = 0; i < 2; i++) {
            assertEquals(expected[i].capacity(), arrays.length(i), "stretch " + i);
            assertEquals(expected[i], encoded.slice((int) arrays.start(i), (int) arrays.length(i)), "stretch " + i);
        }

        Map<String, Object> back = codec.decode(encoded);
        double[] u2 = ((Grid) back.get("grid")).u;
        assertSame(u2, back.get("again"));
        for (int i = 0; i < g.u.length; i++) {
            assertEquals(Double.doubleToRawLongBits(g.u[i]), Double.doubleToRawLongBits(u2[i]), "element " + i);
        }
        assertArrayEquals((long[]) states.get("counts"), (long[]) back.get("counts"));
        assertArrayEquals((float[]) states.get("edge"), (float[]) back.get("edge"));
    }

    /** A program's state whose serializer encodes a large grid into an Output of its own and copies the bytes in. */
    static final class Boxed {
        double[] grid;
    }

    @Test
    void shouldMarkNoArrayThatAProgramsSerializerWroteIntoItsOwnOutput() {
        codec.register(Boxed.class, new com.esotericsoftware.kryo.Serializer<Boxed>() {
            @Override
            public void write(Kryo k, com.esotericsoftware.kryo.io.Output out, Boxed b) {
                com.esotericsoftware.kryo.io.Output own = new com.esotericsoftware.kryo.io.Output(1024, -1);
                k.writeObject(own, b.grid);
                byte[] bytes = own.toBytes();
                out.writeInt(bytes.length);
                out.writeBytes(bytes);
            }

            @Override
            public Boxed read(Kryo k, com.esotericsoftware.kryo.io.Input in, Class<? extends Boxed> type) {
                byte[] bytes = in.readBytes(in.readInt());
                Boxed b = new Boxed();
                b.grid = k.readObject(new com.esotericsoftware.kryo.io.Input(bytes), double[].class);
                return b;
            }
        });
        Boxed boxed = new Boxed();
        boxed.grid = new double[Chunker.FIXED_FROM / 8 * 2]; // written near offset 0 of its own Output
        java.util.Arrays.fill(boxed.grid, 3.25);
        Map<String, Object> states = new LinkedHashMap<>();
        states.put("boxed", boxed);
        states.putAll(plate(Chunker.FIXED_FROM / 8 + 10)); // marked: written by the codec itself

        ByteBuffer encoded = codec.encode(states);

        FixedCuts arrays = codec.arrays();
        assertEquals(1, arrays.count(), arrays.toString());
        assertEquals(Chunker.FIXED_FROM + 80, arrays.length(0));
        Boxed back = (Boxed) codec.decode(encoded).get("boxed");
        assertArrayEquals(boxed.grid, back.grid);
    }

    @Test
    void shouldMarkOnlyTheArraysOfTheLastEncoding() {
        codec.encode(mixed());
        codec.encode(plate(1000));
        assertSame(FixedCuts.NONE, codec.arrays());
        codec.encode(plate(Chunker.FIXED_FROM / 8));
        assertEquals(1, codec.arrays().count());
    }
}
