package io.snapline.benchmarks.bench;

import io.snapline.examples.Heat2D;
import io.snapline.examples.MasterWorker;
import io.snapline.examples.MatMul;
import io.snapline.examples.MonteCarloPi;
import io.snapline.examples.NBody;
import io.snapline.examples.Pipeline;
import io.snapline.examples.Ring;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A program a cell runs: its main class, its arguments and where its classes are.
 *
 * @param name      how tables show it: the example's simple name, or the user's class name
 * @param mainClass the fully qualified main class
 * @param args      the program's arguments
 * @param classPath the launcher's {@code -cp} for it
 */
public record Program(String name, String mainClass, List<String> args, String classPath) {
    /** The examples that checkpoint, by simple name, with the arguments the full matrix gives them. */
    private static final Map<String, Example> EXAMPLES = new LinkedHashMap<>();

    private record Example(Class<?> type, List<String> benchArgs) {
    }

    static {
        example(Heat2D.class, "256", "2000");
        example(NBody.class, "512", "100");
        example(MatMul.class, "512", "2");
        example(MasterWorker.class, "2000", "20000");
        example(Pipeline.class, "10000", "32", "200");
        example(Ring.class, "200", "5");
        example(MonteCarloPi.class, "20000000", "42", "50");
    }

    public Program {
        args = List.copyOf(args);
    }

    private static void example(Class<?> type, String... benchArgs) {
        EXAMPLES.put(type.getSimpleName().toLowerCase(Locale.ROOT), new Example(type, List.of(benchArgs)));
    }

    /** The examples {@code --programs} accepts by name. */
    static List<String> exampleNames() {
        return EXAMPLES.values().stream().map(e -> e.type().getSimpleName()).toList();
    }

    /** The programs of the full matrix: heat, N-body, matrix multiply, master/worker and pipeline. */
    static List<Program> defaults() {
        return List.of(parse("Heat2D", null), parse("NBody", null), parse("MatMul", null),
                parse("MasterWorker", null), parse("Pipeline", null));
    }

    /**
     * Reads one {@code --programs} item: an example's name ({@code Heat2D}, any case) or a main class of the
     * program on {@code userClassPath}, either followed by {@code :} and the program's arguments, separated by
     * spaces ({@code Heat2D:128 500}, {@code demo.Solver:--size 64}).
     *
     * @throws IllegalArgumentException for an empty name, or a class name without {@code -cp}
     */
    static Program parse(String spec, String userClassPath) {
        int colon = spec.indexOf(':');
        String name = (colon < 0 ? spec : spec.substring(0, colon)).trim();
        List<String> args = colon < 0 ? null
                : Arrays.stream(spec.substring(colon + 1).trim().split("\\s+")).filter(a -> !a.isEmpty()).toList();
        if (name.isEmpty()) {
            throw new IllegalArgumentException("--programs: '" + spec + "' names no program; give an example ("
                    + String.join(", ", exampleNames()) + ") or a main class with -cp");
        }
        Example e = EXAMPLES.get(name.toLowerCase(Locale.ROOT));
        if (e != null) {
            return new Program(e.type().getSimpleName(), e.type().getName(), args == null ? e.benchArgs() : args,
                    classPathOf(e.type()));
        }
        if (!name.matches("[\\p{javaJavaIdentifierStart}][\\p{javaJavaIdentifierPart}.$]*")) {
            throw new IllegalArgumentException("--programs: '" + name + "' is neither an example ("
                    + String.join(", ", exampleNames()) + ") nor a Java class name");
        }
        if (userClassPath == null) {
            throw new IllegalArgumentException("--programs: " + name + " is not an example ("
                    + String.join(", ", exampleNames()) + "); for a program of your own give its class path with -cp");
        }
        return new Program(name, name, args == null ? List.of() : args, userClassPath);
    }

    /** {@code Heat2D 256 2000}: the name and the arguments. */
    public String label() {
        return args.isEmpty() ? name : name + " " + String.join(" ", args);
    }

    private static String classPathOf(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the class path entry of " + c.getName(), e);
        }
    }
}
