package io.snapline.recovery.io;

import io.snapline.recovery.model.Message;
import io.snapline.runtime.checkpoint.DependencyRecord;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Matches the sends and receives that the local checkpoints' dependency records list into the messages of a
 * {@link LocalHistory}, in one pass over each: sends from the senders' records, matched by (sender, receiver,
 * sequence number) to the receivers' records, placed in the history intervals holding their local intervals.
 */
final class LocalMessages {
    private record Key(int from, int to, long seq) {
    }

    private record Receive(int interval, long senderInterval) {
    }

    private final int ranks;
    private final long[] floor;
    private final List<List<Long>> indexes;
    private final List<List<LocalHistory.Entry>> windows;
    private final List<String> warnings;

    LocalMessages(int ranks, long[] floor, List<List<Long>> indexes, List<List<LocalHistory.Entry>> windows,
            List<String> warnings) {
        this.ranks = ranks;
        this.floor = floor;
        this.indexes = indexes;
        this.windows = windows;
        this.warnings = warnings;
    }

    /** The history interval of window entry {@code j}'s record on rank {@code r}. */
    private int recordInterval(int r, int j) {
        return indexes.get(r).size() - windows.get(r).size() - 1 + j;
    }

    /** The history interval holding local interval {@code local} of rank {@code r}; -1 below its first checkpoint. */
    private int historyInterval(int r, long local) {
        List<Long> own = indexes.get(r);
        int lo = 0;
        int hi = own.size() - 1;
        if (local < own.get(0)) {
            return -1;
        }
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (own.get(mid) <= local) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    List<Message> messages(int[] before) {
        Map<Key, Receive> receives = new LinkedHashMap<>();
        for (int r = 0; r < ranks; r++) {
            List<LocalHistory.Entry> own = windows.get(r);
            for (int j = 0; j < own.size(); j++) {
                DependencyRecord rec = own.get(j).record();
                for (int i = 0; i < rec.receiveFrom().length; i++) {
                    int from = rec.receiveFrom()[i];
                    if (!isRank(from, r, own.get(j), "accepted a message from")) {
                        continue;
                    }
                    if (historyInterval(from, rec.senderInterval()[i]) < 0) {
                        before[0]++;
                        continue;
                    }
                    Key key = new Key(from, r, rec.receiveSeq()[i]);
                    if (receives.putIfAbsent(key, new Receive(recordInterval(r, j), rec.senderInterval()[i]))
                            != null) {
                        warnings.add("rank " + r + " accepted message " + key.seq() + " of rank " + from
                                + " twice; the later record is ignored");
                    }
                }
            }
        }
        List<Message> messages = new ArrayList<>();
        Set<Key> sent = new HashSet<>();
        for (int r = 0; r < ranks; r++) {
            List<LocalHistory.Entry> own = windows.get(r);
            for (int j = 0; j < own.size(); j++) {
                DependencyRecord rec = own.get(j).record();
                int interval = recordInterval(r, j);
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
                    if (to == r && receive != null && at < interval) {
                        warnings.add("rank " + r + " accepted its own message " + key.seq() + " before sending "
                                + "it; the message is left out");
                        continue;
                    }
                    messages.add(Message.of(r, interval, to, at, key.seq()));
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
        int from = key.from();
        long local = receive.senderInterval();
        int at = historyInterval(from, local);
        if (local >= floor[from] && local < floor[from] + windows.get(from).size()) {
            warnings.add("rank " + key.to() + " accepted message " + key.seq() + " of rank " + from
                    + " sent in its interval " + local + ", whose record does not list it; the records "
                    + "disagree, the message is kept where its receiver says");
        }
        if (from == key.to() && receive.interval() < at) {
            warnings.add("rank " + key.to() + " accepted its own message " + key.seq() + " before sending it; "
                    + "the message is left out");
            return null;
        }
        return Message.of(from, at, key.to(), receive.interval(), key.seq());
    }

    private boolean isRank(int peer, int r, LocalHistory.Entry entry, String what) {
        if (peer >= 0 && peer < ranks) {
            return true;
        }
        warnings.add("rank " + r + "'s local checkpoint " + entry.index() + " says it " + what + " rank " + peer
                + ", which is not a rank of this " + ranks + "-rank job; that message is left out");
        return false;
    }
}
