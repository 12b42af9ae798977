package io.snapline.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The attached-buffer allocator: first fit, reuse after free, and messages that say what was needed and free. */
class BsendBufferTest {
    private static final int O = BsendBuffer.OVERHEAD;

    @Test
    void shouldFailWithNeededBytesWhenNothingAttached() {
        EngineException e = assertThrows(EngineException.class, () -> new BsendBuffer().allocate(100));
        assertTrue(e.getMessage().contains("needs " + (100 + O) + " bytes"), e.getMessage());
        assertTrue(e.getMessage().contains("no buffer is attached"), e.getMessage());
    }

    @Test
    void shouldReportFreeBytesWhenExhausted() {
        BsendBuffer b = new BsendBuffer();
        b.attach(ByteBuffer.allocate(2 * (100 + O)), 2 * (100 + O));
        b.allocate(100);
        b.allocate(50);
        EngineException e = assertThrows(EngineException.class, () -> b.allocate(100));
        assertTrue(e.getMessage().contains("needs " + (100 + O) + " bytes (100 data + " + O + " overhead)"), e.getMessage());
        assertTrue(e.getMessage().contains("only 50 of the " + 2 * (100 + O) + " attached bytes are free"), e.getMessage());
        assertTrue(e.getMessage().contains("2 buffered message(s) not yet received"), e.getMessage());
    }

    @Test
    void shouldReuseSpaceWhenRegionFreed() {
        BsendBuffer b = new BsendBuffer();
        b.attach(ByteBuffer.allocate(3 * (10 + O)), 3 * (10 + O));
        BsendBuffer.Region r1 = b.allocate(10);
        BsendBuffer.Region r2 = b.allocate(10);
        BsendBuffer.Region r3 = b.allocate(10);
        assertThrows(EngineException.class, () -> b.allocate(10));
        b.free(r2);
        BsendBuffer.Region again = b.allocate(10);
        assertEquals(r2.start, again.start, "first fit takes the freed gap");
        b.free(r1);
        b.free(r3);
        b.free(again);
        assertEquals(0, b.used());
        b.allocate(3 * (10 + O) - O); // the whole buffer coalesced
    }

    @Test
    void shouldNameLargestBlockWhenFragmented() {
        BsendBuffer b = new BsendBuffer();
        int unit = 10 + O;
        b.attach(ByteBuffer.allocate(4 * unit), 4 * unit);
        BsendBuffer.Region r1 = b.allocate(10);
        b.allocate(10);
        BsendBuffer.Region r3 = b.allocate(10);
        b.allocate(10);
        b.free(r1);
        b.free(r3);
        EngineException e = assertThrows(EngineException.class, () -> b.allocate(2 * unit - O));
        assertTrue(e.getMessage().contains("largest free block is " + unit + " bytes"), e.getMessage());
    }

    @Test
    void shouldGiveEachRegionItsOwnView() {
        BsendBuffer b = new BsendBuffer();
        ByteBuffer attached = ByteBuffer.allocate(200);
        b.attach(attached, 200);
        BsendBuffer.Region r = b.allocate(8);
        r.data().putLong(0, 42L);
        assertEquals(8, r.data().capacity());
        assertEquals(java.nio.ByteOrder.LITTLE_ENDIAN, r.data().order(), "regions hold packed (little-endian) data");
        assertEquals(42L, attached.order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(O),
                "the data lives in the attached buffer, after the overhead");
    }

    @Test
    void shouldRejectSecondAttachAndDetachWithoutAttach() {
        BsendBuffer b = new BsendBuffer();
        assertTrue(assertThrows(EngineException.class, () -> b.detach(new JobState(1))).getMessage().contains("no buffer is attached"));
        b.attach(ByteBuffer.allocate(10), 10);
        assertTrue(assertThrows(EngineException.class, () -> b.attach(ByteBuffer.allocate(10), 10)).getMessage()
                .contains("already attached"));
    }
}
