package io.snapline.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.FileCheckpointStore;
import io.snapline.runtime.checkpoint.store.InMemoryCheckpointStore;
import io.snapline.runtime.checkpoint.store.JobFingerprint;
import io.snapline.runtime.checkpoint.store.PieceRef;
import io.snapline.runtime.checkpoint.store.TieredCheckpointStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A rank's listener of a store with host copies: its host copies' cleanup never stops the replica's writes. */
class HostCopiesListenerTest {
    private static final JobFingerprint JOB = JobFingerprint.of("Main", List.of(), "", "coordinated", "", 2);

    @TempDir
    Path tmp;

    private final List<String> reported = new CopyOnWriteArrayList<>();
    private final List<String> warnings = new CopyOnWriteArrayList<>();

    private final TieredCheckpointStore.Listener report = new TieredCheckpointStore.Listener() {
        @Override
        public void replicaWritten(CheckpointId id, PieceRef piece) {
            reported.add("replica " + id + " rank " + piece.rank());
        }

        @Override
        public void pieceRead(CheckpointId id, int rank, String fastFailure) {
            reported.add("read " + id + " rank " + rank);
        }
    };

    /** The host store's directory replaced by a file: nothing in it can be listed or deleted any more. */
    private FileCheckpointStore undeletableHostStore() throws Exception {
        Path root = tmp.resolve("host");
        FileCheckpointStore host = new FileCheckpointStore(root, JOB);
        host.writePiece(CheckpointId.of(1), 0, new byte[] {1});
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
        Files.writeString(root, "a file where the host copies' directory should be");
        return host;
    }

    @Test
    void shouldReportAndWarnWhenOldHostCopiesCannotBeDeleted() throws Exception {
        TieredCheckpointStore.Listener listener = HostCopies.listener(undeletableHostStore(), 0, 2, report,
                warnings::add);
        PieceRef piece = new InMemoryCheckpointStore(JOB).writePiece(CheckpointId.of(5), 0, new byte[] {5});

        listener.replicaWritten(CheckpointId.of(5), piece);

        assertEquals(List.of("replica 5 rank 0"), reported);
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("cannot delete rank 0's old host copies: ") && warnings.get(0).contains(
                tmp.resolve("host").toString()), warnings.get(0));
    }

    @Test
    void shouldKeepWritingTheReplicaWhenOldHostCopiesCannotBeDeleted() throws Exception {
        List<String> replicaFailures = new CopyOnWriteArrayList<>();
        TieredCheckpointStore store = new TieredCheckpointStore(new InMemoryCheckpointStore(JOB),
                new InMemoryCheckpointStore(JOB), TieredCheckpointStore.DEFAULT_MAX_PENDING, replicaFailures::add,
                HostCopies.listener(undeletableHostStore(), 0, 2, report, warnings::add));

        for (long id = 1; id <= 4; id++) {
            store.writePiece(CheckpointId.of(id), 0, new byte[] {(byte) id});
        }
        store.flush();

        assertEquals(Optional.empty(), store.replicaFailure());
        assertEquals(List.of(), replicaFailures);
        assertEquals(List.of("replica 1 rank 0", "replica 2 rank 0", "replica 3 rank 0", "replica 4 rank 0"),
                reported);
        assertEquals(2, warnings.size(), "checkpoints 3 and 4 each tried to delete older copies: " + warnings);
    }
}
