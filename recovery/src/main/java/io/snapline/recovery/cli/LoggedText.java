package io.snapline.recovery.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.snapline.recovery.LoggedRecovery;
import io.snapline.recovery.model.History;
import io.snapline.recovery.model.Message;
import io.snapline.runtime.json.JsonText;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a failure costs on a store taken with {@code --logging pessimistic} ({@link LoggedRecovery}): the words
 * {@code recovery-line --failed} prints on standard error, the table it prints without {@code --failed}, and the
 * JSON of both. Under logging the failed ranks restart alone and the others keep running, so the cost is what a
 * failed rank restores, gets again and re-executes in vain, not how far a recovery line sends the others back.
 */
final class LoggedText {
    private static final String COUNTED = "the counts are of the messages the dependency records in the store list"
        + " (what a rank sent between its oldest and newest checkpoint there, or since, when a receiver's later"
        + " checkpoint recorded it; anything else it sent before or since is logged too, but not counted)";
    private static final String NOTHING_LISTED = "the store keeps one checkpoint per rank, so its dependency records"
        + " list no message between checkpoints and the counts are 0; a failed rank still gets again, from the"
        + " senders' logs, whatever its checkpoint had not received";

    private LoggedText() {
    }

    /**
     * What the counts cover, for the notes and the table. A store keeps the dependency records of the intervals
     * between a rank's checkpoints there, not of what came before the oldest or after the newest; one that keeps a
     * single checkpoint per rank, as message logging does once its checkpoints are verified, lists nothing.
     */
    static String counted(History history) {
        return history.totalCheckpoints() == history.rankCount() ? NOTHING_LISTED : COUNTED;
    }

    /**
     * {@code rank 2 restores its checkpoint 7 and gets 3 message(s) again from the senders' logs, re-executing 1
     * send(s) the others already hold (suppressed)}.
     */
    static String plan(History history, LoggedRecovery.Restart r) {
        StringBuilder out = new StringBuilder(history.rank(r.rank()).name()).append(" restores ")
            .append(restores(r)).append(" and gets ").append(r.replays()).append(" message(s) again");
        if (r.resent().isEmpty()) {
            out.append(" from the senders' logs");
        } else {
            List<String> senders = senders(history, r.resent());
            out.append(": ").append(r.fromLogs().size()).append(" from the senders' logs, ").append(r.resent().size())
                .append(" sent again by ").append(String.join(" and ", senders))
                .append(senders.size() == 1 ? " as it re-executes" : " as they re-execute");
        }
        return out.append(", re-executing ").append(r.suppressed().size())
            .append(" send(s) the others already hold (suppressed)").toString();
    }

    /**
     * The table of what each rank's failure alone would cost, one row per rank of {@code singles} (the first ranks
     * unless every one was asked for; a last line counts the others).
     */
    static String table(History history, List<LoggedRecovery.Restart> singles) {
        StringBuilder out = new StringBuilder();
        out.append("what a failure of one rank would cost with the message logs (--logging pessimistic or causal): it restores"
            + " its own newest checkpoint and gets again what that checkpoint had not received; the other ranks keep"
            + " running; ").append(counted(history)).append("\n\n");
        out.append(String.format(Locale.ROOT, "%-10s %-40s %-14s %s%n", "failed", "restores", "gets again",
            "re-executed sends suppressed"));
        for (LoggedRecovery.Restart r : singles) {
            String again = r.replays() + (r.resent().isEmpty() ? "" : " (" + r.resent().size() + " re-sent)");
            out.append(String.format(Locale.ROOT, "%-10s %-40s %-14s %d%n", history.rank(r.rank()).name(),
                restores(r), again, r.suppressed().size()));
        }
        int n = history.rankCount();
        if (singles.size() < n) {
            out.append("... and ").append(n - singles.size())
                .append(" more ranks (--all computes every rank's failure)\n");
        }
        return out.append('\n').toString();
    }

    /**
     * {@code {"rank": 2, "restores": 7, "checkpoint": 0, "replays": 3, "fromLogs": 3, "resent": 0,
     * "suppressed": 1}}: {@code restores} is the store's number of the checkpoint (0: the start), {@code checkpoint}
     * its index in the history, {@code replays} the messages it gets again in all.
     */
    static ObjectNode json(LoggedRecovery.Restart r) {
        return JsonText.MAPPER.createObjectNode().put("rank", r.rank()).put("restores", r.checkpointId())
            .put("checkpoint", r.checkpoint()).put("replays", r.replays()).put("fromLogs", r.fromLogs().size())
            .put("resent", r.resent().size()).put("suppressed", r.suppressed().size());
    }

    private static String restores(LoggedRecovery.Restart r) {
        return r.fromTheStart() ? "nothing (it starts from the beginning)" : "its checkpoint " + r.checkpointId();
    }

    /** The senders of {@code messages}, by name, each once, in order of first appearance. */
    private static List<String> senders(History history, List<Message> messages) {
        List<String> names = new ArrayList<>();
        for (Message m : messages) {
            String name = history.rank(m.sender()).name();
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        return names;
    }
}
