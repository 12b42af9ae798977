package io.snapline.benchmarks.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import io.snapline.benchmarks.BenchmarkException;
import io.snapline.benchmarks.DriverCommandLine;
import io.snapline.benchmarks.recovery.LogLogPlot;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/**
 * Measures what one rank's failure costs under each policy: the 2-rank heat stencil
 * ({@link io.snapline.benchmarks.rank.HeatStencil}) is killed at rank 1 at step {@code --fail-at} and measured from
 * that moment until rank 1 finishes that step again (the job is back where it was), for each total state size; and
 * how many steps each rank computed again. Each policy's failing runs alternate with the others', every run in a fresh
 * JVM, and each run's result must equal a failure-free run's.
 *
 * <p>Run it with {@code bin/snapbench-recovery-time}. Progress goes to standard error, the report to standard output
 * (and to {@code --out}; the plot to {@code --svg}).
 */
public final class RecoveryTimeBenchmark {
    static final String USAGE = String.join("\n",
            "usage: snapbench-recovery-time [--state-mib M,...] [--steps S] [--fail-at P] [--interval T]",
            "                               [--policies P,...] [--repetitions R] [--device shm|tcp]",
            "                               [--jvm-opts 'OPTS'] [--dir DIR] [--out FILE.md] [--svg FILE.svg]",
            "",
            "  --state-mib M,...  total state over the 2 ranks, one measurement per size (default 16,64,256)",
            "  --steps S          steps per run (default 60)",
            "  --fail-at P        rank 1 is killed at the safe point of step P (default 45)",
            "  --interval T       checkpoint interval of every policy (default 1s)",
            "  --policies P,...   default coordinated,independent/pessimistic",
            "  --repetitions R    failing runs per policy and size, alternated (default 3)",
            "  --device D         shm (default: the ranks are threads of the job's JVM) or tcp (a JVM per rank,",
            "                     each with the launcher's default heap; rank 1's process is killed)",
            "  --jvm-opts 'OPTS'  options of each job's JVM (default -Xms6g -Xmx6g)",
            "  --dir DIR          where the runs' stores go (default the system's temporary directory)",
            "  --out FILE.md      also write the report there",
            "  --svg FILE.svg     write the plot of recovery time against state size there");

    private RecoveryTimeBenchmark() {
    }

    record Options(List<Long> stateMib, long steps, long failAt, String interval, List<String> policies,
            int repetitions, List<String> jvmOpts, Path dir, Path out, Path svg, String device) {
    }

    /** The flags, as picocli reads them ({@link DriverCommandLine}), with their defaults. */
    @Command(name = "snapbench-recovery-time")
    static final class Flags {
        @Option(names = "--state-mib", split = ",", converter = PositiveValue.class)
        List<Long> stateMib;
        @Option(names = "--steps", converter = PositiveValue.class)
        long steps = 60;
        @Option(names = "--fail-at", converter = PositiveValue.class)
        long failAt = 45;
        @Option(names = "--interval")
        String interval = "1s";
        @Option(names = "--policies", split = ",")
        List<String> policies;
        @Option(names = "--repetitions", converter = PositiveValue.class)
        long repetitions = 3;
        @Option(names = "--jvm-opts")
        String jvmOpts;
        @Option(names = "--dir")
        Path dir = Path.of(System.getProperty("java.io.tmpdir"));
        @Option(names = "--out")
        Path out;
        @Option(names = "--svg")
        Path svg;
        @Option(names = "--device", converter = DeviceValue.class)
        String device = "shm";
    }

    static Options parse(String... args) {
        Flags f = DriverCommandLine.parse(new Flags(), args);
        if (f.failAt >= f.steps) {
            throw new IllegalArgumentException("--fail-at " + f.failAt + " must come before the last step (--steps "
                    + f.steps + ")");
        }
        CheckpointOptions.parseDuration("--interval", f.interval);
        return new Options(f.stateMib == null ? List.of(16L, 64L, 256L) : List.copyOf(f.stateMib), f.steps, f.failAt,
                f.interval, f.policies == null ? List.of("coordinated", "independent/pessimistic")
                        : List.copyOf(f.policies), (int) Math.min(Integer.MAX_VALUE, f.repetitions),
                f.jvmOpts == null ? CheckpointOptions.DEFAULT_JVM_OPTS : DriverCommandLine.words(f.jvmOpts), f.dir,
                f.out, f.svg, f.device);
    }

