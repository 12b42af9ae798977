package io.snapline.recovery.io;

import io.snapline.recovery.RecoveryException;
import io.snapline.recovery.model.Checkpoint;
import io.snapline.recovery.model.History;
import io.snapline.recovery.model.Message;
import io.snapline.recovery.model.RankHistory;
import io.snapline.runtime.checkpoint.DependencyRecord;
import io.snapline.runtime.checkpoint.RankImage;
import io.snapline.runtime.checkpoint.store.CheckpointId;
import io.snapline.runtime.checkpoint.store.CheckpointStoreException;
import io.snapline.runtime.checkpoint.store.FileCheckpointStore;
import io.snapline.runtime.checkpoint.store.Manifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rebuilds a {@link History} from a job's checkpoint store: every committed checkpoint's pieces carry the dependency
 * record of the interval they end (messages sent and accepted, with the senders' intervals). The store keeps only
 * its newest checkpoints, so the history covers that window: checkpoint 0 of every rank stands for the start of the
 * first retained interval, and messages sent before it are left out (they are in the past of every line the window
 * can offer). Messages sent in the window but accepted after its last checkpoint show as not received. A store
 * whose ranks checkpointed independently (local checkpoints, no global ones) is read with {@link LocalHistory}.
 * Reads only: the store is not changed, so it may belong to a running job.
 */
public final class StoreHistory {
    /** How many times a window is read again when a running job's retention changed it meanwhile. */
    private static final int MAX_READS = 20;

    private StoreHistory() {
    }

    /**
     * What was read: the history and what the reader had to leave out.
     *
     * @param checkpointIds the global checkpoints read, oldest first; empty for a store of local checkpoints
     * @param local         for a store of local checkpoints (independent checkpointing), what was read from them
     */
    public record Read(History history, List<Long> checkpointIds, int messagesBeforeWindow, Optional<Local> local) {
        /** A store of global checkpoints. */
        public Read(History history, List<Long> checkpointIds, int messagesBeforeWindow) {
            this(history, checkpointIds, messagesBeforeWindow, Optional.empty());
        }
    }

    /**
     * A store of local checkpoints, read with {@link LocalHistory#read}.
     *
     * @param read     the history of the local checkpoints, with their numbers, floors, damage and warnings
     * @param warnings the read's warnings
     * @param logging  the {@code --logging} mode the checkpoints record in their job fingerprint ({@code none},
     *                 {@code pessimistic}, {@code causal}), or null when they record none
     */
    public record Local(LocalHistory.Read read, List<String> warnings, String logging) {
        public Local {
            warnings = List.copyOf(warnings);
        }

        /**
         * True when the checkpoints were taken with sender-based message logging ({@code --logging pessimistic} or
         * {@code causal}):
         * a failed rank then restarts alone from its own newest checkpoint (see
         * {@link io.snapline.recovery.LoggedRecovery}).
         */
        public boolean logsMessages() {
            return "pessimistic".equals(logging) || "causal".equals(logging);
        }
    }

    /**
     * Reads the committed checkpoints of the store in {@code dir}: its global checkpoints, or, when it has none but
     * holds local checkpoints, those (see {@link LocalHistory}).
     *
     * @throws RecoveryException if the directory is not a store, holds no committed checkpoint, or its checkpoints
     *     do not form one run (different sizes, gaps in the ids, pieces without dependency records)
     */
    public static Read read(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new RecoveryException("--store " + dir + ": no such directory");
        }
        try (FileCheckpointStore store = new FileCheckpointStore(dir)) {
            for (int attempt = 1; ; attempt++) {
                List<CheckpointId> ids = store.list();
                if (ids.isEmpty() && !store.localRanks().isEmpty()) {
                    return readLocal(store);
                }
                if (ids.isEmpty()) {
                    throw new RecoveryException("--store " + dir + " holds no committed checkpoint");
                }
                try {
                    return readGlobal(store, dir, ids);
                } catch (CheckpointStoreException e) {
                    // The store of a running job: its retention may have deleted a checkpoint of the window read.
                    if (attempt >= MAX_READS || store.list().equals(ids)) {
                        throw e;
                    }
                }
            }
        } catch (CheckpointStoreException e) {
            throw new RecoveryException("--store " + dir + ": " + e.getMessage());
        }
    }

    /** The history of the global checkpoints {@code ids}. */
    private static Read readGlobal(FileCheckpointStore store, Path dir, List<CheckpointId> ids) {
        for (int k = 1; k < ids.size(); k++) {
            if (ids.get(k).value() != ids.get(k - 1).value() + 1) {
                throw new RecoveryException("--store " + dir + " holds checkpoints " + ids + " with a gap; the "
                        + "intervals between them cannot be rebuilt");
            }
        }
        int ranks = -1;
        List<DependencyRecord[]> records = new ArrayList<>();
        for (CheckpointId id : ids) {
            Manifest m = store.manifest(id);
            if (ranks >= 0 && m.ranks() != ranks) {
                throw new RecoveryException("--store " + dir + ": checkpoint " + id + " has " + m.ranks()
                        + " ranks, the others " + ranks);
            }
            ranks = m.ranks();
            DependencyRecord[] perRank = new DependencyRecord[ranks];
            for (int r = 0; r < ranks; r++) {
                String where = "rank " + r + "'s piece of checkpoint " + id;
                RankImage image = RankImage.decode(store.readPiece(id, m.piece(r)), where);
                if (image.dependencies().length == 0) {
                    throw new RecoveryException(where + " holds no dependency record (written by a runtime "
                            + "without dependency tracking)");
                }
                perRank[r] = DependencyRecord.decode(image.dependencies());
            }
            records.add(perRank);
        }
        return build(ranks, ids, records);
    }

    private static Read readLocal(FileCheckpointStore store) {
        List<Integer> ranksSeen = store.localRanks();
        int ranks = ranksSeen.get(ranksSeen.size() - 1) + 1;
        // A rank that never checkpointed has no directory; the images know the job's size.
        for (long k : store.localIndexes(ranksSeen.get(0))) {
            try {
                ranks = Math.max(ranks, LocalStoreReader.head(store, ranksSeen.get(0), k).ranks());
                break;
            } catch (RecoveryException e) {
                // unreadable: LocalHistory reports it; try the next one
            }
        }
        LocalHistory.Read read = LocalHistory.read(store, ranks);
        return new Read(read.history(), List.of(), read.messagesBeforeWindow(),
                Optional.of(new Local(read, read.warnings(), logging(store, ranksSeen))));
    }

    /** The {@code logging=} option the newest readable local checkpoint's fingerprint records, or null. */
    private static String logging(FileCheckpointStore store, List<Integer> ranks) {
        for (int r : ranks) {
            List<Long> indexes = store.localIndexes(r);
            for (int k = indexes.size() - 1; k >= 0; k--) {
                try {
                    Optional<io.snapline.runtime.checkpoint.store.JobFingerprint> fp = store.localFingerprint(r,
                            indexes.get(k));
                    if (fp.isEmpty()) {
                        return null;
                    }
                    for (String option : fp.get().policyOptions().split(",")) {
                        if (option.startsWith("logging=")) {
                            return option.substring("logging=".length());
                        }
                    }
                    return null;
                } catch (RuntimeException e) {
                    // damaged: LocalHistory reports it; try an older one
                }
            }
        }
        return null;
    }

    private static Read build(int ranks, List<CheckpointId> ids, List<DependencyRecord[]> records) {
        // Record j (of checkpoint ids[j]) ends history interval j; its own interval number says where the window
        // starts in the rank's numbering.
        int[] base = new int[ranks];
        // The window's start (the deleted checkpoint before the first one kept) and its end (the present) are a
        // typical interval before the first and after the last checkpoint, so that no interval is drawn empty.
        long gapSum = 0;
        long gaps = 0;
        long latest = Long.MIN_VALUE;
        for (int r = 0; r < ranks; r++) {
            for (int j = 0; j < ids.size(); j++) {
                long t = records.get(j)[r].closedAtMillis() * 1_000_000L;
                latest = Math.max(latest, t);
                if (j > 0 && t > records.get(j - 1)[r].closedAtMillis() * 1_000_000L) {
                    gapSum += t - records.get(j - 1)[r].closedAtMillis() * 1_000_000L;
                    gaps++;
                }
            }
        }
        long margin = Math.max(1_000_000L, gaps == 0 ? 0 : gapSum / gaps);
        List<RankHistory> rankHistories = new ArrayList<>();
        for (int r = 0; r < ranks; r++) {
            base[r] = records.get(0)[r].interval();
            List<Checkpoint> checkpoints = new ArrayList<>();
            long first = records.get(0)[r].closedAtMillis() * 1_000_000L;
            checkpoints.add(new Checkpoint(r, 0, ids.get(0).value() - 1, first - margin));
            long last = first;
            for (int j = 0; j < ids.size(); j++) {
                last = Math.max(last, records.get(j)[r].closedAtMillis() * 1_000_000L);
                checkpoints.add(new Checkpoint(r, j + 1, ids.get(j).value(), last));
            }
            rankHistories.add(new RankHistory(r, "rank " + r, checkpoints, Math.max(last, latest + margin)));
        }
        // The record of ids[0] ends runtime interval base[r], which is history interval 0 of rank r.
        Map<Long, long[]> receives = new HashMap<>();
        List<long[]> sends = new ArrayList<>();
        int before = 0;
        for (int j = 0; j < records.size(); j++) {
            for (int r = 0; r < ranks; r++) {
                DependencyRecord rec = records.get(j)[r];
                for (int i = 0; i < rec.sendTo().length; i++) {
                    sends.add(new long[] {r, j, rec.sendTo()[i], rec.sendSeq()[i]});
                }
                for (int i = 0; i < rec.receiveFrom().length; i++) {
                    int from = rec.receiveFrom()[i];
                    int senderHistoryInterval = rec.senderInterval()[i] - base[from];
                    if (senderHistoryInterval < 0) {
                        before++;
                        continue;
                    }
                    receives.put(key(from, r, rec.receiveSeq()[i]),
                            new long[] {from, r, rec.receiveSeq()[i], senderHistoryInterval, j});
                }
            }
        }
        List<Message> messages = new ArrayList<>(sends.size());
        for (long[] s : sends) {
            int from = (int) s[0];
            int to = (int) s[2];
            long[] recv = receives.remove(key(from, to, s[3]));
            messages.add(Message.of(from, (int) s[1], to, recv == null ? Message.NOT_RECEIVED : (int) recv[4], s[3]));
        }
        for (long[] early : receives.values()) {
            // Sent after the sender's last retained checkpoint, accepted before the receiver's (possible when
            // checkpoints are not aligned): the send lies in the sender's open interval.
            if (early[3] < records.size()) {
                throw new RecoveryException("the store's dependency records are inconsistent: rank " + early[1]
                        + " accepted message " + early[2] + " of rank " + early[0] + " whose send is not recorded");
            }
            messages.add(Message.of((int) early[0], (int) early[3], (int) early[1], (int) early[4], early[2]));
        }
        List<Long> idValues = ids.stream().map(CheckpointId::value).toList();
        return new Read(new History(rankHistories, messages), idValues, before);
    }

    private static long key(int from, int to, long seq) {
        return ((long) from << 52) ^ ((long) to << 40) ^ seq;
    }
}
