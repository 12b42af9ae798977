package io.snapline.recovery.simulate;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The simulator's costs measured by {@code snapline bench}: read from its {@code report.csv}, one {@link Measured}
 * per policy that ran failure-free beside {@code none} on the same program, ranks and device, and a check of how well
 * the model predicts each measured run from them.
 *
 * <p>From a failure-free cell of policy P against {@code none}'s on the same program, ranks and device:
 * <ul>
 *   <li>the work {@code W}: {@code none}'s median wall time;
 *   <li>the checkpoints per rank {@code k}: the committed checkpoints, divided by the ranks for the local checkpoints
 *       of {@code independent}; the interval is {@code W / k};
 *   <li>the checkpoint cost {@code t_c}: the time the ranks were held back, divided by {@code k};
 *   <li>the logging overhead (logging policies): what P's wall time adds beyond {@code W} and the time held back, as
 *       a fraction of {@code W} (at least 0);
 *   <li>the restart cost: the launcher's restart time per failure of P's cells with a failure (mean), 0 without.
 * </ul>
 * The prediction of a failure-free cell is the model's failure-free wall time; it equals the measured one when the
 * program was slowed only while held back (for logging policies it does by construction, their overhead being fitted
 * from that run). The prediction of a cell with one injected failure is the model's wall time averaged over a failure
 * that strikes at any moment of the run with equal likelihood (the bench's failures strike at a safe point the model
 * does not know), with the restart cost of that cell.
 */
public final class BenchCosts {
    /** The columns {@code snapline bench}'s {@code report.csv} must have for its costs to be read. */
    static final List<String> COLUMNS = List.of("program", "args", "policy", "ranks", "device", "failure",
            "wall_median_s", "blocked_median_s", "checkpoints", "restart_s_per_failure", "status");

    /** Failure moments averaged over when a cell with a failure is predicted. */
    static final int FAILURE_MOMENTS = 200;

    /**
     * What one policy cost on one program, ranks and device.
     *
     * @param program        the program and its arguments
     * @param ranks          its ranks
     * @param device         its device
     * @param policy         the bench's policy name ({@code coordinated}, {@code independent/pessimistic}, ...) and its
     *                       options ({@code --async}, ...), if any
     * @param protocol       how the simulator models it
     * @param work           {@code none}'s median wall time, s
     * @param wall           this policy's median wall time, failure-free, s
     * @param checkpoints    checkpoints per rank in the run
     * @param checkpointCost time held back per checkpoint, s
     * @param loggingOverhead the fraction logging slowed the program beyond the time held back (logging only, else 0)
     * @param restartCost    mean restart time per failure of this policy's cells with failures, s; NaN without
     */
    public record Measured(String program, int ranks, String device, String policy, Protocol protocol, double work,
            double wall, double checkpoints, double checkpointCost, double loggingOverhead, double restartCost) {
        /** The work between two checkpoints: the work over the checkpoints, the work when there were none. */
        public double interval() {
            return checkpoints >= 1 ? work / checkpoints : work;
        }

        /** A model of this cell with the restart cost {@code restart}. */
        Model model(double restart, double replayFactor, int consistentEvery) {
            return new Model(protocol, ranks, work, interval(), checkpointCost, restart, loggingOverhead, replayFactor,
                    consistentEvery, 100);
        }
    }

    /**
     * A measured cell against the model's prediction.
     *
     * @param measured  the costs of its policy (failure-free cell)
     * @param failure   the bench's failure specification, null for a failure-free cell
     * @param wall      the measured median wall time, s
     * @param predicted the model's wall time, s
     */
    public record Prediction(Measured measured, String failure, double wall, double predicted) {
        /** {@code predicted / wall - 1}. */
        public double error() {
            return predicted / wall - 1;
        }
    }

    private final List<Measured> measured;
    private final List<Prediction> predictions;

    private BenchCosts(List<Measured> measured, List<Prediction> predictions) {
        this.measured = List.copyOf(measured);
        this.predictions = List.copyOf(predictions);
    }

