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
 * <p>{@link System.Logger} goes to {@code java.util.logging} here, whose loggers this configures: while it is on,
 * {@code io.snapline} and the loggers below it print at {@code FINE} ({@code DEBUG}) and above through its handler,
 * not through the root logger's console handler.
 */
public final class Verbose implements AutoCloseable {
    /** The system property that turns it on in a rank process ({@code -dev tcp}: {@link RankCommand} sets it). */
    public static final String PROPERTY = "snapline.verbose";

    /** Held, so that the logger is not collected and its configuration lost while a handler is on. */
    private static final Logger LOGGER = Logger.getLogger("io.snapline");
    private static int on;

    private final Handler handler;

    private Verbose(Handler handler) {
        this.handler = handler;
    }

    /** Prints Snapline's diagnostics to {@code err}, each line after {@code prefix}, until closed. */
    public static synchronized Verbose on(PrintStream err, String prefix) {
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
        if (on++ == 0) {
            LOGGER.setLevel(Level.FINE);
            LOGGER.setUseParentHandlers(false);
        }
        LOGGER.addHandler(h);
        return new Verbose(h);
    }

    /** Stops printing to this one's stream; the last one closed puts the loggers back as they were. */
    @Override
    public void close() {
        synchronized (Verbose.class) {
            LOGGER.removeHandler(handler);
            if (--on == 0) {
                LOGGER.setLevel(null);
                LOGGER.setUseParentHandlers(true);
            }
        }
    }

    /** {@code prefix[supervisor] message}: the logger's name without {@code io.snapline.}. */
    static String line(String prefix, String logger, String message) {
        String name = logger == null ? "" : logger.startsWith("io.snapline.") ? logger.substring(12) : logger;
        return prefix + "[" + name + "] " + message;
    }
}
