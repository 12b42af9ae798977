package io.snapline.checkpoint.coordinated;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.snapline.runtime.launch.Launcher;
import io.snapline.runtime.launch.UsageException;
import io.snapline.runtime.testing.MpiRun;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import mpi.MPI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a job checks of its store and its report before it runs, the store's lock while it runs, and what it says when
 * it gives up: a store that cannot be written or that other users can write ends the launch with exit status 2, a
 * second job on a store in use is refused naming the first, and a job that used up its restarts prints the command
 * that continues it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StoreGuardTest {
    @TempDir
    Path tmp;

    /** The outcome of {@link Launcher#run} in this JVM. */
    private record Run(int status, String out, String err) {
    }

    private static Run launch(List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Launcher.run(args.toArray(new String[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@code snaprun -np 3 -dev D FLAGS -cp ... HaloRing 20}. */
    private static List<String> ring(String... flags) {
        List<String> a = new ArrayList<>(List.of("-np", "3", "-dev", MpiRun.device()));
        a.addAll(List.of(flags));
        a.addAll(List.of("-cp", MpiRun.classPathOf(BlockingRestartTest.HaloRing.class),
                BlockingRestartTest.HaloRing.class.getName(), "20"));
        return a;
    }

    private static List<String> sortedLines(String out) {
        List<String> lines = new ArrayList<>(List.of(out.split("\n")));
        lines.sort(null);
        return lines;
    }

    @Test
    void shouldExitTwoSayingWhyWhenTheStoreCannotBeCreated() throws IOException {
        Path file = Files.writeString(tmp.resolve("a-file"), "x");

        Run r = launch(ring("--checkpoint", "coordinated", "--store", file.resolve("store").toString()));

        assertEquals(2, r.status(), r.err());
        assertEquals("snaprun: cannot create the checkpoint store " + file.resolve("store") + ": Not a directory; "
                + "pass a writable directory with --store\n", r.err());
        assertEquals("", r.out());
    }

    @Test
    void shouldExitTwoBeforeRunningWhenTheStoreCannotBeWritten() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path store = Files.createDirectory(tmp.resolve("read-only"));
        Files.setPosixFilePermissions(store, PosixFilePermissions.fromString("r-x------"));
        try {
            assumeTrue(!Files.isWritable(store), "the superuser writes anywhere");

            Run r = launch(ring("--checkpoint", "coordinated", "--every", "4", "--store", store.toString()));

            assertEquals(2, r.status(), r.err());
            assertEquals("snaprun: cannot write to the checkpoint store " + store + ": permission denied; pass a "
                    + "writable directory with --store\n", r.err());
            assertEquals("", r.out(), "no rank ran");
        } finally {
            Files.setPosixFilePermissions(store, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void shouldExitTwoWhenOtherUsersCanWriteTheStore() throws IOException {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"));
        Path store = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(store, PosixFilePermissions.fromString("rwxrwxrwx"));

        Run r = launch(ring("--checkpoint", "coordinated", "--store", store.toString()));

        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().startsWith("snaprun: the checkpoint store " + store + " can be written by other users: "
                + store + " (rwxrwxrwx). A checkpoint planted there would be loaded into the program"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void shouldRefuseASecondJobNamingTheFirstWhileItRunsOnTheStore() throws Exception {
        Path store = tmp.resolve("s");
        List<String> flags = List.of("--checkpoint", "coordinated", "--every", "5", "--store", store.toString());
        CompletableFuture<MpiRun.Outcome> first = CompletableFuture.supplyAsync(
                () -> MpiRun.run(2, flags, BlockingRestartTest.HaloRing.class, "400", "10"));
        try {
            // Waits for a committed checkpoint: the ranks have written to the store, yet the lock is still the
            // launcher's (on tcp: rank processes open the store too, and must neither take nor break the lock).
            while (!committed(store) && !first.isDone()) {
                Thread.sleep(10);
            }
            assertTrue(committed(store), "a checkpoint was committed: " + (first.isDone() ? first.get().err() : ""));

            UsageException fresh = assertThrows(UsageException.class,
                    () -> MpiRun.run(2, flags, BlockingRestartTest.HaloRing.class, "400", "10"));
            UsageException resume = assertThrows(UsageException.class, () -> MpiRun.run(2, List.of("--checkpoint",
                    "coordinated", "--every", "5", "--resume", store.toString()), BlockingRestartTest.HaloRing.class,
                    "400", "10"));

            String holder = "the checkpoint store " + store + " is in use by job BlockingRestartTest_HaloRing-";
            for (UsageException e : List.of(fresh, resume)) {
                assertTrue(e.getMessage().startsWith(holder) && e.getMessage().contains(
                        "(pid " + ProcessHandle.current().pid() + " on host "), e.getMessage());
            }
        } finally {
            MpiRun.Outcome o = first.get(100, TimeUnit.SECONDS);
            assertTrue(o.result().succeeded(), o.err());
        }
        assertEquals(0, Files.size(store.resolve("LOCK")), "released at the end");
    }

    private static boolean committed(Path store) throws IOException {
        if (!Files.isDirectory(store)) {
            return false;
        }
        try (Stream<Path> dirs = Files.list(store)) {
            return dirs.anyMatch(d -> Files.exists(d.resolve("MANIFEST")));
        }
    }

    @Test
    void shouldPrintTheCommandThatContinuesTheJobWhenItHasUsedUpItsRestarts() {
        Path store = tmp.resolve("s");
        Run clean = launch(ring());
        Run gaveUp = launch(ring("--checkpoint", "coordinated", "--every", "4", "--max-restarts", "0", "--store",
                store.toString(), "--inject-failure", "rank=1,point=14"));
        assertEquals(1, gaveUp.status(), gaveUp.err());
        String intro = "snaprun: to continue the job from its newest checkpoint in " + store + ", run:\n  snaprun ";
        int at = gaveUp.err().indexOf(intro);
        assertTrue(at >= 0, gaveUp.err());
        String command = gaveUp.err().substring(at + intro.length()).lines().findFirst().orElseThrow();
        assertEquals("-np 3" + (MpiRun.device().equals("tcp") ? " -dev tcp" : "") + " --checkpoint coordinated "
                + "--every 4 --max-restarts 0 --resume " + store.toAbsolutePath() + " -cp "
                + Path.of(MpiRun.classPathOf(BlockingRestartTest.HaloRing.class)).toAbsolutePath() + " '"
                + BlockingRestartTest.HaloRing.class.getName() + "' 20", command, "quoted for a shell: the $");

        // as a shell reads it: these words have no spaces, and only the class name needs (single) quotes
        Run resumed = launch(Stream.of(command.split(" "))
                .map(w -> w.startsWith("'") ? w.substring(1, w.length() - 1) : w).toList());

        assertEquals(0, resumed.status(), resumed.err());
        assertEquals(sortedLines(clean.out()), sortedLines(resumed.out()));
        assertTrue(resumed.err().contains("resuming from checkpoint 3"), resumed.err());
    }

    /** Rank 0 puts a file where the run report's directory was, so that the report cannot be written at the end. */
    public static class BlocksItsReport {
        public static void main(String[] args) throws IOException {
            String[] mine = MPI.Init(args);
            if (MPI.COMM_WORLD.Rank() == 0) {
                Path dir = Path.of(mine[0]);
                Files.deleteIfExists(dir);
                Files.writeString(dir, "not a directory");
            }
            MPI.COMM_WORLD.Barrier();
            MPI.Finalize();
        }
    }

    @Test
    void shouldExitOneSayingWhyWhenTheReportCannotBeWrittenAtTheEnd() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("reports"));
        Path report = dir.resolve("run.json");

        Run r = launch(List.of("-np", "2", "-dev", MpiRun.device(), "--checkpoint", "coordinated", "--store",
                tmp.resolve("s").toString(), "--report", report.toString(), "-cp",
                MpiRun.classPathOf(BlocksItsReport.class), BlocksItsReport.class.getName(), dir.toString()));

        assertEquals(1, r.status(), r.err());
        assertTrue(r.err().contains("snaprun: cannot write the run report to " + report + ": "), r.err());
        assertTrue(r.err().contains("snaprun: every rank finished, but the run report was not written; exit status 1"),
                r.err());
    }

    @Test
    void shouldExitTwoBeforeRunningWhenTheReportIsADirectory() throws IOException {
        Path dir = Files.createDirectory(tmp.resolve("reports"));

        Run r = launch(ring("--checkpoint", "coordinated", "--store", tmp.resolve("s").toString(), "--report",
                dir.toString()));

        assertEquals(2, r.status(), r.err());
        assertEquals("snaprun: --report " + dir + " is a directory; give a file name, e.g. --report "
                + dir.resolve("report.json") + "\n", r.err());
    }
}
