package io.snapline.runtime.comm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.snapline.runtime.engine.EngineException;
import io.snapline.runtime.engine.Ranks;
import io.snapline.runtime.engine.topology.CartTopology;
import io.snapline.runtime.engine.topology.GraphTopology;
import mpi.Cartcomm;
import mpi.MPIException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Cartesian and graph topologies as values, and Dims_create (which needs no running job). */
class TopologyValuesTest {

    @ParameterizedTest(name = "Dims_create({0}, {1}) = {2}")
    @CsvSource(delimiter = ';', value = {
        "6; 0 0; 3 2",
        "16; 0 0 0; 4 2 2",
        "24; 0 0 0; 4 3 2",
        "36; 0 0; 6 6",
        "12; 0 3 0; 2 3 2",
        "7; 0 0; 7 1",
        "1; 0 0 0; 1 1 1",
        "8; 0; 8",
        "64; 0 0 0 0; 4 4 2 2",
        "30; 5 0 0; 5 3 2",
        "6; 2 3; 2 3",
        "1024; 0 0 0 0 0 0 0 0 0 0; 2 2 2 2 2 2 2 2 2 2",
        "720720; 0 0 0; 91 90 88",
    })
    void shouldFillZeroEntriesBalancedAndNonIncreasingWhenDimsCreate(int nnodes, String in, String expected) {
        int[] dims = ints(in);
        Cartcomm.Dims_create(nnodes, dims);
        assertArrayEquals(ints(expected), dims);
    }

    @ParameterizedTest(name = "Dims_create({0}, {1}) fails: {2}")
    @CsvSource(delimiter = ';', value = {
        "7; 2 0; does not divide nnodes = 7",
        "8; 2 2; multiply to 4, not nnodes = 8",
        "4; 8 0; does not divide nnodes = 4",
        "0; 0 0; at least one process",
        "4; -1 0; dims[0] = -1",
    })
    void shouldRaiseWhenNoGridFits(int nnodes, String in, String expected) {
        MPIException e = assertThrows(MPIException.class, () -> Cartcomm.Dims_create(nnodes, ints(in)));
        assertTrue(e.getMessage().startsWith("Dims_create: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void shouldLayOutRanksRowMajorWhenCoordsAndRank() {
        CartTopology t = CartTopology.of(new int[] {2, 3, 4}, new boolean[] {false, true, false});
        assertEquals(24, t.size());
        for (int r = 0; r < 24; r++) {
            int[] c = t.coords(r);
            assertArrayEquals(new int[] {r / 12, r / 4 % 3, r % 4}, c);
            assertEquals(r, t.rank(c));
        }
        assertEquals(t.rank(new int[] {1, 2, 3}), t.rank(new int[] {1, -1, 3}));
        assertEquals(t.rank(new int[] {0, 1, 0}), t.rank(new int[] {0, 7, 0}));
        EngineException e = assertThrows(EngineException.class, () -> t.rank(new int[] {2, 0, 0}));
        assertTrue(e.getMessage().contains("coords[0] = 2 is outside the non-periodic dimension 0 of extent 2"), e.getMessage());
    }

    @Test
    void shouldWrapOrFallOffEdgeWhenShift() {
        CartTopology t = CartTopology.of(new int[] {3, 4}, new boolean[] {true, false});
        int r = t.rank(new int[] {0, 3});
        assertArrayEquals(new int[] {t.rank(new int[] {2, 3}), t.rank(new int[] {1, 3})}, t.shift(r, 0, 1));
        assertArrayEquals(new int[] {t.rank(new int[] {1, 3}), t.rank(new int[] {2, 3})}, t.shift(r, 0, -1));
        assertArrayEquals(new int[] {t.rank(new int[] {0, 2}), Ranks.PROC_NULL}, t.shift(r, 1, 1));
        assertArrayEquals(new int[] {Ranks.PROC_NULL, Ranks.PROC_NULL}, t.shift(r, 1, 4));
        assertArrayEquals(new int[] {r, r}, t.shift(r, 0, 3));
        assertThrows(EngineException.class, () -> t.shift(r, 2, 1));
    }

    @Test
    void shouldNumberSubGridsRowMajorWhenSubColorKey() {
        CartTopology t = CartTopology.of(new int[] {2, 3, 4}, new boolean[] {true, false, true});
        boolean[] keep = {true, false, true};
        CartTopology sub = t.sub(keep);
        assertArrayEquals(new int[] {2, 4}, sub.dims());
        assertArrayEquals(new boolean[] {true, true}, sub.periods());
        int r = t.rank(new int[] {1, 2, 3});
        assertArrayEquals(new int[] {2, 1 * 4 + 3}, t.subColorKey(r, keep));
        assertEquals(1, t.sub(new boolean[] {false, false, false}).size());
    }

    @Test
    void shouldRejectBadGridsWhenCreated() {
        assertThrows(EngineException.class, () -> CartTopology.of(new int[] {2, 0}, new boolean[] {false, false}));
        EngineException e = assertThrows(EngineException.class, () -> CartTopology.of(new int[] {2}, new boolean[] {true, true}));
        assertTrue(e.getMessage().contains("dims has 1 entries but periods has 2"), e.getMessage());
    }

    @Test
    void shouldListNeighboursInEdgeOrderWhenGraph() {
        GraphTopology g = GraphTopology.of(new int[] {2, 3, 3, 5}, new int[] {1, 3, 0, 0, 1, 99});
        assertArrayEquals(new int[] {1, 3}, g.neighbours(0));
        assertArrayEquals(new int[] {0}, g.neighbours(1));
        assertArrayEquals(new int[] {}, g.neighbours(2));
        assertArrayEquals(new int[] {0, 1}, g.neighbours(3));
        assertArrayEquals(new int[] {1, 3, 0, 0, 1}, g.edges());
        EngineException bad = assertThrows(EngineException.class, () -> GraphTopology.of(new int[] {1, 2}, new int[] {1, 2}));
        assertTrue(bad.getMessage().contains("edges[1] = 2 is not a node of a graph with 2 node(s)"), bad.getMessage());
        EngineException dec = assertThrows(EngineException.class, () -> GraphTopology.of(new int[] {2, 1}, new int[] {1, 0}));
        assertTrue(dec.getMessage().contains("never decreases"), dec.getMessage());
    }

    private static int[] ints(String s) {
        return java.util.Arrays.stream(s.trim().split("\\s+")).mapToInt(Integer::parseInt).toArray();
    }
}
