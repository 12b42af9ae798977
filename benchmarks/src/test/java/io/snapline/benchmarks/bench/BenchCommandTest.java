package io.snapline.benchmarks.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** What {@code snapline bench} makes of its command line, and how it refuses a bad one. */
@Timeout(60)
class BenchCommandTest {
    /** Runs the command line up to the point where it would start jobs: parsing and checking only. */
    private static BenchCommand.Plan plan(String... args) {
        CommandLine cl = BenchCommand.commandLine();
        cl.parseArgs(args);
        return ((BenchCommand) cl.getCommand()).plan();
    }

    /** {@code args} split on spaces, a single-quoted part kept as one word. */
    private static String[] words(String args) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("'([^']*)'|(\\S+)").matcher(args);
        List<String> words = new java.util.ArrayList<>();
        while (m.find()) {
            words.add(m.group(1) != null ? m.group(1) : m.group(2));
        }
        return words.toArray(new String[0]);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "--repeat 0 | --repeat: at least 1 run per cell, got 0",
        "--ranks 0 | --ranks: rank counts are at least 1, got 0",
        "--ranks two | Invalid value for option '--ranks'",
        "--devices ib | --devices: shm or tcp, got 'ib'",
        "--programs NoSuchProgram | --programs: NoSuchProgram is not an example (Heat2D, NBody",
        "--programs 9lives | --programs: '9lives' is neither an example",
        "--policies independent/sometimes | the launcher refuses the cell",
        "--policies coordinated/pessimistic | only independent takes a logging mode",
        "--policies hopeful | the launcher refuses the cell Heat2D 256 2000 · hopeful · 4 ranks shm",
        "--options async | --options: 'async' is not a launcher option set",
        "--options '--no-such-flag' | the launcher refuses the cell",
        "--options '--store elsewhere' | --store is given more than once",
        "--failures rank=x | the launcher refuses the cell",
        "--interval soon | the launcher refuses the cell",
        "--run-timeout forever | --run-timeout",
        "--bogus | Unknown option: '--bogus'",
        "--policies none --failures rank=1,point=5 | --failures needs a policy that checkpoints in --policies",
        "--policies none --options --async | --options needs a policy that checkpoints in --policies",
    })
    void shouldExitWithStatusTwoAndSayWhyWhenAFlagIsBad(String args, String expected) {
        StringWriter err = new StringWriter();
        CommandLine cl = BenchCommand.commandLine();
        cl.setErr(new PrintWriter(err, true));

        int status = cl.execute(words(args));

        assertEquals(2, status, err.toString());
        if (expected != null) {
            assertTrue(err.toString().contains(expected), "expected '" + expected + "' in:\n" + err);
        }
        assertTrue(err.toString().contains("Usage: snapline bench"), err.toString());
    }

    @Test
    void shouldListEveryFlagWhenAskedForHelp() {
        StringWriter out = new StringWriter();
        CommandLine cl = BenchCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));

        assertEquals(0, cl.execute("--help"));
        for (String flag : List.of("--programs", "--policies", "--options", "--ranks", "--devices", "--failures",
                "--repeat", "--interval", "--out", "--quick", "-cp", "--run-timeout", "--jvm-opts", "--work")) {
            assertTrue(java.util.regex.Pattern.compile("\\s" + flag + "[=, ]").matcher(out.toString()).find(),
                    flag + " missing from:\n" + out);
        }
        assertTrue(out.toString().replaceAll("\\s+", " ").contains("Those files of an earlier bench in --out are "
                + "deleted before it starts"), out.toString());
    }

    @Test
    void shouldPlanTheSmallMatrixWithOneFailingCellWhenQuick() {
        BenchCommand.Plan p = plan("--quick");

        assertEquals(1, p.matrix().repeat());
        assertEquals(List.of(
                "Heat2D 192 8000 · none · 4 ranks shm",
                "Heat2D 192 8000 · coordinated · 4 ranks shm",
                "Heat2D 192 8000 · coordinated-nb · 4 ranks shm",
                "Heat2D 192 8000 · independent/pessimistic · 4 ranks shm",
                "MasterWorker 1000 100000 · none · 4 ranks shm",
                "MasterWorker 1000 100000 · coordinated · 4 ranks shm",
                "MasterWorker 1000 100000 · coordinated-nb · 4 ranks shm",
                "MasterWorker 1000 100000 · independent/pessimistic · 4 ranks shm",
                "Heat2D 192 8000 · coordinated · 4 ranks shm · fail " + BenchCommand.QUICK_FAILURE),
                p.matrix().cells().stream().map(Cell::label).toList());
    }

    @Test
    void shouldAddNoneAndKeepTheGivenDimensionsWhenFlagsOverrideQuick() {
        BenchCommand.Plan p = plan("--quick", "--programs", "Ring:5 0", "--policies", "coordinated",
                "--options", "--async,--compress lz4", "--ranks", "2,3", "--repeat", "2");

        assertEquals(2, p.matrix().repeat());
        assertEquals(List.of(
                "Ring 5 0 · none · 2 ranks shm",
                "Ring 5 0 · coordinated · 2 ranks shm",
                "Ring 5 0 · coordinated --async · 2 ranks shm",
                "Ring 5 0 · coordinated --compress lz4 · 2 ranks shm",
                "Ring 5 0 · none · 3 ranks shm",
                "Ring 5 0 · coordinated · 3 ranks shm",
                "Ring 5 0 · coordinated --async · 3 ranks shm",
                "Ring 5 0 · coordinated --compress lz4 · 3 ranks shm"),
                p.matrix().cells().stream().map(Cell::label).toList());
    }

    @Test
    void shouldTakeTheOptionsIntervalInsteadOfTheBenchsWhenGivenWithEquals() {
        BenchCommand.Plan p = plan("--programs", "Ring:5 0", "--policies", "coordinated", "--options",
                "--interval=1s,--every=5", "--ranks", "2");

        List<String> args = p.matrix().cells().get(2).launcherArgs(p.interval(), java.nio.file.Path.of("run"));
        assertTrue(args.contains("--interval=1s"), args.toString());
        assertEquals(1, args.stream().filter(a -> a.startsWith("--interval")).count(), args.toString());
        List<String> every = p.matrix().cells().get(3).launcherArgs(p.interval(), java.nio.file.Path.of("run"));
        assertTrue(every.contains("--every=5") && !every.contains("--interval"), every.toString());
    }

    @Test
    void shouldDeleteTheFilesOfAnEarlierBenchAndKeepTheOthersWhenOutIsCleared(@TempDir Path out) throws Exception {
        for (String f : List.of("report.md", "report.csv", "overhead.svg", "recovery.svg", "runs.csv",
                "runs/cell9-run1.json", "notes.txt", "mine.svg", "report.txt")) {
            Files.createDirectories(out.resolve(f).getParent());
            Files.writeString(out.resolve(f), "stale");
        }

        BenchCommand.clearOut(out);

        try (var left = Files.list(out)) {
            assertEquals(List.of("mine.svg", "notes.txt", "report.txt"),
                    left.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void shouldRunAUserClassFromItsClassPathWhenGivenCp() {
        BenchCommand.Plan p = plan("--programs", "demo.Solver:--size 64", "-cp", "app.jar", "--policies", "none");

        Program program = p.matrix().cells().get(0).program();
        assertEquals(new Program("demo.Solver", "demo.Solver", List.of("--size", "64"), "app.jar"), program);
    }
}
