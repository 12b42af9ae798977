package io.snapline.checkpoint.coordinated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.checkpoint.Checkpoint;
import io.snapline.runtime.launch.UsageException;
import io.snapline.runtime.testing.MpiRun;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import mpi.MPI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --resume}: continuing from a store, falling back past a corrupt checkpoint (and numbering the next checkpoint
 * above it), and refusing checkpoints another job took (other ranks, arguments, program, policy or format).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ResumeTest {
    @TempDir
    Path tmp;

    private static List<String> sorted(MpiRun.Outcome o) {
        List<String> lines = new ArrayList<>(o.lines());
        lines.sort(null);
        return lines;
    }

    private static MpiRun.Outcome ring(int np, List<String> flags) {
        return MpiRun.run(np, flags, BlockingRestartTest.HaloRing.class, "20");
    }

    /** The newest checkpoint directory of the store. */
    private static Path newest(Path store) throws IOException {
        try (Stream<Path> dirs = Files.list(store)) {
            return dirs.filter(p -> p.getFileName().toString().startsWith("ckpt-")).max(Path::compareTo).orElseThrow();
        }
    }

    @Test
    void shouldResumeFromThePreviousCheckpointAndSaySoWhenTheNewestIsCorrupt() throws IOException {
        Path store = tmp.resolve("s");
        MpiRun.Outcome first = ring(3, List.of("--checkpoint", "coordinated", "--every", "4", "--store",
                store.toString()));
        assertTrue(first.result().succeeded(), first.err());
        Path newest = newest(store);
        assertTrue(newest.getFileName().toString().endsWith("5"), newest.toString());
        try (RandomAccessFile f = new RandomAccessFile(newest.resolve("rank-00001.piece").toFile(), "rw")) {
            long at = f.length() / 2;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x40);
        }
        MpiRun.Outcome resumed = ring(3, List.of("--checkpoint", "coordinated", "--every", "4", "--resume",
                store.toString()));
        assertTrue(resumed.result().succeeded(), resumed.err());
        assertEquals(sorted(first), sorted(resumed), "resumed from checkpoint 4, the job ends with the same result");
        assertTrue(resumed.err().contains("warning: ") && resumed.err().contains("checkpoint 5"), resumed.err());
        assertTrue(resumed.err().contains("resuming from checkpoint 4"), resumed.err());
    }

    @Test
    void shouldRefuseToResumeWhenTheNumberOfRanksDiffers() {
        Path store = tmp.resolve("s");
        assertTrue(ring(3, List.of("--checkpoint", "coordinated", "--every", "5", "--store", store.toString()))
                .result().succeeded());
        UsageException e = assertThrows(UsageException.class, () -> ring(2, List.of("--checkpoint", "coordinated",
                "--every", "5", "--resume", store.toString())));
        assertEquals("--resume " + store + ": checkpoint 4 there was taken by another job (old value \u2192 this "
                + "job's):\n  ranks (-np): 3 \u2192 2\nResume with the same program, arguments, policy and -np, or "
                + "start a fresh job with another --store", e.getMessage());
    }

    /** Another program: its state is a counter where HaloRing's is a State. */
    public static class Counter {
        public static void main(String[] args) {
            MPI.Init(args);
            long[] count = Checkpoint.restoreOr(() -> new long[1]);
            while (count[0] < 20) {
                count[0]++;
                Checkpoint.point();
            }
            System.out.println("rank " + MPI.COMM_WORLD.Rank() + " counted " + count[0]);
            MPI.Finalize();
        }
    }

    /** A 20-step ring run with checkpoints every 5 safe points into {@code store}: checkpoints 3 and 4 remain. */
    private MpiRun.Outcome ringInto(Path store) {
        MpiRun.Outcome first = ring(3, List.of("--checkpoint", "coordinated", "--every", "5", "--store",
                store.toString()));
        assertTrue(first.result().succeeded(), first.err());
        return first;
    }

    @Test
    void shouldRefuseToResumeWithOtherProgramArgumentsNamingThemAndTheWayOn() {
        Path store = tmp.resolve("s");
        ringInto(store);

        UsageException e = assertThrows(UsageException.class, () -> MpiRun.run(3, List.of("--checkpoint",
                "coordinated", "--every", "5", "--resume", store.toString()), BlockingRestartTest.HaloRing.class,
                "40"));

        assertEquals("--resume " + store + ": checkpoint 4 there was taken by another job (old value \u2192 this "
                + "job's):\n  program arguments: 20 \u2192 40\nResume with the same arguments, add --allow-new-args to"
                + " continue the job with the new arguments (its state must suit them), or start a fresh job with "
                + "another --store", e.getMessage());
    }

    @Test
    void shouldContinueWithOtherArgumentsWhenAllowedSayingSo() {
        Path store = tmp.resolve("s");
        ringInto(store);
        MpiRun.Outcome clean40 = MpiRun.run(3, List.of(), BlockingRestartTest.HaloRing.class, "40");

        MpiRun.Outcome resumed = MpiRun.run(3, List.of("--checkpoint", "coordinated", "--every", "5", "--resume",
                store.toString(), "--allow-new-args"), BlockingRestartTest.HaloRing.class, "40");

        assertTrue(resumed.result().succeeded(), resumed.err());
        assertEquals(sorted(clean40), sorted(resumed), "a 20-step state run on to 40 steps");
        assertTrue(resumed.err().contains("snaprun: warning: continuing with other program arguments "
                + "(--allow-new-args): program arguments: 20 \u2192 40"), resumed.err());
    }

    @Test
    void shouldRefuseToResumeAnotherProgramInsteadOfFailingOnItsState() {
        Path store = tmp.resolve("s");
        ringInto(store);

        UsageException e = assertThrows(UsageException.class, () -> MpiRun.run(3, List.of("--checkpoint",
                "coordinated", "--every", "5", "--resume", store.toString()), Counter.class, "20"));

        assertEquals("--resume " + store + ": checkpoint 4 there was taken by another job (old value \u2192 this "
                + "job's):\n  main class: " + BlockingRestartTest.HaloRing.class.getName() + " \u2192 "
                + Counter.class.getName() + "\nResume with the same program, arguments, policy and -np, or start a "
                + "fresh job with another --store", e.getMessage());
    }

    @Test
    void shouldRefuseToResumeACoordinatedStoreUnderTheNonBlockingPolicy() {
        Path store = tmp.resolve("s");
        ringInto(store);

        UsageException e = assertThrows(UsageException.class, () -> ring(3, List.of("--checkpoint",
                "coordinated-nb", "--interval", "50ms", "--resume", store.toString())));

        assertTrue(e.getMessage().startsWith("--resume " + store + ": checkpoint 4 there was taken by another job (old "
                + "value \u2192 this job's):\n  checkpoint policy: coordinated \u2192 coordinated-nb\n"),
                e.getMessage());
    }

    @Test
    void shouldRefuseAStoreOfAnEarlierFormatByName() throws IOException {
        Path store = tmp.resolve("s");
        ringInto(store);
        Path manifest = newest(store).resolve("MANIFEST");
        String v2 = Files.readString(manifest);
        String body = v2.substring(0, v2.indexOf("crc32c ")).replace("snapline-manifest 2", "snapline-manifest 1")
                .replaceAll("(?m)^job .*\n", "");
        byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Files.writeString(manifest, body + String.format("crc32c %08x%n", crc32c(bytes)).replace(
                System.lineSeparator(), "\n"));

        UsageException e = assertThrows(UsageException.class, () -> ring(3, List.of("--checkpoint", "coordinated",
                "--every", "5", "--resume", store.toString())));

        assertEquals("--resume " + store + ": " + manifest + " was written in checkpoint format 1 by an earlier "
                + "Snapline; this build reads format 2 only. Continue that job with the Snapline version that started "
                + "it, or start the job afresh with another --store", e.getMessage());
    }

    private static int crc32c(byte[] bytes) {
        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes);
        return (int) crc.getValue();
    }

    /** Flips one byte in the middle of rank 1's piece of the newest checkpoint (the size stays the same). */
    private static void damageNewest(Path store) throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(newest(store).resolve("rank-00001.piece").toFile(), "rw")) {
            long at = f.length() / 2;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x40);
        }
    }

    @Test
    void shouldGiveTheNextCheckpointAnIdAboveTheDamagedOneWhenResumingPastIt() throws IOException {
        Path store = tmp.resolve("s");
        MpiRun.Outcome first = ring(3, List.of("--checkpoint", "coordinated", "--every", "4", "--store",
                store.toString()));
        assertTrue(first.result().succeeded(), first.err());
        damageNewest(store); // checkpoint 5, at safe point 20

        MpiRun.Outcome resumed = ring(3, List.of("--checkpoint", "coordinated", "--every", "4", "--resume",
                store.toString()));

        assertTrue(resumed.result().succeeded(), resumed.err());
        assertEquals(sorted(first), sorted(resumed));
        assertTrue(resumed.err().contains("resuming from checkpoint 4"), resumed.err());
        assertTrue(resumed.err().contains("snaprun: checkpoint 6 committed at safe point 20"), resumed.err());
        assertFalse(resumed.err().contains("could not be committed"), resumed.err());
        assertTrue(resumed.err().contains("checkpoints committed: 1,"), resumed.err());
    }

    @Test
    void shouldCommitAboveTheDamagedCheckpointUnderTheNonBlockingPolicyWhenResumingPastIt() throws IOException {
        Path store = tmp.resolve("s");
        MpiRun.Outcome first = MpiRun.run(3, List.of("--checkpoint", "coordinated-nb", "--interval", "30ms",
                "--store", store.toString()), BlockingRestartTest.HaloRing.class, "100", "5");
        assertTrue(first.result().succeeded(), first.err());
        assertEquals(2, committed(store), "two checkpoints retained, one to fall back to: " + first.err());
        long damaged = Long.parseLong(newest(store).getFileName().toString().substring(5));
        damageNewest(store);
        MpiRun.Outcome clean = MpiRun.run(3, List.of(), BlockingRestartTest.HaloRing.class, "160");

        // run on to 160 steps, so that the resumed job lives long enough for checkpoints of its own
        MpiRun.Outcome resumed = MpiRun.run(3, List.of("--checkpoint", "coordinated-nb", "--interval", "30ms",
                "--resume", store.toString(), "--allow-new-args"), BlockingRestartTest.HaloRing.class, "160", "5");

        assertTrue(resumed.result().succeeded(), resumed.err() + resumed.result().failures());
        assertEquals(sorted(clean), sorted(resumed));
        assertTrue(resumed.err().contains("resuming from checkpoint " + (damaged - 1)), resumed.err());
        assertTrue(resumed.err().contains("snaprun: checkpoint " + (damaged + 1) + " committed"), resumed.err());
        assertFalse(resumed.err().contains("could not be committed"), resumed.err());
    }

    @Test
    void shouldRefuseAStoreHoldingAnotherRunsCheckpointsWhenNotResuming() {
        Path store = tmp.resolve("s");
        assertTrue(ring(2, List.of("--checkpoint", "coordinated", "--every", "5", "--store", store.toString()))
                .result().succeeded());
        UsageException e = assertThrows(UsageException.class, () -> ring(2, List.of("--checkpoint", "coordinated",
                "--every", "5", "--store", store.toString())));
        assertTrue(e.getMessage().contains("already holds checkpoints") && e.getMessage().contains("--resume"),
                e.getMessage());
    }

    @Test
    void shouldRefuseIntervalAutoWhenNoFailureRateIsKnown() {
        UsageException e = assertThrows(UsageException.class, () -> ring(2, List.of("--checkpoint", "coordinated",
                "--interval", "auto", "--store", tmp.resolve("s").toString())));
        assertTrue(e.getMessage().startsWith("--interval auto needs --mttf M"), e.getMessage());
    }

    @Test
    void shouldRefuseIntervalAutoTogetherWithEvery() {
        UsageException e = assertThrows(UsageException.class, () -> ring(2, List.of("--checkpoint", "coordinated",
                "--interval", "auto", "--mttf", "1h", "--every", "5", "--store", tmp.resolve("s").toString())));
        assertEquals("give either --interval auto or --every, not both", e.getMessage());
    }

    @Test
    void shouldRefuseASecondJobWhileTheLauncherRunsAndTakeTheStoreOverOnceItWasKilled() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(MpiRun.device().equals("shm"), "one launcher process is enough");
        Path store = tmp.resolve("s");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process launcher = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "io.snapline.runtime.launch.Launcher", "-np", "2", "--checkpoint", "coordinated", "--every", "5",
                "--store", store.toString(), "-cp", MpiRun.classPathOf(BlockingRestartTest.HaloRing.class),
                BlockingRestartTest.HaloRing.class.getName(), "400", "20")
                .redirectErrorStream(true).redirectOutput(tmp.resolve("launcher.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (committed(store) < 2 && System.nanoTime() < deadline) {
                assertTrue(launcher.isAlive(), Files.readString(tmp.resolve("launcher.log")));
                Thread.sleep(20);
            }
            assertTrue(committed(store) >= 2, "two checkpoints committed: " + Files.readString(tmp.resolve("launcher.log")));
            UsageException locked = assertThrows(UsageException.class, () -> MpiRun.run(2, List.of("--checkpoint",
                    "coordinated", "--every", "5", "--resume", store.toString()), BlockingRestartTest.HaloRing.class,
                    "400", "20"));
            assertTrue(locked.getMessage().startsWith("the checkpoint store " + store
                    + " is in use by job BlockingRestartTest_HaloRing-")
                    && locked.getMessage().contains("(pid " + launcher.pid() + " on host "), locked.getMessage());
        } finally {
            launcher.destroyForcibly().waitFor();
        }
        assertTrue(launcher.exitValue() != 0, "the launcher was killed, not finished");
        MpiRun.Outcome clean = MpiRun.run(2, List.of(), BlockingRestartTest.HaloRing.class, "400");
        // without the pause between steps, which changes nothing but the time it takes
        MpiRun.Outcome resumed = MpiRun.run(2, List.of("--checkpoint", "coordinated", "--every", "5", "--resume",
                store.toString(), "--allow-new-args"), BlockingRestartTest.HaloRing.class, "400");
        assertTrue(resumed.result().succeeded(), resumed.err());
        assertEquals(sorted(clean), sorted(resumed));
        assertTrue(resumed.err().contains("resuming from checkpoint "), resumed.err());
        assertTrue(resumed.err().contains("snaprun: warning: the checkpoint store " + store + " was locked by job "
                + "BlockingRestartTest_HaloRing-") && resumed.err().contains("(pid " + launcher.pid() + " on host ")
                && resumed.err().contains("which ended without releasing it (killed or interrupted); taking the lock "
                + "over"), resumed.err());
    }

    private static long committed(Path store) throws IOException {
        if (!Files.isDirectory(store)) {
            return 0;
        }
        try (Stream<Path> dirs = Files.list(store)) {
            return dirs.filter(d -> Files.exists(d.resolve("MANIFEST"))).count();
        }
    }
}
