package io.snapline.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.snapline.checkpoint.Checkpoint;
import io.snapline.runtime.checkpoint.CheckpointPolicy;
import io.snapline.runtime.launch.plugin.ProbePolicy;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import mpi.MPI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A policy the launcher has never heard of, in a jar of its own built here ({@link ProbePolicy} and its
 * {@code META-INF/services} entry): on the launcher's class path it is selected by name, its own option reaches its
 * ranks on both devices, and {@code --help} lists it; without the jar, asking for it names the installed policies.
 * The launcher runs in a JVM of its own whose class path holds the runtime and the jar, not this module's tests.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PolicyPluginTest {
    private static final long PROCESS_LIMIT_SECONDS = 60;

    @TempDir
    Path dir;

    /** Passes 25 safe points on every rank. */
    public static class TwentyFive {
        public static void main(String[] args) {
            MPI.Init(args);
            for (int i = 0; i < 25; i++) {
                Checkpoint.point();
            }
            MPI.Finalize();
        }
    }

    @Test
    void shouldRunAPolicyFromAJarOnTheClassPathWithItsOwnOption() throws Exception {
        Path jar = probeJar();
        for (String device : List.of("shm", "tcp")) {
            Result r = launch(jar, "-np", "2", "-dev", device, "--checkpoint", "probe", "--greeting", "hello there",
                    "-cp", testClasses(), TwentyFive.class.getName());
            assertEquals(0, r.status(), device + ":\n" + r.err());
            assertEquals(List.of("probe: rank 0 passed 25 safe points; hello there",
                    "probe: rank 1 passed 25 safe points; hello there"), r.out().lines().sorted().toList(), device);
        }
    }

    @Test
    void shouldListThePolicyAndItsOptionInTheHelpAndLetItRefuseBadValues() throws Exception {
        Path jar = probeJar();
        Result help = launch(jar, "--help");
        assertEquals(0, help.status(), help.err());
        assertTrue(help.out().contains("\n  probe                 counts safe points (a test policy)\n"
                + "      --greeting TEXT   what each rank prints with its count\n"), help.out());

        Result bad = launch(jar, "-np", "2", "--checkpoint", "probe", "--greeting", "x".repeat(41), "-cp",
                testClasses(), TwentyFive.class.getName());
        assertEquals(2, bad.status());
        assertEquals("snaprun: --greeting must be at most 40 characters, got 41",
                bad.err().lines().findFirst().orElseThrow());
    }

    @Test
    void shouldNameTheInstalledPoliciesWhenThePolicysJarIsMissing() throws Exception {
        Result r = launch(null, "-np", "2", "--checkpoint", "probe", "--greeting", "hi", "-cp", testClasses(),
                TwentyFive.class.getName());
        assertEquals(2, r.status());
        assertEquals("snaprun: checkpoint policy 'probe' is not installed in this build (installed: none); its jar "
                + "must be on the launcher's class path", r.err().lines().findFirst().orElseThrow());
        assertEquals("", r.out());
    }

    /** The jar: the policy's classes and the service entry that lists it. */
    private Path probeJar() throws IOException {
        Path jar = dir.resolve("probe-policy.jar");
        Path classes = Path.of(testClasses());
        String pkg = ProbePolicy.class.getPackageName().replace('.', '/');
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out);
                Stream<Path> files = Files.list(classes.resolve(pkg))) {
            for (Path f : files.filter(f -> f.getFileName().toString().startsWith("ProbePolicy")).toList()) {
                j.putNextEntry(new JarEntry(pkg + "/" + f.getFileName()));
                j.write(Files.readAllBytes(f));
                j.closeEntry();
            }
            j.putNextEntry(new JarEntry("META-INF/services/" + CheckpointPolicy.class.getName()));
            j.write((ProbePolicy.class.getName() + "\n").getBytes(StandardCharsets.UTF_8));
            j.closeEntry();
        }
        return jar;
    }

    /** This module's compiled tests (where the program and, for the jar, the policy's classes are). */
    private static String testClasses() {
        try {
            return Path.of(PolicyPluginTest.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    record Result(int status, String out, String err) {
    }

    /** Runs the launcher with the runtime's class path without this module's tests, plus {@code jar} if not null. */
    private Result launch(Path jar, String... args) throws IOException, InterruptedException {
        List<String> cp = new ArrayList<>(Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !Path.of(e).toAbsolutePath().normalize().toString().equals(testClasses()))
                .toList());
        if (jar != null) {
            cp.add(jar.toString());
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", String.join(File.pathSeparator, cp), Launcher.class.getName()));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(PROCESS_LIMIT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            fail("the launcher was still running after " + PROCESS_LIMIT_SECONDS + " s; stderr:\n"
                    + Files.readString(err, StandardCharsets.UTF_8));
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
