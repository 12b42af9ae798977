package io.snapline.checkpoint.coordinated;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.snapline.runtime.checkpoint.store.PieceRef;
import org.junit.jupiter.api.Test;

class NbMessageTest {
    @Test
    void shouldCarryTheBlockingTimeAndTheCostWithAPreparedPiece() {
        PieceRef piece = new PieceRef(2, "rank-2.piece", 4096, 0x7abc);
        NbMessage.Decoded d = NbMessage.decode(NbMessage.prepared(5, 120, 3_000_000L, 45_000_000L, piece));
        assertEquals(new NbMessage.Decoded(NbMessage.PREPARED, -1, 5, 120, 3_000_000L, 45_000_000L, null, piece), d);
    }

    @Test
    void shouldCarryTheCheckpointAndTheReSendsLeftWhenARestartedRankDefers() {
        NbMessage.Decoded d = NbMessage.decode(NbMessage.deferred(7, 123_456_789_012L));
        assertEquals(new NbMessage.Decoded(NbMessage.DEFERRED, -1, 7, 123_456_789_012L, 0, 0, null, null), d);
    }
}
