package io.snapline.recovery.model;

/**
 * One message of the history, placed in the checkpoint interval of its send and of its receive.
 *
 * @param sender           the sending rank
 * @param senderInterval   the sender's interval the send happened in (between checkpoints i and i + 1)
 * @param receiver         the receiving rank
 * @param receiverInterval the receiver's interval the receive happened in, or {@link #NOT_RECEIVED}
 * @param seq              the sender's sequence number for the message (what duplicate detection keys on)
 * @param sendTime         send time in nanoseconds, or {@link #NO_TIME}
 * @param receiveTime      receive time in nanoseconds, or {@link #NO_TIME}
 * @param name             a label for reports and diagrams, or {@code null} to use {@code m<seq>}
 */
public record Message(int sender, int senderInterval, int receiver, int receiverInterval, long seq,
                      long sendTime, long receiveTime, String name) {

    /** {@link #receiverInterval()} of a message that was sent but not (yet) received. */
    public static final int NOT_RECEIVED = -1;

    /** {@link #sendTime()} or {@link #receiveTime()} when the time is unknown. */
    public static final long NO_TIME = Long.MIN_VALUE;

    /** A message without times or name. */
    public static Message of(int sender, int senderInterval, int receiver, int receiverInterval, long seq) {
        return new Message(sender, senderInterval, receiver, receiverInterval, seq, NO_TIME, NO_TIME, null);
    }

    public boolean received() {
        return receiverInterval != NOT_RECEIVED;
    }

    public boolean hasSendTime() {
        return sendTime != NO_TIME;
    }

    public boolean hasReceiveTime() {
        return receiveTime != NO_TIME;
    }

    /** The name, or {@code m<seq>} from the sender when it has none. */
    public String label() {
        return name != null ? name : "m" + sender + "." + seq;
    }
}
