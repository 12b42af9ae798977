package io.snapline.runtime.launch;

import java.io.PrintStream;
import java.util.Arrays;

/**
 * {@code snaprun}: parses the command line, runs the job and turns its outcome into an exit status
 * (0 when every rank finished, the {@code Abort} code or 1 when a rank failed, 2 for a bad command line).
 */
public final class Launcher {
    private Launcher() {
    }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        System.out.flush();
        System.err.flush();
        // Rank threads that ignored the abort must not keep the launcher alive.
        System.exit(status);
    }

    /** Runs {@code snaprun} with the given arguments and returns its exit status. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || Arrays.asList(args).contains("-h") && indexOfMain(args) < 0
                || args.length == 1 && args[0].equals("--help")) {
            (args.length == 0 ? err : out).println(LaunchOptions.USAGE);
            return args.length == 0 ? 2 : 0;
        }
        LaunchOptions options;
        try {
            options = LaunchOptions.parse(args);
            ShmJob.classPath(options);
            ShmJob.mainClass(options);
        } catch (UsageException e) {
            err.println("snaprun: " + e.getMessage());
            err.println(LaunchOptions.USAGE);
            return 2;
        }
        if (!options.checkpoint().equals("none")) {
            err.println("snaprun: checkpoint policy '" + options.checkpoint()
                    + "' is not installed in this build; only --checkpoint none is available");
            return 2;
        }
        JobResult result = ShmJob.run(options, out, err);
        if (!result.succeeded()) {
            for (JobResult.RankFailure f : result.failures()) {
                err.println("snaprun: " + ShmJob.describe(f));
            }
            err.println("snaprun: job ended with exit status " + result.exitCode() + " after "
                    + result.wallTime().toMillis() + " ms");
        }
        return result.exitCode();
    }

    private static int indexOfMain(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("-") && (i == 0 || !takesValue(args[i - 1]))) {
                return i;
            }
        }
        return -1;
    }

    private static boolean takesValue(String flag) {
        return !flag.contains("=") && !flag.equals("--tag-output") && !flag.equals("-h") && !flag.equals("--help");
    }
}
