package io.snapline.recovery.cli;

import io.snapline.recovery.RecoveryReport;
import io.snapline.recovery.RollbackDistance;
import io.snapline.recovery.model.Checkpoint;
import io.snapline.recovery.model.History;
import io.snapline.recovery.model.Message;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link RecoveryReport} as JSON values for {@link io.snapline.recovery.io.Json#write}. Each message list holds at
 * most {@link #LIST_LIMIT} messages unless every one is asked for; its {@code ...Count} member counts them all.
 */
final class ReportJson {
    static final int LIST_LIMIT = 1000;

    private ReportJson() {
    }

    static Map<String, Object> summary(History history) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("ranks", history.ranks().stream().map(r -> (Object) r.name()).toList());
        out.put("checkpoints", history.totalCheckpoints());
        out.put("messages", history.messages().size());
        return out;
    }

    static Map<String, Object> line(History history, String name, RecoveryReport report, boolean all) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", name);
        out.put("failed", report.failedRanks().stream().map(r -> (Object) r).toList());
        out.put("consistency", report.analysis().consistency().name().toLowerCase(java.util.Locale.ROOT));
        List<Object> ranks = new ArrayList<>();
        for (RollbackDistance d : report.distances()) {
            Map<String, Object> rank = new LinkedHashMap<>();
            rank.put("rank", d.rank());
            rank.put("name", history.rank(d.rank()).name());
            rank.put("failed", d.failed());
            rank.put("action", d.keepsRunning() ? "keep" : "restore");
            if (!d.keepsRunning()) {
                rank.put("checkpoint", d.restoredCheckpoint());
                rank.put("checkpointId", report.plan().actions().get(d.rank()).checkpointId());
            }
            rank.put("intervalsLost", d.intervalsLost());
            rank.put("lostNanos", d.lostNanos());
            rank.put("forcedCheckpoints", d.forcedCheckpoints());
            ranks.add(rank);
        }
        out.put("ranks", ranks);
        int limit = all ? Integer.MAX_VALUE : LIST_LIMIT;
        list(out, "orphans", report.analysis().orphans(), limit);
        list(out, "inTransit", report.analysis().inTransit(), limit);
        list(out, "replay", report.plan().replay(), limit);
        list(out, "suppress", report.plan().suppress(), limit);
        List<Object> useless = new ArrayList<>();
        for (Checkpoint c : report.useless()) {
            Map<String, Object> checkpoint = new LinkedHashMap<>();
            checkpoint.put("rank", c.rank());
            checkpoint.put("checkpoint", c.index());
            checkpoint.put("id", c.id());
            useless.add(checkpoint);
        }
        out.put("useless", useless);
        return out;
    }

    private static void list(Map<String, Object> out, String name, List<Message> messages, int limit) {
        out.put(name, messages(messages.subList(0, Math.min(limit, messages.size()))));
        out.put(name + "Count", messages.size());
    }

    private static List<Object> messages(List<Message> messages) {
        List<Object> out = new ArrayList<>(messages.size());
        for (Message m : messages) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("name", m.label());
            json.put("from", m.sender());
            json.put("sendInterval", m.senderInterval());
            json.put("to", m.receiver());
            if (m.received()) {
                json.put("receiveInterval", m.receiverInterval());
            }
            json.put("seq", m.seq());
            out.add(json);
        }
        return out;
    }
}
