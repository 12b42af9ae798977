package io.snapline.recovery.cli;

import io.snapline.recovery.RecoveryException;
import io.snapline.recovery.simulate.BenchCosts;
import io.snapline.recovery.simulate.ClosedForm;
import io.snapline.recovery.simulate.Estimate;
import io.snapline.recovery.simulate.FailureLaw;
import io.snapline.recovery.simulate.Intervals;
import io.snapline.recovery.simulate.Model;
import io.snapline.recovery.simulate.Protocol;
import io.snapline.recovery.simulate.WastePlot;
import io.snapline.runtime.checkpoint.Interval;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code snapline simulate}: the expected wall time and waste of a job under failures, by policy and rank count, from
 * a discrete-event model ({@link io.snapline.recovery.simulate.Simulator}).
 */
@Command(name = "simulate", mixinStandardHelpOptions = true, sortOptions = false,
    description = {"Simulates a job under random node failures: its expected wall time and where the time goes "
        + "(checkpoints, lost work, restarts, logging), for each policy and rank count; compares the interval "
        + "formulas with the simulated optimum.",
        "Durations take a unit: ms, s, m (minutes), h, d, y (365.25 days); 'inf' for nodes that never fail.",
        "Exit status: 0 on success, 2 for a bad command line."})
public final class SimulateCommand implements Callable<Integer> {
    @Option(names = "--policy", split = ",", paramLabel = "P", defaultValue = "coordinated",
        description = "coordinated (every rank rolls back), logging (independent with pessimistic or causal logging: "
            + "the failed rank replays alone), independent (without logging: back to the last recovery line); "
            + "several, comma-separated, are compared (default: ${DEFAULT-VALUE})")
    private List<String> policies;

    @Option(names = "--ranks", split = ",", paramLabel = "N", defaultValue = "1,10,100,1000,10000,100000,1000000",
        description = "rank counts (default: ${DEFAULT-VALUE})")
    private List<Integer> ranks;

    @Option(names = "--ranks-per-node", paramLabel = "K", defaultValue = "1",
        description = "ranks sharing a node, which fail together (default: ${DEFAULT-VALUE})")
    private int ranksPerNode;

    @Option(names = "--mttf-node", paramLabel = "D", defaultValue = "5y", converter = Seconds.class,
        description = "mean time between failures of one node (default: ${DEFAULT-VALUE})")
    private double mttfNode;

    @Option(names = "--failures", paramLabel = "LAW", defaultValue = "exponential",
        description = "exponential or weibull lifetimes of a node (default: ${DEFAULT-VALUE})")
    private String failures;

    @Option(names = "--shape", paramLabel = "K", defaultValue = "0.7",
        description = "the Weibull shape: below 1, young nodes fail more (default: ${DEFAULT-VALUE})")
    private double shape;

    @Option(names = "--work", paramLabel = "D", defaultValue = "24h", converter = Seconds.class,
        description = "the job's run time without failures or checkpoints (default: ${DEFAULT-VALUE})")
    private double work;

    @Option(names = "--checkpoint-cost", paramLabel = "D", defaultValue = "60s", converter = Seconds.class,
        description = "how long a checkpoint holds the program back, t_c (default: ${DEFAULT-VALUE})")
    private double checkpointCost;

    @Option(names = "--restart-cost", paramLabel = "D", defaultValue = "120s", converter = Seconds.class,
        description = "from a failure until the ranks run again (default: ${DEFAULT-VALUE})")
    private double restartCost;

    @Option(names = "--logging-overhead", paramLabel = "F", defaultValue = "0.05",
        description = "logging: the fraction by which message logging slows the program (default: ${DEFAULT-VALUE})")
    private double loggingOverhead;

    @Option(names = "--replay-factor", paramLabel = "F", defaultValue = "1.0",
        description = "logging: a replay's time over the time the replayed work took (default: ${DEFAULT-VALUE})")
    private double replayFactor;

    @Option(names = "--consistent-every", paramLabel = "K", defaultValue = "0",
        description = "independent: every K-th checkpoint is a recovery line; 0: only the start (default: "
            + "${DEFAULT-VALUE})")
    private int consistentEvery;

    @Option(names = "--interval", paramLabel = "D|FORMULA", defaultValue = "young",
        description = "the work between checkpoints: a duration, or young, daly, wong-franklin or optimum (the "
            + "simulated best) from the checkpoint cost and the job's MTTF (default: ${DEFAULT-VALUE})")
    private String interval;

