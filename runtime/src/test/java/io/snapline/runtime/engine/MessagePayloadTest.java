package io.snapline.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/**
 * {@link Message#writePayload(byte[], int)}, which a message log copies sends with, writes the same bytes as the
 * device's {@link Message#writePayload(ByteBuffer, long, int)} for every kind of buffer and layout.
 */
class MessagePayloadTest {
    @Test
    void shouldWriteTheSameBytesAsTheBufferPathForEveryPrimitiveArrayAndLayout() {
        int n = 5;
        byte[] bytes = new byte[12];
        int[] ints = new int[12];
        long[] longs = new long[12];
        double[] doubles = new double[12];
        short[] shorts = new short[12];
        for (int i = 0; i < 12; i++) {
            bytes[i] = (byte) (i * 37 - 100);
            ints[i] = i * 0x01020304 - 7;
            longs[i] = i * 0x0102030405060708L - 9;
            doubles[i] = i * -1.25e300 + 0.5;
            shorts[i] = (short) (i * 4099);
        }
        Object[][] cases = {
            {BaseType.BYTE, bytes}, {BaseType.INT, ints}, {BaseType.LONG, longs}, {BaseType.DOUBLE, doubles},
            {BaseType.SHORT, shorts},
        };
        for (Object[] c : cases) {
            BaseType base = (BaseType) c[0];
            TypeMap basic = TypeMap.basic(base);
            same(new Message(0, 1, 0, 7, base, c[1], 3, basic, n, null, true), base + " contiguous from 3");
            TypeMap strided = TypeMap.vector(2, 1, 3, basic); // elements 0 and 3 of each item
            same(new Message(0, 1, 0, 7, base, c[1], 1, strided, 2 * strided.size(), null, true), base + " strided");
        }
        long[] many = new long[1000];
        for (int i = 0; i < many.length; i++) {
            many[i] = i * 31L;
        }
        same(new Message(0, 1, 0, 7, BaseType.LONG, many, 0, TypeMap.basic(BaseType.LONG), 1000, null, true),
                "1000 longs");
    }

    @Test
    void shouldCopyEncodedObjectsAndPackedPayloadsAsTheyAre() {
        byte[] encoded = {9, 8, 7, 6, 5};
        same(Message.arrived(0, 1, 0, 7, BaseType.OBJECT, 2, encoded, null), "objects");
        ByteBuffer packed = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -3).putLong(8, 44);
        same(Message.arrived(0, 1, 0, 7, BaseType.LONG, 2, packed.array(), null), "packed longs");
    }

    private static void same(Message m, String what) {
        int length = Math.toIntExact(m.payloadBytes());
        byte[] viaBuffer = new byte[length + 6];
        m.writePayload(ByteBuffer.wrap(viaBuffer, 3, length).order(ByteOrder.LITTLE_ENDIAN), 0, length);
        byte[] direct = new byte[length + 6];
        m.writePayload(direct, 3);
        assertArrayEquals(viaBuffer, direct, what);
    }
}
