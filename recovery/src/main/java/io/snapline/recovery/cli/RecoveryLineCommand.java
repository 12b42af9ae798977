package io.snapline.recovery.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.snapline.recovery.Consistency;
import io.snapline.recovery.LoggedRecovery;
import io.snapline.recovery.RecoveryAnalyzer;
import io.snapline.recovery.RecoveryException;
import io.snapline.recovery.RecoveryLine;
import io.snapline.recovery.RecoveryReport;
import io.snapline.recovery.io.HistoryJson;
import io.snapline.recovery.io.StoreHistory;
import io.snapline.recovery.model.History;
import io.snapline.recovery.svg.SpaceTimeSvg;
import io.snapline.runtime.json.JsonText;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code snapline recovery-line (--history FILE.json | --store DIR) [--failed 1,3] [--strong] [--line [NAME=]L]...
 * [--svg FILE] [--json] [--all]}: the maximum consistent (or strongly consistent) recovery line after the given
 * failures, the analysis of proposed lines, or, given neither, what a failure of each single rank would cost; as a
 * table or JSON, optionally with a space-time diagram. Output is bounded unless {@code --all} asks for every detail.
 */
@Command(name = "recovery-line", mixinStandardHelpOptions = true,
    description = {"Computes the recovery line of a job history after failures: the latest consistent global state,"
        + " the messages crossing it, how far each rank rolls back, what to replay and the useless checkpoints."
        + " Without --failed or --line, what a failure of each single rank would cost.",
        "Exit status: 0 on success, 2 for a bad command line or bad input."})
public final class RecoveryLineCommand implements Callable<Integer> {

    static final class Source {
        @Option(names = "--history", paramLabel = "FILE.json", required = true,
            description = "a history file in the snapline-history/1 JSON format (docs/recovery.md)")
        Path history;

        @Option(names = "--store", paramLabel = "DIR", required = true,
            description = "a job's checkpoint store directory (--store of snaprun): its committed checkpoints'"
                + " dependency records (global checkpoints, or else the ranks' local checkpoints)")
        Path store;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    private Source source;

    @Option(names = "--failed", paramLabel = "RANKS", split = ",",
        description = "the failed ranks, by number or name (comma-separated); without it (and without --line),"
            + " what a failure of each single rank would cost")
    private List<String> failed = new ArrayList<>();

    @Option(names = "--strong", description = "compute the strongly consistent line (nothing in transit either)")
    private boolean strong;

    @Option(names = "--line", paramLabel = "[NAME=]CKPTS",
        description = "analyse a proposed line instead: one checkpoint index or 'keep' per rank, comma-separated,"
            + " optionally named (a=1,1,1); repeatable")
    private List<String> proposed = new ArrayList<>();

    @Option(names = "--svg", paramLabel = "FILE", description = "also write the space-time diagram to FILE (for a store"
        + " taken with message logging and --failed: the failed ranks restarting alone and the messages they get"
        + " again)")
    private Path svg;

    @Option(names = "--json", description = "print the report as JSON instead of a table")
    private boolean json;

    @Option(names = "--all", description = "every detail: list every rank and message (by default at most "
        + ReportText.RANK_ROWS + " ranks and " + ReportText.LIST_LIMIT + " messages per list, "
        + ReportJson.LIST_LIMIT + " in JSON), compute every rank's failure (by default the first "
        + FailureCosts.RANKS + ") and draw every message as its own arrow (by default at most "
        + SpaceTimeSvg.DEFAULT_ARROWS + " arrows, for groups of messages above that)")
    private boolean all;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        History history;
        StoreHistory.Local local = null;
        if (source.store != null) {
            StoreHistory.Read read = StoreHistory.read(source.store);
            history = read.history();
            local = read.local().orElse(null);
            if (local == null) {
                List<Long> ids = read.checkpointIds();
                spec.commandLine().getErr().println("snapline: the store keeps checkpoints " + ids.get(0) + ".."
                    + ids.get(ids.size() - 1) + "; checkpoint index 0 of every rank is the start of that window"
                    + (read.messagesBeforeWindow() == 0 ? "" : "; " + read.messagesBeforeWindow()
                        + " message(s) sent before it are left out"));
            }
        } else {
            history = HistoryJson.read(source.history);
        }
        int[] failedRanks = ranks(history, failed);
        // Under message logging the failed ranks restart alone, each from its newest checkpoint: what that moves.
        boolean logged = local != null && local.logsMessages();
        List<LoggedRecovery.Restart> restarts = logged && failedRanks.length > 0
            ? LoggedRecovery.plan(history, LoggedRecovery.newest(history, failedRanks)) : List.of();
        if (local != null) {
            LocalStoreText.describe(local, restarts, spec.commandLine().getErr());
        }
        RecoveryAnalyzer analyzer = new RecoveryAnalyzer(history);
        List<String> names = new ArrayList<>();
        List<RecoveryReport> reports = new ArrayList<>();
        Consistency target = strong ? Consistency.STRONGLY_CONSISTENT : Consistency.CONSISTENT;
        List<FailureCosts.Cost> costs = List.of();
        List<LoggedRecovery.Restart> singles = List.of();
        if (proposed.isEmpty() && failedRanks.length == 0) {
            costs = FailureCosts.compute(analyzer, target, all);
            singles = logged ? singleFailures(history, costs) : List.of();
        } else if (proposed.isEmpty()) {
            names.add(strong ? "maximum strongly consistent line" : "maximum consistent line");
            reports.add(analyzer.report(target, failedRanks));
        } else {
            if (strong) {
                throw new RecoveryException("--strong chooses which line to compute; it cannot be combined with --line");
            }
            for (int i = 0; i < proposed.size(); i++) {
                String spec = proposed.get(i);
                int eq = spec.indexOf('=');
                names.add(eq > 0 ? spec.substring(0, eq) : proposed.size() == 1 ? "proposed line" : "line " + (i + 1));
                reports.add(analyzer.report(line(history, eq > 0 ? spec.substring(eq + 1) : spec), failedRanks));
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode top = JsonText.MAPPER.createObjectNode();
            top.set("history", ReportJson.summary(history));
            if (!costs.isEmpty()) {
                top.set("singleFailures", FailureCosts.json(history, costs, singles));
            }
            if (!restarts.isEmpty()) {
                ArrayNode restartsAlone = top.putArray("logged");
                restarts.forEach(r -> restartsAlone.add(LoggedText.json(r)));
            }
            ArrayNode lines = top.putArray("lines");
            for (int i = 0; i < reports.size(); i++) {
                lines.add(ReportJson.line(history, names.get(i), reports.get(i), all));
            }
            out.print(JsonText.write(top, Integer.MAX_VALUE));
        } else {
            if (!singles.isEmpty()) {
                out.print(LoggedText.table(history, singles));
            }
            if (!costs.isEmpty()) {
                out.print(FailureCosts.render(history, target, costs, logged));
            }
            for (int i = 0; i < reports.size(); i++) {
                out.print(ReportText.render(history, names.get(i), reports.get(i), all));
            }
        }
        if (svg != null) {
            writeSvg(history, analyzer, failedRanks, names, reports, restarts);
        }
        out.flush();
        return 0;
    }

