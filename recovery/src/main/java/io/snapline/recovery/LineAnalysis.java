package io.snapline.recovery;

import io.snapline.recovery.model.Message;

import java.util.List;

/**
 * The messages that cross a recovery line, and what that makes the line.
 *
 * @param line        the line analysed
 * @param consistency {@link Consistency#INCONSISTENT} with any orphan, else consistent or strongly consistent
 * @param orphans     messages received before the line but sent after it, in history order
 * @param inTransit   messages sent before the line and received after it or never, in history order; a restart must
 *                    replay them (their senders will not send them again)
 */
public record LineAnalysis(RecoveryLine line, Consistency consistency, List<Message> orphans, List<Message> inTransit) {

    public LineAnalysis {
        orphans = List.copyOf(orphans);
        inTransit = List.copyOf(inTransit);
    }
}
