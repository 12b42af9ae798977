package io.snapline.runtime.launch.tcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.launch.LaunchOptions;
import io.snapline.runtime.launch.Launcher;
import io.snapline.runtime.launch.RankCommand;
import io.snapline.runtime.launch.UsageException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The {@code -dev tcp} flags and the rank JVM's options. */
@Timeout(value = 10, unit = TimeUnit.SECONDS)
class TcpOptionsTest {
    private static final long GIB = 1024L * 1024 * 1024;

    @Test
    void shouldSelectTcpWhenGivenTcpOrNiodev() {
        assertEquals("tcp", LaunchOptions.parse("-np", "2", "-dev", "tcp", "X").device());
        assertEquals("tcp", LaunchOptions.parse("-np", "2", "-dev", "niodev", "X").device());
    }

    @Test
    void shouldParseFailureTimeoutAndJvmOpts() {
        LaunchOptions o = LaunchOptions.parse("-np", "2", "-dev", "tcp", "--failure-timeout", "750ms",
                "--jvm-opts", "-Xmx1g -Dx=y", "X");
        assertEquals(Duration.ofMillis(750), o.failureTimeout());
        assertEquals("-Xmx1g -Dx=y", o.jvmOpts());
        assertNull(LaunchOptions.parse("-np", "2", "-dev", "tcp", "X").failureTimeout(), "the default applies");
    }

    @Test
    void shouldRejectFailureTimeoutShorterThanMinimum() {
        UsageException e = assertThrows(UsageException.class,
                () -> LaunchOptions.parse("-np", "2", "-dev", "tcp", "--failure-timeout", "50ms", "X"));
        assertEquals("--failure-timeout must be at least 100ms (shorter ones mistake a busy rank for a dead one), "
                + "got '50ms'", e.getMessage());
    }

    @Test
    void shouldRefuseFailureTimeoutOnShm() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Launcher.run(new String[] {"-np", "2", "--failure-timeout", "1s", "X"},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        assertEquals("snaprun: --failure-timeout is for -dev tcp, where ranks are processes that can die; "
                + "-dev shm ends the job when a rank fails\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldGiveKryoOpensSerialGcAndModestHeapWhenNoJvmOptsAreGiven() {
        List<String> opts = RankCommand.jvmOptions(null, 4, 16 * GIB);
        assertTrue(opts.contains("java.base/java.util=ALL-UNNAMED"), opts.toString());
        assertEquals("--add-opens", opts.get(opts.indexOf("java.base/java.util=ALL-UNNAMED") - 1));
        assertTrue(opts.contains("-XX:+UseSerialGC"), opts.toString());
        assertTrue(opts.contains("-Xmx2048m"), "half of 16 GiB over 4 ranks, capped at 2 GiB: " + opts);
        assertTrue(opts.contains("-Xlog:all=warning:stderr"), "JVM messages stay off the program's stdout");
        assertTrue(RankCommand.jvmOptions(null, 64, 8 * GIB).contains("-Xmx128m"), "never below 128 MiB");
        assertTrue(RankCommand.jvmOptions(null, 8, 8 * GIB).contains("-Xmx512m"));
    }

    @Test
    void shouldLeaveHeapAndCollectorToUserWhenJvmOptsChooseThem() {
        List<String> opts = RankCommand.jvmOptions("  -Xmx3g   -XX:+UseParallelGC -Dfoo=bar ", 2, 16 * GIB);
        assertTrue(opts.stream().noneMatch(o -> o.equals("-XX:+UseSerialGC") || o.equals("-Xmx2048m")), opts.toString());
        assertEquals(List.of("-Xmx3g", "-XX:+UseParallelGC", "-Dfoo=bar"), opts.subList(opts.size() - 3, opts.size()),
                "the user's options come last, split on spaces");
    }
}
