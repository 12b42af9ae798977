package io.snapline.runtime.launch;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A validated {@code snaprun} command line. Launcher flags come first; the first argument that is not a flag (or the
 * argument after {@code --}) is the main class, and everything after it belongs to the program. With {@code -jar JAR}
 * whose manifest names a {@code Main-Class}, every argument after the flags belongs to the program, as with
 * {@code java -jar}. Checkpoint flags are validated here even though the policies are provided by modules found at run
 * time; {@link Launcher} says which of them this build cannot honour yet.
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
 * @param intervalAuto   {@code --interval auto}
 * @param every          checkpoint every N safe points, 0 when not given
 * @param store          checkpoint directory, or null
 * @param injectFailures failures to inject
 * @param maxRestarts    restarts allowed before the job gives up
 * @param resume         checkpoint directory to resume from, or null
 * @param report         JSON report file, or null
 * @param jvmOpts        options for rank JVMs on devices with one process per rank, or null
 * @param failureTimeout how long a rank process may stay silent before it is declared dead ({@code -dev tcp}), or
 *                       null for the default
 * @param logging        message logging for {@code --checkpoint independent} ({@code none}), or null when not given
 * @param checkpointTimeout how long a checkpoint may wait for a rank to reach it before the job ends (blocking) or
 *                       the checkpoint is abandoned (non-blocking), or null for the default
 * @param allowNewArgs   {@code --allow-new-args}: a resume may continue checkpoints taken with other program arguments
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
        boolean intervalAuto,
        long every,
        String store,
        List<FailureSpec> injectFailures,
        int maxRestarts,
        String resume,
        String report,
        String jvmOpts,
        Duration failureTimeout,
        Duration checkpointTimeout,
        String logging,
        boolean allowNewArgs) {

    /** Policy names the launcher accepts; each is provided by a module found at run time. */
    public static final Set<String> POLICIES = Set.of("none", "coordinated", "coordinated-nb", "independent");
    /** {@code --logging} values; which of them a policy supports is the policy's to say. */
    public static final List<String> LOGGING = List.of("none", "pessimistic", "optimistic", "causal");
    public static final int MAX_RANKS = 4096;
    public static final int DEFAULT_MAX_RESTARTS = 3;
    /** Shortest {@code --failure-timeout} accepted. */
    public static final long MIN_FAILURE_TIMEOUT_MILLIS = 100;

    /** The first line of {@link #USAGE}. */
    public static final String SYNOPSIS =
            "usage: snaprun -np N [-dev shm|tcp] [-cp CLASSPATH | -jar JAR] [options] MainClass [args...]";

    public static final String USAGE = String.join("\n",
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
            "  --                    end of snaprun's flags",
            "  -h, --help            this text",
            "  --version             the Snapline version",
            "",
            "checkpoint/restart (the program marks safe points with io.snapline.checkpoint.Checkpoint):",
            "  --checkpoint POLICY   none | coordinated | coordinated-nb | independent (default none)",
            "  --logging MODE        independent: message logging, none (the recovery line must then be strongly",
            "                        consistent)",
            "  --interval T          checkpoint every T (e.g. 500ms, 30s, 2m; default 30s; independent: with jitter)",
            "  --every N             checkpoint every N safe points (coordinated, independent)",
            "  --store DIR           checkpoint directory (default ./snapline-checkpoints/<job-id>)",
            "  --inject-failure F    rank=R,after=5s | rank=R,point=K | rank=R,during-checkpoint=K | random,seed=S,count=C",
            "  --max-restarts K      give up after K restarts (default " + DEFAULT_MAX_RESTARTS + ")",
            "  --resume DIR          continue a job from the checkpoints in DIR (same program, arguments, policy, -np)",
            "  --allow-new-args      with --resume: continue with other program arguments than the checkpoints'",
            "  --report FILE.json    write the run report as JSON",
            "  --checkpoint-timeout T  how long a checkpoint may wait for every rank to reach a safe point before it is",
            "                          abandoned (the job runs on; default 5m)",
            "",
            "exit status: 0 when every rank finished; the Abort code (1 for Abort(0)) or 1 when a rank failed;",
            "2 for a bad command line.");

    /** What a command line asks for, decided before it is validated. */
    public enum Request { RUN, HELP, VERSION }

    /** Launcher flags and whether each takes a value; aliases map to the same canonical name via {@link #CANONICAL}. */
    private static final Map<String, Boolean> TAKES_VALUE = Map.ofEntries(
            Map.entry("-np", true), Map.entry("-n", true),
            Map.entry("-dev", true), Map.entry("--device", true),
            Map.entry("-cp", true), Map.entry("-classpath", true), Map.entry("--class-path", true),
            Map.entry("-jar", true),
            Map.entry("--tag-output", false),
            Map.entry("--checkpoint", true), Map.entry("--interval", true), Map.entry("--every", true),
            Map.entry("--store", true), Map.entry("--inject-failure", true), Map.entry("--max-restarts", true),
            Map.entry("--resume", true), Map.entry("--report", true), Map.entry("--jvm-opts", true),
            Map.entry("--failure-timeout", true), Map.entry("--checkpoint-timeout", true), Map.entry("--logging", true),
            Map.entry("--allow-new-args", false),
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
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (a.equals("--") || !a.startsWith("-") || a.equals("-")) {
                break;
            }
            if (a.equals("-h") || a.equals("--help")) {
                return Request.HELP;
            }
            if (a.equals("--version")) {
                return Request.VERSION;
            }
            if (Boolean.TRUE.equals(TAKES_VALUE.get(a))) {
                i++;
            }
        }
        return Request.RUN;
    }

    /**
     * Parses {@code snaprun}'s arguments for a run. With {@code -jar} the jar's manifest is read to find the main
     * class. Throws {@link UsageException}, whose message says what was wrong, on anything malformed or unknown.
     */
    public static LaunchOptions parse(String... argv) {
        return new Parser(argv).parse();
    }

    /** One pass over the arguments; holds the values seen so far. */
    private static final class Parser {
        private final String[] argv;
        private final Set<String> seen = new HashSet<>();
        private int np = -1;
        private String device = "shm";
        private String cp;
        private String jar;
        private boolean tag;
        private String checkpoint = "none";
        private Duration interval;
        private boolean auto;
        private long every;
        private String store;
        private final List<FailureSpec> failures = new ArrayList<>();
        private int maxRestarts = DEFAULT_MAX_RESTARTS;
        private String resume;
        private String report;
        private String jvmOpts;
        private Duration failureTimeout;
        private Duration checkpointTimeout;
        private String logging;
        private boolean allowNewArgs;

        Parser(String[] argv) {
            this.argv = argv;
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
            checkCheckpointFlags();
            return new LaunchOptions(np, device, cp, jar, main, List.copyOf(args), tag, checkpoint, interval, auto,
                    every, store, List.copyOf(failures), maxRestarts, resume, report, jvmOpts, failureTimeout,
                    checkpointTimeout, logging, allowNewArgs);
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
            if (takesValue == null) {
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
            if (i + 1 >= argv.length || TAKES_VALUE.containsKey(argv[i + 1])) {
                throw new UsageException(flag + " needs a value");
            }
            apply(name, flag, argv[i + 1]);
            return i + 2;
        }

        private void apply(String name, String flag, String v) {
            switch (name) {
                case "-np" -> np = parseInt(flag, v, 1, MAX_RANKS);
                case "-dev" -> device = parseDevice(v);
                case "-cp" -> cp = v;
                case "-jar" -> jar = v;
                case "--tag-output" -> tag = true;
                case "--allow-new-args" -> allowNewArgs = true;
                case "--checkpoint" -> checkpoint = parsePolicy(v);
                case "--interval" -> {
                    if (v.equals("auto")) {
                        auto = true;
                    } else {
                        interval = parseDuration(flag, v);
                    }
                }
                case "--every" -> every = parseInt(flag, v, 1, Integer.MAX_VALUE);
                case "--store" -> store = nonEmpty(flag, v);
                case "--inject-failure" -> failures.add(FailureSpec.parse(v));
                case "--max-restarts" -> maxRestarts = parseInt(flag, v, 0, 1_000_000);
                case "--resume" -> resume = nonEmpty(flag, v);
                case "--report" -> report = nonEmpty(flag, v);
                case "--jvm-opts" -> jvmOpts = v;
                case "--checkpoint-timeout" -> checkpointTimeout = parseDuration(flag, v);
                case "--logging" -> {
                    if (!LOGGING.contains(v)) {
                        throw new UsageException("--logging must be one of " + String.join(", ", LOGGING) + ", got '"
                                + v + "'");
                    }
                    logging = v;
                }
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

        private void checkCheckpointFlags() {
            if ((interval != null || auto) && every > 0) {
                throw new UsageException("give either --interval or --every, not both");
            }
            if (checkpoint.equals("none")) {
                for (String f : List.of("--interval", "--every", "--store", "--max-restarts", "--resume",
                        "--checkpoint-timeout")) {
                    if (seen.contains(f)) {
                        throw new UsageException(f + " needs a checkpoint policy (--checkpoint coordinated, "
                                + "coordinated-nb or independent); with --checkpoint none nothing is saved");
                    }
                }
            }
            if (allowNewArgs && resume == null) {
                throw new UsageException("--allow-new-args goes with --resume DIR: it lets a resumed job continue with "
                        + "other program arguments than the checkpoints in DIR were taken with");
            }
            if (logging != null && !checkpoint.equals("independent")) {
                throw new UsageException("--logging applies to --checkpoint independent (the coordinated policies "
                        + "need no message log), not to --checkpoint " + checkpoint);
            }
            for (FailureSpec f : failures) {
                if (f.rank() >= np) {
                    throw new UsageException("--inject-failure names rank " + f.rank() + " but the job has ranks 0.."
                            + (np - 1));
                }
            }
        }
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

    private static String parsePolicy(String v) {
        if (!POLICIES.contains(v)) {
            throw new UsageException("--checkpoint '" + v + "' is not a policy; choose one of "
                    + String.join(", ", new TreeSet<>(POLICIES)));
        }
        return v;
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
