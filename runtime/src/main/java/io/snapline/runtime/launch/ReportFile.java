package io.snapline.runtime.launch;

import java.nio.file.Files;
import java.nio.file.Path;

/** The {@code --report} file, checked before the job runs so that a report that cannot be written ends the launch. */
final class ReportFile {
    private ReportFile() {
    }

    /**
     * Refuses a {@code --report} file that cannot be written, before the job runs: a directory, or a place where this
     * user cannot create or replace a file. Nothing is created here.
     */
    static void check(Path file) {
        Path abs = file.toAbsolutePath();
        if (Files.isDirectory(abs)) {
            throw new UsageException("--report " + file + " is a directory; give a file name, e.g. --report "
                    + file.resolve("report.json"));
        }
        Path existing = abs.getParent();
        while (existing != null && !Files.exists(existing)) {
            existing = existing.getParent();
        }
        if (existing == null || !Files.isDirectory(existing)) {
            throw new UsageException("--report " + file + ": " + existing + " is not a directory, so the report "
                    + "cannot be written there");
        }
        boolean writable = Files.exists(abs) ? Files.isWritable(abs) : Files.isWritable(existing);
        if (!writable) {
            throw new UsageException("--report " + file + ": permission denied ("
                    + (Files.exists(abs) ? abs : existing) + " is not writable); give a file in a writable directory");
        }
    }
}
