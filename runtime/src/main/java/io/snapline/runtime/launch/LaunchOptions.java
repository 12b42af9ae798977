package io.snapline.runtime.launch;

import io.snapline.runtime.checkpoint.CheckpointPolicy;
import io.snapline.runtime.checkpoint.Compression;
import io.snapline.runtime.checkpoint.Interval;
import io.snapline.runtime.checkpoint.IntervalChooser;
import io.snapline.runtime.checkpoint.NonePolicy;
import io.snapline.runtime.checkpoint.Policies;
import io.snapline.runtime.checkpoint.PolicyOption;
import io.snapline.runtime.checkpoint.PolicySettings;
import io.snapline.runtime.checkpoint.store.ClusterStoreUri;
import io.snapline.runtime.cluster.ClusterAddress;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;
import picocli.CommandLine.OverwrittenOptionException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * A validated {@code snaprun} command line. Launcher flags come first; the first argument that is not a flag (or the
 * argument after {@code --}) is the main class, and everything after it belongs to the program. With {@code -jar JAR}
 * whose manifest names a {@code Main-Class}, every argument after the flags belongs to the program, as with
 * {@code java -jar}. Checkpoint flags are validated here even though the policies are provided by modules found at run
 * time: {@code --checkpoint NAME} is looked up among the installed policies ({@link Policies}), and the flags a policy
 * declares ({@link CheckpointPolicy#options()}) are accepted with it and checked by it.
 *
 * <p>The flags are first walked without picocli ({@link Scan}), as {@code snaprun} always read them: that finds
 * {@code --help}, {@code --version} and the policy chosen with {@code --checkpoint} even on a command line that does
 * not parse, and refuses a flag whose value is missing (the next argument is a flag's exact name, {@code --}, or
 * nothing). picocli then reads the command line once, with the installed policies' options as the chosen policy
 * declares them, converting every value with a converter that throws a {@link UsageException} naming the flag. A value
 * may start with a dash ({@code --jvm-opts -noverify}, {@code --jvm-opts=-noverify}). Flags keep their single-dash
 * names ({@code -np}, {@code -dev}, {@code -cp}) and may take their value after {@code =} ({@code -np=4}); parsing
 * stops at the main class, so everything after it is the program's.
 *
 * @param np             number of ranks
 * @param device         device name, canonical ({@code multicore} is stored as {@code shm})
 * @param classPath      {@code -cp} value, or null (then the current directory, or the jar)
 * @param jar            {@code -jar} value, or null
 * @param mainClass      the program's main class (from the command line or the jar's manifest)
 * @param programArgs    the program's own arguments
 * @param tagOutput      prefix every output line with {@code [rank] }
 * @param checkpoint     checkpoint policy name, {@code none} by default
 * @param interval       checkpoint interval, or null
 * @param auto           {@code --interval auto} with {@code --mttf}, {@code --formula} and {@code --h}, or null
 * @param store          checkpoint directory, or null
 * @param injectFailures failures to inject
 * @param maxRestarts    restarts allowed before the job gives up
 * @param resume         checkpoint directory to resume from, or null
 * @param report         JSON report file, or null
 * @param jvmOpts        options for rank JVMs on devices with one process per rank, or null
 * @param failureTimeout how long a rank process may stay silent before it is declared dead ({@code -dev tcp}), or
 *                       null for the default
 * @param policyOptions  the chosen policy's own options as given, flag to value ("" for a switch), in order
 * @param checkpointTimeout how long a checkpoint may wait for a rank to reach it before the job ends (blocking) or
 *                       the checkpoint is abandoned (non-blocking), or null for the default
 * @param allowNewArgs   {@code --allow-new-args}: a resume may continue checkpoints taken with other program arguments
 * @param compress       {@code --compress}: how the ranks' program state is compressed in checkpoints
 * @param cluster        {@code --cluster NAME@HOST:PORT}: run the ranks on that cluster's agents, or null for this host
 * @param secretFile     {@code --secret-file}: the cluster's secret, or null
 * @param ranksPerHost   {@code --ranks-per-host}: ranks on each agent, or 0 to place them by free slots
 * @param incremental    {@code --incremental}: checkpoints written as content-addressed chunks, only new ones written
 * @param async          {@code --async}: the program is held back only for the capture; a background writer makes
 *                       each piece durable before its checkpoint commits
 * @param verbose        {@code -v}: print every change of state of the supervisor and the checkpoint protocols
 */
public record LaunchOptions(
        int np,
        String device,
        String classPath,
        String jar,
        String mainClass,
        List<String> programArgs,
        boolean tagOutput,
        String checkpoint,
        Duration interval,
        Interval.Auto auto,
        String store,
        List<FailureSpec> injectFailures,
        int maxRestarts,
        String resume,
        String report,
        String jvmOpts,
        Duration failureTimeout,
        Duration checkpointTimeout,
        Map<String, String> policyOptions,
        boolean allowNewArgs,
        Compression compress,
        String cluster,
        String secretFile,
        int ranksPerHost,
        boolean incremental,
        boolean async,
        boolean verbose) {

    /** The policy a job runs with when {@code --checkpoint} is not given. */
    public static final String NO_POLICY = NonePolicy.NAME;
    public static final int MAX_RANKS = 4096;
    public static final int DEFAULT_MAX_RESTARTS = 3;
    /** Shortest {@code --failure-timeout} accepted. */
    public static final long MIN_FAILURE_TIMEOUT_MILLIS = 100;

    /** The first line of {@link #USAGE}. */
    public static final String SYNOPSIS =
            "usage: snaprun -np N [-dev shm|tcp] [-cp CLASSPATH | -jar JAR] [options] MainClass [args...]";

    /** The help text without the installed policies; {@link #usage} adds them. */
    private static final String USAGE = String.join("\n",
            SYNOPSIS,
            "",
            "  -np, -n N             number of ranks (1.." + MAX_RANKS + "; may exceed the number of cores)",
            "  -dev, --device NAME   device: shm (ranks are threads of one JVM; alias: multicore) or",
            "                        tcp (one JVM per rank on this host; alias: niodev)",
            "  -cp, -classpath, --class-path CP",
            "                        where the program's classes are (entries separated by '" + File.pathSeparator
                    + "'; dir/* for jars; default .)",
            "  -jar JAR              run the program in JAR; with a Main-Class in its manifest every argument",
            "                        after the flags goes to the program",
            "  --tag-output          prefix every output line with the rank that printed it, as [r]",
            "  -v, --verbose         print every change of state of the job's supervisor and of the checkpoint",
            "                        protocols, and why, on standard error",
            "  --jvm-opts \"...\"      options for every rank JVM with -dev tcp (split on spaces)",
            "  --failure-timeout T   -dev tcp: a rank silent for T is declared dead (default 2s)",
            "  --cluster NAME@HOST:PORT  run the ranks on the agents of a cluster (see snapline agent), reached through",
            "                        the agent at HOST:PORT; implies -dev tcp",
            "  --secret-file F       with --cluster: the cluster's secret",
            "  --ranks-per-host N    with --cluster: N ranks on each agent (default: by free slots, filling each agent",
            "                        in turn)",
            "  --                    end of snaprun's flags",
            "  -h, --help            this text",
            "  --version             the Snapline version",
            "",
            "checkpoint/restart (the program marks safe points with io.snapline.checkpoint.Checkpoint):",
            "  --checkpoint POLICY   one of the policies below (default none)",
            "  --interval T          checkpoint every T (e.g. 500ms, 30s, 2m; default 30s)",
            "  --interval auto       choose the interval as the job runs, from the measured cost t_c of its checkpoints",
            "                        (the mean of the last " + IntervalChooser.WINDOW + ") and --mttf, by --formula: at "
                    + "first the smaller of 30s",
            "                        and MTTF/" + IntervalChooser.START_MTTF_DIVISOR + ", then re-evaluated after each "
                    + "checkpoint; kept between " + IntervalChooser.MIN_NANOS / 1_000_000 + "ms and the",
            "                        MTTF; changes of less than " + Math.round(IntervalChooser.CHANGE * 100)
                    + "% are not made",
            "  --mttf M              with --interval auto (required): the mean time between failures of the job as a",
            "                        whole, i.e. of any of its ranks (e.g. 6h; at least 1s)",
            "  --formula F           with --interval auto: young (default; sqrt(2 t_c M)), daly (Daly's higher-order",
            "                        estimate) or wong-franklin (sqrt(M t_c) / h)",
            "  --h H                 with --formula wong-franklin: the average fraction of an interval a failure loses,",
            "                        in (0, 1] (default 0.5)",
            "  --learn-mttf          with --interval auto: take --mttf as a first guess and estimate the MTTF from the",
            "                        failures the job sees, (M + run time) / (1 + failures), choosing the interval again",
            "  --store DIR           checkpoint directory (default ./snapline-checkpoints/<job-id>); with --cluster also",
            "                        hazelcast://NAME[?backups=N]: a store kept in the cluster, N backup copies (1)",
            "                        or local+hazelcast://NAME[?backups=N][&local=DIR]: the same, with each rank's",
            "                        pieces written on its own host first (DIR/NAME, or stores/NAME under the agent's",
            "                        directory); a checkpoint commits once every piece is in the cluster",
            "  --compress C          compress each rank's program state in checkpoints: none (default), lz4 (fast)",
            "                        or zstd (smaller); arrays of 8-byte numbers are byte-shuffled first when that pays",
            "  --incremental         write checkpoints incrementally: each rank's piece is cut into content-defined",
            "                        chunks kept once in the store; only chunks the store lacks are written",
            "  --async               asynchronous checkpoints: a rank is held back only while its state is copied into",
            "                        memory; a background writer makes it durable, and the checkpoint commits then",
            "  --inject-failure F    rank=R,after=5s | rank=R,point=K | rank=R,during-checkpoint=K | random,seed=S,count=C",
            "  --max-restarts K      give up after K restarts (default " + DEFAULT_MAX_RESTARTS + ")",
            "  --resume DIR          continue a job from the checkpoints in DIR (same program, arguments, policy, -np)",
            "  --allow-new-args      with --resume: continue with other program arguments than the checkpoints'",
            "  --report FILE.json    write the run report as JSON",
            "  --checkpoint-timeout T  how long a checkpoint may wait for every rank to reach a safe point before it is",
            "                          abandoned (the job runs on; default 5m)",
            "",
            "exit status: 0 when every rank finished; the Abort code (1 for Abort(0)) or 1 when a rank failed;",
            "2 for a bad command line or a cluster that cannot take the job; 3 for a job cancelled (snapline cancel).",
            "",
            "policies installed (--checkpoint POLICY), each with its own options:");

    /** The full help: the launcher's flags, then each installed policy with its description and options. */
    public static String usage(Map<String, CheckpointPolicy> installed) {
        StringBuilder b = new StringBuilder(USAGE);
        for (CheckpointPolicy p : installed.values()) {
            b.append('\n').append(column("  " + p.name(), p.description()));
            for (PolicyOption o : p.options()) {
                if (BY_NAME.containsKey(o.flag())) {
                    continue; // a launcher flag; the policy cannot take it over
                }
                b.append('\n').append(column("      " + o.flag() + (o.takesValue() ? " " + o.value() : ""), o.help()));
            }
        }
        return b.toString();
    }

    /**
     * {@code left}, padded to the help's second column (or on a line of its own when longer), then {@code text}
     * wrapped at 110 columns.
     */
    private static String column(String left, String text) {
        int at = 24;
        StringBuilder b = new StringBuilder(left.length() < at ? left + " ".repeat(at - left.length())
                : left + "\n" + " ".repeat(at));
        int col = at;
        for (String word : text.split(" ")) {
            if (col > at && col + 1 + word.length() > 110) {
                b.append('\n').append(" ".repeat(at));
                col = at;
            } else if (col > at) {
                b.append(' ');
                col++;
            }
            b.append(word);
            col += word.length();
        }
        return b.toString();
    }

    /** The full help with the policies installed with the launcher. */
    public static String usage() {
        return usage(Policies.installed(LaunchOptions.class.getClassLoader()));
    }

    /** What a command line asks for, decided before it is validated. */
    public enum Request { RUN, HELP, VERSION }

    /**
     * A launcher flag: its names (the first is the one messages use; the others are aliases) and, for a flag that
     * takes a value, the picocli converter that reads and checks it (null for a switch).
     */
    private record Flag(List<String> names, ITypeConverter<?> converter, boolean repeatable) {
        String name() {
            return names.get(0);
        }

        boolean takesValue() {
            return converter != null;
        }
    }

    /** The value of {@code --interval}: a fixed interval, or {@code auto} (null). */
    private record IntervalFlag(Duration fixed) {
    }

    private static Flag value(ITypeConverter<?> converter, String... names) {
        return new Flag(List.of(names), converter, false);
    }

    private static Flag flag(String... names) {
        return new Flag(List.of(names), null, false);
    }

    /**
     * The launcher's own flags, read by picocli. The checkpoint policies' options are added to the command for each
     * parse ({@link #command}); a policy cannot take over a launcher flag.
     */
    private static final List<Flag> FLAGS = List.of(
            value(v -> parseInt("-np", v, 1, MAX_RANKS), "-np", "-n"),
            value(LaunchOptions::parseDevice, "-dev", "--device"),
            value(v -> v, "-cp", "-classpath", "--class-path"),
            value(v -> v, "-jar"),
            new Flag(List.of("--tag-output"), null, true),
            value(v -> nonEmpty("--checkpoint", v), "--checkpoint"),
            value(v -> new IntervalFlag(v.equals("auto") ? null : parseDuration("--interval", v)), "--interval"),
            value(LaunchOptions::parseMttf, "--mttf"),
            value(LaunchOptions::parseFormula, "--formula"),
            value(v -> v, "--h"),
            value(v -> nonEmpty("--store", v), "--store"),
            value(LaunchOptions::parseCompression, "--compress"),
            new Flag(List.of("--inject-failure"), FailureSpec::parse, true),
            value(v -> parseInt("--max-restarts", v, 0, 1_000_000), "--max-restarts"),
            value(v -> nonEmpty("--resume", v), "--resume"),
            value(v -> nonEmpty("--report", v), "--report"),
            value(v -> v, "--jvm-opts"),
            value(LaunchOptions::parseFailureTimeout, "--failure-timeout"),
            value(v -> parseDuration("--checkpoint-timeout", v), "--checkpoint-timeout"),
            flag("--allow-new-args"),
            flag("--incremental"),
            flag("--learn-mttf"),
            flag("--async"),
            value(LaunchOptions::parseCluster, "--cluster"),
            value(v -> nonEmpty("--secret-file", v), "--secret-file"),
            value(v -> parseInt("--ranks-per-host", v, 1, MAX_RANKS), "--ranks-per-host"),
            flag("-v", "--verbose"),
            flag("-h", "--help"),
            flag("--version"));

    /** The flags that may be given more than once. */
    private static final Set<String> REPEATABLE = FLAGS.stream().filter(Flag::repeatable).map(Flag::name)
            .collect(Collectors.toUnmodifiableSet());

    /** A duration: a decimal number and an optional unit (seconds when none). */
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");
    private static final long MAX_DURATION_MILLIS = Duration.ofDays(365).toMillis();

    /** Every name of a launcher flag, aliases included, with its flag. */
    private static final Map<String, Flag> BY_NAME = FLAGS.stream().flatMap(f -> f.names().stream()
            .map(n -> Map.entry(n, f))).collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));

    /** The flags {@link #request} answers without a run. */
    private static final Set<String> HELP = Set.of("-h", "--version");

    /**
     * Whether {@code argv} asks for help or the version among the launcher's flags ({@code --help} after the main
     * class belongs to the program, and {@code -cp --help} is a class path). Nothing is validated here, so a flag
     * missing its value further on does not hide {@code --help} ({@code snaprun --help --checkpoint} prints the help).
     */
    public static Request request(String... argv) {
        Map<String, List<CheckpointPolicy>> declared = declarations(Policies.installed(
                LaunchOptions.class.getClassLoader()));
        return Scan.of(argv, declared, anyWithValue(declared)).request();
    }

    /**
     * The launcher's flags in {@code argv}, walked without picocli up to {@code --} or the first argument that is not
     * a flag, stepping over the value of each flag that takes one (the next argument, whatever it is, unless the value
     * is attached with {@code =}), as picocli does.
     *
     * @param request  {@link Request#HELP} or {@link Request#VERSION} for the first {@code -h}/{@code --help} or
     *                 {@code --version} among the flags, else {@link Request#RUN}
     * @param chosen   the value of {@code --checkpoint}, or null
     * @param problem  the first flag given without its value (the next argument is missing, {@code --} or exactly a
     *                 flag's name; a value attached with {@code =} is never one) or a switch given a value with
     *                 {@code =}, unless an unknown flag comes before it (picocli says that one); or null
     */
    private record Scan(Request request, String chosen, UsageException problem) {
        /**
         * {@code policyTakesValue} says whether a policy option (a key of {@code declared}) is followed by a value.
         */
        static Scan of(String[] argv, Map<String, List<CheckpointPolicy>> declared,
                Predicate<String> policyTakesValue) {
            Request request = Request.RUN;
            String chosen = null;
            UsageException problem = null;
            boolean unknown = false;
            for (int i = 0; i < argv.length; i++) {
                String a = argv[i];
                if (a.equals("--") || !a.startsWith("-") || a.equals("-")) {
                    break;
                }
                String flag = a;
                String attached = null;
                int eq = a.indexOf('=');
                if (!isFlag(a, declared) && eq > 0 && isFlag(a.substring(0, eq), declared)) {
                    flag = a.substring(0, eq);
                    attached = a.substring(eq + 1);
                }
                Flag launcher = BY_NAME.get(flag);
                if (launcher == null && !declared.containsKey(flag)) {
                    unknown = true; // picocli names it; a --help further on still counts
                    continue;
                }
                boolean takesValue = launcher != null ? launcher.takesValue() : policyTakesValue.test(flag);
                String value = attached;
                if (takesValue && attached == null) {
                    value = i + 1 < argv.length ? argv[++i] : null; // -cp --help: a class path, never a request
                    if ((value == null || value.equals("--") || isFlag(value, declared)) && problem == null
                            && !unknown) {
                        problem = new UsageException((launcher != null ? launcher.name() : flag) + " needs a value");
                    }
                } else if (!takesValue && attached != null) {
                    if (problem == null && !unknown) {
                        problem = new UsageException(flag + " takes no value, got '" + a + "'");
                    }
                } else if (!takesValue && request == Request.RUN && launcher != null) {
                    if (launcher.name().equals("-h")) {
                        request = Request.HELP;
                    } else if (launcher.name().equals("--version")) {
                        request = Request.VERSION;
                    }
                }
                if (chosen == null && value != null && launcher != null && launcher.name().equals("--checkpoint")) {
                    chosen = value;
                }
            }
            return new Scan(request, chosen, problem);
        }

        private static boolean isFlag(String a, Map<String, List<CheckpointPolicy>> declared) {
            return BY_NAME.containsKey(a) || declared.containsKey(a);
        }
    }

    /**
     * Whether some installed policy declares the option with a value: how a policy option is read before the chosen
     * policy is known.
     */
    private static Predicate<String> anyWithValue(Map<String, List<CheckpointPolicy>> declared) {
        return flag -> declared.get(flag).stream().flatMap(p -> p.options().stream())
                .anyMatch(o -> o.flag().equals(flag) && o.takesValue());
    }

    /**
     * Every option some installed policy declares, by flag, with the policies declaring it; a policy cannot take over
     * a launcher flag, so those are left out.
     */
    private static Map<String, List<CheckpointPolicy>> declarations(Map<String, CheckpointPolicy> installed) {
        Map<String, List<CheckpointPolicy>> declared = new TreeMap<>();
        for (CheckpointPolicy p : installed.values()) {
            for (PolicyOption o : p.options()) {
                if (!BY_NAME.containsKey(o.flag())) {
                    declared.computeIfAbsent(o.flag(), k -> new ArrayList<>()).add(p);
                }
            }
        }
        return declared;
    }

    /**
     * How the policy option {@code flag} is declared: by the chosen policy if it declares it (two policies may declare
     * one flag differently), else by the first installed policy that does.
     */
    private static PolicyOption declaration(Map<String, List<CheckpointPolicy>> declared, String flag,
            String chosenOrNull) {
        List<CheckpointPolicy> by = declared.get(flag);
        CheckpointPolicy p = by.stream().filter(q -> q.name().equals(chosenOrNull)).findFirst().orElse(by.get(0));
        return p.options().stream().filter(o -> o.flag().equals(flag)).findFirst().orElseThrow();
    }

    /** A command with the parser settings, and the main class and its arguments as positionals. */
    private static CommandSpec spec() {
        CommandSpec spec = CommandSpec.create().name("snaprun");
        spec.parser()
                .stopAtPositional(true) // everything after the main class is the program's, flags or not
                .posixClusteredShortOptionsAllowed(false) // -np is a flag, not -n -p
                .abbreviatedOptionsAllowed(false)
                .allowOptionsAsOptionParameters(true) // --jvm-opts -noverify; Scan refuses a flag's name as a value
                .expandAtFiles(false) // @file is an argument like any other
                .trimQuotes(false)
                .splitQuotedStrings(false)
                .caseInsensitiveEnumValuesAllowed(false)
                .overwrittenOptionsAllowed(false)
                .unmatchedArgumentsAllowed(false);
        spec.addPositional(PositionalParamSpec.builder().paramLabel("MainClass [args...]").type(List.class)
                .auxiliaryTypes(String.class).arity("0..*").build());
        return spec;
    }

    /**
     * Parses {@code snaprun}'s arguments for a run. With {@code -jar} the jar's manifest is read to find the main
     * class. Throws {@link UsageException}, whose message says what was wrong, on anything malformed or unknown.
     */
    public static LaunchOptions parse(String... argv) {
        return parse(Policies.installed(LaunchOptions.class.getClassLoader()), argv);
    }

    /** {@link #parse(String...)} with the policies in {@code installed} (by name) instead of those on the class path. */
    public static LaunchOptions parse(Map<String, CheckpointPolicy> installed, String... argv) {
        Map<String, List<CheckpointPolicy>> declared = declarations(installed);
        String chosen = Scan.of(argv, declared, anyWithValue(declared)).chosen();
        Scan scan = Scan.of(argv, declared, f -> declaration(declared, f, chosen).takesValue());
        if (scan.problem() != null) {
            throw scan.problem();
        }
        return new Parser(installed, declared, chosen, argv).parse();
    }

    /**
     * A flag of {@code snaprun} as shell completion offers it.
     *
     * @param names      its names, the one messages use first
     * @param takesValue whether a value follows it
     * @param candidates the values to offer for it (empty when any value goes)
     */
    public record CompletionFlag(List<String> names, boolean takesValue, List<String> candidates) {
        public CompletionFlag {
            names = List.copyOf(names);
            candidates = List.copyOf(candidates);
        }
    }

    /**
     * {@code snaprun}'s flags for shell completion: the launcher's flags and the options of every policy installed
     * with the launcher, with the values of {@code -dev}, {@code --checkpoint}, {@code --compress},
     * {@code --formula} and {@code --interval} to choose from.
     */
    public static List<CompletionFlag> completionFlags() {
        Map<String, CheckpointPolicy> installed = Policies.installed(LaunchOptions.class.getClassLoader());
        Map<String, List<String>> candidates = Map.of(
                "-dev", List.of("shm", "tcp", "multicore", "niodev"),
                "--checkpoint", List.copyOf(installed.keySet()),
                "--compress", Arrays.stream(Compression.values()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList(),
                "--formula", Arrays.stream(Interval.Formula.values()).map(Interval.Formula::flag).toList(),
                "--interval", List.of("auto"));
        List<CompletionFlag> flags = new ArrayList<>();
        for (Flag f : FLAGS) {
            flags.add(new CompletionFlag(f.names(), f.takesValue(), candidates.getOrDefault(f.name(), List.of())));
        }
        Map<String, List<CheckpointPolicy>> declared = declarations(installed);
        for (String flag : declared.keySet()) {
            flags.add(new CompletionFlag(List.of(flag), declaration(declared, flag, null).takesValue(), List.of()));
        }
        return List.copyOf(flags);
    }

    /** Every name of a launcher flag, aliases included (the help must name each). */
    static Set<String> launcherNames() {
        return BY_NAME.keySet();
    }

    /**
     * The settings the chosen policy sees: {@code --interval}, {@code --checkpoint-timeout} and the policy's own
     * options; two checkpoints are kept.
     */
    public PolicySettings policySettings() {
        return new PolicySettings(checkpoint, interval, 2, checkpointTimeout, policyOptions, auto, compress,
                incremental, async);
    }

    /** Whether {@code --interval auto} was given. */
    public boolean intervalAuto() {
        return auto != null;
    }

    /**
     * The parse: picocli reads the launcher's flags and every installed policy's options (each as the chosen policy
     * declares it, if it does), converting and checking each value as it goes; the checks that involve several flags
     * follow.
     */
    private static final class Parser {
        private final String[] argv;
        private final Map<String, CheckpointPolicy> installed;
        /** Every option some installed policy declares, by flag, with the policies declaring it. */
        private final Map<String, List<CheckpointPolicy>> declared;
        /** The value of {@code --checkpoint} found by {@link Scan}, or null. */
        private final String chosenPolicyOrNull;
        private ParseResult r;

        Parser(Map<String, CheckpointPolicy> installed, Map<String, List<CheckpointPolicy>> declared, String chosen,
                String[] argv) {
            this.argv = argv;
            this.installed = installed;
            this.declared = declared;
            chosenPolicyOrNull = chosen;
        }

        /** The command: the launcher's flags, then the policies' options. */
        private CommandSpec command() {
            CommandSpec spec = spec();
            for (Flag f : FLAGS) {
                spec.addOption(option(f.names(), f.takesValue(), f.converter(), f.repeatable()));
            }
            for (String flag : declared.keySet()) {
                PolicyOption o = declaration(declared, flag, chosenPolicyOrNull);
                spec.addOption(option(List.of(flag), o.takesValue(), v -> nonEmpty(flag, v), false));
            }
            return spec;
        }

        /**
         * A flag as picocli reads it. A switch is a {@code boolean[]} (one element each time it is given) whose
         * converter is only called on a value attached with {@code =}, which {@link Scan} has refused already; a
         * repeated switch is refused after the parse unless {@code repeatable}. A flag with a value is given once
         * unless {@code repeatable}.
         */
        private static OptionSpec option(List<String> names, boolean takesValue, ITypeConverter<?> converter,
                boolean repeatable) {
            String name = names.get(0);
            OptionSpec.Builder b = OptionSpec.builder(names.toArray(new String[0])).paramLabel(name);
            if (!takesValue) {
                return b.type(boolean[].class).arity("0").converters(v -> {
                    throw new UsageException(name + " takes no value, got '" + name + "=" + v + "'");
                }).build();
            }
            if (repeatable) {
                return b.type(List.class).auxiliaryTypes(Object.class).arity("1").converters(converter).build();
            }
            return b.type(Object.class).arity("1").converters(converter).build();
        }

        LaunchOptions parse() {
            try {
                r = new CommandLine(command()).parseArgs(argv);
            } catch (ParameterException e) {
                throw usageError(e);
            }
            Set<String> seen = new HashSet<>();
            for (OptionSpec o : r.matchedOptions()) {
                String name = o.names()[0];
                if (HELP.contains(name)) {
                    throw new UsageException(name + " cannot be combined with a run; use it alone");
                }
                if (!seen.add(name) && !REPEATABLE.contains(name)) {
                    throw new UsageException(name + " is given more than once");
                }
            }
            List<String> positional = r.matchedPositionalValue(0, List.<String>of());
            int np = value("-np", -1);
            if (np < 0) {
                throw new UsageException("missing -np N (the number of ranks)");
            }
            String cp = value("-cp", null);
            String jar = value("-jar", null);
            if (jar != null && cp != null) {
                throw new UsageException("give either -cp or -jar, not both (put extra jars on the jar's manifest Class-Path)");
            }
            String main = jar != null ? manifestMainClass(jar) : null;
            List<String> args = positional;
            if (main == null) {
                if (positional.isEmpty()) {
                    throw new UsageException(jar != null
                            ? jar + " names no Main-Class in its manifest; give the main class after -jar " + jar
                            : "missing the main class to run (e.g. snaprun -np 4 -cp classes demo.Hello)");
                }
                main = positional.get(0);
                args = positional.subList(1, positional.size());
                checkClassName(main);
            }
            String device = checkClusterFlags();
            String checkpoint = value("--checkpoint", NO_POLICY);
            CheckpointPolicy policy = checkCheckpointFlags(checkpoint, np);
            Interval.Auto automatic = checkAutoInterval();
            IntervalFlag interval = value("--interval", null);
            Map<String, String> policyOptions = new LinkedHashMap<>();
            for (OptionSpec o : r.matchedOptions()) {
                if (declared.containsKey(o.names()[0])) {
                    policyOptions.put(o.names()[0], o.getValue() instanceof String v ? v : "");
                }
            }
            LaunchOptions o = new LaunchOptions(np, device, cp, jar, main, List.copyOf(args), given("--tag-output"),
                    checkpoint, interval == null ? null : interval.fixed(), automatic, value("--store", null),
                    List.copyOf(value("--inject-failure", List.<FailureSpec>of())),
                    value("--max-restarts", DEFAULT_MAX_RESTARTS), value("--resume", null), value("--report", null),
                    value("--jvm-opts", null), value("--failure-timeout", null), value("--checkpoint-timeout", null),
                    Collections.unmodifiableMap(policyOptions), given("--allow-new-args"),
                    value("--compress", Compression.NONE), value("--cluster", null), value("--secret-file", null),
                    value("--ranks-per-host", 0), given("--incremental"), given("--async"), given("-v"));
            try {
                policy.validate(o.policySettings());
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            return o;
        }

        /** What picocli refused, said as the launcher says it. */
        private UsageException usageError(ParameterException e) {
            if (e.getCause() instanceof UsageException u) { // a converter's own message
                return u;
            }
            if (e instanceof MissingParameterException m && !m.getMissing().isEmpty()
                    && m.getMissing().get(0) instanceof OptionSpec o) {
                return new UsageException(o.names()[0] + " needs a value");
            }
            if (e instanceof OverwrittenOptionException o && o.getOverwritten() instanceof OptionSpec spec) {
                return new UsageException(spec.names()[0] + " is given more than once");
            }
            if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
                String policy = chosenPolicyOrNull;
                if (policy != null && !installed.containsKey(policy)) { // the option may be that policy's
                    return notInstalled(policy);
                }
                String a = u.getUnmatched().get(0);
                return new UsageException("unknown option '" + a + "'" + hint(a));
            }
            return new UsageException(e.getMessage());
        }

        /** The value of the flag {@code name}, or {@code otherwise} when it is not given. */
        private <T> T value(String name, T otherwise) {
            return r.matchedOptionValue(name, otherwise);
        }

        private boolean given(String name) {
            return r.hasMatchedOption(name);
        }

        /**
         * Checks the cluster flags and settles the device, which it returns: {@code tcp} for a cluster job,
         * {@code shm} by default.
         */
        private String checkClusterFlags() {
            String cluster = value("--cluster", null);
            String device = value("-dev", null);
            for (String flag : List.of("--store", "--resume")) {
                String v = value(flag, null);
                if (ClusterStoreUri.isClusterStore(v)) {
                    try {
                        ClusterStoreUri.parse(v);
                    } catch (IllegalArgumentException e) {
                        throw new UsageException(flag + " " + e.getMessage());
                    }
                    if (cluster == null) {
                        throw new UsageException(flag + " " + v + " is a store in a cluster, kept by its "
                                + "agents: it needs --cluster NAME@HOST:PORT and --secret-file F (or name a directory)");
                    }
                    if (given("--incremental")) {
                        throw new UsageException("--incremental needs a store directory: " + v + " (a store "
                                + "kept in the cluster) writes whole pieces only");
                    }
                }
            }
            if (cluster == null) {
                for (String f : List.of("--secret-file", "--ranks-per-host")) {
                    if (given(f)) {
                        throw new UsageException(f + " goes with --cluster NAME@HOST:PORT, which runs the job on a "
                                + "cluster's agents");
                    }
                }
                return device == null ? "shm" : device;
            }
            if ("shm".equals(device)) {
                throw new UsageException("--cluster runs the ranks as processes on the cluster's agents, so cluster "
                        + "jobs run on -dev tcp; drop -dev shm (or give -dev tcp)");
            }
            if (!given("--secret-file")) {
                throw new UsageException("--cluster needs --secret-file F, the cluster's secret (the file its agents "
                        + "were started with)");
            }
            return "tcp";
        }

        /** Checks the checkpoint flags against the chosen policy, and returns it. */
        private CheckpointPolicy checkCheckpointFlags(String checkpoint, int np) {
            CheckpointPolicy policy = installed.get(checkpoint);
            if (policy == null) {
                throw notInstalled(checkpoint);
            }
            if (!policy.restarts()) {
                for (String f : List.of("--interval", "--store", "--max-restarts", "--resume", "--checkpoint-timeout",
                        "--compress", "--incremental", "--async")) {
                    if (given(f)) {
                        String choose = restarting().isEmpty() ? "and none that saves checkpoints is installed"
                                : "(--checkpoint " + restarting() + ")";
                        throw new UsageException(f + " needs a checkpoint policy " + choose + "; with --checkpoint "
                                + checkpoint + " nothing is saved");
                    }
                }
            }
            for (OptionSpec o : r.matchedOptions()) {
                String f = o.names()[0];
                if (declared.containsKey(f) && policy.options().stream().noneMatch(p -> p.flag().equals(f))) {
                    throw new UsageException(f + " is an option of --checkpoint " + names(declared.get(f))
                            + ", not of --checkpoint " + checkpoint);
                }
            }
            if (given("--allow-new-args") && !given("--resume")) {
                throw new UsageException("--allow-new-args goes with --resume DIR: it lets a resumed job continue with "
                        + "other program arguments than the checkpoints in DIR were taken with");
            }
            for (FailureSpec f : value("--inject-failure", List.<FailureSpec>of())) {
                if (f.rank() >= np) {
                    throw new UsageException("--inject-failure names rank " + f.rank() + " but the job has ranks 0.."
                            + (np - 1));
                }
            }
            return policy;
        }

        /** The settings of {@code --interval auto}, checked, or null when the interval is fixed. */
        private Interval.Auto checkAutoInterval() {
            IntervalFlag interval = value("--interval", null);
            if (interval == null || interval.fixed() != null) {
                for (String f : List.of("--mttf", "--formula", "--h", "--learn-mttf")) {
                    if (given(f)) {
                        String fixed = interval != null
                                ? "--interval " + ResumeCommand.duration(interval.fixed()) + " fixes the interval"
                                : "without --interval auto the interval is fixed (default 30s)";
                        throw new UsageException(f + " goes with --interval auto, which chooses the interval from it; "
                                + fixed);
                    }
                }
                return null;
            }
            Duration mttf = value("--mttf", null);
            if (mttf == null) {
                throw new UsageException("--interval auto needs --mttf M, the mean time between failures of the job as "
                        + "a whole (a failure of any of its ranks counts), e.g. --mttf 6h");
            }
            Interval.Formula f = value("--formula", Interval.Auto.DEFAULT_FORMULA);
            double hv = Interval.Auto.DEFAULT_H;
            String h = value("--h", null);
            if (h != null) {
                if (f != Interval.Formula.WONG_FRANKLIN) {
                    throw new UsageException("--h is a parameter of --formula wong-franklin, not of --formula "
                            + f.flag());
                }
                try {
                    hv = Double.parseDouble(h.trim());
                } catch (NumberFormatException e) {
                    hv = Double.NaN;
                }
                if (!(hv > 0 && hv <= 1)) {
                    throw new UsageException("--h must be a number in (0, 1] (the average fraction of an interval a "
                            + "failure loses), got '" + h + "'");
                }
            }
            return new Interval.Auto(f, mttf, hv, given("--learn-mttf"));
        }

        private UsageException notInstalled(String policy) {
            return new UsageException("checkpoint policy '" + policy + "' is not installed in this build (installed: "
                    + String.join(", ", installed.keySet()) + "); its jar must be on the launcher's class path");
        }

        /** The installed policies that save checkpoints, as "a, b or c". */
        private String restarting() {
            return names(installed.values().stream().filter(CheckpointPolicy::restarts).toList());
        }
    }

    /** The policies' names as "a", "a or b", "a, b or c". */
    private static String names(List<CheckpointPolicy> policies) {
        List<String> n = policies.stream().map(CheckpointPolicy::name).sorted().toList();
        return n.size() <= 1 ? String.join("", n)
                : String.join(", ", n.subList(0, n.size() - 1)) + " or " + n.get(n.size() - 1);
    }

    private static String hint(String a) {
        if (a.startsWith("-D") || a.startsWith("-X")) {
            return "; JVM options go in SNAPLINE_JAVA_OPTS (e.g. SNAPLINE_JAVA_OPTS='" + a + "' snaprun ...)";
        }
        if (a.startsWith("--") && BY_NAME.containsKey(a.substring(1))) {
            return "; did you mean " + a.substring(1) + "?";
        }
        if (!a.startsWith("--") && BY_NAME.containsKey("-" + a)) {
            return "; did you mean -" + a + "?";
        }
        return "";
    }

    private static String nonEmpty(String flag, String v) {
        if (v.isBlank()) {
            throw new UsageException(flag + " needs a non-empty value");
        }
        return v;
    }

    private static void checkClassName(String main) {
        if (main.endsWith(".class") || main.endsWith(".java") || main.contains("/") || main.contains("\\")) {
            throw new UsageException("'" + main + "' is not a class name; give the fully qualified name, "
                    + "e.g. demo.Hello, and its directory or jar with -cp");
        }
    }

    /** The jar's manifest {@code Main-Class}, or null when it names none. */
    private static String manifestMainClass(String jar) {
        if (!Files.isRegularFile(Path.of(jar))) {
            throw new UsageException("-jar " + jar + ": no such file");
        }
        try (JarFile file = new JarFile(jar)) {
            return file.getManifest() == null ? null : file.getManifest().getMainAttributes().getValue("Main-Class");
        } catch (IOException e) {
            throw new UsageException("-jar " + jar + " cannot be read as a jar: " + e.getMessage());
        }
    }

    private static String parseDevice(String v) {
        return switch (v) {
            case "shm", "multicore" -> "shm";
            case "tcp", "niodev" -> "tcp";
            case "mxdev", "hybdev", "native" ->
                    throw new UsageException("device '" + v + "' is not available in this build; use -dev shm or -dev tcp");
            default -> throw new UsageException("unknown device '" + v + "'; choose shm (alias multicore) or tcp (alias niodev)");
        };
    }

    private static Duration parseMttf(String v) {
        Duration mttf = parseDuration("--mttf", v);
        if (mttf.compareTo(Interval.Auto.MIN_MTTF) < 0) {
            throw new UsageException("--mttf must be at least 1s (the mean time between failures of the whole job), "
                    + "got '" + v + "'");
        }
        return mttf;
    }

    private static Interval.Formula parseFormula(String v) {
        Interval.Formula formula = Interval.Formula.byFlag(v);
        if (formula == null) {
            throw new UsageException("--formula must be young, daly or wong-franklin, got '" + v + "'");
        }
        return formula;
    }

    private static Compression parseCompression(String v) {
        try {
            return Compression.parse(v);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
    }

    private static Duration parseFailureTimeout(String v) {
        Duration timeout = parseDuration("--failure-timeout", v);
        if (timeout.toMillis() < MIN_FAILURE_TIMEOUT_MILLIS) {
            throw new UsageException("--failure-timeout must be at least " + MIN_FAILURE_TIMEOUT_MILLIS
                    + "ms (shorter ones mistake a busy rank for a dead one), got '" + v + "'");
        }
        return timeout;
    }

    private static String parseCluster(String v) {
        try {
            ClusterAddress.parse(v);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return v;
    }

    static int parseInt(String flag, String v, int min, int max) {
        long x;
        try {
            x = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException(flag + " needs an integer, got '" + v + "'");
        }
        if (x < min || x > max) {
            throw new UsageException(flag + " must be between " + min + " and " + max + ", got " + v);
        }
        return (int) x;
    }

    /** Parses durations such as {@code 250ms}, {@code 1.5s}, {@code 2m}, {@code 1h}; a bare number means seconds. */
    public static Duration parseDuration(String flag, String v) {
        Matcher m = DURATION.matcher(v.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new UsageException(flag + " needs a duration such as 500ms, 30s or 2m, got '" + v + "'");
        }
        String unit = m.group(2) == null ? "s" : m.group(2);
        long unitMillis = switch (unit) {
            case "ms" -> 1;
            case "s" -> 1000;
            case "m" -> 60_000;
            default -> 3_600_000;
        };
        double millis = Double.parseDouble(m.group(1)) * unitMillis;
        if (millis < 1 || millis > MAX_DURATION_MILLIS) {
            throw new UsageException(flag + " must be between 1ms and 8760h (a year), got '" + v + "'");
        }
        return Duration.ofMillis(Math.round(millis));
    }
}
