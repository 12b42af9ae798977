package io.snapline.recovery.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.snapline.recovery.RecoveryReport;
import io.snapline.recovery.RollbackDistance;
import io.snapline.recovery.model.Checkpoint;
import io.snapline.recovery.model.History;
import io.snapline.recovery.model.Message;
import io.snapline.runtime.json.JsonText;

import java.util.List;
import java.util.Locale;

/**
 * A {@link RecoveryReport} as JSON trees for {@code recovery-line --json}. Each message list holds at most
 * {@link #LIST_LIMIT} messages unless every one is asked for; its {@code ...Count} member counts them all.
 */
final class ReportJson {
    static final int LIST_LIMIT = 1000;

    private ReportJson() {
    }

    static ObjectNode summary(History history) {
        ObjectNode out = JsonText.MAPPER.createObjectNode();
        ArrayNode ranks = out.putArray("ranks");
        history.ranks().forEach(r -> ranks.add(r.name()));
        return out.put("checkpoints", history.totalCheckpoints()).put("messages", history.messages().size());
    }

    static ObjectNode line(History history, String name, RecoveryReport report, boolean all) {
        ObjectNode out = JsonText.MAPPER.createObjectNode().put("name", name);
        ArrayNode failed = out.putArray("failed");
        for (int r : report.failedRanks()) {
            failed.add(r);
        }
        out.put("consistency", report.analysis().consistency().name().toLowerCase(Locale.ROOT));
        ArrayNode ranks = out.putArray("ranks");
        for (RollbackDistance d : report.distances()) {
            ObjectNode rank = ranks.addObject().put("rank", d.rank()).put("name", history.rank(d.rank()).name())
                .put("failed", d.failed()).put("action", d.keepsRunning() ? "keep" : "restore");
            if (!d.keepsRunning()) {
                rank.put("checkpoint", d.restoredCheckpoint())
                    .put("checkpointId", report.plan().actions().get(d.rank()).checkpointId());
            }
            rank.put("intervalsLost", d.intervalsLost()).put("lostNanos", d.lostNanos())
                .put("forcedCheckpoints", d.forcedCheckpoints());
        }
        int limit = all ? Integer.MAX_VALUE : LIST_LIMIT;
        list(out, "orphans", report.analysis().orphans(), limit);
        list(out, "inTransit", report.analysis().inTransit(), limit);
        list(out, "replay", report.plan().replay(), limit);
        list(out, "suppress", report.plan().suppress(), limit);
        ArrayNode useless = out.putArray("useless");
        for (Checkpoint c : report.useless()) {
            useless.addObject().put("rank", c.rank()).put("checkpoint", c.index()).put("id", c.id());
        }
        return out;
    }

    private static void list(ObjectNode out, String name, List<Message> messages, int limit) {
        ArrayNode list = out.putArray(name);
        for (Message m : messages.subList(0, Math.min(limit, messages.size()))) {
            ObjectNode json = list.addObject().put("name", m.label()).put("from", m.sender())
                .put("sendInterval", m.senderInterval()).put("to", m.receiver());
            if (m.received()) {
                json.put("receiveInterval", m.receiverInterval());
            }
            json.put("seq", m.seq());
        }
        out.put(name + "Count", messages.size());
    }
}
