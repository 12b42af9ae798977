package io.snapline.benchmarks.cluster;

import io.snapline.runtime.cluster.ClassPathBundle;
import io.snapline.runtime.cluster.ClusterSecret;
import io.snapline.runtime.cluster.LaunchSpec;
import io.snapline.runtime.cluster.RemoteProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Starts agents as {@code bin/snapline agent} would (a JVM each, on loopback) and times, per repetition and each in a
 * fresh cluster: the first agent's start (launch to its "member of cluster" line), a second agent's start and join,
 * the time until the first notices a third that was killed ({@code SIGKILL}) and one that was frozen
 * ({@code SIGSTOP}: only its silence tells), a process started through an agent (class path cached) against the
 * same command started here, and a 6-rank job submitted with {@code snaprun --cluster} against the same job run here
 * with {@code -dev tcp}, each from launch to exit. Prints a Markdown table of medians and ranges.
 */
@Command(name = "snapbench-cluster", mixinStandardHelpOptions = true,
    description = "Times agents: start, join, noticing a lost agent, and starting a process through one.")
public final class ClusterBenchmark implements Callable<Integer> {
    @Option(names = "--repetitions", paramLabel = "R", description = "clusters started (default ${DEFAULT-VALUE})")
    private int repetitions = 3;

    @Option(names = "--out", paramLabel = "FILE.md", description = "also write the report to FILE.md")
    private Path out;

    private static final Pattern STARTED = Pattern.compile("snapline agent: member of cluster \\S+ at (\\S+) \\((\\d+) "
            + "members?;.* at (\\S+):(\\d+) with");

