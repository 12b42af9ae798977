package io.snapline.runtime.checkpoint.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's lock within one JVM and against records left by other processes. (Reading the lock file from this JVM
 * while it holds the lock would drop the lock, POSIX-style; these tests read it only when no lock is held.)
 */
class StoreLockTest {
    @TempDir
    Path dir;

    private final List<String> warnings = new ArrayList<>();

    private StoreLock acquire(String job) {
        return StoreLock.acquire(dir, job, warnings::add);
    }

    private void record(String host, long pid, String job, Instant since) throws IOException {
        Files.writeString(dir.resolve(StoreLock.FILE), new StoreLock.Holder(host, pid, job, since).encode(),
                StandardCharsets.UTF_8);
    }

    /** A pid no process has: beyond the kernel's limit. */
    private static long deadPid() {
        return 4_194_305L + ProcessHandle.current().pid();
    }

    @Test
    void shouldRefuseASecondJobNamingTheHolderWhileTheFirstHoldsTheStore() {
        try (StoreLock first = acquire("job-1")) {
            StoreLockedException e = assertThrows(StoreLockedException.class, () -> acquire("job-2"));

            assertEquals(first.holder(), e.holder());
            assertTrue(e.getMessage().startsWith("the checkpoint store " + dir + " is in use by job job-1 (pid "
                    + ProcessHandle.current().pid() + " on host " + StoreLock.localHost() + ", since "),
                    e.getMessage());
            assertTrue(e.getMessage().contains("wait for that job to end, or give this one another --store"),
                    e.getMessage());
        }
        assertEquals(List.of(), warnings);
    }

    @Test
    void shouldEmptyTheLockFileAndLetTheNextJobInWithoutAWarningWhenReleased() throws IOException {
        acquire("job-1").close();

        assertEquals(0, Files.size(dir.resolve(StoreLock.FILE)));
        try (StoreLock again = acquire("job-2")) {
            assertEquals("job-2", again.holder().job());
        }
        assertEquals(List.of(), warnings);
    }

    @Test
    void shouldTakeOverWithAWarningWhenTheRecordedProcessIsGone() throws IOException {
        record(StoreLock.localHost(), deadPid(), "old-job", Instant.parse("2024-01-02T03:04:05Z"));

        try (StoreLock lock = acquire("new-job")) {
            assertEquals("new-job", lock.holder().job());
        }

        assertEquals(List.of("the checkpoint store " + dir + " was locked by job old-job (pid " + deadPid()
                + " on host " + StoreLock.localHost() + ", since 2024-01-02T03:04:05Z), which ended without releasing "
                + "it (killed or "
                + "interrupted); taking the lock over"), warnings);
    }

    @Test
    void shouldTakeOverWithAWarningWhenARecordFromAnotherHostHoldsNoLock() throws IOException {
        record("elsewhere.example", 12, "remote-job", Instant.parse("2024-01-02T03:04:05Z"));

        acquire("new-job").close();

        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("locked by job remote-job (pid 12 on host elsewhere.example"),
                warnings.get(0));
    }

    @Test
    void shouldTakeOverWithAWarningWhenTheRecordIsTorn() throws IOException {
        Files.writeString(dir.resolve(StoreLock.FILE), "snapline-lock 1\nhost x\npi");

        acquire("new-job").close();

        assertEquals(List.of("the lock file " + dir.toRealPath().resolve(StoreLock.FILE) + " holds no complete record "
                + "(a job died while taking the lock); taking the lock over"), warnings);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldRefuseWhenTheRecordedProcessStillRunsHereThoughItHoldsNoLock() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "30").start();
        try {
            Instant since = sleeper.info().startInstant().orElseThrow().plusSeconds(2);
            record(StoreLock.localHost(), sleeper.pid(), "still-running", since);

            StoreLockedException e = assertThrows(StoreLockedException.class, () -> acquire("new-job"));

            assertEquals("still-running", e.holder().job());
            assertEquals(List.of(), warnings);
        } finally {
            sleeper.destroyForcibly().waitFor();
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void shouldTakeOverWhenTheRecordedPidNowBelongsToANewerProcess() throws Exception {
        Process sleeper = new ProcessBuilder("sleep", "30").start();
        try {
            Instant since = sleeper.info().startInstant().orElseThrow().minusSeconds(60);
            record(StoreLock.localHost(), sleeper.pid(), "long-gone", since);

            acquire("new-job").close();

            assertEquals(1, warnings.size());
            assertTrue(warnings.get(0).contains("locked by job long-gone"), warnings.get(0));
        } finally {
            sleeper.destroyForcibly().waitFor();
        }
    }

    /** Takes the lock of the directory {@code args[0]} for job {@code args[1]}, says so, and holds it until killed. */
    public static final class HoldingProcess {
        public static void main(String[] args) throws InterruptedException {
            StoreLock.acquire(Path.of(args[0]), args[1], w -> System.out.println("warning: " + w));
            System.out.println("locked");
            System.out.flush();
            Thread.sleep(60_000);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldRefuseWhileAnotherProcessHoldsTheLockAndTakeItOverOnceThatProcessIsKilled() throws Exception {
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), HoldingProcess.class.getName(), dir.toString(), "other-job")
                .redirectErrorStream(true).start();
        try {
            String said = new java.io.BufferedReader(new java.io.InputStreamReader(holder.getInputStream(),
                    StandardCharsets.UTF_8)).readLine();
            assertEquals("locked", said);

            StoreLockedException e = assertThrows(StoreLockedException.class, () -> acquire("new-job"));
            assertEquals(holder.pid(), e.holder().pid());
            assertEquals("other-job", e.holder().job());

            holder.destroyForcibly().waitFor(); // SIGKILL: the OS drops its lock, its record stays
            try (StoreLock taken = acquire("new-job")) {
                assertEquals("new-job", taken.holder().job());
            }
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).contains("was locked by job other-job (pid " + holder.pid()), warnings.get(0));
        } finally {
            holder.destroyForcibly().waitFor();
        }
    }

    @Test
    void shouldNameNoHolderWhenTheLockFileNamesNone() {
        StoreLockedException e = new StoreLockedException(dir, null);

        assertNull(e.holder());
        assertTrue(e.getMessage().contains("in use by another job (its lock file names none yet)"), e.getMessage());
    }
}
