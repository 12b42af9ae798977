package io.snapline.runtime.launch;

import io.snapline.runtime.checkpoint.store.ClusterStoreUri;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;

/**
 * The command line that continues a job from its store: the job's own flags (devices, policy and its options,
 * class path, main class and arguments), with {@code --resume DIR} in place of {@code --store}, and without what
 * must not be repeated ({@code --inject-failure}; {@code --report}, which would overwrite this run's report). Paths
 * are absolute, so the command works from any directory; words are quoted for a POSIX shell.
 */
final class ResumeCommand {
    /** The name {@code bin/snaprun} was started by (it passes {@code -Dsnapline.command=$0}); else {@code snaprun}. */
    static final String COMMAND_PROPERTY = "snapline.command";

    private ResumeCommand() {
    }

    /** The command that resumes the job of {@code o} from the store in {@code dir}. */
    static String of(LaunchOptions o, Path dir) {
        return of(o, dir.toString());
    }

    /** The command that resumes the job of {@code o} from the store at {@code location}: a directory, or in a cluster. */
    static String of(LaunchOptions o, String location) {
        List<String> w = new ArrayList<>();
        w.add(System.getProperty(COMMAND_PROPERTY, "snaprun"));
        w.add("-np");
        w.add(Integer.toString(o.np()));
        if (!o.device().equals("shm")) {
            w.add("-dev");
            w.add(o.device());
        }
        if (o.cluster() != null) {
            w.add("--cluster");
            w.add(o.cluster());
            w.add("--secret-file");
            w.add(o.secretFile());
            if (o.ranksPerHost() > 0) {
                w.add("--ranks-per-host");
                w.add(Integer.toString(o.ranksPerHost()));
            }
        }
        if (o.tagOutput()) {
            w.add("--tag-output");
        }
        if (o.jvmOpts() != null) {
            w.add("--jvm-opts");
            w.add(o.jvmOpts());
        }
        if (o.failureTimeout() != null) {
            w.add("--failure-timeout");
            w.add(duration(o.failureTimeout()));
        }
        w.add("--checkpoint");
        w.add(o.checkpoint());
        o.policyOptions().forEach((flag, value) -> {
            w.add(flag);
            if (!value.isEmpty()) {
                w.add(value);
            }
        });
        if (o.interval() != null) {
            w.add("--interval");
            w.add(duration(o.interval()));
        }
        if (o.auto() != null) {
            w.add("--interval");
            w.add("auto");
            w.add("--mttf");
            w.add(duration(o.auto().mttf()));
            w.add("--formula");
            w.add(o.auto().formula().flag());
            if (o.auto().formula() == io.snapline.runtime.checkpoint.Interval.Formula.WONG_FRANKLIN) {
                w.add("--h");
                w.add(Double.toString(o.auto().h()));
            }
            if (o.auto().learn()) {
                w.add("--learn-mttf");
            }
        }
        if (o.compress() != io.snapline.runtime.checkpoint.Compression.NONE) {
            w.add("--compress");
            w.add(o.compress().flagValue());
        }
        if (o.incremental()) {
            w.add("--incremental");
        }
        if (o.async()) {
            w.add("--async");
        }
        if (o.checkpointTimeout() != null) {
            w.add("--checkpoint-timeout");
            w.add(duration(o.checkpointTimeout()));
        }
        if (o.maxRestarts() != LaunchOptions.DEFAULT_MAX_RESTARTS) {
            w.add("--max-restarts");
            w.add(Integer.toString(o.maxRestarts()));
        }
        w.add("--resume");
        w.add(ClusterStoreUri.isClusterStore(location) ? location
                : Path.of(location).toAbsolutePath().normalize().toString());
        if (o.allowNewArgs()) {
            w.add("--allow-new-args"); // the store still holds checkpoints taken with the old arguments
        }
        if (o.jar() != null) {
            w.add("-jar");
            w.add(Path.of(o.jar()).toAbsolutePath().normalize().toString());
            if (!namesMainClass(o.jar())) {
                w.add(o.mainClass());
            }
        } else {
            w.add("-cp");
            w.add(absoluteClassPath(o.classPath() == null ? "." : o.classPath()));
            w.add(o.mainClass());
        }
        w.addAll(o.programArgs());
        return ShellWords.join(w);
    }

    /** {@code -cp} with every entry made absolute ({@code dir/*} stays a wildcard). */
    static String absoluteClassPath(String cp) {
        List<String> out = new ArrayList<>();
        for (String entry : cp.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            boolean wildcard = entry.equals("*") || entry.endsWith("/*") || entry.endsWith(File.separator + "*");
            String base = wildcard ? (entry.length() == 1 ? "." : entry.substring(0, entry.length() - 2)) : entry;
            String abs = Path.of(base).toAbsolutePath().normalize().toString();
            out.add(wildcard ? abs + File.separator + "*" : abs);
        }
        return String.join(File.pathSeparator, out);
    }

    /** {@code 500ms}, {@code 30s}: a form {@code snaprun} parses back to the same duration. */
    static String duration(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }

    private static boolean namesMainClass(String jar) {
        try (JarFile file = new JarFile(jar)) {
            return file.getManifest() != null && file.getManifest().getMainAttributes().getValue("Main-Class") != null;
        } catch (IOException e) {
            return false;
        }
    }
}