    public static void main(String[] args) {
        System.exit(new CommandLine(new ClusterBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        PrintStream progress = System.err;
        Path dir = Files.createTempDirectory("snapbench-cluster-");
        Path secretFile = dir.resolve("secret");
        ClusterSecret.generate(secretFile);
        ClusterSecret secret = ClusterSecret.read(secretFile);
        List<Double> start = new ArrayList<>();
        List<Double> join = new ArrayList<>();
        List<Double> killed = new ArrayList<>();
        List<Double> frozen = new ArrayList<>();
        List<Double> remote = new ArrayList<>();
        List<Double> local = new ArrayList<>();
        List<Double> submitted = new ArrayList<>();
        List<Double> tcpHere = new ArrayList<>();
        for (int rep = 1; rep <= repetitions; rep++) {
            String cluster = "bench" + System.nanoTime();
            progress.printf("repetition %d of %d: cluster %s%n", rep, repetitions, cluster);
            List<Agent> agents = new ArrayList<>();
            try {
                Agent first = Agent.start(cluster, secretFile, dir, List.of());
                agents.add(first);
                start.add(first.startSeconds);
                Agent second = Agent.start(cluster, secretFile, dir, List.of(first.member));
                agents.add(second);
                join.add(second.startSeconds);
                Agent third = Agent.start(cluster, secretFile, dir, List.of(first.member));
                agents.add(third);
                Agent fourth = Agent.start(cluster, secretFile, dir, List.of(first.member));
                agents.add(fourth);
                first.awaitLine("\\(4 members\\)", 60);

                long t0 = System.nanoTime();
                third.process.destroyForcibly();
                first.awaitLine("left \\(3 members\\)", 60);
                killed.add((System.nanoTime() - t0) / 1e9);

                new ProcessBuilder("kill", "-STOP", Long.toString(fourth.process.pid())).start().waitFor();
                t0 = System.nanoTime();
                first.awaitLine("left \\(2 members\\)", 60);
                frozen.add((System.nanoTime() - t0) / 1e9);
                new ProcessBuilder("kill", "-KILL", Long.toString(fourth.process.pid())).start().waitFor();

                timeProcesses(second, secret, dir, remote, local, progress);
                timeJobs(cluster, first, secretFile, submitted, tcpHere, progress);
            } finally {
                for (Agent a : agents) {
                    a.process.destroyForcibly();
                    a.process.waitFor(30, TimeUnit.SECONDS);
                }
            }
        }
        try (var walk = Files.walk(dir)) { // the secret and the agents' caches
            for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
        String report = report(start, join, killed, frozen, remote, local, submitted, tcpHere);
        System.out.print(report);
        if (out != null) {
            Files.writeString(out, report);
        }
        return 0;
    }

    /** A process started through {@code agent} (its class path cached after a first run) and the same started here. */
    private static void timeProcesses(Agent agent, ClusterSecret secret, Path dir, List<Double> remote,
            List<Double> local, PrintStream progress) throws Exception {
        Path classes = Path.of(Hello.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<ClassPathBundle.Entry> bundle = ClassPathBundle.of(List.of(classes), dir);
        LaunchSpec spec = new LaunchSpec("bench", 0, List.of(LaunchSpec.JAVA, "-Xshare:auto", "-cp",
                LaunchSpec.CLASS_PATH, Hello.class.getName()), Map.of(), bundle.stream().map(ClassPathBundle.Entry::spec)
                .toList());
        String java = ProcessHandle.current().info().command().orElse("java");
        for (int i = 0; i < 6; i++) {
            long t0 = System.nanoTime();
            RemoteProcess p = RemoteProcess.start(agent.server, secret, spec, RemoteProcess.filesOf(bundle),
                    Duration.ofSeconds(30));
            p.getInputStream().readAllBytes();
            if (p.waitFor() != 0) {
                throw new IOException("the process started through the agent failed: " + p.lostReason());
            }
            double r = (System.nanoTime() - t0) / 1e9;
            t0 = System.nanoTime();
            Process q = new ProcessBuilder(java, "-Xshare:auto", "-cp", classes.toString(), Hello.class.getName())
                    .redirectErrorStream(true).start();
            q.getInputStream().readAllBytes();
            q.waitFor();
            double l = (System.nanoTime() - t0) / 1e9;
            if (i > 0) { // the first run fetches the class path
                remote.add(r);
                local.add(l);
            }
        }
        progress.printf("  processes: through the agent %.3f s, here %.3f s (medians)%n", median(remote),
                median(local));
    }

    /** The packages of {@code java.base} the launcher opens to Kryo, as {@code bin/snaprun} does. */
    private static final List<String> OPENS = List.of("java.lang", "java.lang.invoke", "java.lang.reflect", "java.io",
            "java.math", "java.net", "java.nio", "java.text", "java.time", "java.util", "java.util.concurrent",
            "java.util.concurrent.atomic", "java.util.concurrent.locks", "java.util.regex");

    /**
     * A 6-rank job submitted to the cluster through {@code agent} (which with the second agent has 6 slots), and the
     * same job run here on {@code -dev tcp}, in turn; the first pair is a warm-up (it ships the class path).
     */
    private static void timeJobs(String cluster, Agent agent, Path secretFile, List<Double> submitted,
            List<Double> here, PrintStream progress) throws Exception {
        Path classes = Path.of(JobHello.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        for (int i = 0; i < 4; i++) {
            double c = job(List.of("--cluster", cluster + "@" + agent.member, "--secret-file", secretFile.toString()),
                    classes);
            double l = job(List.of("-dev", "tcp"), classes);
            if (i > 0) {
                submitted.add(c);
                here.add(l);
            }
        }
        progress.printf("  6-rank job: submitted to the cluster %.3f s, here on tcp %.3f s (medians)%n",
                median(submitted), median(here));
    }

    /** Runs {@code snaprun -np 6 FLAGS JobHello} as a process; returns its time from launch to exit, in seconds. */
    private static double job(List<String> flags, Path classes) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java")));
        for (String pkg : OPENS) {
            cmd.add("--add-opens");
            cmd.add("java.base/" + pkg + "=ALL-UNNAMED");
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.snapline.runtime.launch.Launcher", "-np",
                "6"));
        cmd.addAll(flags);
        cmd.addAll(List.of("-cp", classes.toString(), JobHello.class.getName()));
        long t0 = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = p.waitFor();
        double seconds = (System.nanoTime() - t0) / 1e9;
        if (status != 0 || !out.contains("JobHello: 6 ranks, sum of ranks 15")) {
            throw new IOException("the 6-rank job " + flags + " failed (exit status " + status + "):\n" + out);
        }
        return seconds;
    }

    private static String report(List<Double> start, List<Double> join, List<Double> killed, List<Double> frozen,
            List<Double> remote, List<Double> local, List<Double> submitted, List<Double> tcpHere) {
        StringBuilder b = new StringBuilder();
        b.append("Snapline cluster benchmark: agents as JVMs on this host (loopback), ").append(start.size())
                .append(" clusters\n\n");
        b.append("- machine: ").append(Runtime.getRuntime().availableProcessors()).append(" CPUs, Java ")
                .append(System.getProperty("java.vm.version")).append("\n\n");
        b.append("| what | median | range |\n|---|---|---|\n");
        row(b, "an agent starts (launch to ready, first of its cluster)", start);
        row(b, "an agent starts and joins a running one", join);
        row(b, "a killed agent (SIGKILL) is noticed by the others", killed);
        row(b, "a frozen agent (SIGSTOP) is noticed by the others", frozen);
        row(b, "a JVM started through an agent, to its exit (class path cached)", remote);
        row(b, "the same JVM started here, to its exit", local);
        row(b, "a 6-rank job submitted with snaprun --cluster to two agents, launch to exit", submitted);
        row(b, "the same job run here with -dev tcp, launch to exit", tcpHere);
        return b.toString();
    }

    private static void row(StringBuilder b, String what, List<Double> s) {
        double[] v = s.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        b.append(String.format(Locale.ROOT, "| %s | %.2f s | %.2f–%.2f s |%n", what, median(s), v[0], v[v.length - 1]));
    }

    private static double median(List<Double> s) {
        double[] v = s.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** An agent JVM and what it said when it was ready. */
    private static final class Agent {
        final Process process;
        final double startSeconds;
        final String member;
        final java.net.InetSocketAddress server;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

        private Agent(Process process, double startSeconds, String member, java.net.InetSocketAddress server) {
            this.process = process;
            this.startSeconds = startSeconds;
            this.member = member;
            this.server = server;
        }

        static Agent start(String cluster, Path secret, Path dir, List<String> members) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
                    System.getProperty("java.class.path"), "io.snapline.recovery.cli.SnaplineCli", "agent", "--cluster",
                    cluster, "--secret-file", secret.toString(), "--slots", "3", "--cache",
                    dir.resolve("cache").toString()));
            for (String m : members) {
                cmd.addAll(List.of("--member", m));
            }
            long t0 = System.nanoTime();
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // the agent ended
                }
            });
            reader.setDaemon(true);
            reader.start();
            while (true) {
                String line = lines.poll(120, TimeUnit.SECONDS);
                if (line == null) {
                    p.destroyForcibly();
                    throw new IOException("an agent did not say it was ready within 120 s");
                }
                Matcher m = STARTED.matcher(line);
                if (m.find()) {
                    Agent a = new Agent(p, (System.nanoTime() - t0) / 1e9, m.group(1),
                            new java.net.InetSocketAddress(m.group(3), Integer.parseInt(m.group(4))));
                    Thread forward = new Thread(() -> {
                        try {
                            while (true) {
                                a.lines.add(lines.take());
                            }
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
                    forward.setDaemon(true);
                    forward.start();
                    return a;
                }
            }
        }

        void awaitLine(String regex, int seconds) throws Exception {
            Pattern p = Pattern.compile(regex);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (true) {
                String line = lines.poll(Math.max(1, end - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (line == null) {
                    throw new IOException("no line matching " + regex + " within " + seconds + " s");
                }
                if (p.matcher(line).find()) {
                    return;
                }
            }
        }
    }

    /** What the timed processes run. */
    public static final class Hello {
        private Hello() {
        }

        public static void main(String[] args) {
            System.out.println("hello " + Arrays.toString(args));
        }
    }
}
