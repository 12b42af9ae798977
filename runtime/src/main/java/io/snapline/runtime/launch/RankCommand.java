package io.snapline.runtime.launch;

import io.snapline.runtime.checkpoint.CheckpointPolicy;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.security.CodeSource;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of one {@code -dev tcp} rank JVM: the launcher's own {@code java}, JVM options, the launcher's
 * runtime class path (which holds the checkpoint policies it found; the jar or directory of the job's policy is added
 * should it come from elsewhere, since the rank loads the policy by name) followed by the program's, then
 * {@link RankProcess} and its arguments. The job's token is not
 * here: it goes in the environment ({@link RankProcess#TOKEN_ENV}).
 *
 * <p>JVM options, in order: the {@code --add-opens} Kryo needs for {@code MPI.OBJECT} (as {@code bin/snaprun} gives
 * the launcher); defaults chosen for many JVMs sharing one host — the serial collector (one GC thread per rank) unless
 * {@code --jvm-opts} picks a collector, a heap of half the machine's memory shared among the ranks (128 MiB to 2 GiB
 * each) unless {@code --jvm-opts} sizes it, and JVM log messages sent to stderr with only warnings and errors; then
 * {@code --jvm-opts}, split on spaces, which may override the defaults.
 */
public final class RankCommand {
    /** JDK packages Kryo reads and writes the fields of. */
    static final List<String> KRYO_OPENS = List.of("java.lang", "java.lang.invoke", "java.lang.reflect", "java.io",
            "java.math", "java.net", "java.nio", "java.text", "java.time", "java.util", "java.util.concurrent",
            "java.util.concurrent.atomic", "java.util.concurrent.locks", "java.util.regex");
    private static final long MIB = 1024 * 1024;
    private static final long MIN_HEAP = 128 * MIB;
    private static final long MAX_HEAP = 2048 * MIB;

    private RankCommand() {
    }

    /**
     * A rank's command line in parts, so that it can run where another {@code java} and other copies of the class path
     * files are used (a cluster's agent).
     *
     * @param jvmOptions the JVM options
     * @param classPath  the class path's entries, in order
     * @param main       {@link RankProcess} and its arguments
     */
    record Line(List<String> jvmOptions, List<String> classPath, List<String> main) {
        Line {
            jvmOptions = List.copyOf(jvmOptions);
            classPath = List.copyOf(classPath);
            main = List.copyOf(main);
        }

        /** The command with {@code java} and the class path {@code classPath}. */
        List<String> with(String java, String classPath) {
            List<String> cmd = new ArrayList<>();
            cmd.add(java);
            cmd.addAll(jvmOptions);
            cmd.add("-cp");
            cmd.add(classPath);
            cmd.addAll(main);
            return cmd;
        }

        /** The command on this host: this launcher's {@code java}, the class path as given. */
        List<String> local() {
            return with(javaCommand(), String.join(File.pathSeparator, classPath));
        }
    }

    /** The command for rank {@code rank} of a job checkpointed by {@code policy}. */
    static Line of(LaunchOptions o, InetSocketAddress control, int rank, Duration failureTimeout,
            CheckpointPolicy policy) {
        List<String> main = new ArrayList<>();
        main.add(RankProcess.class.getName());
        main.add(control.getAddress().getHostAddress());
        main.add(Integer.toString(control.getPort()));
        main.add(Integer.toString(rank));
        main.add(Integer.toString(o.np()));
        main.add(Long.toString(failureTimeout.toMillis()));
        main.add(o.mainClass());
        main.addAll(o.programArgs());
        List<String> jvm = new ArrayList<>(jvmOptions(o.jvmOpts(), o.np(), physicalMemory()));
        if (o.verbose()) {
            jvm.add(jvm.size() - userOptions(o.jvmOpts()), "-D" + Verbose.PROPERTY + "=true");
        }
        return new Line(jvm, classPathOf(o, policy), main);
    }

    /** A rank's class path entries: the launcher's runtime, the policy's jar should it come from elsewhere, the program. */
    static List<String> classPathOf(LaunchOptions o, CheckpointPolicy policy) {
        String cp = classPath(withEntry(System.getProperty("java.class.path"), locationOf(policy.getClass())), o);
        return List.of(cp.split(File.pathSeparator, -1));
    }

    /** The {@code java} this launcher runs on. */
    static String javaCommand() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /** How many of a rank's JVM options {@code jvmOpts} (may be null) gives: they come last. */
    private static int userOptions(String jvmOpts) {
        return jvmOpts == null || jvmOpts.isBlank() ? 0 : jvmOpts.trim().split("\\s+").length;
    }

    /** JVM options for a rank: defaults first, {@code jvmOpts} (may be null) last. */
    public static List<String> jvmOptions(String jvmOpts, int np, long physicalMemory) {
        List<String> user = jvmOpts == null || jvmOpts.isBlank() ? List.of() : List.of(jvmOpts.trim().split("\\s+"));
        List<String> opts = new ArrayList<>();
        for (String pkg : KRYO_OPENS) {
            opts.add("--add-opens");
            opts.add("java.base/" + pkg + "=ALL-UNNAMED");
        }
        if (user.stream().noneMatch(u -> u.matches("-XX:\\+Use\\w*GC"))) {
            opts.add("-XX:+UseSerialGC");
        }
        if (user.stream().noneMatch(u -> u.startsWith("-Xmx") || u.startsWith("-XX:MaxHeapSize")
                || u.startsWith("-XX:MaxRAM"))) {
            long heap = Math.max(MIN_HEAP, Math.min(MAX_HEAP, physicalMemory / 2 / np));
            opts.add("-Xmx" + heap / MIB + "m");
        }
        opts.add("-Xlog:disable");
        opts.add("-Xlog:all=warning:stderr");
        opts.addAll(user);
        return opts;
    }

    /** The launcher's runtime class path, then the program's ({@code -jar}, {@code -cp} or the current directory). */
    static String classPath(String runtimeClassPath, LaunchOptions o) {
        String program = o.jar() != null ? o.jar() : o.classPath() != null ? o.classPath() : ".";
        return runtimeClassPath == null || runtimeClassPath.isEmpty()
                ? program : runtimeClassPath + File.pathSeparator + program;
    }

    /** {@code classPath} with {@code entry} appended unless it is null or already there. */
    static String withEntry(String classPath, String entry) {
        if (entry == null) {
            return classPath;
        }
        if (classPath == null || classPath.isEmpty()) {
            return entry;
        }
        for (String e : classPath.split(File.pathSeparator)) {
            if (e.equals(entry) || Path.of(e).toAbsolutePath().normalize().equals(Path.of(entry))) {
                return classPath;
            }
        }
        return classPath + File.pathSeparator + entry;
    }

    /** The jar or directory {@code c} was loaded from, or null when that is not a local file. */
    static String locationOf(Class<?> c) {
        CodeSource source = c.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null || !"file".equals(source.getLocation().getProtocol())) {
            return null;
        }
        try {
            return Path.of(source.getLocation().toURI()).toAbsolutePath().normalize().toString();
        } catch (URISyntaxException | IllegalArgumentException e) {
            return null;
        }
    }

    private static long physicalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return 4096 * MIB;
    }
}
