package io.snapline.recovery.svg;

import io.snapline.recovery.model.History;
import io.snapline.recovery.model.Message;
import io.snapline.recovery.model.RankHistory;

/**
 * When a diagram draws each message's send and receive: at its own time, or, for an event without one, spread
 * evenly over its interval with the other untimed events there. An untimed receive drawn before its send (or an
 * untimed send after its receive) is then moved as far towards the other as their intervals allow, so that arrows
 * run forward in time wherever the intervals overlap.
 *
 * @param send    per message, the time its send is drawn at
 * @param receive per message, the time its receive is drawn at (0 for a message not received)
 */
record EventTimes(long[] send, long[] receive) {

    static EventTimes of(History history) {
        int total = history.totalCheckpoints();
        int[] base = new int[history.rankCount()];
        for (int r = 1; r < base.length; r++) {
            base[r] = base[r - 1] + history.checkpointCount(r - 1);
        }
        int[] untimed = new int[total];
        for (Message m : history.messages()) {
            if (!m.hasSendTime()) {
                untimed[base[m.sender()] + m.senderInterval()]++;
            }
            if (m.received() && !m.hasReceiveTime()) {
                untimed[base[m.receiver()] + m.receiverInterval()]++;
            }
        }
        int[] placed = new int[total];
        int count = history.messages().size();
        long[] send = new long[count];
        long[] receive = new long[count];
        for (int i = 0; i < count; i++) {
            Message m = history.messages().get(i);
            send[i] = m.hasSendTime() ? m.sendTime()
                : spread(history.rank(m.sender()), m.senderInterval(), base, untimed, placed);
            if (!m.received()) {
                continue;
            }
            receive[i] = m.hasReceiveTime() ? m.receiveTime()
                : spread(history.rank(m.receiver()), m.receiverInterval(), base, untimed, placed);
            if (receive[i] < send[i] && !m.hasReceiveTime()) {
                receive[i] = Math.min(send[i], history.rank(m.receiver()).intervalEnd(m.receiverInterval()));
            }
            if (receive[i] < send[i] && !m.hasSendTime()) {
                send[i] = Math.max(receive[i], history.rank(m.sender()).intervalStart(m.senderInterval()));
            }
        }
        return new EventTimes(send, receive);
    }

    /** The next of the evenly spread places in {@code rank}'s {@code interval}. */
    private static long spread(RankHistory rank, int interval, int[] base, int[] untimed, int[] placed) {
        long start = rank.intervalStart(interval);
        long end = rank.intervalEnd(interval);
        int g = base[rank.rank()] + interval;
        int k = ++placed[g];
        return start + (long) ((end - start) * (k / (double) (untimed[g] + 1)));
    }
}
