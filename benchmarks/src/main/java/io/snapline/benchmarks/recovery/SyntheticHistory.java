package io.snapline.benchmarks.recovery;

import io.snapline.recovery.model.Checkpoint;
import io.snapline.recovery.model.History;
import io.snapline.recovery.model.Message;
import io.snapline.recovery.model.RankHistory;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A synthetic job history for measuring the recovery planner, as the raw lists a checkpoint store would hand over
 * (ranks with their checkpoints, and messages); {@link #build()} validates them into a {@link History}.
 *
 * <p>Shape: every rank takes {@code checkpoints} checkpoints evenly spread, {@link #INTERVAL_NANOS} apart: checkpoint 0
 * at the job start (time 0) and checkpoint {@code i >= 1} at {@code i} × {@code INTERVAL_NANOS} + the rank's phase, a
 * random offset below half an interval drawn once per rank (independent checkpointing: ranks do not checkpoint
 * together). Every history ends at {@link #endNanos}. Each message goes from a random rank to a different random
 * rank at a uniformly random time and arrives 1 ns to {@link #MAX_LATENCY_NANOS} later; a message that would arrive
 * after the end is left unreceived (in transit). Because phases differ, some messages are received in an interval
 * with a lower index than the one they were sent in, which creates Z-paths and lets a rollback cascade. Messages
 * carry their send and receive times and a per-sender sequence number, but no names. The same {@link Spec} (seed
 * included) always gives the same history.
 *
 * @param spec     what was generated
 * @param ranks    one entry per rank, rank {@code i} at position {@code i}
 * @param messages every message, in generation order
 */
public record SyntheticHistory(Spec spec, List<RankHistory> ranks, List<Message> messages) {
    /** The time between two checkpoints of a rank: 1 ms. */
    public static final long INTERVAL_NANOS = 1_000_000L;
    /** The longest time a message is in flight: a tenth of an interval. */
    public static final long MAX_LATENCY_NANOS = INTERVAL_NANOS / 10;

    /**
     * The size of a synthetic history.
     *
     * @param ranks       number of ranks (at least 2, so a message has a receiver other than its sender)
     * @param checkpoints checkpoints per rank, including checkpoint 0 at job start (at least 1)
     * @param messages    number of messages (at least 0)
     * @param seed        the random seed
     */
    public record Spec(int ranks, int checkpoints, int messages, long seed) {
        public Spec {
            if (ranks < 2) {
                throw new IllegalArgumentException("a synthetic history needs at least 2 ranks, got " + ranks);
            }
            if (checkpoints < 1) {
                throw new IllegalArgumentException("every rank needs at least checkpoint 0; got " + checkpoints
                        + " checkpoints");
            }
            if (messages < 0) {
                throw new IllegalArgumentException("the message count cannot be negative, got " + messages);
            }
        }

        /** {@code 1024x100x1000000}: ranks × checkpoints × messages. */
        public String label() {
            return ranks + "x" + checkpoints + "x" + messages;
        }
    }

    /** Generates the history {@code spec} describes. */
    public static SyntheticHistory generate(Spec spec) {
        SplittableRandom random = new SplittableRandom(spec.seed());
        int n = spec.ranks();
        int c = spec.checkpoints();
        long end = endNanos(c);
        long[] phase = new long[n];
        List<RankHistory> ranks = new ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            phase[r] = random.nextLong(INTERVAL_NANOS / 2);
            List<Checkpoint> own = new ArrayList<>(c);
            own.add(new Checkpoint(r, 0, 0, 0));
            for (int i = 1; i < c; i++) {
                own.add(new Checkpoint(r, i, i, i * INTERVAL_NANOS + phase[r]));
            }
            ranks.add(new RankHistory(r, "r" + r, own, end));
        }
        long[] nextSeq = new long[n];
        List<Message> messages = new ArrayList<>(spec.messages());
        for (int m = 0; m < spec.messages(); m++) {
            int sender = random.nextInt(n);
            int receiver = random.nextInt(n - 1);
            if (receiver >= sender) {
                receiver++;
            }
            long sent = random.nextLong(end);
            long received = sent + 1 + random.nextLong(MAX_LATENCY_NANOS);
            int sendInterval = interval(sent, phase[sender], c);
            if (received > end) {
                messages.add(new Message(sender, sendInterval, receiver, Message.NOT_RECEIVED, nextSeq[sender]++, sent,
                        Message.NO_TIME, null));
            } else {
                messages.add(new Message(sender, sendInterval, receiver, interval(received, phase[receiver], c),
                        nextSeq[sender]++, sent, received, null));
            }
        }
        return new SyntheticHistory(spec, ranks, messages);
    }

    /** When every rank's history ends: {@code checkpoints} intervals after the start. */
    public static long endNanos(int checkpoints) {
        return checkpoints * INTERVAL_NANOS;
    }

    /** Validates the lists into a {@link History}: what the benchmark times as "validate and build". */
    public History build() {
        return new History(ranks, messages);
    }

    /**
     * The interval a time falls in on a rank with phase {@code phase}: 0 before checkpoint 1 (at
     * {@code INTERVAL_NANOS + phase}), else {@code (time - phase) / INTERVAL_NANOS}, the last interval being open.
     */
    static int interval(long timeNanos, long phase, int checkpoints) {
        return (int) Math.min(checkpoints - 1, Math.max(0, timeNanos - phase) / INTERVAL_NANOS);
    }
}
