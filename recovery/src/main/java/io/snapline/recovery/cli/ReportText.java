package io.snapline.recovery.cli;

import io.snapline.recovery.RecoveryReport;
import io.snapline.recovery.RestartPlan;
import io.snapline.recovery.RollbackDistance;
import io.snapline.recovery.model.Checkpoint;
import io.snapline.recovery.model.History;
import io.snapline.recovery.model.Message;
import io.snapline.recovery.model.RankHistory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A {@link RecoveryReport} as a human-readable table. Its length does not grow with the history: unless every detail
 * is asked for, at most {@link #RANK_ROWS} ranks, {@link #LIST_LIMIT} messages per list (then a count per channel)
 * and {@link #USELESS_LIMIT} useless checkpoints are listed, each cut saying how many were left out.
 */
final class ReportText {
    static final int RANK_ROWS = 64;
    static final int LIST_LIMIT = 10;
    static final int USELESS_LIMIT = 20;
    private static final int CHANNEL_LIMIT = 8;

    private ReportText() {
    }

    static String render(History history, String name, RecoveryReport report, boolean all) {
        StringBuilder out = new StringBuilder();
        out.append(name).append(": ").append(lineText(history, report)).append(" — ")
            .append(report.analysis().consistency().words()).append('\n');
        out.append("failed: ").append(report.failedRanks().isEmpty() ? "none"
            : String.join(", ", report.failedRanks().stream().map(r -> history.rank(r).name()).toList())).append("\n\n");
        out.append(String.format(Locale.ROOT, "%-5s %-10s %-7s %-9s %-11s %-12s %-15s %-14s %s%n", "rank", "name",
            "failed", "action", "checkpoint", "id", "intervals lost", "lost work (s)", "forced back"));
        List<RollbackDistance> rows = all ? report.distances()
            : report.distances().subList(0, Math.min(RANK_ROWS, report.distances().size()));
        for (RollbackDistance d : rows) {
            RankHistory rank = history.rank(d.rank());
            RestartPlan.RankAction action = report.plan().actions().get(d.rank());
            out.append(String.format(Locale.ROOT, "%-5d %-10s %-7s %-9s %-11s %-12s %-15d %-14.3f %d%s%n", d.rank(),
                rank.name(), d.failed() ? "yes" : "no", d.keepsRunning() ? "keep" : "restore",
                d.keepsRunning() ? "-" : rank.checkpointLabel(d.restoredCheckpoint()),
                d.keepsRunning() ? "-" : Long.toString(action.checkpointId()), d.intervalsLost(), d.lostSeconds(),
                d.forcedCheckpoints(), backToTheStart(d, rank) ? "  (back to the start)" : ""));
        }
        if (rows.size() < report.distances().size()) {
            long restoring = report.distances().subList(rows.size(), report.distances().size()).stream()
                .filter(d -> !d.keepsRunning()).count();
            out.append("... and ").append(report.distances().size() - rows.size()).append(" more ranks, ")
                .append(restoring).append(" of them restoring a checkpoint (--all lists every rank)\n");
        }
        out.append('\n');
        int limit = all ? Integer.MAX_VALUE : LIST_LIMIT;
        messages(out, history, "orphan messages (received before the line, sent after it)", report.analysis().orphans(),
            limit);
        messages(out, history, "in-transit messages to replay (sent before the line, received after it or never)",
            report.plan().replay(), limit);
        messages(out, history, "suppress on re-execution (the receiver already has them)", report.plan().suppress(),
            limit);
        out.append("useless checkpoints (on a Z-cycle): ");
        List<Checkpoint> useless = report.useless();
        int shown = all ? useless.size() : Math.min(USELESS_LIMIT, useless.size());
        out.append(useless.isEmpty() ? "none" : String.join(", ",
            useless.subList(0, shown).stream().map(c -> history.rank(c.rank()).checkpointLabel(c.index())).toList()));
        if (shown < useless.size()) {
            out.append(" and ").append(useless.size() - shown).append(" more (--all lists them)");
        }
        return out.append("\n\n").toString();
    }

    /** Rolled back to the job's start, past checkpoints it had; not so for the oldest kept one of a store's window. */
    private static boolean backToTheStart(RollbackDistance d, RankHistory rank) {
        return d.restartsFromBeginning() && rank.checkpointCount() > 1 && rank.checkpoint(0).id() == 0;
    }

    static String lineText(History history, RecoveryReport report) {
        StringBuilder out = new StringBuilder("{");
        for (int r = 0; r < history.rankCount(); r++) {
            out.append(r == 0 ? "" : ", ").append(report.line().keepsRunning(r)
                ? history.rank(r).name() + " keeps running" : history.rank(r).checkpointLabel(report.line().checkpoint(r)));
        }
        return out.append('}').toString();
    }

    private static void messages(StringBuilder out, History history, String title, List<Message> messages,
                                 int limit) {
        out.append(title).append(": ");
        if (messages.isEmpty()) {
            out.append("none\n");
            return;
        }
        out.append(messages.size()).append('\n');
        for (Message m : messages.subList(0, Math.min(limit, messages.size()))) {
            out.append("  ").append(describe(history, m)).append('\n');
        }
        if (messages.size() > limit) {
            out.append("  ... and ").append(messages.size() - limit).append(" more; by channel: ")
                .append(channels(history, messages.subList(limit, messages.size())))
                .append(" (--all lists every message)\n");
        }
    }

    /** {@code P -> Q: 120, Q -> R: 3}: how many of {@code messages} each channel carries, the busiest first. */
    private static String channels(History history, List<Message> messages) {
        Map<List<Integer>, Integer> counts = new HashMap<>();
        for (Message m : messages) {
            counts.merge(List.of(m.sender(), m.receiver()), 1, Integer::sum);
        }
        List<Map.Entry<List<Integer>, Integer>> busiest = new ArrayList<>(counts.entrySet());
        busiest.sort(Map.Entry.<List<Integer>, Integer>comparingByValue().reversed()
            .thenComparing(e -> e.getKey().get(0)).thenComparing(e -> e.getKey().get(1)));
        List<String> parts = new ArrayList<>();
        for (Map.Entry<List<Integer>, Integer> e : busiest.subList(0, Math.min(CHANNEL_LIMIT, busiest.size()))) {
            parts.add(history.rank(e.getKey().get(0)).name() + " -> " + history.rank(e.getKey().get(1)).name() + ": "
                + e.getValue());
        }
        return String.join(", ", parts) + (busiest.size() > CHANNEL_LIMIT ? " and " + (busiest.size()
            - CHANNEL_LIMIT) + " more channels" : "");
    }

    static String describe(History history, Message m) {
        String to = m.received() ? history.rank(m.receiver()).name() + " (interval " + m.receiverInterval() + ")"
            : history.rank(m.receiver()).name() + " (not received)";
        return m.label() + ": " + history.rank(m.sender()).name() + " (interval " + m.senderInterval() + ") -> " + to
            + ", seq " + m.seq();
    }
}
