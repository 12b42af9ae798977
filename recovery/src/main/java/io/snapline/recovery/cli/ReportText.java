package io.snapline.recovery.cli;

import io.snapline.recovery.RecoveryReport;
import io.snapline.recovery.RestartPlan;
import io.snapline.recovery.RollbackDistance;
import io.snapline.recovery.model.Checkpoint;
import io.snapline.recovery.model.History;
import io.snapline.recovery.model.Message;
import io.snapline.recovery.model.RankHistory;

import java.util.List;
import java.util.Locale;

/** A {@link RecoveryReport} as a human-readable table. */
final class ReportText {
    private ReportText() {
    }

    static String render(History history, String name, RecoveryReport report) {
        StringBuilder out = new StringBuilder();
        out.append(name).append(": ").append(lineText(history, report)).append(" — ")
            .append(report.analysis().consistency().words()).append('\n');
        out.append("failed: ").append(report.failedRanks().isEmpty() ? "none"
            : String.join(", ", report.failedRanks().stream().map(r -> history.rank(r).name()).toList())).append("\n\n");
        out.append(String.format(Locale.ROOT, "%-5s %-10s %-7s %-9s %-11s %-12s %-15s %-14s %s%n", "rank", "name",
            "failed", "action", "checkpoint", "id", "intervals lost", "lost work (s)", "forced back"));
        for (RollbackDistance d : report.distances()) {
            RankHistory rank = history.rank(d.rank());
            RestartPlan.RankAction action = report.plan().actions().get(d.rank());
            out.append(String.format(Locale.ROOT, "%-5d %-10s %-7s %-9s %-11s %-12s %-15d %-14.3f %d%s%n", d.rank(),
                rank.name(), d.failed() ? "yes" : "no", d.keepsRunning() ? "keep" : "restore",
                d.keepsRunning() ? "-" : rank.checkpointLabel(d.restoredCheckpoint()),
                d.keepsRunning() ? "-" : Long.toString(action.checkpointId()), d.intervalsLost(), d.lostSeconds(),
                d.forcedCheckpoints(), backToTheStart(d, rank) ? "  (back to the start)" : ""));
        }
        out.append('\n');
        messages(out, history, "orphan messages (received before the line, sent after it)", report.analysis().orphans());
        messages(out, history, "in-transit messages to replay (sent before the line, received after it or never)",
            report.plan().replay());
        messages(out, history, "suppress on re-execution (the receiver already has them)", report.plan().suppress());
        out.append("useless checkpoints (on a Z-cycle): ");
        List<Checkpoint> useless = report.useless();
        out.append(useless.isEmpty() ? "none" : String.join(", ",
            useless.stream().map(c -> history.rank(c.rank()).checkpointLabel(c.index())).toList()));
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

    private static void messages(StringBuilder out, History history, String title, List<Message> messages) {
        out.append(title).append(": ");
        if (messages.isEmpty()) {
            out.append("none\n");
            return;
        }
        out.append(messages.size()).append('\n');
        for (Message m : messages) {
            out.append("  ").append(describe(history, m)).append('\n');
        }
    }

    static String describe(History history, Message m) {
        String to = m.received() ? history.rank(m.receiver()).name() + " (interval " + m.receiverInterval() + ")"
            : history.rank(m.receiver()).name() + " (not received)";
        return m.label() + ": " + history.rank(m.sender()).name() + " (interval " + m.senderInterval() + ") -> " + to
            + ", seq " + m.seq();
    }
}
