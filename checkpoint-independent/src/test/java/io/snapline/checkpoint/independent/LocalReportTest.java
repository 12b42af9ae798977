package io.snapline.checkpoint.independent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LocalReportTest {
    @Test
    void shouldRoundTripEveryField() {
        LocalReport r = new LocalReport(7, 350, 1 << 20, 12_345_678, new byte[] {1, 2, 3, -4});

        LocalReport back = LocalReport.decode(r.encode());

        assertEquals(7, back.index());
        assertEquals(350, back.point());
        assertEquals(1 << 20, back.bytes());
        assertEquals(12_345_678, back.blockedNanos());
        assertArrayEquals(new byte[] {1, 2, 3, -4}, back.record());
    }

    @Test
    void shouldRefuseAMessageOfAnotherType() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LocalReport.decode(new byte[] {9, 0, 0}));
        assertEquals("not a local checkpoint report: type 9", e.getMessage());
    }
}
