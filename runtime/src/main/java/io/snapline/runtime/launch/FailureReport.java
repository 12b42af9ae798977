package io.snapline.runtime.launch;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Pattern;

/**
 * Words the launcher's report of a failed job: which rank ended it and why, with the rank's stack trace. The frames
 * by which the launcher called the program's {@code main} (reflection, {@link ShmJob}) are left out, so the trace
 * ends at the program's own {@code main}. On {@code -dev tcp} the rank process words its own report and sends it to the
 * launcher (see {@link RankProcess}).
 */
final class FailureReport {
    /** Stack frames of the reflective call into {@code main} and of the rank thread around it. */
    private static final Pattern LAUNCH_FRAME = Pattern.compile(
            "\\tat (java\\.base/)?(jdk\\.internal\\.reflect\\.|java\\.lang\\.reflect\\.Method\\.invoke"
                    + "|io\\.snapline\\.runtime\\.launch\\.(ShmJob|RankProcess)[.$]|java\\.lang\\.Thread\\.run\\().*");

    private FailureReport() {
    }

    /** One paragraph for {@code f}: the rank and reason, then the stack trace when there is one. */
    static String describe(JobResult.RankFailure f) {
        if (f.error() == null) {
            return f.description();
        }
        return describe(f.rank(), f.error());
    }

    /** {@code rank failed with an uncaught exception:} and the trace of {@code error}, launcher frames left out. */
    static String describe(int rank, Throwable error) {
        StringWriter w = new StringWriter();
        error.printStackTrace(new PrintWriter(w));
        StringBuilder sb = new StringBuilder("rank ").append(rank).append(" failed with an uncaught exception:\n");
        String[] lines = w.toString().split("\\R");
        int end = lines.length;
        // Drop the launcher's frames at the bottom of the top-level trace; causes are printed after it.
        int firstCause = firstCauseLine(lines);
        int keepUntil = firstCause;
        while (keepUntil > 1 && LAUNCH_FRAME.matcher(lines[keepUntil - 1]).matches()) {
            keepUntil--;
        }
        for (int i = 0; i < end; i++) {
            if (i >= keepUntil && i < firstCause) {
                continue;
            }
            sb.append(lines[i]).append('\n');
        }
        return sb.toString().stripTrailing();
    }

    private static int firstCauseLine(String[] lines) {
        for (int i = 1; i < lines.length; i++) {
            if (!lines[i].startsWith("\t")) {
                return i;
            }
        }
        return lines.length;
    }
}