    /** Every policy's costs, in the order of the report. */
    public List<Measured> measured() {
        return measured;
    }

    /** Every measured cell with a policy, failure-free first, against the model. */
    public List<Prediction> predictions() {
        return predictions;
    }

    /**
     * The costs for {@code protocol} to simulate with: among the cells of the policies it models that took at least one
     * checkpoint per rank (a run without one measured no checkpoint cost), the policy it is named after first
     * ({@code coordinated}, {@code independent/pessimistic}, {@code independent/none}), then the cell with the most
     * ranks, then the longest work.
     */
    public Optional<Measured> costsOf(Protocol protocol) {
        String own = switch (protocol) {
            case COORDINATED -> "coordinated";
            case LOGGING -> "independent/pessimistic";
            case INDEPENDENT -> "independent/none";
        };
        return measured.stream().filter(m -> m.protocol() == protocol && m.checkpoints() >= 1)
                .max(Comparator.comparing((Measured m) -> m.policy().equals(own))
                        .thenComparingInt(Measured::ranks).thenComparingDouble(Measured::work));
    }

    /**
     * Reads a bench {@code report.csv}.
     *
     * @param csv             the report
     * @param name            what to call it in errors (its path)
     * @param replayFactor    the replay factor of the logging model (not measured)
     * @param consistentEvery the recovery lines of {@code independent --logging none} (not measured)
     * @throws IllegalArgumentException naming the file and the problem: not a bench report, or no policy that ran
     *                                  failure-free beside {@code none}
     */
    public static BenchCosts read(Reader csv, String name, double replayFactor, int consistentEvery)
            throws IOException {
        List<Map<String, String>> rows = new ArrayList<>();
        CsvMapper mapper = new CsvMapper();
        try (MappingIterator<Map<String, String>> it = mapper.readerForMapOf(String.class)
                .with(CsvSchema.emptySchema().withHeader()).readValues(csv)) {
            while (it.hasNext()) {
                rows.add(it.next());
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(name + " is not a snapline bench report.csv: " + e.getMessage(), e);
        }
        if (rows.isEmpty()) {
            throw new IllegalArgumentException(name + " has no rows: is it the report.csv of a snapline bench run?");
        }
        for (String c : COLUMNS) {
            if (!rows.get(0).containsKey(c)) {
                throw new IllegalArgumentException(name + " has no column '" + c + "': is it the report.csv of a "
                        + "snapline bench run?");
            }
        }
        Map<String, Double> work = new LinkedHashMap<>();
        for (Map<String, String> r : rows) {
            if (r.get("policy").equals("none") && r.get("failure").isEmpty() && usable(r)) {
                work.put(group(r), seconds(r, "wall_median_s", name));
            }
        }
        List<Measured> measured = new ArrayList<>();
        Map<String, Measured> byCell = new LinkedHashMap<>();
        for (Map<String, String> r : rows) {
            Protocol p = protocolOf(r.get("policy"));
            Double w = work.get(group(r));
            if (p == null || w == null || !r.get("failure").isEmpty() || !usable(r)) {
                continue;
            }
            if (byCell.containsKey(group(r) + "|" + policy(r))) {
                continue;
            }
            int ranks = Integer.parseInt(r.get("ranks"));
            double wall = seconds(r, "wall_median_s", name);
            double blocked = r.get("blocked_median_s").isEmpty() ? 0 : seconds(r, "blocked_median_s", name);
            double committed = r.get("checkpoints").isEmpty() ? 0 : Double.parseDouble(r.get("checkpoints"));
            double k = r.get("policy").startsWith("independent") ? committed / ranks : committed;
            double tc = k > 0 ? blocked / k : 0;
            double logging = p == Protocol.LOGGING ? Math.max(0, (wall - w - blocked) / w) : 0;
            double restart = restartCost(rows, r);
            Measured m = new Measured(label(r), ranks, r.get("device"), policy(r), p, w, wall, k, tc, logging,
                    restart);
            measured.add(m);
            byCell.put(group(r) + "|" + policy(r), m);
        }
        if (measured.isEmpty()) {
            throw new IllegalArgumentException(name + " has no policy that completed failure-free beside none on the "
                    + "same program, ranks and device; run snapline bench with --policies none,... first");
        }
        List<Prediction> predictions = new ArrayList<>();
        for (Measured m : measured) {
            Model model = m.model(0, replayFactor, consistentEvery);
            predictions.add(new Prediction(m, null, m.wall(), Simulator.run(model, () -> Double.POSITIVE_INFINITY)
                    .wall()));
        }
        for (Map<String, String> r : rows) {
            Measured m = byCell.get(group(r) + "|" + policy(r));
            if (m == null || r.get("failure").isEmpty() || !usable(r)
                    || r.get("restart_s_per_failure").isEmpty()) {
                continue;
            }
            double restart = seconds(r, "restart_s_per_failure", name);
            predictions.add(new Prediction(m, r.get("failure"), seconds(r, "wall_median_s", name),
                    oneFailure(m.model(restart, replayFactor, consistentEvery))));
        }
        return new BenchCosts(measured, predictions);
    }

    /** The model's wall time with one failure, averaged over {@link #FAILURE_MOMENTS} moments spread over the run. */
    static double oneFailure(Model model) {
        double span = Simulator.run(model, () -> Double.POSITIVE_INFINITY).wall();
        double sum = 0;
        for (int i = 0; i < FAILURE_MOMENTS; i++) {
            double at = (i + 0.5) / FAILURE_MOMENTS * span;
            double[] next = {at};
            sum += Simulator.run(model, () -> {
                double t = next[0];
                next[0] = Double.POSITIVE_INFINITY;
                return t;
            }).wall();
        }
        return sum / FAILURE_MOMENTS;
    }

    /** The simulator's protocol for a bench policy name; null for {@code none} and names it does not know. */
    static Protocol protocolOf(String policy) {
        String p = policy.trim().toLowerCase(Locale.ROOT);
        if (p.equals("coordinated") || p.equals("coordinated-nb")) {
            return Protocol.COORDINATED;
        }
        if (p.equals("independent/none")) {
            return Protocol.INDEPENDENT;
        }
        if (p.startsWith("independent")) {
            return Protocol.LOGGING; // the logging modes: pessimistic (the default) and causal
        }
        return null;
    }

    /** The mean restart time per failure of the cells of {@code cell}'s policy with a failure; NaN without. */
    private static double restartCost(List<Map<String, String>> rows, Map<String, String> cell) {
        double sum = 0;
        int n = 0;
        for (Map<String, String> r : rows) {
            if (group(r).equals(group(cell)) && policy(r).equals(policy(cell))
                    && !r.get("failure").isEmpty() && usable(r) && !r.get("restart_s_per_failure").isEmpty()) {
                sum += Double.parseDouble(r.get("restart_s_per_failure"));
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    /** Whether the cell's figures can be used: some run completed with the expected output. */
    private static boolean usable(Map<String, String> r) {
        return !r.get("wall_median_s").isEmpty(); // the bench's figures come from runs with the expected output only
    }

    /** Program, arguments, ranks and device: the cells that share {@code none}'s run as their work. */
    private static String group(Map<String, String> r) {
        return r.get("program") + "|" + r.get("args") + "|" + r.get("ranks") + "|" + r.get("device");
    }

    /** A policy and its options within a group. */
    private static String policy(Map<String, String> r) {
        String options = r.getOrDefault("options", "");
        return options.isEmpty() ? r.get("policy") : r.get("policy") + " " + options;
    }

    private static String label(Map<String, String> r) {
        return r.get("args").isEmpty() ? r.get("program") : r.get("program") + " " + r.get("args");
    }

    private static double seconds(Map<String, String> r, String column, String name) {
        try {
            double v = Double.parseDouble(r.get(column));
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new NumberFormatException("not a time");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": column " + column + " of " + label(r) + " under "
                    + r.get("policy") + " is '" + r.get(column) + "', not a number of seconds");
        }
    }
}