    /** Each rank of {@code costs} failing alone under message logging, in the same order. */
    private static List<LoggedRecovery.Restart> singleFailures(History history, List<FailureCosts.Cost> costs) {
        List<LoggedRecovery.Restart> singles = new ArrayList<>(costs.size());
        for (FailureCosts.Cost c : costs) {
            singles.add(LoggedRecovery.plan(history, LoggedRecovery.newest(history, c.failed())).get(0));
        }
        return singles;
    }

    /**
     * The diagram. Under message logging ({@code restarts} not empty) it shows the failed ranks restarting alone and
     * the messages they get again, and draws only the lines asked for with {@code --line}: the maximum line computed
     * from the dependency records would send ranks back that, with the logs, keep running.
     */
    private void writeSvg(History history, RecoveryAnalyzer analyzer, int[] failedRanks, List<String> names,
                          List<RecoveryReport> reports, List<LoggedRecovery.Restart> restarts) {
        SpaceTimeSvg diagram = SpaceTimeSvg.of(history).useless(analyzer.uselessCheckpoints()).failed(failedRanks)
            .maxArrows(all ? Integer.MAX_VALUE : SpaceTimeSvg.DEFAULT_ARROWS).logged(restarts);
        if (!all && history.messages().size() > SpaceTimeSvg.DEFAULT_ARROWS) {
            spec.commandLine().getErr().println("snapline: the diagram draws the " + history.messages().size()
                + " messages as at most " + SpaceTimeSvg.DEFAULT_ARROWS + " arrows, each for a group of messages;"
                + " --all draws every message");
        }
        if (restarts.isEmpty() || !proposed.isEmpty()) {
            for (int i = 0; i < reports.size(); i++) {
                diagram.line(names.get(i), reports.get(i).line());
            }
        }
        try {
            Files.writeString(svg, diagram.render(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RecoveryException("cannot write --svg " + svg + ": " + e.getMessage(), e);
        }
    }

    /** Rank numbers from numbers or names. */
    static int[] ranks(History history, List<String> specs) {
        int[] ranks = new int[specs.size()];
        for (int i = 0; i < ranks.length; i++) {
            String s = specs.get(i).trim();
            int named = history.rankNamed(s);
            if (named >= 0) {
                ranks[i] = named;
            } else {
                try {
                    ranks[i] = Integer.parseInt(s);
                } catch (NumberFormatException e) {
                    throw new RecoveryException("--failed: \"" + s + "\" is neither a rank number nor a rank name");
                }
                if (ranks[i] < 0 || ranks[i] >= history.rankCount()) {
                    throw new RecoveryException("--failed: rank " + s + " does not exist; ranks are 0.."
                        + (history.rankCount() - 1));
                }
            }
        }
        return ranks;
    }

    /** A line from {@code 2,keep,0}. */
    static RecoveryLine line(History history, String spec) {
        String[] parts = spec.split(",", -1);
        if (parts.length != history.rankCount()) {
            throw new RecoveryException("--line " + spec + ": give " + history.rankCount() + " positions (one checkpoint"
                + " index or 'keep' per rank, comma-separated), not " + parts.length);
        }
        int[] checkpoints = new int[parts.length];
        for (int r = 0; r < parts.length; r++) {
            String p = parts[r].trim();
            if (p.equals("keep")) {
                checkpoints[r] = RecoveryLine.KEEP_RUNNING;
            } else {
                try {
                    checkpoints[r] = Integer.parseInt(p);
                } catch (NumberFormatException e) {
                    checkpoints[r] = -2;
                }
                if (checkpoints[r] < 0) {
                    throw new RecoveryException("--line " + spec + ": \"" + p + "\" for rank " + r
                        + " is neither a checkpoint index nor 'keep'");
                }
            }
        }
        return RecoveryLine.of(checkpoints);
    }
}
