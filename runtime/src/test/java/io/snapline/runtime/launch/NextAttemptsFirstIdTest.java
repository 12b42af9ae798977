package io.snapline.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.snapline.runtime.checkpoint.RestartPoint;
import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.InMemoryCheckpointStore;
import io.snapline.runtime.checkpoint.store.JobFingerprint;
import io.snapline.runtime.checkpoint.store.Manifest;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The first checkpoint id of an attempt after a restart: no id is used twice in a job run. */
class NextAttemptsFirstIdTest {
    private final InMemoryCheckpointStore store = new InMemoryCheckpointStore(JobFingerprint.of("Main", List.of(), "",
            "coordinated", "", 1));

    private Manifest commit(long id) {
        Manifest m = new Manifest(CheckpointId.of(id), 1, List.of(store.writePiece(CheckpointId.of(id), 0,
                new byte[] {(byte) id})));
        store.commit(m);
        return m;
    }

    @Test
    void shouldSkipTheIdsThePreviousAttemptCompletedButNeverCommitted() {
        commit(1);
        Manifest restored = commit(2);
        // the previous attempt completed checkpoints 3 and 4 (their replica writes were under way), committed neither
        assertEquals(5, Supervision.nextAttemptsFirstId(store, RestartPoint.global(restored), 5));
    }

    @Test
    void shouldStartAboveEveryCommittedCheckpointWhenThePreviousAttemptUsedNoNewerId() {
        Manifest restored = commit(1);
        commit(2); // newer than the one restored (damaged, say)
        assertEquals(3, Supervision.nextAttemptsFirstId(store, RestartPoint.global(restored), 2));
        assertEquals(3, Supervision.nextAttemptsFirstId(store, RestartPoint.global(restored), 0), "the first attempt");
        assertEquals(1, Supervision.nextAttemptsFirstId(new InMemoryCheckpointStore(JobFingerprint.of("Main",
                List.of(), "", "coordinated", "", 1)), RestartPoint.fresh(1), 1), "a fresh store");
    }
}
