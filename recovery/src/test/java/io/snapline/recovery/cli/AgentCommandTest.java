package io.snapline.recovery.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code snapline agent} in a process of its own, and {@code snapline status} listing it. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AgentCommandTest {
    @TempDir
    Path dir;

    @Test
    void shouldRunAnAgentThatStatusListsAndStopOnSigterm() throws Exception {
        Path secret = dir.resolve("secret");
        assertEquals(0, CliRun.of("secret", secret.toString()).status());
        String cluster = "t" + System.nanoTime();
        Process agent = new ProcessBuilder(List.of(ProcessHandle.current().info().command().orElseThrow(), "-cp",
                System.getProperty("java.class.path"), SnaplineCli.class.getName(), "agent", "--cluster", cluster,
                "--secret-file", secret.toString(), "--slots", "3", "--port", "5801", "--cache",
                dir.resolve("cache").toString())).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(agent.getInputStream(),
                    StandardCharsets.UTF_8));
            Matcher m;
            for (String line; ; ) {
                line = out.readLine();
                assertTrue(line != null, "the agent ended before it said where it runs");
                m = Pattern.compile("snapline agent: member of cluster " + cluster + " at (127\\.0\\.0\\.1:\\d+) \\(1 "
                        + "member; .* with 3 slots").matcher(line);
                if (m.find()) {
                    break;
                }
            }
            String address = m.group(1);

            CliRun status = CliRun.of("status", "--cluster", cluster + "@" + address, "--secret-file",
                    secret.toString());
            assertEquals(0, status.status(), status.err());
            assertTrue(status.out().startsWith("cluster " + cluster + ": 1 agent(s), 3 of 3 slots free\n"), status.out());
            assertTrue(status.out().lines().anyMatch(l -> l.matches("\\S+ +127\\.0\\.0\\.1:\\d+ +3 +3 +(-|\\d+\\.\\d\\d)")),
                    status.out());
            assertTrue(status.out().contains("\n0 job(s)\n"), status.out());

            CliRun cancel = CliRun.of("cancel", "--cluster", cluster + "@" + address, "--secret-file",
                    secret.toString(), "Heat-20260101-000000-1");
            assertEquals(2, cancel.status(), cancel.err());
            assertTrue(cancel.err().contains("no job Heat-20260101-000000-1 runs on cluster " + cluster
                    + " (snapline status lists the jobs)"), cancel.err());

            CliRun bad = CliRun.of("status", "--cluster", cluster, "--secret-file", secret.toString());
            assertEquals(2, bad.status());
            assertTrue(bad.err().contains("--cluster needs NAME@HOST:PORT"), bad.err());
        } finally {
            agent.destroy(); // SIGTERM: the agent leaves the cluster and stops
            assertTrue(agent.waitFor(60, TimeUnit.SECONDS), "the agent stopped on SIGTERM");
        }
    }
}
