package io.snapline.recovery.io;

import io.snapline.recovery.RecoveryException;
import io.snapline.recovery.model.Checkpoint;
import io.snapline.recovery.model.History;
import io.snapline.recovery.model.Message;
import io.snapline.recovery.model.RankHistory;
import io.snapline.runtime.checkpoint.DependencyTracker;
import io.snapline.runtime.checkpoint.store.LocalCheckpointStore;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rebuilds a {@link History} from <em>local</em> checkpoints, taken by every rank on its own (independent
 * checkpointing). Rank r's local checkpoint k (k = 1, 2, ...; 0 is the rank's start) carries the dependency record
 * of runtime interval k-1 (from its checkpoint k-1 to k): the messages it sent (receiver, sequence number) and
 * accepted (sender, sequence number, the sender's interval).
 *
 * <p><b>The window.</b> Each rank has a <em>base</em>: its oldest usable checkpoint (0 = the start; older local
 * checkpoints may have been deleted). History checkpoint 0 of rank r stands for its base, history checkpoint h for
 * local checkpoint base+h, and {@link Checkpoint#id()} is always the local number, so reports and diagrams show the
 * real checkpoint numbers. After the base the local checkpoints must be consecutive: at the first gap (missing or
 * unusable) the rank's later checkpoints are left out with a warning, because the intervals after the gap cannot be
 * rebuilt; the rank's history then ends, open, at the last checkpoint before the gap.
 *
 * <p><b>Messages.</b> Sends come from the senders' records and are matched to receives by (sender, receiver,
 * sequence number). A send no record accepts is {@link Message#NOT_RECEIVED}: in transit for every line that keeps
 * the send, which is what makes a strongly consistent line drop it (nobody could deliver it again). A receive whose
 * send no record lists was sent after the sender's last usable checkpoint, so it is placed in the sender's last
 * (open) interval. A message sent before the sender's base is in the past of every line the window offers and is
 * counted in {@link Read#messagesBeforeWindow()} instead. The window is sound when the bases form a consistent cut,
 * as they do when checkpoints are deleted only below the line {@code LocalRecovery.restartLine} returns: a message
 * sent after a base but accepted before the receiver's base could not be seen (its record is gone).
 *
 * <p>Pure functions; the store is only read.
 */
public final class LocalHistory {
    private LocalHistory() {
    }

    /**
     * Local checkpoint {@code index} of a rank and the dependency record it holds (of interval {@code index - 1}).
     *
     * @param closedAtNanos when it was taken, on a clock shared by the ranks (by default the record's wall clock)
     */
    public record Entry(long index, DependencyTracker.Record record, long closedAtNanos) {
        /** The entry taken at the record's own closing time. */
        public Entry(long index, DependencyTracker.Record record) {
            this(index, record, record.closedAtMillis() * 1_000_000L);
        }
    }

    /**
     * What was rebuilt.
     *
     * @param history              the history; checkpoint h of rank r is local checkpoint {@code localIndexes[r][h]}
     * @param localIndexes         per rank, the local number of every history checkpoint (the first is the base)
     * @param warnings             what had to be left out and why, one sentence each
     * @param messagesBeforeWindow received messages left out because they were sent before the sender's base
     */
    public record Read(History history, List<List<Long>> localIndexes, List<String> warnings,
            int messagesBeforeWindow) {
        public Read {
            localIndexes = localIndexes.stream().map(List::copyOf).toList();
            warnings = List.copyOf(warnings);
        }

        /** The local number of history checkpoint {@code checkpoint} of {@code rank}. */
        public long localIndex(int rank, int checkpoint) {
            return localIndexes.get(rank).get(checkpoint);
        }

        /** The base of {@code rank}: its oldest usable local checkpoint, 0 for its start. */
        public long base(int rank) {
            return localIndexes.get(rank).get(0);
        }

        /** The newest usable local checkpoint of {@code rank} (its base if it has no later one). */
        public long last(int rank) {
            List<Long> own = localIndexes.get(rank);
            return own.get(own.size() - 1);
        }
    }

    /**
     * Reads the local checkpoints of ranks {@code 0..ranks-1} from {@code store} (verifying every piece's checksum)
     * and rebuilds their history. The base of a rank is 0 when its oldest present checkpoint is 1 (whose record
     * covers interval 0) or when it has none, else its oldest present checkpoint; an unreadable base gives way to the
     * next present checkpoint, an unreadable later checkpoint is a gap. Each such step is a warning.
     *
     * @throws RecoveryException if {@code ranks < 1}
     * @throws io.snapline.runtime.checkpoint.store.CheckpointStoreException if the store cannot be listed
     */
    public static Read read(LocalCheckpointStore store, int ranks) {
        return LocalStoreReader.read(store, ranks);
    }

    /**
     * Rebuilds the history of {@code ranks} ranks from in-memory records.
     *
     * @param base    per rank, its oldest usable local checkpoint (0 = the start); that checkpoint's record is not
     *                needed, but an entry for it, if given, supplies its time
     * @param perRank per rank, its entries in ascending index order; those at or below the base are ignored (but
     *                for the base's time), the rest must run base+1, base+2, ... (at a gap the rest is left out)
     * @throws RecoveryException if the arguments do not describe {@code ranks} ranks or a base is negative
     */
    public static Read build(int ranks, long[] base, List<List<Entry>> perRank) {
        return build(ranks, base, perRank, List.of());
    }

    static Read build(int ranks, long[] base, List<List<Entry>> perRank, List<String> earlierWarnings) {
        if (ranks < 1 || base.length != ranks || perRank.size() != ranks) {
            throw new RecoveryException("a local history needs ranks >= 1 and one base and one entry list per rank; "
                    + "got ranks " + ranks + ", " + base.length + " base(s), " + perRank.size() + " entry list(s)");
        }
        List<String> warnings = new ArrayList<>(earlierWarnings);
        List<List<Entry>> windows = new ArrayList<>(ranks);
        long[] baseTime = new long[ranks];
        Arrays.fill(baseTime, Message.NO_TIME);
        for (int r = 0; r < ranks; r++) {
            if (base[r] < 0) {
                throw new RecoveryException("rank " + r + " has base " + base[r] + "; a base is a local checkpoint "
                        + "number, or 0 for the rank's start");
            }
            windows.add(window(r, base[r], perRank.get(r), baseTime, warnings));
        }
        List<RankHistory> rankHistories = rankHistories(base, windows, baseTime);
        int[] before = new int[1];
        List<Message> messages = new Matcher(ranks, base, windows, warnings).messages(before);
        List<List<Long>> indexes = new ArrayList<>(ranks);
        for (int r = 0; r < ranks; r++) {
            List<Long> own = new ArrayList<>();
            for (int h = 0; h <= windows.get(r).size(); h++) {
                own.add(base[r] + h);
            }
            indexes.add(own);
        }
        return new Read(new History(rankHistories, messages), indexes, warnings, before[0]);
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
     * Checkpoint times: the entries' own (never going back), a base without a time at a common start a typical
     * interval before the earliest checkpoint, and every rank's end (the present) a typical interval after the latest.
     */
    private static List<RankHistory> rankHistories(long[] base, List<List<Entry>> windows, long[] baseTime) {
        long earliest = Long.MAX_VALUE;
        long latest = Long.MIN_VALUE;
        long gapSum = 0;
        long gaps = 0;
        for (int r = 0; r < windows.size(); r++) {
            long previous = baseTime[r];
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
            List<Entry> own = windows.get(r);
            long first = own.isEmpty() ? end : own.get(0).closedAtNanos();
            long time = Math.min(baseTime[r] == Message.NO_TIME ? start : baseTime[r], first);
            List<Checkpoint> checkpoints = new ArrayList<>(own.size() + 1);
            checkpoints.add(new Checkpoint(r, 0, base[r], time));
            for (int h = 0; h < own.size(); h++) {
                time = Math.max(time, own.get(h).closedAtNanos());
                checkpoints.add(new Checkpoint(r, h + 1, base[r] + h + 1, time));
            }
            result.add(new RankHistory(r, "rank " + r, checkpoints, Math.max(end, time)));
        }
        return result;
    }

    /** Matches the windows' sends and receives into messages; one pass over each. */
    private static final class Matcher {
        private record Key(int from, int to, long seq) {
        }

        private record Receive(int interval, long senderInterval) {
        }

        private final int ranks;
        private final long[] base;
        private final List<List<Entry>> windows;
        private final List<String> warnings;

        Matcher(int ranks, long[] base, List<List<Entry>> windows, List<String> warnings) {
            this.ranks = ranks;
            this.base = base;
            this.windows = windows;
            this.warnings = warnings;
        }

        List<Message> messages(int[] before) {
            Map<Key, Receive> receives = new LinkedHashMap<>();
            for (int r = 0; r < ranks; r++) {
                List<Entry> own = windows.get(r);
                for (int j = 0; j < own.size(); j++) {
                    DependencyTracker.Record rec = own.get(j).record();
                    for (int i = 0; i < rec.receiveFrom().length; i++) {
                        int from = rec.receiveFrom()[i];
                        if (!isRank(from, r, own.get(j), "accepted a message from")) {
                            continue;
                        }
                        long senderInterval = rec.senderInterval()[i] - base[from];
                        if (senderInterval < 0) {
                            before[0]++;
                            continue;
                        }
                        Key key = new Key(from, r, rec.receiveSeq()[i]);
                        if (receives.putIfAbsent(key, new Receive(j, senderInterval)) != null) {
                            warnings.add("rank " + r + " accepted message " + key.seq() + " of rank " + from
                                    + " twice; the later record is ignored");
                        }
                    }
                }
            }
            List<Message> messages = new ArrayList<>();
            Set<Key> sent = new HashSet<>();
            for (int r = 0; r < ranks; r++) {
                List<Entry> own = windows.get(r);
                for (int j = 0; j < own.size(); j++) {
                    DependencyTracker.Record rec = own.get(j).record();
                    for (int i = 0; i < rec.sendTo().length; i++) {
                        int to = rec.sendTo()[i];
                        Key key = new Key(r, to, rec.sendSeq()[i]);
                        if (!isRank(to, r, own.get(j), "sent a message to")) {
                            continue;
                        }
                        if (!sent.add(key)) {
                            warnings.add("rank " + r + " sent message " + key.seq() + " to rank " + to
                                    + " twice; the later record is ignored");
                            continue;
                        }
                        Receive receive = receives.remove(key);
                        int at = receive == null ? Message.NOT_RECEIVED : receive.interval();
                        if (to == r && receive != null && at < j) {
                            warnings.add("rank " + r + " accepted its own message " + key.seq() + " before sending "
                                    + "it; the message is left out");
                            continue;
                        }
                        messages.add(Message.of(r, j, to, at, key.seq()));
                    }
                }
            }
            for (Map.Entry<Key, Receive> early : receives.entrySet()) {
                Message m = unrecordedSend(early.getKey(), early.getValue());
                if (m != null) {
                    messages.add(m);
                }
            }
            return messages;
        }

        /** A receive whose send no record lists: the send lies in the sender's open interval. */
        private Message unrecordedSend(Key key, Receive receive) {
            int open = windows.get(key.from()).size();
            int at = (int) Math.min(receive.senderInterval(), open);
            if (at < open) {
                warnings.add("rank " + key.to() + " accepted message " + key.seq() + " of rank " + key.from()
                        + " sent in its interval " + (base[key.from()] + at) + ", whose record does not list it; the "
                        + "records disagree, the message is kept where its receiver says");
            }
            if (key.from() == key.to() && receive.interval() < at) {
                warnings.add("rank " + key.to() + " accepted its own message " + key.seq() + " before sending it; "
                        + "the message is left out");
                return null;
            }
            return Message.of(key.from(), at, key.to(), receive.interval(), key.seq());
        }

        private boolean isRank(int peer, int r, Entry entry, String what) {
            if (peer >= 0 && peer < ranks) {
                return true;
            }
            warnings.add("rank " + r + "'s local checkpoint " + entry.index() + " says it " + what + " rank " + peer
                    + ", which is not a rank of this " + ranks + "-rank job; that message is left out");
            return false;
        }
    }
}
