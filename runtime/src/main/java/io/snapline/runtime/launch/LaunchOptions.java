package io.snapline.runtime.launch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A validated {@code snaprun} command line. Parsing stops at the main class; everything after it belongs to the
 * program. Checkpoint flags are validated here even where the chosen policy is provided by a module found later.
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
        String jvmOpts) {

    /** Policy names the launcher accepts; each is provided by a module found at run time. */
    public static final Set<String> POLICIES = Set.of("none", "coordinated", "coordinated-nb", "independent");
    public static final int MAX_RANKS = 4096;

    public static final String USAGE = String.join("\n",
            "usage: snaprun -np N [-dev shm] [-cp CLASSPATH | -jar JAR] [options] MainClass [args...]",
            "",
            "  -np N                 number of ranks (1.." + MAX_RANKS + ")",
            "  -dev NAME             device: shm (ranks are threads of one JVM; alias: multicore)",
            "  -cp, -classpath CP    where the program's classes are (entries separated by '" + java.io.File.pathSeparator + "'; dir/* for jars)",
            "  -jar JAR              run the program in JAR (main class from its manifest unless given)",
            "  --tag-output          prefix every output line with the rank that printed it, as [r]",
            "  --checkpoint POLICY   none | coordinated | coordinated-nb | independent (default none)",
            "  --interval T          checkpoint every T (e.g. 500ms, 30s, 2m) or 'auto'",
            "  --every N             checkpoint every N safe points",
            "  --store DIR           checkpoint directory (default ./snapline-checkpoints/<job-id>)",
            "  --inject-failure F    rank=R,after=5s | rank=R,point=K | rank=R,during-checkpoint=K | random,seed=S,count=C",
            "  --max-restarts K      give up after K restarts (default 3)",
            "  --resume DIR          restart a job from the checkpoints in DIR",
            "  --report FILE.json    write the run report as JSON",
            "  --jvm-opts \"...\"      options for rank JVMs (devices with one process per rank)",
            "  -h, --help            this text");

    /** Parses {@code snaprun}'s arguments; throws {@link UsageException} on anything malformed or unknown. */
    public static LaunchOptions parse(String... argv) {
        int np = -1;
        String device = "shm";
        String cp = null;
        String jar = null;
        String main = null;
        boolean tag = false;
        String checkpoint = "none";
        Duration interval = null;
        boolean auto = false;
        long every = 0;
        String store = null;
        List<FailureSpec> failures = new ArrayList<>();
        int maxRestarts = 3;
        String resume = null;
        String report = null;
        String jvmOpts = null;
        int i = 0;
        while (i < argv.length) {
            String a = argv[i];
            if (!a.startsWith("-")) {
                main = a;
                i++;
                break;
            }
            String flag = a;
            String inline = null;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                flag = a.substring(0, eq);
                inline = a.substring(eq + 1);
            }
            switch (flag) {
                case "-np":
                case "-n":
                    np = parseInt(flag, value(argv, i, flag, inline), 1, MAX_RANKS);
                    break;
                case "-dev":
                case "--device":
                    device = parseDevice(value(argv, i, flag, inline));
                    break;
                case "-cp":
                case "-classpath":
                case "--class-path":
                    cp = value(argv, i, flag, inline);
                    break;
                case "-jar":
                    jar = value(argv, i, flag, inline);
                    break;
                case "--tag-output":
                    tag = true;
                    break;
                case "--checkpoint":
                    checkpoint = value(argv, i, flag, inline);
                    if (!POLICIES.contains(checkpoint)) {
                        throw new UsageException("--checkpoint '" + checkpoint + "' is not a policy; choose one of "
                                + String.join(", ", new java.util.TreeSet<>(POLICIES)));
                    }
                    break;
                case "--interval": {
                    String v = value(argv, i, flag, inline);
                    if (v.equals("auto")) {
                        auto = true;
                    } else {
                        interval = parseDuration(flag, v);
                    }
                    break;
                }
                case "--every":
                    every = parseInt(flag, value(argv, i, flag, inline), 1, Integer.MAX_VALUE);
                    break;
                case "--store":
                    store = value(argv, i, flag, inline);
                    break;
                case "--inject-failure":
                    failures.add(FailureSpec.parse(value(argv, i, flag, inline)));
                    break;
                case "--max-restarts":
                    maxRestarts = parseInt(flag, value(argv, i, flag, inline), 0, 1_000_000);
                    break;
                case "--resume":
                    resume = value(argv, i, flag, inline);
                    break;
                case "--report":
                    report = value(argv, i, flag, inline);
                    break;
                case "--jvm-opts":
                    jvmOpts = value(argv, i, flag, inline);
                    break;
                default:
                    throw new UsageException("unknown option '" + a + "'");
            }
            i += (inline != null || flag.equals("--tag-output")) ? 1 : 2;
        }
        List<String> rest = new ArrayList<>(Arrays.asList(argv).subList(i, argv.length));
        if (np < 0) {
            throw new UsageException("missing -np N (the number of ranks)");
        }
        if (jar != null && cp != null) {
            throw new UsageException("give either -cp or -jar, not both");
        }
        if (main == null && jar == null) {
            throw new UsageException("missing the main class to run");
        }
        if (interval != null && every > 0) {
            throw new UsageException("give either --interval or --every, not both");
        }
        boolean checkpointFlags = interval != null || auto || every > 0 || store != null;
        if (checkpointFlags && checkpoint.equals("none")) {
            throw new UsageException("--interval, --every and --store need a checkpoint policy (--checkpoint coordinated, ...)");
        }
        return new LaunchOptions(np, device, cp, jar, main, List.copyOf(rest), tag, checkpoint, interval, auto, every,
                store, List.copyOf(failures), maxRestarts, resume, report, jvmOpts);
    }

    private static String value(String[] argv, int i, String flag, String inline) {
        if (inline != null) {
            return inline;
        }
        if (i + 1 >= argv.length) {
            throw new UsageException(flag + " needs a value");
        }
        return argv[i + 1];
    }

    private static String parseDevice(String v) {
        switch (v) {
            case "shm":
            case "multicore":
                return "shm";
            case "tcp":
            case "niodev":
                throw new UsageException("device '" + v + "' is not available in this build; use -dev shm");
            default:
                throw new UsageException("unknown device '" + v + "'; choose shm (alias multicore)");
        }
    }

    static int parseInt(String flag, String v, int min, int max) {
        long x;
        try {
            x = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new UsageException(flag + " needs an integer, got '" + v + "'");
        }
        if (x < min || x > max) {
            throw new UsageException(flag + " must be between " + min + " and " + max + ", got " + v);
        }
        return (int) x;
    }

    /** Parses durations such as {@code 250ms}, {@code 30s}, {@code 2m}, {@code 1h}; a bare number means seconds. */
    public static Duration parseDuration(String flag, String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        String[][] units = {{"ms", "1"}, {"s", "1000"}, {"m", "60000"}, {"h", "3600000"}};
        try {
            for (String[] u : units) {
                if (s.endsWith(u[0]) && !(u[0].equals("s") && s.endsWith("ms"))) {
                    double n = Double.parseDouble(s.substring(0, s.length() - u[0].length()));
                    return positive(flag, v, Duration.ofMillis(Math.round(n * Long.parseLong(u[1]))));
                }
            }
            return positive(flag, v, Duration.ofMillis(Math.round(Double.parseDouble(s) * 1000)));
        } catch (NumberFormatException e) {
            throw new UsageException(flag + " needs a duration such as 500ms, 30s or 2m, got '" + v + "'");
        }
    }

    private static Duration positive(String flag, String v, Duration d) {
        if (d.isNegative() || d.isZero()) {
            throw new UsageException(flag + " must be positive, got '" + v + "'");
        }
        return d;
    }
}
