package io.snapline.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The capture's snapshot buffer: one per rank, reused from capture to capture, presized after a restore. */
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
}
