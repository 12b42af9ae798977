package io.snapline.examples;

import org.junit.jupiter.api.Test;

/**
 * {@link WildcardRestartCases} plus {@link MasterWorker}, whose master receives results with {@code Recv(ANY_SOURCE)},
 * {@code Iprobe} and {@code Waitany}, with failures of the master, a worker, two ranks and during a checkpoint. Each
 * case must also restart from a checkpoint in at least one of its runs, so recorded choices are replayed. The default
 * suite runs {@link MasterWorker} under {@code coordinated-nb} in {@link IrregularProgramsTest}; these deeper runs
 * (600 tasks) are for the long suite.
 */
abstract class MasterWorkerWildcardCases extends WildcardRestartCases {
    private static final String[] MASTER_WORKER = {"600", "5000"};

    @Test
    void shouldPrintTheFailureFreeResultWhenTheMasterOfAMasterWorkerFarmFails() {
        assertAlwaysFailureFree(MasterWorker.class, MASTER_WORKER, "rank=0,point=150");
    }

    @Test
    void shouldPrintTheFailureFreeResultWhenAWorkerOfAMasterWorkerFarmFails() {
        assertAlwaysFailureFree(MasterWorker.class, MASTER_WORKER, "rank=2,point=80");
    }

    @Test
    void shouldPrintTheFailureFreeResultWhenTwoRanksOfAMasterWorkerFarmFail() {
        assertAlwaysFailureFree(MasterWorker.class, MASTER_WORKER, "rank=0,point=150", "rank=3,point=80");
    }

    @Test
    void shouldPrintTheFailureFreeResultWhenTheMasterOfAMasterWorkerFarmFailsDuringACheckpoint() {
        assertAlwaysFailureFree(MasterWorker.class, MASTER_WORKER, "rank=0,during-checkpoint=2");
    }
}
