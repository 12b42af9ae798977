package io.snapline.runtime.launch;

import io.snapline.runtime.cluster.ClusterSecret;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Properties;

/**
 * {@code snaprun}, the main class of {@code bin/snaprun}: parses the command line, runs the job and turns its outcome
 * into an exit status.
 *
 * <ul>
 *   <li>0 when every rank finished;</li>
 *   <li>the code a rank passed to {@code MPI.COMM_WORLD.Abort(code)}, modulo 256 as exit statuses are, and 1 when
 *       that is 0 (an aborted job never reports success);</li>
 *   <li>1 when a rank ended with an uncaught exception; the report on standard error names the rank and shows its
 *       stack trace;</li>
 *   <li>1 as well when, with {@code -dev tcp}, a rank process died (killed, crashed) or stopped answering, when a
 *       cluster job's ranks lost with their host have no free slots to run again on (the message says how to resume
 *       it), and when every rank finished but the {@code --report} file could not be written;</li>
 *   <li>2 for a bad command line, a cluster ({@code --cluster}) that cannot be reached or cannot take the ranks,
 *       a checkpoint store that cannot be used (not writable, writable by other users,
 *       locked by another job, another run's checkpoints without {@code --resume}, another job's checkpoints given to
 *       {@code --resume}), a {@code --report} file that cannot be written, or a feature this build does not
 *       have;</li>
 *   <li>3 when the job, submitted to a cluster, was cancelled with {@code snapline cancel} (the message says how to
 *       resume it).</li>
 * </ul>
 */
public final class Launcher {
    private static final String POM_PROPERTIES = "/META-INF/maven/io.snapline/snapline-runtime/pom.properties";

    private Launcher() {
    }

    /** Runs {@code snaprun} and exits the JVM with its status; rank threads that ignored an abort end with it. */
    public static void main(String[] args) {
        int status;
        try {
            status = run(args, System.out, System.err);
        } catch (RuntimeException | Error e) {
            System.err.println("snaprun: internal error: " + e);
            e.printStackTrace();
            status = 1;
        }
        System.out.flush();
        System.err.flush();
        System.exit(status);
    }

    /** Runs {@code snaprun} with the given arguments, printing to {@code out} and {@code err}; returns its exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.println(LaunchOptions.usage());
            return 2;
        }
        switch (LaunchOptions.request(args)) {
            case HELP -> {
                out.println(LaunchOptions.usage());
                return 0;
            }
            case VERSION -> {
                out.println(version());
                return 0;
            }
            default -> {
                // a run
            }
        }
        LaunchOptions options;
        try {
            options = LaunchOptions.parse(args);
            String missing = unavailable(options);
            if (missing != null) {
                err.println("snaprun: " + missing);
                return 2;
            }
            ProgramLoader.check(options);
        } catch (UsageException e) {
            err.println("snaprun: " + e.getMessage());
            err.println(LaunchOptions.SYNOPSIS);
            err.println("Run 'snaprun --help' for the flags.");
            return 2;
        }
        if (!options.verbose()) {
            return run(options, out, err);
        }
        try (Verbose v = Verbose.on(err, "snaprun: ")) {
            return run(options, out, err);
        }
    }

    /** Runs the job {@code options} describe. */
    private static int run(LaunchOptions options, PrintStream out, PrintStream err) {
        boolean tcp = options.device().equals("tcp");
        Supervision supervision;
        try {
            supervision = Supervision.open(options, err);
        } catch (UsageException e) {
            err.println("snaprun: " + e.getMessage());
            return 2;
        }
        JobResult result;
        if (tcp) {
            RankStarter starter = RankStarter.LOCAL;
            if (options.cluster() != null) {
                try {
                    starter = submit(options, supervision, err);
                } catch (UsageException e) {
                    supervision.release();
                    err.println("snaprun: " + e.getMessage());
                    return 2;
                }
            }
            result = TcpJob.run(options, supervision, starter, out, err);
        } else {
            result = ShmJob.run(options, supervision, out, err);
        }
        if (!result.succeeded()) {
            report(result, tcp, err);
        }
        return result.exitCode();
    }

    /**
     * Places the job's ranks on the cluster {@code --cluster} names and says where they go.
     *
     * @throws UsageException when the secret cannot be read, the cluster cannot be reached or cannot take the ranks
     */
    private static ClusterRanks submit(LaunchOptions options, Supervision supervision, PrintStream err) {
        ClusterRanks ranks;
        try {
            ClusterSecret secret = ClusterSecret.read(Path.of(options.secretFile()));
            ranks = ClusterRanks.submit(options, supervision.policy(), secret, supervision.jobId(),
                    line -> err.println("snaprun: " + line));
        } catch (IllegalArgumentException | IOException e) {
            throw new UsageException(e.getMessage());
        }
        err.println("snaprun: cluster " + options.cluster() + ": " + ranks.where());
        return ranks;
    }

    private static void report(JobResult result, boolean tcp, PrintStream err) {
        for (JobResult.RankFailure f : result.failures()) {
            err.println("snaprun: " + FailureReport.describe(f));
        }
        if (!result.abandonedRanks().isEmpty()) {
            err.println("snaprun: rank(s) " + result.abandonedRanks() + " did not stop within "
                    + SupervisorTimeouts.DEFAULTS.abortGrace().toSeconds() + " s of the abort and were "
                    + (tcp ? "terminated" : "abandoned"));
        }
        err.println("snaprun: job ended with exit status " + result.exitCode() + " after "
                + result.wallTime().toMillis() + " ms");
        err.flush();
    }

    /** What the command line asks for that this build cannot do yet, or null when it can run it. */
    static String unavailable(LaunchOptions o) {
        boolean tcp = o.device().equals("tcp");
        if (o.jvmOpts() != null && !tcp) {
            return "--jvm-opts is for devices with one JVM per rank; -dev shm runs every rank in this JVM, "
                    + "so put JVM options in SNAPLINE_JAVA_OPTS";
        }
        if (o.failureTimeout() != null && !tcp) {
            return "--failure-timeout is for -dev tcp, where ranks are processes that can die; "
                    + "-dev shm ends the job when a rank fails";
        }
        return null;
    }

    /** {@code snaprun <version>} with the Java runtime it runs on. */
    static String version() {
        String v = "(development build)";
        try (InputStream in = Launcher.class.getResourceAsStream(POM_PROPERTIES)) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                v = p.getProperty("version", v);
            }
        } catch (IOException e) {
            // keep the development label
        }
        return "snaprun (Snapline) " + v + ", Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")";
    }
}
