package io.snapline.recovery.svg;

import io.snapline.recovery.model.History;
import io.snapline.recovery.model.Message;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which arrows a diagram draws for a history's messages: one per message while there are at most {@code limit};
 * above that one per group of messages with the same sender and receiver, intervals and kind; and if that is still
 * too many, one per sender, receiver and kind, keeping only the {@code limit} largest groups. So a diagram of any
 * history has at most {@code limit} arrows.
 */
final class MessageArrows {
    /**
     * How a message relates to the drawn lines, or, under message logging, to the restart of the failed ranks
     * ({@code REPLAYED}: a failed rank gets it again from its sender's log; {@code RESENT}: from its failed sender's
     * re-execution; {@code SUPPRESSED}: a failed rank's re-execution repeats it, and its receiver holds it).
     */
    enum Kind {
        PLAIN, IN_TRANSIT, ORPHAN, REPLAYED, RESENT, SUPPRESSED
    }

    /**
     * One arrow: from ({@code sender}, {@code sendTime}) to ({@code receiver}, {@code receiveTime}), or to the end of
     * the receiver's timeline when {@code received} is false.
     *
     * @param messages the messages it stands for (one for a single message), in history order
     */
    record Arrow(int sender, int receiver, double sendTime, double receiveTime, boolean received, Kind kind,
            List<Message> messages) {
        int count() {
            return messages.size();
        }
    }

    /** The plan: the arrows, and what was grouped or left out (null when every message has its own arrow). */
    record Plan(List<Arrow> arrows, String note) {
    }

    private MessageArrows() {
    }

    /**
     * @param sendTimes    per message, the time its send is drawn at
     * @param receiveTimes per message, the time its receive is drawn at (ignored when not received)
     * @param kinds        per message, its kind
     */
    static Plan plan(History history, long[] sendTimes, long[] receiveTimes, Kind[] kinds, int limit) {
        List<Message> messages = history.messages();
        if (messages.size() <= limit) {
            List<Arrow> arrows = new ArrayList<>(messages.size());
            for (int i = 0; i < messages.size(); i++) {
                Message m = messages.get(i);
                arrows.add(new Arrow(m.sender(), m.receiver(), sendTimes[i], receiveTimes[i], m.received(), kinds[i],
                        List.of(m)));
            }
            return new Plan(arrows, null);
        }
        List<Arrow> byInterval = group(history, sendTimes, receiveTimes, kinds, true);
        if (byInterval.size() <= limit) {
            return new Plan(byInterval, messages.size() + " messages drawn as " + byInterval.size() + " arrows, one "
                    + "per sender and receiver interval (the thicker, the more messages; each arrow's tooltip counts "
                    + "them)");
        }
        List<Arrow> byPair = group(history, sendTimes, receiveTimes, kinds, false);
        if (byPair.size() <= limit) {
            return new Plan(byPair, messages.size() + " messages drawn as " + byPair.size() + " arrows, one per "
                    + "sender and receiver, from their mean send to their mean receive (the thicker, the more "
                    + "messages; each arrow's tooltip counts them)");
        }
        List<Arrow> largest = new ArrayList<>(byPair);
        largest.sort(Comparator.comparingInt(Arrow::count).reversed());
        List<Arrow> kept = largest.subList(0, limit);
        int shown = kept.stream().mapToInt(Arrow::count).sum();
        return new Plan(List.copyOf(kept), messages.size() + " messages between " + byPair.size() + " pairs of "
                + "ranks: the " + limit + " busiest pairs are drawn, one arrow each, for " + shown
                + " of the messages; "
                + (messages.size() - shown) + " messages between the other pairs are not drawn");
    }

    private record Key(int sender, int senderInterval, int receiver, int receiverInterval, Kind kind) {
    }

    /** One arrow per group, at the group's mean send and receive times. */
    private static List<Arrow> group(History history, long[] sendTimes, long[] receiveTimes, Kind[] kinds,
            boolean byInterval) {
        Map<Key, List<Integer>> groups = new LinkedHashMap<>();
        List<Message> messages = history.messages();
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            int receiveInterval = !m.received() ? Message.NOT_RECEIVED : byInterval ? m.receiverInterval() : 0;
            Key key = new Key(m.sender(), byInterval ? m.senderInterval() : 0, m.receiver(), receiveInterval,
                    kinds[i]);
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(i);
        }
        List<Arrow> arrows = new ArrayList<>(groups.size());
        for (Map.Entry<Key, List<Integer>> g : groups.entrySet()) {
            long origin = sendTimes[g.getValue().get(0)];
            double send = 0;
            double receive = 0;
            List<Message> members = new ArrayList<>(g.getValue().size());
            for (int i : g.getValue()) {
                send += sendTimes[i] - origin;
                receive += receiveTimes[i] - origin;
                members.add(messages.get(i));
            }
            int n = members.size();
            Key k = g.getKey();
            arrows.add(new Arrow(k.sender(), k.receiver(), origin + send / n, origin + receive / n,
                    k.receiverInterval() != Message.NOT_RECEIVED, k.kind(), members));
        }
        return arrows;
    }
}
