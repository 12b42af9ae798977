package io.snapline.checkpoint.coordinated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.checkpoint.DependencyRecord;
import io.snapline.runtime.checkpoint.RankImage;
import io.snapline.runtime.checkpoint.store.FileCheckpointStore;
import io.snapline.runtime.checkpoint.store.Manifest;
import io.snapline.runtime.testing.MpiRun;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The dependency record each rank stores with its checkpoint, read back from a real job's store. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DependencyRecordTest {
    @TempDir
    Path tmp;

    private static DependencyRecord[] records(Path store) {
        try (FileCheckpointStore s = new FileCheckpointStore(store)) {
            Manifest m = s.latest().orElseThrow().manifest();
            DependencyRecord[] out = new DependencyRecord[m.ranks()];
            for (int r = 0; r < m.ranks(); r++) {
                RankImage image = RankImage.decode(s.readPiece(m.id(), m.piece(r)), "rank " + r);
                out[r] = DependencyRecord.decode(image.dependencies());
            }
            return out;
        }
    }

    @Test
    void shouldRecordEveryMessageOfTheIntervalOnBothSidesWithNothingCrossingWhenCheckpointsAreBlocking() {
        Path store = tmp.resolve("s");
        MpiRun.Outcome o = MpiRun.run(3, List.of("--checkpoint", "coordinated", "--every", "5", "--store",
                store.toString()), BlockingRestartTest.HaloRing.class, "20");
        assertTrue(o.result().succeeded(), o.err());
        DependencyRecord[] records = records(store);
        Set<String> sent = new HashSet<>();
        Set<String> received = new HashSet<>();
        for (int r = 0; r < records.length; r++) {
            DependencyRecord rec = records[r];
            assertEquals(3, rec.interval(), "checkpoint 4 ends interval 3 (0-based)");
            // 5 steps x (token + 2 halo sends + collective-free) per interval: every rank sends and receives
            assertTrue(rec.sendTo().length >= 15, "rank " + r + " sent " + rec.sendTo().length);
            for (int i = 0; i < rec.sendTo().length; i++) {
                sent.add(r + ">" + rec.sendTo()[i] + "#" + rec.sendSeq()[i]);
            }
            for (int i = 0; i < rec.receiveFrom().length; i++) {
                received.add(rec.receiveFrom()[i] + ">" + r + "#" + rec.receiveSeq()[i]);
                assertEquals(rec.interval(), rec.senderInterval()[i],
                        "a blocking checkpoint drains the channels: no message crosses it");
            }
        }
        assertEquals(sent, received, "every message sent in the interval was received in it, and only those");
    }

    @Test
    void shouldRecordSenderIntervalsAtMostOneApartWhenCheckpointsAreNonBlocking() {
        Path store = tmp.resolve("s");
        MpiRun.Outcome o = MpiRun.run(3, List.of("--checkpoint", "coordinated-nb", "--interval", "30ms", "--store",
                store.toString()), BlockingRestartTest.HaloRing.class, "80", "4");
        assertTrue(o.result().succeeded(), o.err());
        for (DependencyRecord rec : records(store)) {
            for (int i = 0; i < rec.receiveFrom().length; i++) {
                int d = rec.senderInterval()[i] - rec.interval();
                assertTrue(d >= -1 && d <= 1, "sender interval " + rec.senderInterval()[i] + " in interval "
                        + rec.interval() + ": one checkpoint open at a time");
            }
        }
    }
}
