package io.snapline.runtime.determinant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.snapline.runtime.determinant.Determinant.Completed;
import io.snapline.runtime.determinant.Determinant.Done;
import io.snapline.runtime.determinant.Determinant.Idle;
import io.snapline.runtime.determinant.Determinant.Matched;
import io.snapline.runtime.determinant.Determinant.Op;
import io.snapline.runtime.determinant.Determinant.Poll;
import io.snapline.runtime.determinant.Determinant.Probed;
import io.snapline.runtime.determinant.Determinant.Received;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeterminantLogTest {
    private static final int ANY = Determinant.ANY;

    private static final DeterminantLog EVERY_KIND = new DeterminantLog(List.of(
            new Received(ANY, 3, 0, new Matched(2, 3, 41)),
            new Received(1, ANY, 4, null),
            new Probed(true, ANY, ANY, 0, new Matched(1, 7, 2)),
            new Probed(false, 2, 5, 0, new Matched(2, 5, 0)),
            new Completed(Op.WAITSOME, 3, List.of(new Done(0, null), new Done(2, new Matched(3, 1, 9)))),
            new Idle(1_000_000_000_000L, List.of(new Poll(Op.IPROBE, ANY, 3, 0, 0), new Poll(Op.TESTANY, 0, 0, 0, 4)))));

    @Test
    void shouldDecodeWhatItEncodedWhenEveryKindOfEventIsInTheLog() {
        byte[] bytes = EVERY_KIND.encode();
        assertEquals(EVERY_KIND, DeterminantLog.decode(bytes, "test"));
        assertEquals(1_000_000_000_005L, EVERY_KIND.calls());
    }

    @Test
    void shouldWriteTheDocumentedLayoutWhenOneReceiveIsLogged() {
        byte[] bytes = new DeterminantLog(List.of(new Received(ANY, 3, 0, new Matched(2, 3, 41)))).encode();
        assertEquals("534c444c" + "0001" + "0000" + "00000001"
                + "01" + "fffffffe" + "00000003" + "00000000" + "01" + "00000002" + "00000003" + "0000000000000029",
                HexFormat.of().formatHex(bytes));
    }

    @Test
    void shouldRefuseBytesThatAreNotALogOfThisVersion() {
        byte[] bytes = EVERY_KIND.encode();
        byte[] magic = bytes.clone();
        magic[0] = 'X';
        assertEquals("piece 7 holds no determinant log",
                assertThrows(IllegalArgumentException.class, () -> DeterminantLog.decode(magic, "piece 7")).getMessage());
        byte[] version = bytes.clone();
        version[5] = 9;
        assertEquals("piece 7 has determinant log version 9; this build reads version 1",
                assertThrows(IllegalArgumentException.class, () -> DeterminantLog.decode(version, "piece 7")).getMessage());
        byte[] cut = Arrays.copyOf(bytes, bytes.length - 3);
        assertEquals("piece 7 ends inside its determinant log",
                assertThrows(IllegalArgumentException.class, () -> DeterminantLog.decode(cut, "piece 7")).getMessage());
        byte[] kind = new DeterminantLog(List.of(new Received(ANY, 3, 0, null))).encode();
        kind[12] = 42;
        assertEquals("piece 7 holds a determinant of unknown kind 42",
                assertThrows(IllegalArgumentException.class, () -> DeterminantLog.decode(kind, "piece 7")).getMessage());
    }

    @Test
    void shouldDescribeEventsAsTheProgramCalledThem() {
        assertEquals("Recv from ANY_SOURCE, tag 3 matched rank 2 tag 3 seq 41", EVERY_KIND.events().get(0).describe());
        assertEquals("Recv from rank 1, ANY_TAG matched after the recording ended", EVERY_KIND.events().get(1).describe());
        assertEquals("Probe for ANY_SOURCE, ANY_TAG found rank 1 tag 7 seq 2", EVERY_KIND.events().get(2).describe());
        assertEquals("Iprobe for rank 2, tag 5 found rank 2 tag 5", EVERY_KIND.events().get(3).describe());
        assertEquals("Waitsome over 3 requests reported request 0, request 2 (rank 3 tag 1 seq 9)",
                EVERY_KIND.events().get(4).describe());
        assertEquals("Iprobe for ANY_SOURCE, tag 3 on context 0 or Testany over 4 requests found nothing,"
                + " 1000000000000 calls", EVERY_KIND.events().get(5).describe());
    }
}
