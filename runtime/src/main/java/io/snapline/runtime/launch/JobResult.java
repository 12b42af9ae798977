package io.snapline.runtime.launch;

import java.time.Duration;
import java.util.List;

/**
 * How a job ended.
 *
 * @param exitCode  0 when every rank finished; the {@code Abort} code or 1 otherwise
 * @param failures  the rank that ended the job first (uncaught exception or {@code Abort}); empty on success
 * @param wallTime  time from launch to the end of the last rank
 */
public record JobResult(int exitCode, List<RankFailure> failures, Duration wallTime) {
    /** One rank's reason for ending the job. {@code error} is null for an {@code Abort}. */
    public record RankFailure(int rank, String description, Throwable error) {
    }

    public boolean succeeded() {
        return exitCode == 0;
    }
}
