package io.snapline.runtime.datatype;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import mpjbuf.Buffer;
import mpjbuf.BufferFactory;
import mpjbuf.RawBuffer;
import org.junit.jupiter.api.Test;

/**
 * MPJ Express's raw buffers: programs (its test suite's BufferBench1 among them) create and destroy buffers of up to
 * 16 MiB in loops, which MPJ Express serves from a pool. Here a raw buffer takes memory only once it is used.
 */
class RawBufferTest {
    @Test
    void shouldTakeNoMemoryWhenARawBufferIsCreatedAndDestroyedUnused() {
        RawBuffer huge = BufferFactory.create(Integer.MAX_VALUE); // no Java array can be this large
        assertEquals(Integer.MAX_VALUE, huge.getCapacity());
        Buffer view = new Buffer(huge, 8, Integer.MAX_VALUE);
        assertEquals(Integer.MAX_VALUE - 8, view.getCapacity());
        BufferFactory.destroy(huge);
        IllegalStateException e = assertThrows(IllegalStateException.class, view::storage);
        assertEquals("the raw buffer has been destroyed (BufferFactory.destroy)", e.getMessage());
    }

    @Test
    void shouldAllocateTheWholeCapacityWhenABufferIsFirstUsed() {
        Buffer b = new Buffer(BufferFactory.create(100), 10, 100);
        byte[] storage = b.storage();
        assertEquals(100, storage.length);
        assertTrue(storage == b.storage(), "the same storage on every use");
        assertThrows(IllegalArgumentException.class, () -> BufferFactory.create(-1));
    }
}
