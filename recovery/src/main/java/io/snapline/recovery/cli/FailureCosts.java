package io.snapline.recovery.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.snapline.recovery.Consistency;
import io.snapline.recovery.LoggedRecovery;
import io.snapline.recovery.RecoveryAnalyzer;
import io.snapline.recovery.RecoveryLine;
import io.snapline.recovery.RollbackDistance;
import io.snapline.recovery.model.History;
import io.snapline.recovery.model.RankHistory;
import io.snapline.runtime.json.JsonText;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a failure of each single rank would cost: the line it leads to and how far every rank rolls back. Printed by
 * {@code recovery-line} when no failure is given, in place of the trivial "nobody failed" line.
 */
final class FailureCosts {
    /** Ranks whose failure is computed unless every one is asked for (each costs one pass over the history). */
    static final int RANKS = 32;
    /** Ranks named one by one in a row; above that a row summarises. */
    private static final int NAMED = 12;

    /** The cost of rank {@code failed}'s failure. */
    record Cost(int failed, RecoveryLine line, List<RollbackDistance> distances) {
        int ranksBack() {
            return (int) distances.stream().filter(d -> !d.keepsRunning()).count();
        }

        int intervalsLost() {
            return distances.stream().mapToInt(RollbackDistance::intervalsLost).sum();
        }

        double lostSeconds() {
            return distances.stream().mapToDouble(RollbackDistance::lostSeconds).sum();
        }
    }

    private FailureCosts() {
    }

    /** The costs of the first {@link #RANKS} ranks' failures, or of every rank's with {@code all}. */
    static List<Cost> compute(RecoveryAnalyzer analyzer, Consistency target, boolean all) {
        int n = analyzer.history().rankCount();
        List<Cost> costs = new ArrayList<>();
        for (int r = 0; r < (all ? n : Math.min(n, RANKS)); r++) {
            RecoveryLine line = analyzer.recoveryLine(target, r);
            costs.add(new Cost(r, line, analyzer.rollbackDistances(line, r)));
        }
        return costs;
    }

    /**
     * The table; {@code logged} for a store taken with message logging, where the table above it says what a failure
     * costs with the logs and this one what it would cost from the dependency records alone.
     */
    static String render(History history, Consistency target, List<Cost> costs, boolean logged) {
        StringBuilder out = new StringBuilder();
        out.append(logged ? "as if nothing were logged, " : "")
            .append("what a failure of one rank would cost (the maximum ")
            .append(target == Consistency.STRONGLY_CONSISTENT ? "strongly consistent" : "consistent")
            .append(" line after it); --failed RANKS gives the full report of a failure, --line analyses a line of your"
                + " own\n\n");
        out.append(String.format(Locale.ROOT, "%-10s %-42s %-24s %s%n", "failed", "restores (every other rank keeps"
            + " running)", "intervals lost, by rank", "lost work (s)"));
        for (Cost c : costs) {
            out.append(String.format(Locale.ROOT, "%-10s %-42s %-24s %.3f%n", history.rank(c.failed()).name(),
                restores(history, c), lost(history, c), c.lostSeconds()));
        }
        int n = history.rankCount();
        if (costs.size() < n) {
            out.append("... and ").append(n - costs.size())
                .append(" more ranks (--all computes every rank's failure)\n");
        }
        return out.append('\n').toString();
    }

    /** {@code P2, Q1}: the checkpoints restored; at most {@link #NAMED}. */
    private static String restores(History history, Cost c) {
        List<String> names = new ArrayList<>();
        for (RollbackDistance d : c.distances()) {
            if (!d.keepsRunning() && names.size() < NAMED) {
                names.add(history.rank(d.rank()).checkpointLabel(d.restoredCheckpoint()));
            }
        }
        int more = c.ranksBack() - names.size();
        return String.join(", ", names) + (more > 0 ? " and " + more + " more" : "");
    }

    /** {@code 1, 0, 2}: intervals lost per rank, or a summary for many ranks. */
    private static String lost(History history, Cost c) {
        if (history.rankCount() <= NAMED) {
            return String.join(", ", c.distances().stream().map(d -> Integer.toString(d.intervalsLost())).toList());
        }
        RollbackDistance most = c.distances().get(0);
        for (RollbackDistance d : c.distances()) {
            most = d.intervalsLost() > most.intervalsLost() ? d : most;
        }
        RankHistory rank = history.rank(most.rank());
        return c.intervalsLost() + " in all, at most " + most.intervalsLost() + " (" + rank.name() + ")";
    }

    /**
     * The rows; with message logging, {@code logged} holds each row's failure as {@link LoggedRecovery} plans it (in
     * the same order), which the row carries as {@code logged} (see {@link LoggedText#json}); else it is empty.
     */
    static ArrayNode json(History history, List<Cost> costs, List<LoggedRecovery.Restart> logged) {
        ArrayNode out = JsonText.MAPPER.createArrayNode();
        for (int i = 0; i < costs.size(); i++) {
            Cost c = costs.get(i);
            ObjectNode row = out.addObject().put("failed", c.failed());
            ArrayNode ranks = row.putArray("ranks");
            for (RollbackDistance d : c.distances()) {
                ObjectNode rank = ranks.addObject().put("rank", d.rank())
                    .put("action", d.keepsRunning() ? "keep" : "restore");
                if (!d.keepsRunning()) {
                    rank.put("checkpoint", d.restoredCheckpoint())
                        .put("checkpointId", history.rank(d.rank()).checkpoint(d.restoredCheckpoint()).id());
                }
                rank.put("intervalsLost", d.intervalsLost()).put("lostNanos", d.lostNanos());
            }
            if (!logged.isEmpty()) {
                row.set("logged", LoggedText.json(logged.get(i)));
            }
        }
        return out;
    }
}
