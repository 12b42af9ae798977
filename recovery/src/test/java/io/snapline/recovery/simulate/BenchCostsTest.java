package io.snapline.recovery.simulate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.util.List;
import org.junit.jupiter.api.Test;

public class BenchCostsTest {
    /** The header {@code snapline bench} writes. */
    static final String HEADER = "program,args,policy,options,ranks,device,failure,runs,completed,mismatched,"
            + "unverified,output,wall_median_s,wall_min_s,wall_max_s,overhead_ratio,blocked_median_s,checkpoints,"
            + "bytes_written,bytes_per_rank_checkpoint,log_peak_bytes,restarts,restart_s_per_failure,"
            + "lost_s_per_failure,status\n";

    /**
     * Heat2D on 2 ranks: none 10 s; coordinated 11 s with 4 checkpoints holding it back 1 s; coordinated --async
     * 10.5 s, 4 checkpoints, 0.2 s; independent/pessimistic 12 s with 8 local checkpoints (4 per rank) holding it back
     * 0.5 s; coordinated with a failure 14 s, restart 0.5 s; a cell whose output differed (no figures); and on 4
     * ranks a coordinated cell with no none beside it.
     */
    public static final String REPORT = HEADER
            + "Heat2D,64 10,none,,2,shm,,3,3,0,0,reference,10.0,9.8,10.4,1.0000,0.0000,0,0,,,0,,,ok\n"
            + "Heat2D,64 10,coordinated,,2,shm,,3,3,0,0,matched,11.0,10.9,11.2,1.1000,1.0000,4,4096,512,,0,,,ok\n"
            + "Heat2D,64 10,coordinated,--async,2,shm,,3,3,0,0,matched,10.5,10.4,10.6,1.0500,0.2000,4,4096,512,,0,,,ok\n"
            + "Heat2D,64 10,independent/pessimistic,,2,shm,,3,3,0,0,matched,12.0,11.9,12.2,1.2000,0.5000,8,8192,1024,"
            + "900,0,,,ok\n"
            + "Heat2D,64 10,coordinated,,2,shm,\"rank=1,point=5\",3,3,0,0,matched,14.0,13.8,14.5,1.4000,1.2000,6,6144,"
            + "512,,3,0.5000,3.0000,ok\n"
            + "Heat2D,64 10,independent/causal,,2,shm,,3,3,3,0,mismatch,,,,,,,,,,0,,,MISMATCH 3 of 3\n"
            + "Heat2D,64 10,coordinated,,4,shm,,3,3,0,0,matched,6.0,5.9,6.1,,0.3000,3,4096,341,,0,,,ok\n";

    private static BenchCosts read(String csv) throws Exception {
        return BenchCosts.read(new StringReader(csv), "report.csv", 1.0, 0);
    }

    @Test
    void shouldDeriveEachPolicysCostsFromItsFailureFreeCellAgainstNones() throws Exception {
        BenchCosts costs = read(REPORT);

        assertEquals(List.of("coordinated", "coordinated --async", "independent/pessimistic"),
                costs.measured().stream().map(BenchCosts.Measured::policy).toList());
        BenchCosts.Measured coord = costs.measured().get(0);
        assertEquals(Protocol.COORDINATED, coord.protocol());
        assertEquals(10.0, coord.work(), 1e-12);
        assertEquals(4, coord.checkpoints(), 1e-12);
        assertEquals(2.5, coord.interval(), 1e-12);
        assertEquals(0.25, coord.checkpointCost(), 1e-12); // 1 s held back over 4 checkpoints
        assertEquals(0, coord.loggingOverhead(), 1e-12);
        assertEquals(0.5, coord.restartCost(), 1e-12); // from the cell with a failure
        assertTrue(Double.isNaN(costs.measured().get(1).restartCost()), "--async had no cell with a failure");
        BenchCosts.Measured logging = costs.measured().get(2);
        assertEquals(Protocol.LOGGING, logging.protocol());
        assertEquals(4, logging.checkpoints(), 1e-12); // 8 local checkpoints of 2 ranks
        assertEquals(0.125, logging.checkpointCost(), 1e-12);
        assertEquals(0.15, logging.loggingOverhead(), 1e-12); // (12 - 10 - 0.5) / 10
    }

    @Test
    void shouldPredictFailureFreeCellsFromTheirCostsAndACellWithAFailureFromItsRestart() throws Exception {
        List<BenchCosts.Prediction> p = read(REPORT).predictions();

        assertEquals(4, p.size());
        assertNull(p.get(0).failure());
        assertEquals(11.0, p.get(0).predicted(), 1e-9); // 10 s of work and 4 checkpoints of 0.25 s: all of the 11 s
        assertEquals(0, p.get(0).error(), 1e-9);
        // --async: held back 0.2 s; the 0.3 s its background writes cost besides is what the model does not see
        assertEquals(10.2, p.get(1).predicted(), 1e-9);
        assertEquals(10.2 / 10.5 - 1, p.get(1).error(), 1e-9);
        assertEquals(12.0, p.get(2).predicted(), 1e-9); // the logging overhead was fitted on this run
        BenchCosts.Prediction failed = p.get(3);
        assertEquals("rank=1,point=5", failed.failure());
        assertEquals(14.0, failed.wall(), 1e-12);
        // One failure somewhere in the 11 s: the restart, and between nothing and a whole stretch with its
        // checkpoint (2.75 s) done again; about half of it on average.
        assertTrue(failed.predicted() > 11.5 + 0.5 && failed.predicted() < 11.5 + 2.75 - 0.5, "" + failed);
        assertEquals(11.5 + 2.75 / 2, failed.predicted(), 0.15);
    }

    @Test
    void shouldSimulateWithTheCostsOfTheCellWithTheMostRanksThatCheckpointed() throws Exception {
        BenchCosts costs = read(REPORT + "Heat2D,64 10,none,,8,shm,,3,3,0,0,reference,4.0,4.0,4.0,1.0000,0.0000,0,0,,,"
                + "0,,,ok\nHeat2D,64 10,coordinated,,8,shm,,3,3,0,0,matched,4.1,4.0,4.2,1.0250,0.0000,0,0,,,0,,,ok\n");

        assertEquals(2, costs.costsOf(Protocol.COORDINATED).orElseThrow().ranks(), "8 ranks took no checkpoint");
        assertEquals(0.25, costs.costsOf(Protocol.COORDINATED).orElseThrow().checkpointCost(), 1e-12);
        assertTrue(costs.costsOf(Protocol.INDEPENDENT).isEmpty());
    }

    @Test
    void shouldRefuseAFileThatIsNotABenchReportNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> read("policy,ranks,nodes\ncoordinated,1,1\n"));
        assertEquals("report.csv has no column 'program': is it the report.csv of a snapline bench run?",
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> read(HEADER));
        assertTrue(e.getMessage().startsWith("report.csv has no rows"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> read(HEADER
                + "Heat2D,64 10,coordinated,,2,shm,,3,3,0,0,matched,11.0,10.9,11.2,1.1000,1.0000,4,4096,512,,0,,,ok\n"));
        assertTrue(e.getMessage().contains("no policy that completed failure-free beside none"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> read(HEADER
                + "Heat2D,64 10,none,,2,shm,,3,3,0,0,reference,ten,9.8,10.4,1.0000,0.0000,0,0,,,0,,,ok\n"));
        assertEquals("report.csv: column wall_median_s of Heat2D 64 10 under none is 'ten', not a number of seconds",
                e.getMessage());
    }
}
