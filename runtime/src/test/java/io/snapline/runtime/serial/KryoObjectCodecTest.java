package io.snapline.runtime.serial;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.EngineException;
import io.snapline.runtime.engine.TypeMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/** The MPI.OBJECT codec on its own: what round-trips, and how failures are named. */
class KryoObjectCodecTest {
    private static final TypeMap OBJ = TypeMap.basic(BaseType.OBJECT);

    record Point(int x, int y) {
    }

    /** Not Serializable, no no-arg constructor, final fields. */
    static final class Node {
        final String name;
        Node next;

        Node(String name) {
            this.name = name;
        }
    }

    static final class HoldsLock {
        final ReentrantLock lock = new ReentrantLock();
    }

    static final class HoldsThread {
        final Thread worker = new Thread(() -> { });
    }

    private final KryoObjectCodec codec = new KryoObjectCodec(getClass().getClassLoader());

    private Object[] roundTrip(Object... objects) {
        byte[] bytes = codec.encode(objects, 0, OBJ, objects.length);
        Object[] out = new Object[objects.length];
        codec.decode(bytes, out, 0, OBJ, objects.length);
        return out;
    }

    @Test
    void shouldRoundTripRecordsCollectionsAndMaps() {
        Map<String, List<Point>> map = new TreeMap<>(Map.of("a", List.of(new Point(1, 2)), "b", new ArrayList<>()));
        Object[] out = roundTrip(new Point(3, 4), map, List.of(1, 2, 3), new HashMap<>(Map.of(1, "one")), null);
        assertEquals(new Point(3, 4), out[0]);
        assertEquals(map, out[1]);
        assertEquals(List.of(1, 2, 3), out[2]);
        assertEquals(Map.of(1, "one"), out[3]);
        assertEquals(null, out[4]);
    }

    @Test
    void shouldRoundTripByteBuffersByValueKeepingKindOrderAndBounds() {
        java.nio.ByteBuffer direct = java.nio.ByteBuffer.allocateDirect(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        direct.putLong(0, 0x0102030405060708L).putInt(8, -7);
        direct.limit(12).position(3);
        java.nio.ByteBuffer heap = java.nio.ByteBuffer.allocate(5);
        heap.put(4, (byte) 9);
        java.nio.ByteBuffer readOnly = direct.asReadOnlyBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        Object[] out = roundTrip(direct, heap, readOnly, direct);
        java.nio.ByteBuffer d = (java.nio.ByteBuffer) out[0];
        assertTrue(d.isDirect());
        assertEquals(java.nio.ByteOrder.LITTLE_ENDIAN, d.order());
        assertEquals(16, d.capacity());
        assertEquals(12, d.limit());
        assertEquals(3, d.position());
        assertEquals(0x0102030405060708L, d.getLong(0));
        assertEquals(-7, d.getInt(8));
        java.nio.ByteBuffer h = (java.nio.ByteBuffer) out[1];
        assertFalse(h.isDirect());
        assertEquals(java.nio.ByteOrder.BIG_ENDIAN, h.order());
        assertEquals(9, h.get(4));
        java.nio.ByteBuffer r = (java.nio.ByteBuffer) out[2];
        assertTrue(r.isReadOnly());
        assertEquals(-7, r.getInt(8));
        assertSame(out[0], out[3], "a buffer referenced twice comes back once");
    }

    @Test
    void shouldKeepSharedReferencesAndCyclesWhenNotSerializable() {
        Node a = new Node("a");
        Node b = new Node("b");
        a.next = b;
        b.next = a; // a cycle
        Object[] out = roundTrip(a, b, a);
        Node a2 = (Node) out[0];
        Node b2 = (Node) out[1];
        assertEquals("a", a2.name);
        assertSame(b2, a2.next);
        assertSame(a2, b2.next);
        assertSame(a2, out[2], "the same object twice in one message stays one object");
    }

    @Test
    void shouldFillTypedArraysWhenBufferIsPointArray() {
        Point[] src = {new Point(1, 1), new Point(2, 2), new Point(3, 3), new Point(4, 4)};
        TypeMap everyOther = TypeMap.vector(2, 1, 2, OBJ);
        byte[] bytes = codec.encode(src, 0, everyOther, 2);
        Point[] dst = new Point[3];
        codec.decode(bytes, dst, 1, OBJ, 2);
        assertArrayEquals(new Point[] {null, new Point(1, 1), new Point(3, 3)}, dst);
        String[] wrong = new String[2];
        EngineException e = assertThrows(EngineException.class, () -> codec.decode(bytes, wrong, 0, OBJ, 2));
        assertTrue(e.getMessage().contains(Point.class.getName()) && e.getMessage().contains("java.lang.String[]"),
                e.getMessage());
    }

    @Test
    void shouldNameTheClassWhenLockCannotBeSerialized() {
        EngineException e = assertThrows(EngineException.class,
                () -> codec.encode(new Object[] {new HoldsLock()}, 0, OBJ, 1));
        assertTrue(e.getMessage().startsWith("MPI.OBJECT: cannot serialize"), e.getMessage());
        assertTrue(e.getMessage().contains(HoldsLock.class.getName()), e.getMessage());
        assertTrue(e.getMessage().contains("java.util.concurrent.locks"), e.getMessage());
        assertTrue(e.getMessage().contains("class java.util.concurrent.locks.ReentrantLock (reached through lock"), e.getMessage());
    }

    @Test
    void shouldNameTheClassWhenThreadCannotBeSerialized() {
        EngineException e = assertThrows(EngineException.class,
                () -> codec.encode(new Object[] {"fine", new HoldsThread()}, 0, OBJ, 2));
        assertTrue(e.getMessage().contains(HoldsThread.class.getName()), e.getMessage());
        assertTrue(e.getMessage().contains("java.lang.Thread"), e.getMessage());
        assertTrue(e.getMessage().startsWith("MPI.OBJECT: cannot serialize class java.lang.Thread (reached through worker ("
                + HoldsThread.class.getName() + "))"), e.getMessage());
        assertTrue(e.getMessage().contains("mark such fields transient"), e.getMessage());
    }

    @Test
    void shouldStayUsableAfterFailure() {
        assertThrows(EngineException.class, () -> codec.encode(new Object[] {new HoldsLock()}, 0, OBJ, 1));
        assertEquals(new Point(5, 6), roundTrip(new Point(5, 6))[0]);
    }
}
