package io.snapline.recovery;

import io.snapline.recovery.model.Message;

import java.util.List;

/**
 * What a restart to a recovery line has to do.
 *
 * <p>{@code replay}: the messages in transit at the line. Their senders' restored states already count them as sent,
 * so they are never sent again; whoever has not received them gets them from a message log (a receiver that kept
 * running may still hold a copy in its channel and drops the duplicate by {@code (sender, seq)}).
 *
 * <p>{@code suppress}: messages sent after the line by a rank that rolls back, whose receiver already has them: the
 * receive is kept (an orphan — only on inconsistent lines, such as a single rank rolling back under message logging)
 * or the message was never received and its receiver keeps running (the copy is still in its channel). Re-execution
 * sends them again; those sends are suppressed (or dropped by {@code (sender, seq)} at the receiver).
 *
 * @param line     the line the plan restores
 * @param actions  one per rank, in rank order
 * @param replay   in history order
 * @param suppress in history order
 */
public record RestartPlan(RecoveryLine line, List<RankAction> actions, List<Message> replay, List<Message> suppress) {

    public RestartPlan {
        actions = List.copyOf(actions);
        replay = List.copyOf(replay);
        suppress = List.copyOf(suppress);
    }

    /**
     * What one rank does.
     *
     * @param rank         the rank
     * @param checkpoint   the checkpoint index to restore, or {@link RecoveryLine#KEEP_RUNNING}
     * @param checkpointId the store's id of that checkpoint, or -1 when the rank keeps running
     */
    public record RankAction(int rank, int checkpoint, long checkpointId) {
        public boolean keepsRunning() {
            return checkpoint == RecoveryLine.KEEP_RUNNING;
        }
    }
}
