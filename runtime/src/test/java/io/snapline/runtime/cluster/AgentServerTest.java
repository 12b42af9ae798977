package io.snapline.runtime.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Starting processes through an agent: class path shipping, output, exit status, kills, and who may ask. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AgentServerTest {
    private static final ClusterSecret SECRET = ClusterSecret.of("0123456789abcdef0123456789abcdef".getBytes(
            StandardCharsets.US_ASCII));
    private static final Duration CONNECT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private List<ClassPathBundle.Entry> classPath;
    private final ByteArrayOutputStream agentLog = new ByteArrayOutputStream();

    @BeforeEach
    void classPathWithEcho() throws Exception {
        Path classes = dir.resolve("classes/io/snapline/runtime/cluster");
        Files.createDirectories(classes);
        Path compiled = Path.of(Echo.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .resolve("io/snapline/runtime/cluster/Echo.class");
        Files.copy(compiled, classes.resolve("Echo.class"));
        classPath = ClassPathBundle.of(List.of(dir.resolve("classes")), Files.createDirectories(dir.resolve("tmp")));
    }

    private AgentServer agent(ClusterSecret secret, int slots) throws IOException {
        return new AgentServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), secret, slots,
                dir.resolve("cache"), new PrintStream(agentLog, true, StandardCharsets.UTF_8));
    }

    private LaunchSpec echo(int rank, String... args) {
        List<String> command = new java.util.ArrayList<>(List.of(LaunchSpec.JAVA, "-cp", LaunchSpec.CLASS_PATH,
                Echo.class.getName()));
        command.addAll(List.of(args));
        return new LaunchSpec("job-1", rank, command, Map.of("ECHO_ENV", "rank" + rank), classPath.stream()
                .map(e -> new LaunchSpec.ClassPathEntry(e.name(), e.sha256(), e.size())).toList());
    }

    private RemoteProcess start(AgentServer a, ClusterSecret secret, LaunchSpec spec) throws IOException {
        return RemoteProcess.start(a.address(), secret, spec, RemoteProcess.filesOf(classPath), CONNECT);
    }

    @Test
    void shouldRunAProcessWithTheShippedClassPathAndReturnItsOutputAndStatus() throws Exception {
        try (AgentServer a = agent(SECRET, 2)) {
            RemoteProcess p = start(a, SECRET, echo(3, "7", "a b"));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);

            assertEquals(7, p.waitFor());
            assertEquals("out: 7 a b env=rank3" + System.lineSeparator(), out);
            assertEquals("err: on stderr" + System.lineSeparator(), err);
            assertNull(p.lostReason());
            assertFalse(p.isAlive());
            assertEquals(1, a.fetched());

            RemoteProcess again = start(a, SECRET, echo(4, "0"));
            assertEquals(0, again.waitFor());
            assertEquals(1, a.fetched(), "the class path comes from the agent's cache the second time");
            assertEquals(2, a.launched());
            waitForFreeSlots(a, 2);
        }
    }

    @Test
    void shouldKillAProcessWhenAskedOrWhenItsClientGoesAway() throws Exception {
        try (AgentServer a = agent(SECRET, 2)) {
            RemoteProcess asked = start(a, SECRET, echo(0, "wait"));
            readLine(asked);
            asked.destroyForcibly();
            assertTrue(asked.waitFor() != 0, "killed");
            assertNull(asked.lostReason());

            RemoteProcess orphan = start(a, SECRET, echo(1, "wait"));
            readLine(orphan);
            ProcessHandle remote = ProcessHandle.of(orphan.pid()).orElseThrow(); // the agent runs on this host
            closeConnection(orphan);
            remote.onExit().get(60, TimeUnit.SECONDS);
            assertEquals(RemoteProcess.LOST, orphan.waitFor());
            waitForFreeSlots(a, 2);
        }
    }

    @Test
    void shouldSayWhyNothingStartedWhenTheAgentHasNoFreeSlotOrTheCommandFails() throws Exception {
        try (AgentServer a = agent(SECRET, 1)) {
            RemoteProcess busy = start(a, SECRET, echo(0, "wait"));
            readLine(busy);
            IOException full = assertThrows(IOException.class, () -> start(a, SECRET, echo(1, "0")));
            assertTrue(full.getMessage().matches("agent .* has no free slot \\(1 in use\\)"), full.getMessage());
            busy.destroyForcibly();
            busy.waitFor();
            waitForFreeSlots(a, 1);

            LaunchSpec bad = new LaunchSpec("job-1", 2, List.of(dir.resolve("no-such-program").toString()), Map.of(),
                    List.of());
            IOException failed = assertThrows(IOException.class, () -> start(a, SECRET, bad));
            assertTrue(failed.getMessage().contains("cannot start rank 2 of job job-1"), failed.getMessage());
        }
    }

    @Test
    void shouldRefuseAClientOrAnAgentWithoutTheClustersSecret() throws Exception {
        ClusterSecret other = ClusterSecret.of("another secret of 32 bytes or more".getBytes(StandardCharsets.US_ASCII));
        try (AgentServer a = agent(SECRET, 1)) {
            IOException refused = assertThrows(IOException.class, () -> start(a, other, echo(0, "0")));
            assertTrue(refused.getMessage().contains("the agent and this client do not hold the same cluster secret"),
                    refused.getMessage());
            assertEquals(0, a.launched());
        }
        try (AgentServer impostor = agent(other, 1)) {
            IOException untrusted = assertThrows(IOException.class, () -> start(impostor, SECRET, echo(0, "0")));
            assertTrue(untrusted.getMessage().contains("do not hold the same cluster secret"), untrusted.getMessage());
            assertEquals(0, impostor.launched());
        }
        assertTrue(agentLog.toString(StandardCharsets.UTF_8).contains("a client without the cluster's secret tried to "
                + "connect"), agentLog.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldKillItsProcessesWhenTheAgentStops() throws Exception {
        AgentServer a = agent(SECRET, 2);
        RemoteProcess p = start(a, SECRET, echo(0, "wait"));
        readLine(p);
        ProcessHandle remote = ProcessHandle.of(p.pid()).orElseThrow();

        a.close();
        remote.onExit().get(60, TimeUnit.SECONDS);
        assertTrue(p.waitFor() != 0, "the client sees its process end");
    }

    @Test
    void shouldCloseAConnectionThatDoesNotProveItHoldsTheSecretInTime() throws Exception {
        try (AgentServer a = new AgentServer(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), SECRET, 1,
                dir.resolve("cache"), new PrintStream(agentLog, true, StandardCharsets.UTF_8), 200);
             java.net.Socket silent = new java.net.Socket()) {
            silent.connect(a.address());
            java.io.InputStream in = silent.getInputStream();
            assertEquals(32, in.readNBytes(32).length, "the agent's challenge");
            assertEquals(-1, in.read(), "closed by the agent"); // it says nothing back
            while (!agentLog.toString(StandardCharsets.UTF_8).contains("did not prove it holds the secret within 200 ms")) {
                java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
            }
            assertEquals(0, a.launched());
        }
    }

    private static void readLine(RemoteProcess p) throws IOException {
        int c;
        while ((c = p.getInputStream().read()) != '\n') {
            assertTrue(c >= 0, "the process ended before it printed its line");
        }
    }

    /** Breaks the client's connection as a crashed launcher would. */
    private static void closeConnection(RemoteProcess p) throws Exception {
        java.lang.reflect.Field f = RemoteProcess.class.getDeclaredField("wire");
        f.setAccessible(true);
        ((AgentWire) f.get(p)).close();
    }

    private static void waitForFreeSlots(AgentServer a, int n) {
        while (a.freeSlots() != n) {
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
        }
    }
}
