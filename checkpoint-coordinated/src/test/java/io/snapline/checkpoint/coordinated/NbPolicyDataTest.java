package io.snapline.checkpoint.coordinated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.snapline.checkpoint.CheckpointException;
import io.snapline.runtime.checkpoint.SavedMessage;
import io.snapline.runtime.determinant.Determinant;
import io.snapline.runtime.determinant.DeterminantLog;
import io.snapline.runtime.engine.BaseType;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class NbPolicyDataTest {
    private static final DeterminantLog LOG = new DeterminantLog(List.of(
            new Determinant.Received(Determinant.ANY, 3, 0, new Determinant.Matched(2, 3, 41))));
    private static final NbPolicyData DATA = new NbPolicyData(7, new long[] {0, 3}, new long[] {4, 0},
            new long[] {0, 5}, new long[] {2}, List.of(new SavedMessage(0, 0, 9, BaseType.INT.ordinal(), 1,
                    new byte[] {1, 0, 0, 0})), LOG, sent());

    private static SentDigests sent() {
        SentDigests s = new SentDigests();
        s.add(1, 4, 0x12345678);
        s.add(1, 5, -7);
        return s;
    }

    @Test
    void shouldDecodeWhatItEncodedWhenLateMessagesAndEventsArePresent() {
        assertEquals(DATA, NbPolicyData.decode(DATA.encode(), "test"));
    }

    @Test
    void shouldWriteTheDocumentedHeaderAndCounters() {
        byte[] bytes = DATA.encode();
        assertEquals("534c4e42" + "0003" + "0000" + "00000007" + "00000002"
                + "0000000000000000" + "0000000000000003" + "0000000000000004" + "0000000000000000"
                + "0000000000000000" + "0000000000000005" + "00000001",
                HexFormat.of().formatHex(Arrays.copyOf(bytes, 68)));
        byte[] log = LOG.encode();
        int sentAt = bytes.length - 4 - 2 * 16;
        assertEquals(log.length, ByteBuffer.wrap(bytes, sentAt - log.length - 4, 4).getInt());
        assertEquals(HexFormat.of().formatHex(log),
                HexFormat.of().formatHex(Arrays.copyOfRange(bytes, sentAt - log.length, sentAt)));
        assertEquals("00000002" + "00000001" + "0000000000000004" + "12345678"
                + "00000001" + "0000000000000005" + "fffffff9",
                HexFormat.of().formatHex(Arrays.copyOfRange(bytes, sentAt, bytes.length)));
    }

    @Test
    void shouldReadVersionTwoDataAsHavingNoRecordedSends() {
        byte[] v3 = DATA.encode();
        byte[] v2 = Arrays.copyOf(v3, v3.length - 4 - 2 * 16);
        ByteBuffer.wrap(v2).putShort(4, (short) 2);
        NbPolicyData read = NbPolicyData.decode(v2, "test");
        assertEquals(null, read.sent());
        assertEquals(new NbPolicyData(DATA.epoch(), DATA.sentUpTo(), DATA.acceptedUpTo(), DATA.sentWhenAllTook(),
                DATA.lateSeqs(), DATA.late(), DATA.determinants(), null), read);
    }

    @Test
    void shouldRefuseDataOfTheFirstVersionWhichRecordedNoEvents() {
        ByteBuffer v1 = ByteBuffer.allocate(8 + 32 + 4).putInt(3).putInt(2);
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> NbPolicyData.decode(v1.array(), "the piece of rank 1 in checkpoint 3"));
        assertEquals("the piece of rank 1 in checkpoint 3 holds no coordinated-nb data of version 2 or later (it was"
                + " written by an older Snapline, which did not record the rank's non-deterministic events, or by another"
                + " policy); resume it with the Snapline and the policy that wrote it, or start the job afresh",
                e.getMessage());
    }

    @Test
    void shouldReportATruncatedPieceWhenTheDataEndsEarly() {
        byte[] bytes = DATA.encode();
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> NbPolicyData.decode(Arrays.copyOf(bytes, bytes.length - 10), "piece 3"));
        assertEquals("piece 3 ends inside its coordinated-nb data: the piece is truncated", e.getMessage());
    }
}
