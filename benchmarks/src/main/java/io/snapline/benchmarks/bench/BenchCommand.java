package io.snapline.benchmarks.bench;

import io.snapline.runtime.launch.LaunchOptions;
import io.snapline.runtime.launch.UsageException;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code snapline bench}: compares the checkpoint policies on real jobs and writes a report. The entry point of the
 * benchmarks module that {@code bin/snapline bench} runs.
 */
@Command(name = "snapline bench", mixinStandardHelpOptions = true, sortOptions = false,
    version = "snapline bench 0.1.0",
    description = {"Runs a matrix of programs x policies x options x rank counts x devices x injected failures, each "
        + "run a real job in a fresh JVM as bin/snaprun starts it, every cell --repeat times with the cells "
        + "interleaved (A B A B ...), and writes a report to --out: report.md, report.csv, overhead.svg, "
        + "time.svg, storage.svg and, with failures, recovery.svg; runs.csv gets a line as each run ends, runs/ the run "
        + "reports and outputs of the jobs. Those files of an earlier bench in --out are deleted before it starts; "
        + "other files there are left alone.",
        "Each cell's output is compared line by line with the failure-free --checkpoint none run of the same "
            + "program, ranks and device; runs that fail or print something else are reported, not averaged in.",
        "Exit status: 0 when every run completed with the expected output, 1 when some did not or could not be "
            + "checked (the report says which), 2 for a bad command line."})
public final class BenchCommand implements Callable<Integer> {
    static final List<String> QUICK_POLICIES = List.of("none", "coordinated", "coordinated-nb",
            "independent/pessimistic");
    static final List<String> QUICK_PROGRAMS = List.of("Heat2D:192 8000", "MasterWorker:1000 100000");
    /** The failure of --quick's one failing cell: rank 1 of the heat program dies at its 3000th safe point. */
    static final String QUICK_FAILURE = "rank=1,point=3000";
    /** The files and directories the bench writes in --out; those of an earlier bench are deleted before it starts. */
    static final List<String> OUT_FILES = List.of("report.md", "report.csv", "overhead.svg", "time.svg",
            "storage.svg", "recovery.svg", "runs.csv", "runs");

    @Option(names = "--programs", split = ",", paramLabel = "PROGRAM",
        description = "example names (Heat2D, NBody, MatMul, MasterWorker, Pipeline, Ring, MonteCarloPi) or main "
            + "classes of your program (with -cp), each optionally followed by ':' and its arguments separated by "
            + "spaces, e.g. 'Heat2D:256 2000,demo.Solver:64'. Default: Heat2D, NBody, MatMul, MasterWorker, Pipeline")
    List<String> programs;

    @Option(names = "--policies", split = ",", paramLabel = "POLICY",
        description = "none, coordinated, coordinated-nb, independent (pessimistic logging) or independent/MODE "
            + "(pessimistic, causal, none). none is always run: it is the reference. Default: every one")
    List<String> policies;

    @Option(names = "--options", split = ",", paramLabel = "FLAGS",
        description = "launcher option sets to try besides none, each one or more flags separated by spaces, e.g. "
            + "'--async,--incremental,--compress lz4,--async --incremental'")
    List<String> options;

    @Option(names = "--ranks", split = ",", paramLabel = "N", description = "rank counts (default 4)")
    List<Integer> ranks;

    @Option(names = "--devices", split = ",", paramLabel = "DEV", description = "shm and/or tcp (default shm)")
    List<String> devices;

    @Option(names = "--failures", split = ";", paramLabel = "SPEC",
        description = "failures to inject besides failure-free runs, separated by ';', each as snaprun "
            + "--inject-failure takes it, e.g. 'rank=1,point=500;rank=2,after=1s'")
    List<String> failures;

    @Option(names = "--repeat", paramLabel = "N", description = "runs per cell (default 3; --quick: 1)")
    Integer repeat;

