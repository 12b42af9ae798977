package io.snapline.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.testing.MpiRun;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NBodyTest {
    private static final int STEPS = 20;
    private static final long SEED = 5;
    private static final Pattern ENERGY = Pattern.compile("NBody: energy (\\S+) \\(initially (\\S+)\\)");

    @ParameterizedTest
    @CsvSource({"1, 50", "2, 50", "3, 50", "4, 50", "7, 50", "4, 3"})
    void shouldMatchAnIndependentSimulationBitForBitWhenBodiesAreSplitOverNRanks(int np, int bodies) {
        MpiRun.Outcome o = MpiRun.ok(np, NBody.class, Integer.toString(bodies), Integer.toString(STEPS),
                Long.toString(SEED), "--verify");

        Reference expected = new Reference(bodies, SEED, STEPS);
        List<String> lines = o.lines();
        assertEquals(4, lines.size(), o.out());
        assertEquals("NBody: " + bodies + " bodies, " + STEPS + " steps of 0.005 on " + np + " ranks", lines.get(0));
        assertEquals("NBody: checksum " + expected.checksum(), lines.get(1));
        Matcher m = ENERGY.matcher(lines.get(2));
        assertTrue(m.matches(), lines.get(2));
        double energy = Double.parseDouble(m.group(1));
        double initial = Double.parseDouble(m.group(2));
        // Velocity Verlet conserves energy closely over a short run with a small step.
        assertTrue(Math.abs(energy - initial) < 1e-4 * Math.abs(initial), lines.get(2));
        assertTrue(initial < 0, "a cluster starting nearly at rest is bound: " + lines.get(2));
        assertEquals("NBody: verified, every position and velocity is bit-identical to a sequential run", lines.get(3));
    }

    @Test
    void shouldChangeTheChecksumWhenTheSeedChanges() {
        MpiRun.Outcome a = MpiRun.ok(2, NBody.class, "20", "3", "1");
        MpiRun.Outcome b = MpiRun.ok(2, NBody.class, "20", "3", "2");

        assertFalse(a.lines().get(1).equals(b.lines().get(1)), a.out() + b.out());
    }

    @Test
    void shouldPrintTheFailureFreeResultWhenRanksFailThreeTimes(@TempDir Path store) {
        MpiRun.Outcome o = Restarts.assertSameOutputDespiteFailures(store, 3, 4,
                List.of("rank=0,point=6", "rank=1,during-checkpoint=3", "rank=2,point=27"),
                NBody.class, "50", "30", Long.toString(SEED), "--verify");

        // Step 6 goes back to checkpoint 1 (step 4); checkpoint 3 (step 12) is lost, back to 2 (step 8); step 27 goes
        // back to checkpoint 6 (step 24).
        Restarts.assertRestartedFrom(o, 3, 1, 2, 6);
    }

    @Test
    void shouldRefuseWhenThereAreNoBodies() {
        MpiRun.Outcome o = MpiRun.run(2, NBody.class, "0", "10");

        assertFalse(o.result().succeeded());
        String why = o.result().failures().get(0).description();
        assertTrue(why.contains("needs at least 1 body"), why);
    }

    /**
     * The same physics written independently, one body per row: the same initial draws, the same kick-drift-kick
     * steps and the same order of every floating-point operation, so the doubles must agree bit for bit.
     */
    private static final class Reference {
        private static final double DT = 0.005;
        private static final double EPS2 = 0.05 * 0.05;
        private final double[][] x;
        private final double[][] v;
        private final double[] m;

        Reference(int n, long seed, int steps) {
            SplittableRandom random = new SplittableRandom(seed);
            x = new double[n][3];
            v = new double[n][3];
            m = new double[n];
            for (int i = 0; i < n; i++) {
                for (int d = 0; d < 3; d++) {
                    x[i][d] = 2 * random.nextDouble() - 1;
                }
                for (int d = 0; d < 3; d++) {
                    v[i][d] = 0.2 * random.nextDouble() - 0.1;
                }
                m[i] = (0.5 + random.nextDouble()) / n;
            }
            double[][] a = accelerations();
            for (int step = 0; step < steps; step++) {
                for (int i = 0; i < n; i++) {
                    for (int d = 0; d < 3; d++) {
                        v[i][d] += 0.5 * DT * a[i][d];
                        x[i][d] += DT * v[i][d];
                    }
                }
                a = accelerations();
                for (int i = 0; i < n; i++) {
                    for (int d = 0; d < 3; d++) {
                        v[i][d] += 0.5 * DT * a[i][d];
                    }
                }
            }
        }

        private double[][] accelerations() {
            int n = m.length;
            double[][] a = new double[n][3];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    if (j != i) {
                        double[] r = {x[j][0] - x[i][0], x[j][1] - x[i][1], x[j][2] - x[i][2]};
                        double r2 = r[0] * r[0] + r[1] * r[1] + r[2] * r[2] + EPS2;
                        double s = m[j] / (r2 * Math.sqrt(r2));
                        for (int d = 0; d < 3; d++) {
                            a[i][d] += s * r[d];
                        }
                    }
                }
            }
            return a;
        }

        /** 64-bit FNV-1a over the little-endian bytes of every position, then every velocity. */
        String checksum() {
            long h = 0xcbf29ce484222325L;
            for (double[][] values : List.of(x, v)) {
                for (double[] body : values) {
                    for (double d : body) {
                        long bits = Double.doubleToRawLongBits(d);
                        for (int b = 0; b < 8; b++) {
                            h ^= (bits >>> (8 * b)) & 0xff;
                            h *= 0x100000001b3L;
                        }
                    }
                }
            }
            return String.format("%016x", h);
        }
    }
}
