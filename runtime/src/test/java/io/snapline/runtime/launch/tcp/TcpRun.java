package io.snapline.runtime.launch.tcp;

import io.snapline.runtime.launch.Launcher;
import io.snapline.runtime.testing.MpiRun;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/** Runs {@code snaprun -dev tcp} in this JVM (the ranks are child processes) and captures what it prints. */
final class TcpRun {
    /** The launcher's exit status, output and error output. */
    record Result(int status, String out, String err, long millis) {
        List<String> outLines() {
            return out.lines().toList();
        }
    }

    /** A job running in the background. */
    static final class Running {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final CompletableFuture<Result> result;

        Running(String[] argv) {
            long start = System.nanoTime();
            PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
            PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
            result = CompletableFuture.supplyAsync(() -> {
                int status = Launcher.run(argv, o, e);
                return new Result(status, text(out), text(err), (System.nanoTime() - start) / 1_000_000);
            });
        }

        String out() {
            return text(out);
        }

        String err() {
            return text(err);
        }

        private static String text(ByteArrayOutputStream b) {
            synchronized (b) {
                return b.toString(StandardCharsets.UTF_8);
            }
        }
    }

    private TcpRun() {
    }

    static String[] argv(int np, List<String> flags, Class<?> main, String... args) {
        List<String> a = new ArrayList<>(List.of("-np", Integer.toString(np), "-dev", "tcp", "-cp",
                MpiRun.classPathOf(main)));
        a.addAll(flags);
        a.add(main.getName());
        a.addAll(List.of(args));
        return a.toArray(new String[0]);
    }

    static Result run(int np, List<String> flags, Class<?> main, String... args) {
        return new Running(argv(np, flags, main, args)).result.join();
    }

    static Running start(int np, List<String> flags, Class<?> main, String... args) {
        return new Running(argv(np, flags, main, args));
    }

    /** The rank processes below {@code parent}, found by their main class. */
    static List<ProcessHandle> ranks(ProcessHandle parent) {
        return parent.descendants().filter(TcpRun::isRank).toList();
    }

    static boolean isRank(ProcessHandle h) {
        Optional<String[]> args = h.info().arguments();
        return args.isPresent() && List.of(args.get()).contains("io.snapline.runtime.launch.RankProcess");
    }

    /** The rank number of a rank process, from its command line. */
    static int rankOf(ProcessHandle h) {
        List<String> args = List.of(h.info().arguments().orElseThrow());
        return Integer.parseInt(args.get(args.indexOf("io.snapline.runtime.launch.RankProcess") + 3));
    }

    /** The control port a rank process was told to connect to. */
    static int controlPortOf(ProcessHandle h) {
        List<String> args = List.of(h.info().arguments().orElseThrow());
        return Integer.parseInt(args.get(args.indexOf("io.snapline.runtime.launch.RankProcess") + 2));
    }

    static void await(BooleanSupplier condition, long millis, String what) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + millis + " ms waiting for " + what);
            }
            Thread.sleep(20);
        }
    }
}
