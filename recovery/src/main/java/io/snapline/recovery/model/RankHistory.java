package io.snapline.recovery.model;

import java.util.List;

/**
 * One rank's part of a history.
 *
 * @param rank          the rank number (its position in {@link History#ranks()})
 * @param name          a label for reports and diagrams ({@code "P"}, {@code "rank 3"})
 * @param checkpoints   its checkpoints in order; index 0 is the initial state and is always present
 * @param endTimeNanos  when its history ends: the failure, or the present for a rank still running
 */
public record RankHistory(int rank, String name, List<Checkpoint> checkpoints, long endTimeNanos) {

    public RankHistory {
        checkpoints = List.copyOf(checkpoints);
    }

    /** The number of checkpoints, which is also the number of intervals (the last one is open). */
    public int checkpointCount() {
        return checkpoints.size();
    }

    public Checkpoint checkpoint(int index) {
        return checkpoints.get(index);
    }

    public Checkpoint last() {
        return checkpoints.get(checkpoints.size() - 1);
    }

    /** When interval {@code i} starts: the time of checkpoint {@code i}. */
    public long intervalStart(int interval) {
        return checkpoints.get(interval).timeNanos();
    }

    /** When interval {@code i} ends: the time of checkpoint {@code i + 1}, or the end of the history. */
    public long intervalEnd(int interval) {
        return interval + 1 < checkpoints.size() ? checkpoints.get(interval + 1).timeNanos() : endTimeNanos;
    }

    /** The label of checkpoint {@code index} in reports: the rank name and the index, e.g. {@code P2} or {@code rank 3:2}. */
    public String checkpointLabel(int index) {
        // "P2" for a rank named P; "rank 3:2" for one whose name ends in a digit, where "rank 32" would mislead.
        return !name.isEmpty() && Character.isDigit(name.charAt(name.length() - 1)) ? name + ":" + index : name + index;
    }
}
