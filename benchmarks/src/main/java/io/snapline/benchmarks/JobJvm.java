package io.snapline.benchmarks;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command that starts the launcher in a fresh JVM as {@code bin/snaprun} does: this JVM's {@code java}, the
 * {@code --add-opens} Kryo needs for the program state, the given JVM options, this JVM's class path (which holds the
 * runtime and the policies) and the launcher's main class. The caller appends the launcher's flags and the program.
 */
public final class JobJvm {
    private static final List<String> KRYO_OPENS = List.of("java.lang", "java.lang.invoke", "java.lang.reflect",
            "java.io", "java.math", "java.net", "java.nio", "java.text", "java.time", "java.util",
            "java.util.concurrent", "java.util.concurrent.atomic", "java.util.concurrent.locks", "java.util.regex");
    private static final String LAUNCHER = "io.snapline.runtime.launch.Launcher";

    private JobJvm() {
    }

    /** {@code java --add-opens ... JVM_OPTIONS -cp CLASSPATH io.snapline.runtime.launch.Launcher}. */
    public static List<String> launcherCommand(List<String> jvmOptions) {
        List<String> cmd = new ArrayList<>();
        cmd.add(ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        for (String pkg : KRYO_OPENS) {
            cmd.add("--add-opens");
            cmd.add("java.base/" + pkg + "=ALL-UNNAMED");
        }
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(LAUNCHER);
        return cmd;
    }
}
