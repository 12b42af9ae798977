package io.snapline.benchmarks.raw;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts a pair of {@link NioPeer} processes (two child JVMs of this one, with its class path and the given JVM
 * options), waits for both and returns what the timing side printed: {@code @result}/{@code @trials} lines.
 */
public final class NioBaseline {
    private static final long TIMEOUT_SECONDS = 600;

    private NioBaseline() {
    }

    /**
     * Runs {@code mode} (see {@link NioPeer}) between two processes and returns the timing side's standard output.
     *
     * @throws IllegalStateException when a side fails, with its standard error in the message
     */
    public static String run(List<String> jvmOptions, List<String> mode) {
        Process listener = null;
        Process connector = null;
        try {
            listener = start(jvmOptions, concat(List.of("listen"), mode));
            Drain listenerErr = Drain.start(listener.getErrorStream());
            BufferedReader out = new BufferedReader(new InputStreamReader(listener.getInputStream(), StandardCharsets.UTF_8));
            String first = out.readLine();
            if (first == null || !first.startsWith(NioPeer.PORT + " ")) {
                listener.waitFor(5, TimeUnit.SECONDS);
                throw new IllegalStateException("the listening NIO peer did not print its port (got '" + first
                        + "'); stderr:\n" + listenerErr.text());
            }
            String port = first.substring(NioPeer.PORT.length() + 1).trim();
            connector = start(jvmOptions, concat(List.of("connect", "127.0.0.1", port), mode));
            Drain connectorErr = Drain.start(connector.getErrorStream());
            Drain connectorOut = Drain.start(connector.getInputStream());
            StringBuilder result = new StringBuilder();
            for (String line; (line = out.readLine()) != null; ) {
                result.append(line).append('\n');
            }
            check("listening", listener, listenerErr);
            check("connecting", connector, connectorErr);
            connectorOut.text();
            return result.toString();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run the NIO baseline " + mode + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running the NIO baseline " + mode, e);
        } finally {
            for (Process p : new Process[] {listener, connector}) {
                if (p != null && p.isAlive()) {
                    p.destroyForcibly();
                }
            }
        }
    }

    private static void check(String side, Process p, Drain err) throws InterruptedException {
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the " + side + " NIO peer did not end within " + TIMEOUT_SECONDS + " s");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException("the " + side + " NIO peer failed with exit status " + p.exitValue()
                    + "; stderr:\n" + err.text());
        }
    }

    private static Process start(List<String> jvmOptions, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(NioPeer.class.getName());
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        return p;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    /** Reads a child's stream on a daemon thread so the child never blocks on a full pipe. */
    private static final class Drain {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final Thread thread;

        private Drain(InputStream in) {
            thread = new Thread(() -> {
                try (in) {
                    in.transferTo(bytes);
                } catch (IOException e) {
                    // the process is gone; what was read is kept
                }
            }, "nio-baseline-drain");
            thread.setDaemon(true);
        }

        static Drain start(InputStream in) {
            Drain d = new Drain(in);
            d.thread.start();
            return d;
        }

        String text() throws InterruptedException {
            thread.join(5_000);
            synchronized (bytes) {
                return bytes.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
