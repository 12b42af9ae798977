package io.snapline.benchmarks.completion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class CompletionCommandTest {
    private record Run(int status, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new CompletionCommand());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int status = cl.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void shouldCompleteSnaprunsFlagsAndEveryInstalledPolicysOptions() {
        Run r = run("snaprun");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("complete -F _complete_snaprun"), r.out());
        for (String flag : new String[] {"-np", "-dev", "-cp", "-jar", "--checkpoint", "--inject-failure",
                "--logging", "--every"}) {
            assertTrue(r.out().contains(flag), flag + " missing");
        }
        assertTrue(r.out().contains("coordinated-nb"), "the installed policies are offered for --checkpoint");
        assertFalse(r.out().contains("_complete_snapline"), "only snaprun's script");
    }

    @Test
    void shouldCompleteSnaplinesCommandsBenchIncluded() {
        Run r = run("snapline");
        assertEquals(0, r.status(), r.err());
        for (String word : new String[] {"complete -F _complete_snapline", "recovery-line", "bench", "completion",
                "--programs"}) {
            assertTrue(r.out().contains(word), word + " missing");
        }
        Run both = run();
        assertTrue(both.out().contains("_complete_snapline") && both.out().contains("_complete_snaprun"));
    }

    @Test
    void shouldNameItselfAsBinSnaplineRunsIt() {
        Run help = run("--help");
        assertEquals(0, help.status(), help.err());
        assertTrue(help.out().startsWith("Usage: snapline completion "), help.out());
        Run version = run("--version");
        assertEquals(0, version.status(), version.err());
        assertTrue(version.out().startsWith("snapline completion "), version.out());
        assertFalse(version.out().contains("0.1.0\n"), "the build's version, not a fixed one: " + version.out());
    }

    @Test
    void shouldOfferTheValuesOfTheFlagsThatTakeFew() {
        Run r = run("snaprun");
        assertTrue(r.out().contains("(\"shm\" \"tcp\" \"multicore\" \"niodev\")"), r.out());
        assertTrue(r.out().contains("(\"none\" \"lz4\" \"zstd\")"), r.out());
    }

    @Test
    void shouldRefuseAnotherCommand() {
        Run r = run("snapbench");
        assertEquals(2, r.status());
        assertTrue(r.err().startsWith("completion is for snapline or snaprun, got 'snapbench'"), r.err());
    }
}