    @Option(names = "--interval", paramLabel = "T", defaultValue = "250ms",
        description = "the checkpoint interval of every policy (default ${DEFAULT-VALUE})")
    String interval;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "bench-report",
        description = "the report directory (default ${DEFAULT-VALUE}); the report files and runs of an earlier bench "
            + "in it are deleted first")
    Path out;

    @Option(names = "--quick", description = "a small matrix in about a minute: " + "Heat2D and MasterWorker, small "
        + "sizes, 4 ranks, shm, none/coordinated/coordinated-nb/independent pessimistic, one run each, and one "
        + "cell with rank 1 of Heat2D killed under coordinated. Flags given as well override its choices")
    boolean quick;

    @Option(names = {"-cp", "-classpath"}, paramLabel = "CLASSPATH",
        description = "where the classes of your programs are (as snaprun -cp)")
    String classPath;

    @Option(names = "--run-timeout", paramLabel = "T", defaultValue = "10m",
        description = "a run that has not ended after T is stopped and reported as failed (default ${DEFAULT-VALUE})")
    String runTimeout;

    @Option(names = "--jvm-opts", paramLabel = "OPTS", defaultValue = "",
        description = "options of each job's JVM, split on spaces (e.g. '-Xmx2g')")
    String jvmOpts;

    @Option(names = "--work", paramLabel = "DIR",
        description = "where the runs' stores go while they run (default the system's temporary directory)")
    Path work;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** What the command line asks for, checked. */
    record Plan(Matrix matrix, String interval, Duration runTimeout, List<String> jvmOptions, Path out, Path work) {
    }

    /** Reads and checks the flags; a {@link CommandLine.ParameterException} names what is wrong. */
    Plan plan() {
        try {
            return planOrThrow();
        } catch (IllegalArgumentException | UsageException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private Plan planOrThrow() {
        List<Program> progs = new ArrayList<>();
        if (programs == null && !quick) {
            progs.addAll(Program.defaults());
        }
        for (String p : programs != null ? programs : quick ? QUICK_PROGRAMS : List.<String>of()) {
            progs.add(Program.parse(p, classPath));
        }
        List<Policy> pols = new ArrayList<>(List.of(Policy.NONE));
        for (String p : policies != null ? policies : quick ? QUICK_POLICIES : List.of("none", "coordinated",
                "coordinated-nb", "independent/pessimistic", "independent/causal", "independent/none")) {
            Policy policy = Policy.parse(p);
            if (!pols.contains(policy)) {
                pols.add(policy);
            }
        }
        List<List<String>> opts = new ArrayList<>();
        for (String o : options == null ? List.<String>of() : options) {
            List<String> flags = Arrays.stream(o.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
            if (flags.isEmpty() || !flags.get(0).startsWith("--")) {
                throw new IllegalArgumentException("--options: '" + o + "' is not a launcher option set; give flags "
                        + "such as --async, --incremental or '--compress lz4', separated by commas");
            }
            opts.add(flags);
        }
        List<Integer> n = ranks != null ? ranks : List.of(4);
        for (int r : n) {
            if (r < 1) {
                throw new IllegalArgumentException("--ranks: rank counts are at least 1, got " + r);
            }
        }
        List<String> devs = devices != null ? devices : List.of("shm");
        for (String d : devs) {
            if (!d.equals("shm") && !d.equals("tcp")) {
                throw new IllegalArgumentException("--devices: shm or tcp, got '" + d + "'");
            }
        }
        List<String> fails = failures == null ? List.of() : failures.stream().map(String::trim)
                .filter(f -> !f.isEmpty()).toList();
        int rep = repeat != null ? repeat : quick ? 1 : 3;
        if (rep < 1) {
            throw new IllegalArgumentException("--repeat: at least 1 run per cell, got " + rep);
        }
        if (pols.size() == 1 && (!opts.isEmpty() || !fails.isEmpty())) {
            throw new IllegalArgumentException((opts.isEmpty() ? "--failures" : "--options") + " needs a policy that "
                    + "checkpoints in --policies (coordinated, coordinated-nb, independent...): none takes no options, "
                    + "and a failure under none ends the job");
        }
        Matrix matrix = Matrix.product(progs, pols, opts, n, devs, fails, rep);
        if (quick && programs == null && failures == null && pols.stream().anyMatch(p -> p.name().equals(
                "coordinated"))) {
            Cell heat = matrix.cells().get(0);
            matrix = matrix.with(List.of(new Cell(heat.program(), Policy.parse("coordinated"), List.of(),
                    heat.ranks(), heat.device(), QUICK_FAILURE)));
        }
        Duration timeout = LaunchOptions.parseDuration("--run-timeout", runTimeout);
        List<String> jvm = Arrays.stream(jvmOpts.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
        for (Cell c : matrix.cells()) {
            validate(c);
        }
        return new Plan(matrix, interval, timeout, jvm, out, work != null ? work
                : Path.of(System.getProperty("java.io.tmpdir")));
    }

    /**
     * Lets the launcher check the cell's arguments as snaprun would, before anything runs: the very arguments a run
     * gets ({@link Cell#launcherArgs}), in a run directory named as the runs' are.
     */
    private void validate(Cell c) {
        List<String> argv = c.launcherArgs(interval, Path.of(System.getProperty("java.io.tmpdir"),
                "snapline-bench-check", "cell-run"));
        try {
            LaunchOptions.parse(argv.toArray(new String[0]));
        } catch (UsageException | IllegalArgumentException e) {
            throw new IllegalArgumentException("the launcher refuses the cell " + c.label() + ": " + e.getMessage());
        }
    }

    @Override
    public Integer call() throws IOException, InterruptedException {
        Plan plan = plan();
        PrintStream err = System.err;
        Files.createDirectories(plan.work());
        clearOut(plan.out());
        Path work = Files.createTempDirectory(plan.work(), "snapline-bench-");
        CurrentJob job = new CurrentJob();
        Thread hook = job.shutdownHook(work, err); // the bench is stopped (Ctrl-C): no job JVM outlives it
        Runtime.getRuntime().addShutdownHook(hook);
        Path runs = Files.createDirectories(plan.out().resolve("runs"));
        double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
        long started = System.nanoTime();
        List<RunResult> results;
        try {
            RunLog log = new RunLog(plan.out().resolve("runs.csv"), plan.matrix().cells());
            results = Bench.run(plan.matrix(), new JobRunner(work, runs, plan.interval(), plan.runTimeout(),
                    plan.jvmOptions(), plan.matrix().cells(), job), err, log::append);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs, or has run: it stops the job and deletes the work directory
            }
            Bench.deleteTree(work);
        }
        List<String> setup = List.of(
                "when: " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME),
                "machine: " + Runtime.getRuntime().availableProcessors() + " CPUs, " + System.getProperty("os.name")
                        + " " + System.getProperty("os.arch") + ", Java " + System.getProperty("java.vm.version")
                        + String.format(Locale.ROOT, "; load average %.2f before, %.2f after", load,
                                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()),
                plan.matrix().cells().size() + " cells × " + plan.matrix().repeat() + " run(s), interleaved, each a "
                        + "fresh JVM; --interval " + plan.interval() + " for every policy; took "
                        + Bench.duration(System.nanoTime() - started)
                        + (plan.jvmOptions().isEmpty() ? "" : "; job JVM options " + String.join(" ", plan.jvmOptions())));
        BenchReport report = BenchReport.of(plan.matrix(), results, setup);
        for (Path p : report.write(plan.out())) {
            err.println("wrote " + p);
        }
        if (!report.allGood()) {
            err.println("snapline bench: some runs failed, printed something else than none or could not be "
                    + "checked; see " + plan.out().resolve("report.md"));
            return 1;
        }
        return 0;
    }

    /**
     * Deletes what an earlier bench wrote in {@code out} ({@link #OUT_FILES}), so that the report holds no plot or run
     * of another bench; other files stay.
     */
    static void clearOut(Path out) throws IOException {
        for (String name : OUT_FILES) {
            Bench.deleteTree(out.resolve(name));
        }
    }

    /** The command line as {@code bin/snapline bench} runs it. */
    static CommandLine commandLine() {
        // --options '--interval=1s' is the launcher's --interval, a value of --options, not the bench's own
        return new CommandLine(new BenchCommand()).setAllowOptionsAsOptionParameters(true);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
