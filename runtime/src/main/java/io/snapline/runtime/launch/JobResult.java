package io.snapline.runtime.launch;

import java.time.Duration;
import java.util.List;

/**
 * How a job ended.
 *
 * @param exitCode       0 when every rank finished; otherwise the launcher's exit status: the {@code Abort} code
 *                       (taken modulo 256, as a process exit status is, and 1 when that is 0) or 1 for a rank that
 *                       failed with an uncaught exception
 * @param failures       the rank that ended the job first (uncaught exception or {@code Abort}); empty on success
 * @param wallTime       time from launch to the end of the last rank (or to the end of the grace period)
 * @param abandonedRanks ranks still running when the grace period after an abort ran out (busy in their own code)
 */
public record JobResult(int exitCode, List<RankFailure> failures, Duration wallTime, List<Integer> abandonedRanks) {
    /** One rank's reason for ending the job. {@code error} is null for an {@code Abort}. */
    public record RankFailure(int rank, String description, Throwable error) {
    }

    public JobResult(int exitCode, List<RankFailure> failures, Duration wallTime) {
        this(exitCode, failures, wallTime, List.of());
    }

    public boolean succeeded() {
        return exitCode == 0;
    }

    /** The exit status of a job cancelled with {@code snapline cancel}. */
    public static final int CANCELLED = 3;

    /** The exit status for a job aborted with {@code code}: {@code code} modulo 256, or 1 when that is 0. */
    public static int exitStatusOf(int code) {
        int status = code & 0xFF;
        return status == 0 ? 1 : status;
    }
}
