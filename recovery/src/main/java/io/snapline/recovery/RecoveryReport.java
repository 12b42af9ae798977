package io.snapline.recovery;

import io.snapline.recovery.model.Checkpoint;

import java.util.List;

/**
 * Everything the planner says about recovering to one line: the analysis of the line, how far each rank rolls back,
 * the restart plan and the history's useless checkpoints.
 *
 * @param failedRanks the ranks that failed, ascending
 * @param analysis    the messages crossing the line and its consistency
 * @param distances   one per rank, in rank order
 * @param plan        what the restart does
 * @param useless     the checkpoints on a Z-cycle, by rank then index
 */
public record RecoveryReport(List<Integer> failedRanks, LineAnalysis analysis, List<RollbackDistance> distances,
                             RestartPlan plan, List<Checkpoint> useless) {

    public RecoveryReport {
        failedRanks = List.copyOf(failedRanks);
        distances = List.copyOf(distances);
        useless = List.copyOf(useless);
    }

    public RecoveryLine line() {
        return analysis.line();
    }
}