    /** A positive whole number. */
    static final class PositiveValue implements ITypeConverter<Long> {
        @Override
        public Long convert(String v) {
            try {
                long n = Long.parseLong(v.trim());
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // below
            }
            throw new DriverCommandLine.BadValue("takes positive whole numbers, got '" + v + "'");
        }
    }

    /** {@code shm} or {@code tcp}. */
    static final class DeviceValue implements ITypeConverter<String> {
        @Override
        public String convert(String v) {
            if (!v.equals("shm") && !v.equals("tcp")) {
                throw new DriverCommandLine.BadValue("takes shm or tcp, got '" + v + "'");
            }
            return v;
        }
    }

    public static void main(String[] args) {
        Options o;
        try {
            if (args.length == 1 && (args[0].equals("-h") || args[0].equals("--help"))) {
                System.out.println(USAGE);
                return;
            }
            o = parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("snapbench-recovery-time: " + e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        try {
            System.out.print(run(o, System.err));
        } catch (BenchmarkException | IOException e) {
            System.err.println("snapbench-recovery-time: " + e.getMessage());
            System.exit(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            System.exit(1);
        }
    }

    /** One failing run: how long the job was held back at the failed step, and the steps each rank computed again. */
    record Recovery(long heldBackMicros, long restoredNanos, long[] redone, boolean alone) {
    }

    private static final Pattern START = Pattern.compile("@start (\\d+) (\\d+) (\\d+)");
    private static final Pattern MARK = Pattern.compile("@mark (\\d+) (\\d+) (\\d+)");

    /** Reads a failing run: rank 1's two marks of the failed step, and every rank's restarts. */
    static Recovery recovery(String stderr, String report, long failAt) {
        List<Long> marks = new ArrayList<>();
        Matcher m = MARK.matcher(stderr);
        while (m.find()) {
            if (m.group(1).equals("1")) {
                marks.add(Long.parseLong(m.group(3)));
            }
        }
        if (marks.size() != 2) {
            throw new BenchmarkException("rank 1 should have finished step " + failAt + " twice (killed there, then "
                    + "again after its restart), but did " + marks.size() + " time(s):\n" + stderr);
        }
        long[] redone = new long[HeatJob.RANKS];
        boolean[] started = new boolean[HeatJob.RANKS];
        Matcher s = START.matcher(stderr);
        while (s.find()) {
            int rank = Integer.parseInt(s.group(1));
            if (started[rank]) { // a restart: it computes again from there to where the failure was
                redone[rank] += failAt - Long.parseLong(s.group(2));
            }
            started[rank] = true;
        }
        JsonNode restart = JobOutcome.parse(report).path("restarts").path(0);
        if (!restart.has("alone")) {
            throw new BenchmarkException("the run report records no restart:\n" + report);
        }
        return new Recovery(marks.get(1) - marks.get(0), JobOutcome.number(restart, "tookNanos"), redone,
                restart.get("alone").asBoolean());
    }

    static String run(Options o, PrintStream progress) throws IOException, InterruptedException {
        long started = System.nanoTime();
        Files.createDirectories(o.dir());
        Path work = Files.createTempDirectory(o.dir(), "snapbench-recovery-time-");
        Map<Long, Map<String, List<Recovery>>> results = new LinkedHashMap<>();
        try {
            for (long mib : o.stateMib()) {
                CheckpointOptions co = new CheckpointOptions(mib, Duration.ofSeconds(60), o.steps(),
                        List.of(o.interval()), o.policies(), work, o.jvmOpts(), null);
                List<String> markArgs = List.of("--mark-step", Long.toString(o.failAt()));
                List<String> dev = List.of("-dev", o.device());
                progress.println("state " + mib + " MiB: failure-free run");
                String clean = HeatJob.run(co, "none", null, o.steps(), work, progress, dev, markArgs)
                        .outcome().checksum();
                Map<String, List<Recovery>> byPolicy = new LinkedHashMap<>();
                for (int r = 0; r < o.repetitions(); r++) {
                    for (String policy : o.policies()) {
                        progress.println("state " + mib + " MiB, " + policy + ", run " + (r + 1) + " of "
                                + o.repetitions() + ": rank 1 killed at step " + o.failAt());
                        HeatJob.Run run = HeatJob.run(co, policy, o.interval(), o.steps(), work, progress,
                                List.of("-dev", o.device(), "--inject-failure", "rank=1,point=" + o.failAt()),
                                markArgs);
                        if (!run.outcome().checksum().equals(clean)) {
                            throw new BenchmarkException(policy + " with a failure gave checksum "
                                    + run.outcome().checksum() + ", the failure-free run " + clean);
                        }
                        Recovery rec = recovery(run.stderr(), run.report(), o.failAt());
                        progress.printf(Locale.ROOT, "  held back %.0f ms, restored after %.0f ms, steps redone %s%n",
                                rec.heldBackMicros() / 1e3, rec.restoredNanos() / 1e6, Arrays.toString(rec.redone()));
                        byPolicy.computeIfAbsent(policy, p -> new ArrayList<>()).add(rec);
                    }
                }
                results.put(mib, byPolicy);
            }
        } finally {
            HeatJob.deleteTree(work);
        }
        String report = report(o, results, (System.nanoTime() - started) / 1e9);
        if (o.out() != null) {
            Files.writeString(o.out(), report, StandardCharsets.UTF_8);
            progress.println("report written to " + o.out());
        }
        if (o.svg() != null) {
            Files.writeString(o.svg(), plot(results), StandardCharsets.UTF_8);
            progress.println("plot written to " + o.svg());
        }
        return report;
    }

    static String report(Options o, Map<Long, Map<String, List<Recovery>>> results, double seconds) {
        StringBuilder s = new StringBuilder();
        s.append("Snapline recovery time: heat stencil, ").append(HeatJob.RANKS).append(" ranks on ").append(o.device())
                .append(", rank 1 killed ")
                .append("at step ").append(o.failAt()).append(" of ").append(o.steps()).append(", --interval ")
                .append(o.interval()).append("\n\n");
        s.append("- when: ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append("\n");
        s.append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs, Java ")
                .append(System.getProperty("java.vm.version")).append("; job JVM options ")
                .append(String.join(" ", o.jvmOpts())).append("\n");
        s.append(String.format(Locale.ROOT, "- %d failing runs per policy and size, alternated; all runs took %.0f s; "
                + "every run's result equals the failure-free run's%n", o.repetitions(), seconds));
        s.append("- held back: from rank 1's death at that step until it has finished the step again (median, "
                + "min–max); restored: from the death until the restarted ranks had their checkpoint back; steps "
                + "computed again: by rank 0 (which did not fail) and rank 1\n\n");
        s.append("| State (total) | Policy | Restarted | Held back | Restored after | Steps computed again (rank 0, "
                + "rank 1) |\n");
        s.append("| ------------- | ------ | --------- | --------- | -------------- | ----------------------------------"
                + " |\n");
        for (var bySize : results.entrySet()) {
            for (var byPolicy : bySize.getValue().entrySet()) {
                List<Recovery> rs = byPolicy.getValue();
                long[] held = rs.stream().mapToLong(Recovery::heldBackMicros).sorted().toArray();
                long[] restored = rs.stream().mapToLong(Recovery::restoredNanos).sorted().toArray();
                String redone = String.join(", ", rs.stream().map(r -> r.redone()[0] + "/" + r.redone()[1]).toList());
                s.append(String.format(Locale.ROOT, "| %d MiB | %s | %s | %.0f ms (%.0f–%.0f) | %.0f ms | %s |%n",
                        bySize.getKey(), byPolicy.getKey(), rs.get(0).alone() ? "rank 1 alone" : "both ranks",
                        held[held.length / 2] / 1e3, held[0] / 1e3, held[held.length - 1] / 1e3,
                        restored[restored.length / 2] / 1e6, redone));
            }
        }
        return s.toString();
    }

    static String plot(Map<Long, Map<String, List<Recovery>>> results) {
        LogLogPlot p = new LogLogPlot("Time a failure holds the heat stencil back (2 ranks, rank 1 killed)",
                "state over both ranks (MiB)", "held back (ms)");
        Map<String, List<double[]>> points = new LinkedHashMap<>();
        for (var bySize : results.entrySet()) {
            for (var byPolicy : bySize.getValue().entrySet()) {
                long[] held = byPolicy.getValue().stream().mapToLong(Recovery::heldBackMicros).sorted().toArray();
                points.computeIfAbsent(byPolicy.getKey(), k -> new ArrayList<>())
                        .add(new double[] {bySize.getKey(), held[held.length / 2] / 1e3});
            }
        }
        for (var e : points.entrySet()) {
            double[] x = e.getValue().stream().mapToDouble(v -> v[0]).toArray();
            double[] y = e.getValue().stream().mapToDouble(v -> v[1]).toArray();
            p.series(new LogLogPlot.Series(e.getKey(), x, y, e.getKey().contains("pessimistic")));
        }
        return p.render();
    }
}