    @Option(names = "--h", paramLabel = "H", defaultValue = "0.5",
        description = "Wong and Franklin's h, in (0, 1] (default: ${DEFAULT-VALUE})")
    private double h;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "200",
        description = "simulated runs per row (default: ${DEFAULT-VALUE})")
    private int runs;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "1", description = "random seed (default: "
        + "${DEFAULT-VALUE})")
    private long seed;

    @Option(names = "--give-up", paramLabel = "F", defaultValue = "100",
        description = "a run longer than F times the work counts as not finishing (default: ${DEFAULT-VALUE})")
    private double giveUp;

    @Option(names = "--formulas", description = "also compare each interval formula with the simulated optimum")
    private boolean formulas;

    @Option(names = "--plot", paramLabel = "FILE.svg",
        description = "write a plot of waste against the interval, each formula's choice marked")
    private Path plot;

    @Option(names = "--plot-ranks", paramLabel = "N", description = "the rank count of the plot (default: the "
        + "largest of --ranks)")
    private Integer plotRanks;

    @Option(names = "--csv", paramLabel = "FILE", description = "also write the table as CSV")
    private Path csv;

    @Option(names = "--costs-from", paramLabel = "REPORT.csv",
        description = "take each policy's checkpoint cost, logging overhead and restart cost from the report.csv of "
            + "a snapline bench run (the cell with the most ranks), and say how well the model predicts every cell "
            + "measured there; --checkpoint-cost, --restart-cost and --logging-overhead given as well win")
    private Path costsFrom;

    /** Each protocol's costs from {@link #costsFrom}; empty without it. */
    private final java.util.Map<Protocol, BenchCosts.Measured> measured = new java.util.EnumMap<>(Protocol.class);

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        List<Protocol> protocols = new ArrayList<>();
        for (String p : policies) {
            Protocol protocol = Protocol.byFlag(p);
            if (protocol == null) {
                throw new RecoveryException("unknown --policy '" + p + "'; use coordinated, logging or independent");
            }
            protocols.add(protocol);
        }
        for (int n : ranks) {
            if (n < 1) {
                throw new RecoveryException("--ranks must be at least 1, got " + n);
            }
        }
        if (ranksPerNode < 1) {
            throw new RecoveryException("--ranks-per-node must be at least 1, got " + ranksPerNode);
        }
        if (runs < 2) {
            throw new RecoveryException("--runs must be at least 2 (for an error estimate), got " + runs);
        }
        if (!(h > 0 && h <= 1)) {
            throw new RecoveryException("--h must be in (0, 1], got " + h);
        }
        FailureLaw law;
        try {
            law = switch (failures.trim().toLowerCase(Locale.ROOT)) {
                case "exponential" -> new FailureLaw.Exponential(mttfNode);
                case "weibull" -> new FailureLaw.Weibull(shape, mttfNode);
                default -> throw new RecoveryException("unknown --failures '" + failures + "'; use exponential or "
                        + "weibull");
            };
        } catch (IllegalArgumentException e) {
            throw new RecoveryException(e.getMessage());
        }
        String rule = interval.trim().toLowerCase(Locale.ROOT);
        Interval.Formula formula = Interval.Formula.byFlag(rule);
        double fixed = Double.NaN;
        if (formula == null && !rule.equals("optimum")) {
            try {
                fixed = Seconds.parse("--interval", interval);
            } catch (CommandLine.TypeConversionException e) {
                throw new RecoveryException(e.getMessage() + ", or young, daly, wong-franklin or optimum");
            }
            if (!(fixed > 0) || Double.isInfinite(fixed)) {
                throw new RecoveryException("--interval must be positive and finite, got '" + interval + "'");
            }
        }

        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (costsFrom != null) {
            benchCosts(out);
        }
        out.printf("snapline simulate: %s failures, node MTTF %s, %d rank(s) per node; work %s, checkpoint %s, "
                + "restart %s%s; interval %s; %d runs per row, seed %d%n", law.describe(), human(mttfNode),
                ranksPerNode, human(work), measured.isEmpty() || given("--checkpoint-cost") ? human(checkpointCost)
                        : "as measured", measured.isEmpty() || given("--restart-cost") ? human(restartCost)
                        : "as measured",
                protocols.contains(Protocol.LOGGING) ? String.format(Locale.ROOT, "; logging overhead %s, replay "
                        + "factor %.2f", measured.containsKey(Protocol.LOGGING) && !given("--logging-overhead")
                                ? "as measured" : String.format(Locale.ROOT, "%.1f%%", 100 * loggingOverhead),
                        replayFactor) : "",
                Double.isNaN(fixed) ? rule : human(fixed), runs, seed);
        out.printf("%-12s %9s %9s %10s %12s %22s %8s %10s %8s %8s %8s %9s %14s%n", "policy", "ranks", "nodes",
                "job MTTF", "interval", "expected wall", "waste", "checkpoint", "lost", "restart", "logging",
                "failures", "redone rank-h");
        List<String> csvLines = new ArrayList<>(List.of("policy,ranks,nodes,mttf_job_s,interval_s,interval_rule,runs,"
                + "unfinished,wall_s,wall_error_s,waste,checkpointing_s,lost_s,restarting_s,logging_s,failures,"
                + "redone_rank_s"));
        List<String> formulaLines = new ArrayList<>();
        int rows = protocols.size() * ranks.size();
        int row = 0;
        for (Protocol protocol : protocols) {
            for (int n : ranks) {
                row++;
                err.printf("simulate: %s on %d ranks (%d of %d)%n", protocol.flag(), n, row, rows);
                err.flush();
                int nodes = (n + ranksPerNode - 1) / ranksPerNode;
                Model model = model(protocol, n, work);
                double mttfJob = law.mttfJob(nodes);
                double t;
                List<Intervals.Point> curve = null;
                if (rule.equals("optimum") || formulas) {
                    curve = Intervals.curve(model, law, nodes, runs, seed);
                }
                if (rule.equals("optimum")) {
                    Intervals.Point best = Intervals.best(curve);
                    t = best == null ? model.work() : best.interval();
                } else if (formula != null) {
                    t = Intervals.formula(formula, model, mttfJob, h);
                } else {
                    t = model(protocol, n, fixed).interval(); // checked: not too short for the work
                }
                Estimate e = Estimate.of(model.withInterval(t), law, nodes, runs, seed);
                print(out, protocol, n, nodes, mttfJob, t, e);
                csvLines.add(String.join(",", protocol.flag(), Integer.toString(n), Integer.toString(nodes),
                        num(mttfJob), num(t), Double.isNaN(fixed) ? rule : "fixed", Integer.toString(runs),
                        Integer.toString(e.unfinished()), num(e.wall()), num(e.wallError()), num(e.waste()),
                        num(e.checkpointing()), num(e.lost()), num(e.restarting()), num(e.logging()),
                        num(e.failures()), num(e.redoneRankSeconds())));
                if (formulas) {
                    formulaLines.add(compare(protocol, n, model, law, nodes, curve));
                }
            }
        }
        if (formulas) {
            out.println();
            out.println("Interval formulas against the simulated optimum (waste at each formula's interval, and how many "
                    + "points above the optimum's; every interval simulated with the same failures):");
            formulaLines.forEach(out::println);
        }
        if (csv != null) {
            write(csv, String.join("\n", csvLines) + "\n");
        }
        if (plot != null) {
            int n = plotRanks != null ? plotRanks : ranks.stream().mapToInt(Integer::intValue).max().orElse(1);
            writePlot(protocols.get(0), n, law, err);
        }
        out.flush();
        return 0;
    }

    private Model model(Protocol protocol, int n, double t) {
        BenchCosts.Measured m = measured.get(protocol);
        double tc = m == null || given("--checkpoint-cost") ? checkpointCost : m.checkpointCost();
        double restart = m == null || given("--restart-cost") || Double.isNaN(m.restartCost()) ? restartCost
                : m.restartCost();
        double logging = m == null || given("--logging-overhead") ? loggingOverhead : m.loggingOverhead();
        try {
            return new Model(protocol, n, work, Math.min(t, work), tc, restart, logging, replayFactor,
                    consistentEvery, giveUp);
        } catch (IllegalArgumentException e) {
            throw new RecoveryException(e.getMessage());
        }
    }

    /** Whether {@code option} was on the command line. */
    private boolean given(String option) {
        return spec.commandLine().getParseResult() != null
                && spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** Reads {@link #costsFrom}, prints the costs and the model's predictions of the measured cells. */
    private void benchCosts(PrintWriter out) {
        BenchCosts costs;
        try (java.io.Reader r = Files.newBufferedReader(costsFrom, StandardCharsets.UTF_8)) {
            costs = BenchCosts.read(r, costsFrom.toString(), replayFactor, consistentEvery);
        } catch (IOException e) {
            throw new RecoveryException("cannot read --costs-from " + costsFrom + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new RecoveryException(e.getMessage(), e);
        }
        out.printf("Costs measured by snapline bench (%s): per policy failure-free against none on the same program, "
                + "ranks and device%n", costsFrom);
        out.printf("  %-28s %5s %-6s %-28s %9s %11s %9s %10s %9s %9s%n", "program", "ranks", "device", "policy",
                "work", "ckpts/rank", "interval", "t_c", "logging", "restart");
        for (BenchCosts.Measured m : costs.measured()) {
            out.printf("  %-28s %5d %-6s %-28s %9s %11.1f %9s %10s %8.1f%% %9s%n", m.program(), m.ranks(), m.device(),
                    m.policy(), human(m.work()), m.checkpoints(), human(m.interval()), human(m.checkpointCost()),
                    100 * m.loggingOverhead(), Double.isNaN(m.restartCost()) ? "-" : human(m.restartCost()));
        }
        out.println("How well the model predicts the measured cells (failure-free: the costs above, nothing else; "
                + "with a failure: one failure at any moment of the run, averaged, with the restart time measured in "
                + "that cell; logging policies' failure-free runs are where their overhead was fitted):");
        out.printf("  %-28s %5s %-6s %-28s %-22s %9s %9s %8s%n", "program", "ranks", "device", "policy", "failure",
                "measured", "model", "error");
        for (BenchCosts.Prediction p : costs.predictions()) {
            BenchCosts.Measured m = p.measured();
            out.printf("  %-28s %5d %-6s %-28s %-22s %9s %9s %+7.1f%%%n", m.program(), m.ranks(), m.device(),
                    m.policy(), p.failure() == null ? "-" : p.failure(), human(p.wall()), human(p.predicted()),
                    100 * p.error());
        }
        for (Protocol p : Protocol.values()) {
            costs.costsOf(p).ifPresent(m -> measured.put(p, m));
        }
        out.printf("Simulating with each policy's costs from %s%s%n", measured.isEmpty() ? "(none)"
                : measured.entrySet().stream().map(e -> e.getKey().flag() + ": " + e.getValue().program() + " on "
                        + e.getValue().ranks() + " ranks " + e.getValue().device() + " (" + e.getValue().policy() + ")")
                        .collect(java.util.stream.Collectors.joining("; ")),
                measured.values().stream().anyMatch(m -> Double.isNaN(m.restartCost()))
                        ? "; restart cost --restart-cost where the bench injected no failure" : "");
        out.println();
    }

    private void print(PrintWriter out, Protocol protocol, int n, int nodes, double mttfJob, double t, Estimate e) {
        if (!e.allFinished()) {
            out.printf("%-12s %9d %9d %10s %12s %22s%n", protocol.flag(), n, nodes, human(mttfJob), human(t),
                    String.format(Locale.ROOT, "%d of %d runs did not finish within %.0f× the work", e.unfinished(),
                            e.runs(), giveUp));
            return;
        }
        out.printf("%-12s %9d %9d %10s %12s %22s %7.2f%% %9.2f%% %7.2f%% %7.2f%% %7.2f%% %9.2f %14s%n",
                protocol.flag(), n, nodes, human(mttfJob), human(t),
                human(e.wall()) + " ± " + human(e.wallError()), 100 * e.waste(), 100 * e.share(e.checkpointing()),
                100 * e.share(e.lost()), 100 * e.share(e.restarting()), 100 * e.share(e.logging()), e.failures(),
                String.format(Locale.ROOT, "%.1f", e.redoneRankSeconds() / 3600));
    }

    private String compare(Protocol protocol, int n, Model model, FailureLaw law, int nodes,
            List<Intervals.Point> curve) {
        Intervals.Point best = Intervals.best(curve);
        if (best == null) {
            return String.format(Locale.ROOT, "  %s, %d ranks: no interval finished every run", protocol.flag(), n);
        }
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %s, %d ranks: optimum %s (waste "
                + "%.2f%%)", protocol.flag(), n, human(best.interval()), 100 * best.estimate().waste()));
        for (Interval.Formula f : Interval.Formula.values()) {
            double t = Intervals.formula(f, model, law.mttfJob(nodes), h);
            Estimate e = Estimate.of(model.withInterval(t), law, nodes, runs, seed);
            line.append(String.format(Locale.ROOT, "; %s %s (%s)", f.flag(), human(t), e.allFinished()
                    ? String.format(Locale.ROOT, "%.2f%%, %+.2f points", 100 * e.waste(),
                            100 * (e.waste() - best.estimate().waste()))
                    : "does not finish"));
        }
        return line.toString();
    }

    private void writePlot(Protocol protocol, int n, FailureLaw law, PrintWriter err) {
        int nodes = (n + ranksPerNode - 1) / ranksPerNode;
        Model model = model(protocol, n, work);
        err.printf("simulate: the plot, %s on %d ranks%n", protocol.flag(), n);
        err.flush();
        List<Intervals.Point> curve = Intervals.curve(model, law, nodes, runs, seed);
        Intervals.Point best = Intervals.best(curve);
        if (best == null) {
            throw new RecoveryException("no interval finishes every run on " + n + " ranks within --give-up "
                    + giveUp + "× the work; choose another --plot-ranks");
        }
        double mttfJob = law.mttfJob(nodes);
        List<WastePlot.Mark> marks = new ArrayList<>();
        String[] colors = {"#c0392b", "#27ae60", "#8e44ad"};
        int i = 0;
        for (Interval.Formula f : Interval.Formula.values()) {
            marks.add(new WastePlot.Mark(f.flag(), Intervals.formula(f, model, mttfJob, h), colors[i++]));
        }
        marks.add(new WastePlot.Mark("optimum", best.interval(), "#1f5fa8"));
        boolean daly = law instanceof FailureLaw.Exponential && (protocol == Protocol.COORDINATED
                || protocol == Protocol.LOGGING && loggingOverhead == 0 && replayFactor == 1);
        String title = String.format(Locale.ROOT, "Waste against the checkpoint interval: %s on %d ranks",
                protocol.flag(), n);
        String subtitle = String.format(Locale.ROOT, "%s failures, node MTTF %s (job %s), t_c %s, restart %s, work %s,"
                + " %d runs per point", law.describe(), human(mttfNode), human(mttfJob), human(model.checkpointCost()),
                human(model.restartCost()), human(work), runs);
        write(plot, WastePlot.svg(title, subtitle, model, curve,
                daly ? t -> ClosedForm.daly(model.withInterval(t), mttfJob) : null, marks));
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RecoveryException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static String num(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.6g", v) : Double.isNaN(v) ? "" : "inf";
    }

    /** A duration for people, from seconds: {@code 250 ms}, {@code 42.0 s}, {@code 12.5 min}, {@code 6.0 h}, ... */
    static String human(double s) {
        if (Double.isInfinite(s)) {
            return "never";
        }
        if (s < 1) {
            return String.format(Locale.ROOT, "%.0f ms", s * 1e3);
        }
        if (s < 120) {
            return String.format(Locale.ROOT, "%.1f s", s);
        }
        if (s < 7200) {
            return String.format(Locale.ROOT, "%.1f min", s / 60);
        }
        if (s < 172_800) {
            return String.format(Locale.ROOT, "%.1f h", s / 3600);
        }
        if (s < 2 * 31_557_600.0) {
            return String.format(Locale.ROOT, "%.1f d", s / 86_400);
        }
        return String.format(Locale.ROOT, "%.1f y", s / 31_557_600.0);
    }

    /** Durations with a unit (ms, s, m, h, d, y) or {@code inf}, in seconds. */
    static final class Seconds implements CommandLine.ITypeConverter<Double> {
        @Override
        public Double convert(String value) {
            return parse("a duration", value);
        }

        static double parse(String what, String value) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            if (v.equals("inf") || v.equals("infinity") || v.equals("never")) {
                return Double.POSITIVE_INFINITY;
            }
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9]*\\.?[0-9]+(?:e[+-]?[0-9]+)?)"
                    + "\\s*(ms|s|m|min|h|d|y)").matcher(v);
            if (!m.matches()) {
                throw new CommandLine.TypeConversionException(what + " needs a number and a unit (ms, s, m, h, d, "
                        + "y), e.g. 90s or 1.5h; got '" + value + "'");
            }
            double n = Double.parseDouble(m.group(1));
            double unit = switch (m.group(2)) {
                case "ms" -> 1e-3;
                case "s" -> 1;
                case "m", "min" -> 60;
                case "h" -> 3600;
                case "d" -> 86_400;
                default -> 31_557_600; // y: 365.25 days
            };
            return n * unit;
        }
    }
}
