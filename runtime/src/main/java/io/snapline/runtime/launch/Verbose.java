package io.snapline.runtime.launch;

import java.io.PrintStream;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * {@code snaprun -v}: the diagnostics Snapline's state machines log through {@link System.Logger} at
 * {@code DEBUG} (every change of state of the attempt's supervisor, of each rank and of the checkpoint protocols,
 * and why), printed one line each to standard error. Off by default: then nothing below {@code INFO} is printed, and
 * a state machine's check costs one level comparison.
 *
 * <p>{@link System.Logger} goes to {@code java.util.logging} here, whose loggers this configures: {@code io.snapline}
 * and the loggers below it print at {@code FINE} ({@code DEBUG}) and above through one handler, and not through the
 * root logger's console handler.
 */
public final class Verbose {
    /** The system property that turns it on in a rank process ({@code -dev tcp}: {@link RankCommand} sets it). */
    public static final String PROPERTY = "snapline.verbose";

    /** Held so that the configured logger is not collected and its configuration lost. */
    private static Logger configured;

    private Verbose() {
    }

    /** Prints Snapline's diagnostics to {@code err} from now on, each line after {@code prefix}. Idempotent. */
    public static synchronized void enable(PrintStream err, String prefix) {
        if (configured != null) {
            return;
        }
        Logger logger = Logger.getLogger("io.snapline");
        logger.setLevel(Level.FINE);
        logger.setUseParentHandlers(false);
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                if (isLoggable(r)) {
                    err.println(line(prefix, r.getLoggerName(), r.getMessage()));
                }
            }

            @Override
            public void flush() {
                err.flush();
            }

            @Override
            public void close() {
                err.flush();
            }
        };
        h.setLevel(Level.FINE);
        logger.addHandler(h);
        configured = logger;
    }

    /** {@code prefix[supervisor] message}: the logger's name without {@code io.snapline.}. */
    static String line(String prefix, String logger, String message) {
        String name = logger == null ? "" : logger.startsWith("io.snapline.") ? logger.substring(12) : logger;
        return prefix + "[" + name + "] " + message;
    }
}
