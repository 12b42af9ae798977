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
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A validated {@code snaprun} command line. Launcher flags come first; the first argument that is not a flag (or the
 * argument after {@code --}) is the main class, and everything after it belongs to the program. With {@code -jar JAR}
 * whose manifest names a {@code Main-Class}, every argument after the flags belongs to the program, as with
 * {@code java -jar}. Checkpoint flags are validated here even though the policies are provided by modules found at run
 * time: {@code --checkpoint NAME} is looked up among the installed policies ({@link Policies}), and the flags a policy
 * declares ({@link CheckpointPolicy#options()}) are accepted with it and checked by it.
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
        boolean async) {

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
            "  -np N                 number of ranks (1.." + MAX_RANKS + "; may exceed the number of cores)",
            "  -dev NAME             device: shm (ranks are threads of one JVM; alias: multicore) or",
            "                        tcp (one JVM per rank on this host; alias: niodev)",
            "  -cp, -classpath CP    where the program's classes are (entries separated by '" + File.pathSeparator
                    + "'; dir/* for jars; default .)",
            "  -jar JAR              run the program in JAR; with a Main-Class in its manifest every argument",
            "                        after the flags goes to the program",
            "  --tag-output          prefix every output line with the rank that printed it, as [r]",
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
                if (TAKES_VALUE.containsKey(o.flag())) {
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

    /** Launcher flags and whether each takes a value; aliases map to the same canonical name via {@link #CANONICAL}. */
    private static final Map<String, Boolean> TAKES_VALUE = Map.ofEntries(
            Map.entry("-np", true), Map.entry("-n", true),
            Map.entry("-dev", true), Map.entry("--device", true),
            Map.entry("-cp", true), Map.entry("-classpath", true), Map.entry("--class-path", true),
            Map.entry("-jar", true),
            Map.entry("--tag-output", false),
            Map.entry("--checkpoint", true), Map.entry("--interval", true),
            Map.entry("--mttf", true), Map.entry("--formula", true), Map.entry("--h", true),
            Map.entry("--store", true), Map.entry("--compress", true), Map.entry("--inject-failure", true),
            Map.entry("--max-restarts", true),
            Map.entry("--resume", true), Map.entry("--report", true), Map.entry("--jvm-opts", true),
            Map.entry("--failure-timeout", true), Map.entry("--checkpoint-timeout", true),
            Map.entry("--allow-new-args", false), Map.entry("--incremental", false), Map.entry("--learn-mttf", false),
            Map.entry("--async", false),
            Map.entry("--cluster", true), Map.entry("--secret-file", true), Map.entry("--ranks-per-host", true),
            Map.entry("-h", false), Map.entry("--help", false), Map.entry("--version", false));

    private static final Map<String, String> CANONICAL = Map.of(
            "-n", "-np", "--device", "-dev", "-classpath", "-cp", "--class-path", "-cp", "--help", "-h");

    /** A duration: a decimal number and an optional unit (seconds when none). */
    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ms|s|m|h)?");
    private static final long MAX_DURATION_MILLIS = Duration.ofDays(365).toMillis();

    /** Flags that may be given more than once. */
    private static final Set<String> REPEATABLE = Set.of("--inject-failure", "--tag-output");

    /**
     * Whether {@code argv} asks for help or the version among the launcher's flags ({@code --help} after the main
     * class belongs to the program). Nothing is validated here.
     */
    public static Request request(String... argv) {
        for (int i : flagPositions(argv, Policies.installed(LaunchOptions.class.getClassLoader()).values())) {
            if (argv[i].equals("-h") || argv[i].equals("--help")) {
                return Request.HELP;
            }
            if (argv[i].equals("--version")) {
                return Request.VERSION;
            }
        }
        return Request.RUN;
    }

    /**
     * Where the launcher's flags are in {@code argv}: up to {@code --} or the first argument that is not a flag,
     * stepping over the value of each flag that takes one (a launcher flag, or an option some of {@code policies}
     * declares with a value). Nothing is validated here.
     */
    private static List<Integer> flagPositions(String[] argv, Collection<CheckpointPolicy> policies) {
        List<Integer> at = new ArrayList<>();
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (a.equals("--") || !a.startsWith("-") || a.equals("-")) {
                break;
            }
            at.add(i);
            Boolean launcher = TAKES_VALUE.get(a);
            if (launcher != null ? launcher : policies.stream().flatMap(p -> p.options().stream())
                    .anyMatch(o -> o.flag().equals(a) && o.takesValue())) {
                i++;
            }
        }
        return at;
    }

    /** The value of {@code --checkpoint} among the launcher's flags of {@code argv}, or null. */
    private static String chosenPolicy(String[] argv, Collection<CheckpointPolicy> policies) {
        for (int i : flagPositions(argv, policies)) {
            if (argv[i].startsWith("--checkpoint=")) {
                return argv[i].substring("--checkpoint=".length());
            }
            if (argv[i].equals("--checkpoint")) {
                return i + 1 < argv.length ? argv[i + 1] : null;
            }
        }
        return null;
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
        return new Parser(installed, argv).parse();
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

    /** One pass over the arguments; holds the values seen so far. */
    private static final class Parser {
        private final String[] argv;
        private final Map<String, CheckpointPolicy> installed;
        /** Every option some installed policy declares, by flag, with the policies declaring it. */
        private final Map<String, List<CheckpointPolicy>> declared = new TreeMap<>();
        private final Map<String, String> policyOptions = new LinkedHashMap<>();
        /** The value of {@code --checkpoint} among the flags, read before parsing, or null. */
        private final String chosenPolicyOrNull;
        private final Set<String> seen = new HashSet<>();
        private int np = -1;
        private String device;
        private String cp;
        private String jar;
        private boolean tag;
        private String checkpoint = NO_POLICY;
        private Duration interval;
        private boolean auto;
        private Compression compress = Compression.NONE;
        private Duration mttf;
        private Interval.Formula formula;
        private String h;
        private boolean learnMttf;
        private String store;
        private final List<FailureSpec> failures = new ArrayList<>();
        private int maxRestarts = DEFAULT_MAX_RESTARTS;
        private String resume;
        private String report;
        private String jvmOpts;
        private Duration failureTimeout;
        private Duration checkpointTimeout;
        private boolean allowNewArgs;
        private String cluster;
        private String secretFile;
        private int ranksPerHost;
        private boolean incremental;
        private boolean async;

        Parser(Map<String, CheckpointPolicy> installed, String[] argv) {
            this.argv = argv;
            this.installed = installed;
            for (CheckpointPolicy p : installed.values()) {
                for (PolicyOption o : p.options()) {
                    if (!TAKES_VALUE.containsKey(o.flag())) { // a policy cannot take over a launcher flag
                        declared.computeIfAbsent(o.flag(), k -> new ArrayList<>()).add(p);
                    }
                }
            }
            chosenPolicyOrNull = chosenPolicy(argv, installed.values());
        }

        LaunchOptions parse() {
            int i = 0;
            while (i < argv.length) {
                String a = argv[i];
                if (a.equals("--")) {
                    i++;
                    break;
                }
                if (!a.startsWith("-") || a.equals("-")) {
                    break;
                }
                i = flag(i);
            }
            List<String> positional = Arrays.asList(argv).subList(i, argv.length);
            if (np < 0) {
                throw new UsageException("missing -np N (the number of ranks)");
            }
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
            checkClusterFlags();
            CheckpointPolicy policy = checkCheckpointFlags();
            Interval.Auto automatic = checkAutoInterval();
            LaunchOptions o = new LaunchOptions(np, device, cp, jar, main, List.copyOf(args), tag, checkpoint, interval,
                    automatic, store, List.copyOf(failures), maxRestarts, resume, report, jvmOpts, failureTimeout,
                    checkpointTimeout, Collections.unmodifiableMap(new LinkedHashMap<>(policyOptions)), allowNewArgs,
                    compress, cluster, secretFile, ranksPerHost, incremental, async);
            try {
                policy.validate(o.policySettings());
            } catch (IllegalArgumentException e) {
                throw new UsageException(e.getMessage());
            }
            return o;
        }

        /** Handles the flag at {@code argv[i]} and returns the index of the next argument. */
        private int flag(int i) {
            String a = argv[i];
            String flag = a;
            String inline = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                flag = a.substring(0, eq);
                inline = a.substring(eq + 1);
            }
            Boolean takesValue = TAKES_VALUE.get(flag);
            if (takesValue == null && declared.containsKey(flag)) {
                takesValue = declaration(flag).takesValue();
            }
            if (takesValue == null) {
                String policy = chosenPolicyOrNull;
                if (policy != null && !installed.containsKey(policy)) { // the option may be that policy's
                    throw notInstalled(policy);
                }
                throw new UsageException("unknown option '" + a + "'" + hint(a));
            }
            String name = CANONICAL.getOrDefault(flag, flag);
            if (!REPEATABLE.contains(name) && !seen.add(name)) {
                throw new UsageException(flag + " is given more than once");
            }
            if (!takesValue) {
                if (inline != null) {
                    throw new UsageException(flag + " takes no value, got '" + a + "'");
                }
                apply(name, flag, null);
                return i + 1;
            }
            if (inline != null) {
                apply(name, flag, inline);
                return i + 1;
            }
            if (i + 1 >= argv.length || TAKES_VALUE.containsKey(argv[i + 1]) || declared.containsKey(argv[i + 1])) {
                throw new UsageException(flag + " needs a value");
            }
            apply(name, flag, argv[i + 1]);
            return i + 2;
        }

        private void apply(String name, String flag, String v) {
            if (declared.containsKey(name)) {
                policyOptions.put(name, v == null ? "" : nonEmpty(flag, v));
                return;
            }
            switch (name) {
                case "-np" -> np = parseInt(flag, v, 1, MAX_RANKS);
                case "-dev" -> device = parseDevice(v);
                case "-cp" -> cp = v;
                case "-jar" -> jar = v;
                case "--tag-output" -> tag = true;
                case "--allow-new-args" -> allowNewArgs = true;
                case "--cluster" -> {
                    try {
                        ClusterAddress.parse(v);
                    } catch (IllegalArgumentException e) {
                        throw new UsageException(e.getMessage());
                    }
                    cluster = v;
                }
                case "--secret-file" -> secretFile = nonEmpty(flag, v);
                case "--ranks-per-host" -> ranksPerHost = parseInt(flag, v, 1, MAX_RANKS);
                case "--incremental" -> incremental = true;
                case "--async" -> async = true;
                case "--checkpoint" -> checkpoint = nonEmpty(flag, v);
                case "--interval" -> {
                    if (v.equals("auto")) {
                        auto = true;
                    } else {
                        interval = parseDuration(flag, v);
                    }
                }
                case "--mttf" -> {
                    mttf = parseDuration(flag, v);
                    if (mttf.compareTo(Interval.Auto.MIN_MTTF) < 0) {
                        throw new UsageException("--mttf must be at least 1s (the mean time between failures of the "
                                + "whole job), got '" + v + "'");
                    }
                }
                case "--formula" -> {
                    formula = Interval.Formula.byFlag(v);
                    if (formula == null) {
                        throw new UsageException("--formula must be young, daly or wong-franklin, got '" + v + "'");
                    }
                }
                case "--h" -> h = v;
                case "--learn-mttf" -> learnMttf = true;
                case "--store" -> store = nonEmpty(flag, v);
                case "--compress" -> {
                    try {
                        compress = Compression.parse(v);
                    } catch (IllegalArgumentException e) {
                        throw new UsageException(e.getMessage());
                    }
                }
                case "--inject-failure" -> failures.add(FailureSpec.parse(v));
                case "--max-restarts" -> maxRestarts = parseInt(flag, v, 0, 1_000_000);
                case "--resume" -> resume = nonEmpty(flag, v);
                case "--report" -> report = nonEmpty(flag, v);
                case "--jvm-opts" -> jvmOpts = v;
                case "--checkpoint-timeout" -> checkpointTimeout = parseDuration(flag, v);
                case "--failure-timeout" -> {
                    failureTimeout = parseDuration(flag, v);
                    if (failureTimeout.toMillis() < MIN_FAILURE_TIMEOUT_MILLIS) {
                        throw new UsageException(flag + " must be at least " + MIN_FAILURE_TIMEOUT_MILLIS
                                + "ms (shorter ones mistake a busy rank for a dead one), got '" + v + "'");
                    }
                }
                // -h, --help and --version are answered by request() before parsing.
                default -> throw new UsageException(flag + " cannot be combined with a run; use it alone");
            }
        }

        /** Checks the cluster flags and settles the device: {@code tcp} for a cluster job, {@code shm} by default. */
        private void checkClusterFlags() {
            for (String[] named : new String[][] {{"--store", store}, {"--resume", resume}}) {
                if (ClusterStoreUri.isClusterStore(named[1])) {
                    try {
                        ClusterStoreUri.parse(named[1]);
                    } catch (IllegalArgumentException e) {
                        throw new UsageException(named[0] + " " + e.getMessage());
                    }
                    if (cluster == null) {
                        throw new UsageException(named[0] + " " + named[1] + " is a store in a cluster, kept by its "
                                + "agents: it needs --cluster NAME@HOST:PORT and --secret-file F (or name a directory)");
                    }
                    if (incremental) {
                        throw new UsageException("--incremental needs a store directory: " + named[1] + " (a store "
                                + "kept in the cluster) writes whole pieces only");
                    }
                }
            }
            if (cluster == null) {
                for (String f : List.of("--secret-file", "--ranks-per-host")) {
                    if (seen.contains(f)) {
                        throw new UsageException(f + " goes with --cluster NAME@HOST:PORT, which runs the job on a "
                                + "cluster's agents");
                    }
                }
                device = device == null ? "shm" : device;
                return;
            }
            if ("shm".equals(device)) {
                throw new UsageException("--cluster runs the ranks as processes on the cluster's agents, so cluster "
                        + "jobs run on -dev tcp; drop -dev shm (or give -dev tcp)");
            }
            device = "tcp";
            if (secretFile == null) {
                throw new UsageException("--cluster needs --secret-file F, the cluster's secret (the file its agents "
                        + "were started with)");
            }
        }

        /** Checks the checkpoint flags against the chosen policy, and returns it. */
        private CheckpointPolicy checkCheckpointFlags() {
            CheckpointPolicy policy = installed.get(checkpoint);
            if (policy == null) {
                throw notInstalled(checkpoint);
            }
            if (!policy.restarts()) {
                for (String f : List.of("--interval", "--store", "--max-restarts", "--resume", "--checkpoint-timeout",
                        "--compress", "--incremental", "--async")) {
                    if (seen.contains(f)) {
                        String choose = restarting().isEmpty() ? "and none that saves checkpoints is installed"
                                : "(--checkpoint " + restarting() + ")";
                        throw new UsageException(f + " needs a checkpoint policy " + choose + "; with --checkpoint "
                                + checkpoint + " nothing is saved");
                    }
                }
            }
            for (String f : policyOptions.keySet()) {
                if (policy.options().stream().noneMatch(o -> o.flag().equals(f))) {
                    throw new UsageException(f + " is an option of --checkpoint " + names(declared.get(f))
                            + ", not of --checkpoint " + checkpoint);
                }
            }
            if (allowNewArgs && resume == null) {
                throw new UsageException("--allow-new-args goes with --resume DIR: it lets a resumed job continue with "
                        + "other program arguments than the checkpoints in DIR were taken with");
            }
            for (FailureSpec f : failures) {
                if (f.rank() >= np) {
                    throw new UsageException("--inject-failure names rank " + f.rank() + " but the job has ranks 0.."
                            + (np - 1));
                }
            }
            return policy;
        }

        /** The settings of {@code --interval auto}, checked, or null when the interval is fixed. */
        private Interval.Auto checkAutoInterval() {
            if (!auto) {
                for (String f : List.of("--mttf", "--formula", "--h", "--learn-mttf")) {
                    if (seen.contains(f)) {
                        String fixed = interval != null
                                ? "--interval " + ResumeCommand.duration(interval) + " fixes the interval"
                                : "without --interval auto the interval is fixed (default 30s)";
                        throw new UsageException(f + " goes with --interval auto, which chooses the interval from it; "
                                + fixed);
                    }
                }
                return null;
            }
            if (mttf == null) {
                throw new UsageException("--interval auto needs --mttf M, the mean time between failures of the job as "
                        + "a whole (a failure of any of its ranks counts), e.g. --mttf 6h");
            }
            Interval.Formula f = formula == null ? Interval.Auto.DEFAULT_FORMULA : formula;
            double hv = Interval.Auto.DEFAULT_H;
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
            return new Interval.Auto(f, mttf, hv, learnMttf);
        }

        private UsageException notInstalled(String policy) {
            return new UsageException("checkpoint policy '" + policy + "' is not installed in this build (installed: "
                    + String.join(", ", installed.keySet()) + "); its jar must be on the launcher's class path");
        }

        /**
         * How the policy option {@code flag} is declared: by the chosen policy if it declares it (two policies may
         * declare one flag differently), else by the first installed policy that does.
         */
        private PolicyOption declaration(String flag) {
            List<CheckpointPolicy> by = declared.get(flag);
            String chosen = chosenPolicyOrNull;
            CheckpointPolicy p = by.stream().filter(q -> q.name().equals(chosen)).findFirst().orElse(by.get(0));
            return p.options().stream().filter(o -> o.flag().equals(flag)).findFirst().orElseThrow();
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
        if (a.startsWith("--") && TAKES_VALUE.containsKey(a.substring(1))) {
            return "; did you mean " + a.substring(1) + "?";
        }
        if (!a.startsWith("--") && TAKES_VALUE.containsKey("-" + a)) {
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
