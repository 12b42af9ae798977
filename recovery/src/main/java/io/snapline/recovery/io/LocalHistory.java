package io.snapline.recovery.io;

import io.snapline.recovery.RecoveryException;
import io.snapline.recovery.model.Checkpoint;
import io.snapline.recovery.model.History;
import io.snapline.recovery.model.Message;
import io.snapline.recovery.model.RankHistory;
import io.snapline.runtime.checkpoint.DependencyRecord;
import io.snapline.runtime.checkpoint.store.LocalCheckpointStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Rebuilds a {@link History} from <em>local</em> checkpoints, taken by every rank on its own (independent
 * checkpointing). Rank r's local checkpoint k (k = 1, 2, ...; 0 is the rank's start) carries the dependency record
 * of runtime interval k-1 (from its checkpoint k-1 to k): the messages it sent (receiver, sequence number) and
 * accepted (sender, sequence number, the sender's interval).
 *
 * <p><b>The floor.</b> Checkpoints are deleted only below a strongly consistent line (the line of the last restart,
 * or a later one the coordinator's garbage collection reached), recorded in the store before anything below it is
 * deleted: the <em>floor</em>. Each rank's history starts at its floor checkpoint (0 = the start), history checkpoint
 * h being the rank's h-th checkpoint from there, and {@link Checkpoint#id()} is always the local number, so reports
 * and diagrams show the real checkpoint numbers. After the floor the local checkpoints must be consecutive: at the
 * first gap (missing or damaged) the rank's later checkpoints are left out with a warning, because the intervals
 * after the gap cannot be rebuilt; the rank's history then ends, open, at the last checkpoint before the gap.
 *
 * <p><b>A damaged floor checkpoint.</b> Its record is not needed (it covers the interval before the floor), but it
 * cannot be restored either, so such a rank can only go back to its start. Below the floor nothing is known (the
 * records there are deleted), so every rank whose floor is above its start is then given its start as checkpoint 0,
 * before its floor, and these ranks are linked by unrecorded messages in that first interval ({@link #UNRECORDED}), one
 * to the next in a ring: a line that sends one of them back to its start sends them all there (had they exchanged no
 * message before the floor, nobody could tell).
 *
 * <p><b>Messages.</b> Sends come from the senders' records and are matched to receives by (sender, receiver,
 * sequence number). A send no record accepts is {@link Message#NOT_RECEIVED}: in transit for every line that keeps
 * the send, which is what makes a strongly consistent line drop it (nobody could deliver it again). A receive whose
 * send no record lists was sent after the sender's last usable checkpoint, so it is placed in the sender's last
 * (open) interval. A message sent before the sender's floor is in the past of every line the window offers and is
 * counted in {@link Read#messagesBeforeWindow()} instead (the floor is strongly consistent, so none is expected).
 *
 * <p>Pure functions; the store is only read.
 */
public final class LocalHistory {
    /** The name of the unrecorded messages that link the ranks' intervals below their floors. */
    public static final String UNRECORDED = "unrecorded";

    private LocalHistory() {
    }

    /**
     * Local checkpoint {@code index} of a rank and the dependency record it holds (of interval {@code index - 1}).
     *
     * @param closedAtNanos when it was taken, on a clock shared by the ranks (by default the record's wall clock)
     */
    public record Entry(long index, DependencyRecord record, long closedAtNanos) {
        /** The entry taken at the record's own closing time. */
        public Entry(long index, DependencyRecord record) {
            this(index, record, record.closedAtMillis() * 1_000_000L);
        }
    }

    /**
     * A local checkpoint that cannot be used: missing, torn, corrupt, or not what its name says.
     *
     * @param problem what is wrong, naming the file where the store can (e.g.
     *                {@code /s/local/rank-00001/ckpt-...3.piece has a payload checksum mismatch})
     */
    public record Damage(int rank, long index, String problem) {
        /** {@code rank 1's local checkpoint 3: <problem>}. */
        @Override
        public String toString() {
            return "rank " + rank + "'s local checkpoint " + index + ": " + problem;
        }
    }

    /**
     * What was rebuilt.
     *
     * @param history              the history; checkpoint h of rank r is local checkpoint {@code localIndexes[r][h]}
     * @param localIndexes         per rank, the local number of every history checkpoint (0: its start)
     * @param floors               per rank, its floor: the oldest local checkpoint the store may still hold (0: the
     *                             start)
     * @param damaged              the checkpoints found damaged or missing, rank by rank
     * @param warnings             what had to be left out and why, one sentence each
     * @param messagesBeforeWindow received messages left out because they were sent before the sender's floor
     */
    public record Read(History history, List<List<Long>> localIndexes, List<Long> floors, List<Damage> damaged,
            List<String> warnings, int messagesBeforeWindow) {
        public Read {
            localIndexes = localIndexes.stream().map(List::copyOf).toList();
            floors = List.copyOf(floors);
            damaged = List.copyOf(damaged);
            warnings = List.copyOf(warnings);
        }

        /** The local number of history checkpoint {@code checkpoint} of {@code rank}. */
        public long localIndex(int rank, int checkpoint) {
            return localIndexes.get(rank).get(checkpoint);
        }

        /** The oldest local checkpoint {@code rank} can restore (0: its start). */
        public long base(int rank) {
            return localIndexes.get(rank).get(0);
        }

        /** The newest usable local checkpoint of {@code rank} (its base if it has no later one). */
        public long last(int rank) {
            List<Long> own = localIndexes.get(rank);
            return own.get(own.size() - 1);
        }

        /** The floor of {@code rank}: the store deleted its local checkpoints below it (0: none). */
        public long floor(int rank) {
            return floors.get(rank);
        }
    }

    /**
     * Reads the local checkpoints of ranks {@code 0..ranks-1} from {@code store}, verifying each piece (checksum and
     * structure; the program state is not decoded), and rebuilds their history. The floor is the line the store
     * recorded ({@link io.snapline.runtime.checkpoint.store.LocalCheckpointStore#recoveryLine()}; none: every rank's
     * start); checkpoints below it are ignored. A damaged or missing checkpoint at or above the floor is treated as
     * absent, named in {@link Read#damaged()} and in a warning.
     *
     * @throws RecoveryException if {@code ranks < 1}
     * @throws io.snapline.runtime.checkpoint.store.CheckpointStoreException if the store cannot be listed
     */
    public static Read read(LocalCheckpointStore store, int ranks) {
        return LocalStoreReader.read(store, ranks);
    }

    /**
     * Verifies rank {@code rank}'s local checkpoint {@code index} of a job of {@code ranks} ranks as {@link #read}
     * does and returns its entry.
     *
     * @throws DamagedCheckpointException saying what is wrong with it
     */
    public static Entry verify(LocalCheckpointStore store, int rank, long index, int ranks) {
        return LocalStoreReader.load(store, rank, index, ranks);
    }

    /** A local checkpoint that cannot be used, as {@link #verify} found it. */
    public static final class DamagedCheckpointException extends RecoveryException {
        private final transient Damage damage;

        DamagedCheckpointException(Damage damage, Throwable cause) {
            super(damage.toString(), cause);
            this.damage = damage;
        }

        public Damage damage() {
            return damage;
        }
    }

    /**
     * Rebuilds the history of {@code ranks} ranks from in-memory records whose floor checkpoints are all usable.
     *
     * @param base    per rank, its floor: its oldest usable local checkpoint (0 = the start); that checkpoint's record
     *                is not needed, but an entry for it, if given, supplies its time
     * @param perRank per rank, its entries in ascending index order; those at or below the base are ignored (but
     *                for the base's time), the rest must run base+1, base+2, ... (at a gap the rest is left out)
     * @throws RecoveryException if the arguments do not describe {@code ranks} ranks or a base is negative
     */
    public static Read build(int ranks, long[] base, List<List<Entry>> perRank) {
        boolean[] usable = new boolean[ranks < 0 ? 0 : ranks];
        Arrays.fill(usable, true);
        return build(ranks, base, usable, perRank, List.of(), List.of());
    }

    /**
     * The general form: {@code floorUsable[r]} false when rank r's floor checkpoint (above its start) is damaged, so
     * that it can only go back to its start.
     */
    static Read build(int ranks, long[] floor, boolean[] floorUsable, List<List<Entry>> perRank,
            List<String> earlierWarnings, List<Damage> damaged) {
        if (ranks < 1 || floor.length != ranks || perRank.size() != ranks || floorUsable.length != ranks) {
            throw new RecoveryException("a local history needs ranks >= 1 and one base and one entry list per rank; "
                    + "got ranks " + ranks + ", " + floor.length + " base(s), " + perRank.size() + " entry list(s)");
        }
        List<String> warnings = new ArrayList<>(earlierWarnings);
        List<List<Entry>> windows = new ArrayList<>(ranks);
        long[] floorTime = new long[ranks];
        Arrays.fill(floorTime, Message.NO_TIME);
        boolean belowFloors = false;
        for (int r = 0; r < ranks; r++) {
            if (floor[r] < 0) {
                throw new RecoveryException("rank " + r + " has base " + floor[r] + "; a base is a local checkpoint "
                        + "number, or 0 for the rank's start");
            }
            windows.add(window(r, floor[r], perRank.get(r), floorTime, warnings));
            belowFloors |= floor[r] > 0 && !floorUsable[r];
        }
        // Per rank, the local number of each history checkpoint.
        List<List<Long>> indexes = new ArrayList<>(ranks);
        for (int r = 0; r < ranks; r++) {
            List<Long> own = new ArrayList<>();
            if (belowFloors && floor[r] > 0) {
                own.add(0L);
            }
            if (floorUsable[r] || floor[r] == 0) {
                own.add(floor[r]);
            }
            for (Entry e : windows.get(r)) {
                own.add(e.index());
            }
            indexes.add(own);
        }
        List<RankHistory> rankHistories = rankHistories(indexes, windows, floorTime);
        int[] before = new int[1];
        List<Message> messages = new LocalMessages(ranks, floor, indexes, windows, warnings).messages(before);
        if (belowFloors) {
            messages.addAll(unrecorded(floor));
        }
        List<Long> floors = Arrays.stream(floor).boxed().toList();
        return new Read(new History(rankHistories, messages), indexes, floors, damaged, warnings, before[0]);
    }

    /** The ring of unrecorded messages in the first interval of the ranks whose floor is above their start. */
    private static List<Message> unrecorded(long[] floor) {
        List<Integer> linked = new ArrayList<>();
        for (int r = 0; r < floor.length; r++) {
            if (floor[r] > 0) {
                linked.add(r);
            }
        }
        List<Message> ring = new ArrayList<>();
        for (int i = 0; linked.size() > 1 && i < linked.size(); i++) {
            int from = linked.get(i);
            int to = linked.get((i + 1) % linked.size());
            ring.add(new Message(from, 0, to, 0, 0, Message.NO_TIME, Message.NO_TIME, UNRECORDED));
        }
        return ring;
    }

    /** The entries base+1, base+2, ... of one rank, up to the first gap. */
    private static List<Entry> window(int r, long base, List<Entry> entries, long[] baseTime, List<String> warnings) {
        List<Entry> kept = new ArrayList<>();
        long expected = base + 1;
        for (Entry e : entries) {
            if (e.index() <= base) {
                if (e.index() == base && base > 0) {
                    baseTime[r] = e.closedAtNanos();
                }
                continue;
            }
            if (e.index() != expected) {
                warnings.add("rank " + r + ": local checkpoint " + expected + " is missing, so its checkpoints from "
                        + e.index() + " on are left out (the intervals after the gap cannot be rebuilt)");
                break;
            }
            if (e.record().interval() != e.index() - 1) {
                warnings.add("rank " + r + ": local checkpoint " + e.index() + " holds the record of interval "
                        + e.record().interval() + ", not " + (e.index() - 1) + ", so it and its later checkpoints "
                        + "are left out");
                break;
            }
            kept.add(e);
            expected++;
        }
        return kept;
    }

    /**
     * Checkpoint times: the entries' own (never going back); a floor without a time, and a start before the floor, at a
     * common start a typical interval (at least a millisecond) before the earliest known time; and every rank's end
     * (the present) a typical interval after the latest, floors included, so that no timeline is empty.
     */
    private static List<RankHistory> rankHistories(List<List<Long>> indexes, List<List<Entry>> windows,
            long[] floorTime) {
        long earliest = Long.MAX_VALUE;
        long latest = Long.MIN_VALUE;
        long gapSum = 0;
        long gaps = 0;
        for (int r = 0; r < windows.size(); r++) {
            long previous = floorTime[r];
            if (previous != Message.NO_TIME) {
                earliest = Math.min(earliest, previous);
                latest = Math.max(latest, previous);
            }
            for (Entry e : windows.get(r)) {
                earliest = Math.min(earliest, e.closedAtNanos());
                latest = Math.max(latest, e.closedAtNanos());
                if (previous != Message.NO_TIME && e.closedAtNanos() > previous) {
                    gapSum += e.closedAtNanos() - previous;
                    gaps++;
                }
                previous = e.closedAtNanos();
            }
        }
        long margin = Math.max(1_000_000L, gaps == 0 ? 0 : gapSum / gaps);
        long start = earliest == Long.MAX_VALUE ? 0 : earliest - margin;
        long end = latest == Long.MIN_VALUE ? margin : latest + margin;
        List<RankHistory> result = new ArrayList<>(windows.size());
        for (int r = 0; r < windows.size(); r++) {
            List<Long> own = indexes.get(r);
            List<Entry> entries = windows.get(r);
            int first = own.size() - entries.size(); // history checkpoints before the window's entries
            List<Checkpoint> checkpoints = new ArrayList<>(own.size());
            long time = start;
            for (int h = 0; h < own.size(); h++) {
                long t = h >= first ? entries.get(h - first).closedAtNanos()
                        : own.get(h) > 0 && floorTime[r] != Message.NO_TIME ? floorTime[r] : start;
                time = h == 0 ? Math.min(t, entries.isEmpty() ? t : entries.get(0).closedAtNanos()) : Math.max(time, t);
                checkpoints.add(new Checkpoint(r, h, own.get(h), time));
            }
            result.add(new RankHistory(r, "rank " + r, checkpoints, Math.max(end, time)));
        }
        return result;
    }
}
