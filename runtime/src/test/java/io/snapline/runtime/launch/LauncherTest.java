package io.snapline.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.snapline.runtime.json.JsonText;
import io.snapline.runtime.testing.MpiRun;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import mpi.MPI;
import mpi.MPIException;
import mpi.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Launcher#run} in this JVM: exit statuses, the failure report, usage errors and prompt ends of failed jobs. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class LauncherTest {

    /** What one {@code snaprun} invocation printed and returned. */
    record Run(int status, String out, String err) {
    }

    private static Run snaprun(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Launcher.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@code snaprun -np N -cp <test classes> main args...}. */
    private static Run job(int np, Class<?> main, String... args) {
        List<String> argv = new ArrayList<>(List.of("-np", Integer.toString(np), "-cp", MpiRun.classPathOf(main),
                main.getName()));
        argv.addAll(Arrays.asList(args));
        return snaprun(argv.toArray(new String[0]));
    }

    /** Prints one line per rank with the arguments {@code MPI.Init} returned. */
    public static class Hello {
        public static void main(String[] args) {
            String[] mine = MPI.Init(args);
            System.out.println("hello from " + MPI.COMM_WORLD.Rank() + " of " + MPI.COMM_WORLD.Size()
                    + " args " + Arrays.toString(mine));
            MPI.Finalize();
        }
    }

    @Test
    void shouldExitZeroAndPassProgramArgsWhenEveryRankFinishes() {
        Run r = job(3, Hello.class, "a", "--b");
        assertEquals(0, r.status(), r.err());
        assertEquals("", r.err());
        List<String> lines = r.out().lines().sorted().toList();
        assertEquals(List.of("hello from 0 of 3 args [a, --b]", "hello from 1 of 3 args [a, --b]",
                "hello from 2 of 3 args [a, --b]"), lines);
    }

    @Test
    void shouldPrintEveryChangeOfTheSupervisorsStateAndWhyWhenVerboseAndNothingOtherwise() {
        Run r = snaprun("-np", "2", "-v", "-cp", MpiRun.classPathOf(Thrower.class), Thrower.class.getName());

        assertEquals(1, r.status(), r.err());
        List<String> said = r.err().lines().filter(l -> l.startsWith("snaprun: [supervisor] ")).toList();
        assertTrue(said.contains("snaprun: [supervisor] attempt STARTING -> RUNNING: every rank joined"), r.err());
        assertTrue(said.stream().anyMatch(l -> l.startsWith("snaprun: [supervisor] rank 1 ")
                && l.contains(" -> FAILED: ") && l.contains("boom in rank 1")), r.err());
        assertTrue(said.get(said.size() - 1).matches("snaprun: \\[supervisor\\] attempt \\w+ -> ENDED: .*"), r.err());

        Run quiet = job(2, Thrower.class);
        assertEquals(1, quiet.status(), quiet.err());
        assertFalse(quiet.err().contains("[supervisor]"), "off once the verbose run ended: " + quiet.err());
    }

    /** Rank 1 throws; the others wait in a receive that will never be matched. */
    public static class Thrower {
        public static void main(String[] args) {
            MPI.Init(args);
            if (MPI.COMM_WORLD.Rank() == 1) {
                throw new IllegalStateException("boom in rank 1");
            }
            MPI.COMM_WORLD.Recv(new int[1], 0, 1, MPI.INT, 1, 0);
            MPI.Finalize();
        }
    }

    @Test
    void shouldExitOneAndReportRankWithStackTraceWhenRankThrows() {
        Run r = job(3, Thrower.class);
        assertEquals(1, r.status());
        List<String> err = r.err().lines().toList();
        assertEquals("snaprun: rank 1 failed with an uncaught exception:", err.get(0));
        assertEquals("java.lang.IllegalStateException: boom in rank 1", err.get(1));
        // the frame names the rank's class loader: "rank-1//io.snapline..."
        assertTrue(err.get(2).startsWith("\tat rank-1//io.snapline.runtime.launch.LauncherTest$Thrower.main(LauncherTest.java:"),
                err.get(2));
        assertFalse(r.err().contains("ShmJob"), "the launcher's own frames are left out:\n" + r.err());
        assertFalse(r.err().contains("reflect"), r.err());
        assertTrue(err.get(err.size() - 1).matches("snaprun: job ended with exit status 1 after \\d+ ms"), r.err());
        assertEquals(1, r.err().split("failed", -1).length - 1, "only the first failure is reported:\n" + r.err());
    }

    /** Rank 0 calls {@code Abort(args[0])}; the others wait in a barrier rank 0 never enters. */
    public static class Aborter {
        public static void main(String[] args) {
            String[] mine = MPI.Init(args);
            if (MPI.COMM_WORLD.Rank() == 0) {
                MPI.COMM_WORLD.Abort(Integer.parseInt(mine[0]));
            }
            MPI.COMM_WORLD.Barrier();
            MPI.Finalize();
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {3, 42, 0, 256, 300, -1})
    void shouldExitWithAbortCodeWhenRankCallsAbort(int code) {
        Run r = job(4, Aborter.class, Integer.toString(code));
        int expected = (code & 0xFF) == 0 ? 1 : code & 0xFF;
        assertEquals(expected, r.status(), r.err());
        List<String> err = r.err().lines().toList();
        assertEquals("snaprun: rank 0 called Abort(" + code + ")", err.get(0));
        assertTrue(err.get(1).startsWith("snaprun: job ended with exit status " + expected + " after "), r.err());
        assertEquals(2, err.size(), r.err());
    }

    /**
     * The aborting rank's own end races the others' wake-up, which may tell the supervisor of the abort first: the
     * abort must reach it before that end, or the rank counts as dead without a word (status 1). Once in about 1,500
     * runs before the fix; 500 runs take about a second.
     */
    @Test
    void shouldReportAbortBeforeTheAbortingRankEndsInEveryRun() {
        for (int i = 0; i < 500; i++) {
            Run r = job(4, Aborter.class, "3");
            assertEquals(3, r.status(), "run " + i + ": " + r.err());
        }
    }

    /**
     * Rank 0 fails while the others are blocked in the operation named by {@code args[0]}; a released rank prints
     * what woke it, then fails in turn (which must not be reported as the cause).
     */
    public static class BlockedWhileOtherFails {
        public static void main(String[] args) throws Exception {
            String mode = MPI.Init(args)[0];
            int me = MPI.COMM_WORLD.Rank();
            if (me == 0) {
                Thread.sleep(150);
                throw new ArithmeticException("rank 0 divides by zero");
            }
            try {
                switch (mode) {
                    case "recv" -> MPI.COMM_WORLD.Recv(new double[4], 0, 4, MPI.DOUBLE, 0, 9);
                    case "barrier" -> MPI.COMM_WORLD.Barrier();
                    case "wait" -> {
                        Request req = MPI.COMM_WORLD.Irecv(new int[1], 0, 1, MPI.INT, MPI.ANY_SOURCE, MPI.ANY_TAG);
                        req.Wait();
                    }
                    case "probe" -> MPI.COMM_WORLD.Probe(0, 5);
                    case "sleep" -> Thread.sleep(60_000);
                    default -> throw new IllegalArgumentException(mode);
                }
            } catch (MPIException | InterruptedException e) {
                System.out.println("rank " + me + " released by " + e.getClass().getSimpleName());
                throw e;
            }
            System.out.println("rank " + me + " was not released but completed " + mode);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"recv", "barrier", "wait", "probe", "sleep"})
    void shouldReleaseBlockedRanksPromptlyWhenAnotherRankFails(String mode) {
        List<String> argv = List.of("-np", "4", "-cp", MpiRun.classPathOf(BlockedWhileOtherFails.class),
                BlockedWhileOtherFails.class.getName(), mode);
        LaunchOptions options = LaunchOptions.parse(argv.toArray(new String[0]));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JobResult result = ShmJob.run(options, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(OutputStream.nullOutputStream()));
        assertEquals(1, result.exitCode());
        assertEquals(List.of(), result.abandonedRanks(), "every blocked rank unwound within the grace period");
        assertEquals(0, result.failures().get(0).rank());
        assertTrue(result.failures().get(0).error() instanceof ArithmeticException);
        String kind = mode.equals("sleep") ? "InterruptedException" : "MPIException";
        assertEquals(List.of("rank 1 released by " + kind, "rank 2 released by " + kind, "rank 3 released by " + kind),
                out.toString(StandardCharsets.UTF_8).lines().sorted().toList());
    }

    @Test
    void shouldPrintUsageErrorAndExitTwoWhenFlagIsUnknown() {
        Run r = snaprun("-np", "2", "--bogus", "demo.Main");
        assertEquals(2, r.status());
        assertEquals("", r.out());
        assertEquals(List.of("snaprun: unknown option '--bogus'", LaunchOptions.SYNOPSIS,
                "Run 'snaprun --help' for the flags."), r.err().lines().toList());
    }

    @Test
    void shouldPrintUsageErrorAndExitTwoWhenValueIsMalformed() {
        Run r = snaprun("-np", "many", "demo.Main");
        assertEquals(2, r.status());
        assertEquals("snaprun: -np needs an integer, got 'many'", r.err().lines().findFirst().orElseThrow());
    }

    @Test
    void shouldPrintUsageAndExitTwoWhenGivenNothing() {
        Run r = snaprun();
        assertEquals(2, r.status());
        assertEquals(LaunchOptions.usage(), r.err().stripTrailing());
    }

    @Test
    void shouldPrintUsageAndExitZeroWhenAskedForHelp() {
        for (String[] argv : List.of(new String[] {"-h"}, new String[] {"--help"}, new String[] {"-np", "2", "--help"})) {
            Run r = snaprun(argv);
            assertEquals(0, r.status());
            assertEquals(LaunchOptions.usage(), r.out().stripTrailing());
            assertEquals("", r.err());
        }
    }

    @Test
    void shouldPrintVersionWhenAsked() {
        Run r = snaprun("--version");
        assertEquals(0, r.status());
        assertTrue(r.out().startsWith("snaprun (Snapline) "), r.out());
        assertTrue(r.out().contains("Java " + Runtime.version()), r.out());
    }

    @Test
    void shouldSayPolicyIsNotInstalledWhenItsJarIsMissing() {
        for (String policy : List.of("coordinated", "coordinated-nb", "independent")) {
            Run c = snaprun("-np", "2", "--checkpoint", policy, "--interval", "1s", "-cp",
                    MpiRun.classPathOf(Hello.class), Hello.class.getName());
            assertEquals(2, c.status());
            assertEquals("", c.out(), "no rank ran");
            assertEquals("snaprun: checkpoint policy '" + policy + "' is not installed in this build (installed: "
                    + "none); its jar must be on the launcher's class path\n" + LaunchOptions.SYNOPSIS + "\n"
                    + "Run 'snaprun --help' for the flags.\n", c.err());
        }
    }

    /** Passes 20 safe points. */
    public static class Points {
        public static void main(String[] args) {
            MPI.Init(args);
            for (int i = 0; i < 20; i++) {
                io.snapline.checkpoint.Checkpoint.point();
            }
            System.out.println("points " + io.snapline.checkpoint.Checkpoint.points());
            MPI.Finalize();
        }
    }

    @Test
    void shouldWarnOfAnInjectedFailureThatNeverStruckInTheTerminalAndTheReport() throws Exception {
        String cp = MpiRun.classPathOf(Points.class);
        java.nio.file.Path json = java.nio.file.Files.createTempFile("snapline-report", ".json");
        Run run = snaprun("-np", "2", "--inject-failure", "rank=1,point=21", "--inject-failure", "rank=0,point=3",
                "--report", json.toString(), "-cp", cp, Points.class.getName());
        assertEquals(1, run.status(), run.err());
        String warning = "--inject-failure rank 1 at safe point 21 never struck: the job ended before (a rank passes "
                + "fewer safe points or checkpoints than asked, or ends sooner)";
        assertTrue(run.err().contains("snaprun: warning: " + warning), run.err());
        assertFalse(run.err().contains("rank 0 at safe point 3 never struck"), "that one struck: " + run.err());
        java.util.List<String> warnings = new java.util.ArrayList<>();
        JsonText.MAPPER.readTree(json.toFile()).get("warnings").forEach(w -> warnings.add(w.asText()));
        assertTrue(warnings.stream().anyMatch(w -> w.contains(warning)), warnings.toString());
        java.nio.file.Files.delete(json);
    }

    @Test
    void shouldEndTheJobNamingTheKilledRankWhenAFailureIsInjectedWithoutCheckpoints() throws Exception {
        String cp = MpiRun.classPathOf(Points.class);
        java.nio.file.Path json = java.nio.file.Files.createTempFile("snapline-report", ".json");
        Run inject = snaprun("-np", "2", "--inject-failure", "rank=1,point=5", "--report", json.toString(), "-cp", cp,
                Points.class.getName());
        assertEquals(1, inject.status(), inject.err());
        assertTrue(inject.err().contains("rank 1 was killed (injected failure at safe point 5)"), inject.err());
        JsonNode report = JsonText.MAPPER.readTree(json.toFile());
        assertEquals("none", report.get("policy").asText(), report.toString());
        assertEquals("failed with exit status 1", report.get("outcome").asText(), report.toString());
        java.nio.file.Files.delete(json);
        Run jvm = snaprun("-np", "2", "--jvm-opts", "-Xmx1g", "-cp", cp, Hello.class.getName());
        assertEquals(2, jvm.status());
        assertTrue(jvm.err().contains("put JVM options in SNAPLINE_JAVA_OPTS"), jvm.err());
    }

    /** Has no main method. */
    public static class NoMain {
        public static void run() {
        }
    }

    @Test
    void shouldExitTwoBeforeStartingRanksWhenMainClassIsMissingOrHasNoMain() {
        String cp = MpiRun.classPathOf(Hello.class);
        Run missing = snaprun("-np", "2", "-cp", cp, "io.snapline.nowhere.Main");
        assertEquals(2, missing.status());
        assertEquals("snaprun: main class io.snapline.nowhere.Main was not found on the class path '" + cp
                + "'; check the package name and -cp", missing.err().lines().findFirst().orElseThrow());
        Run noMain = snaprun("-np", "2", "-cp", cp, NoMain.class.getName());
        assertEquals(2, noMain.status());
        assertEquals("snaprun: " + NoMain.class.getName() + " has no public static void main(String[] args)",
                noMain.err().lines().findFirst().orElseThrow());
        Run noDir = snaprun("-np", "2", "-cp", cp + "-nowhere", Hello.class.getName());
        assertEquals(2, noDir.status());
        assertTrue(noDir.err().startsWith("snaprun: class path entry '" + cp + "-nowhere' does not exist"), noDir.err());
    }

    /** Run from a jar whose manifest names it. */
    public static class JarHello {
        public static void main(String[] args) {
            String[] mine = MPI.Init(args);
            System.out.println("jar rank " + MPI.COMM_WORLD.Rank() + " args " + Arrays.toString(mine));
            MPI.Finalize();
        }
    }

    @Test
    void shouldRunManifestMainClassWithProgramArgsWhenGivenJar(@TempDir Path dir) throws IOException {
        Path jar = dir.resolve("app.jar");
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        m.getMainAttributes().put(Attributes.Name.MAIN_CLASS, JarHello.class.getName());
        String entry = JarHello.class.getName().replace('.', '/') + ".class";
        try (OutputStream os = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(os, m);
                InputStream in = JarHello.class.getClassLoader().getResourceAsStream(entry)) {
            out.putNextEntry(new JarEntry(entry));
            in.transferTo(out);
            out.closeEntry();
        }
        Run r = snaprun("-np", "2", "-jar", jar.toString(), "in.txt", "3");
        assertEquals(0, r.status(), r.err());
        assertEquals(List.of("jar rank 0 args [in.txt, 3]", "jar rank 1 args [in.txt, 3]"),
                r.out().lines().sorted().toList());
    }
}
