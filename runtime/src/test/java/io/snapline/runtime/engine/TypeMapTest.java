package io.snapline.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Type maps, bounds and extents of every constructor, in base elements (mpiJava 1.2 units). */
class TypeMapTest {
    private static final TypeMap INT = TypeMap.basic(BaseType.INT);
    private static final TypeMap DOUBLE = TypeMap.basic(BaseType.DOUBLE);
    private static final TypeMap LB = TypeMap.marker(TypeMap.Marker.LB);
    private static final TypeMap UB = TypeMap.marker(TypeMap.Marker.UB);

    private static int[] displacements(TypeMap t) {
        int[] d = new int[t.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = t.displacement(i);
        }
        return d;
    }

    private static void assertShape(TypeMap t, int size, int lb, int ub, int... disp) {
        assertEquals(size, t.size(), "size");
        assertEquals(lb, t.lb(), "lb");
        assertEquals(ub, t.ub(), "ub");
        assertEquals(ub - lb, t.extent(), "extent");
        assertArrayEquals(disp, displacements(t), "type map");
    }

    @Test
    void shouldHaveUnitExtentWhenBasic() {
        assertShape(INT, 1, 0, 1, 0);
        assertTrue(INT.isContiguous());
    }

    @Test
    void shouldBeDenseWhenContiguous() {
        TypeMap t = TypeMap.contiguous(3, INT);
        assertShape(t, 3, 0, 3, 0, 1, 2);
        assertTrue(t.isContiguous());
        assertShape(TypeMap.contiguous(0, INT), 0, 0, 0);
    }

    @Test
    void shouldScaleStrideByOldExtentWhenVector() {
        assertShape(TypeMap.vector(3, 2, 4, INT), 6, 0, 10, 0, 1, 4, 5, 8, 9);
        TypeMap pair = TypeMap.contiguous(2, INT);
        assertShape(TypeMap.vector(2, 1, 3, pair), 4, 0, 8, 0, 1, 6, 7);
        assertFalse(TypeMap.vector(3, 2, 4, INT).isContiguous());
    }

    @Test
    void shouldTakeStrideInBaseElementsWhenHvector() {
        TypeMap pair = TypeMap.contiguous(2, INT);
        assertShape(TypeMap.hvector(2, 1, 3, pair), 4, 0, 5, 0, 1, 3, 4);
        assertShape(TypeMap.hvector(2, 2, 5, INT), 4, 0, 7, 0, 1, 5, 6);
    }

    @Test
    void shouldSpanLowestToHighestWhenStrideNegative() {
        assertShape(TypeMap.vector(3, 1, -2, INT), 3, -4, 1, 0, -2, -4);
    }

    @Test
    void shouldKeepTypeMapOrderWhenIndexed() {
        assertShape(TypeMap.indexed(new int[] {2, 1}, new int[] {3, 0}, INT), 3, 0, 5, 3, 4, 0);
        TypeMap pair = TypeMap.contiguous(2, INT);
        assertShape(TypeMap.indexed(new int[] {1, 1}, new int[] {2, 0}, pair), 4, 0, 6, 4, 5, 0, 1);
        assertShape(TypeMap.indexed(new int[] {1}, new int[] {-1}, INT), 1, -1, 0, -1);
    }

    @Test
    void shouldTakeDisplacementsInBaseElementsWhenHindexed() {
        TypeMap pair = TypeMap.contiguous(2, INT);
        assertShape(TypeMap.hindexed(new int[] {1, 1}, new int[] {3, 0}, pair), 4, 0, 5, 3, 4, 0, 1);
        assertShape(TypeMap.hindexed(new int[] {0, 2}, new int[] {100, 1}, INT), 2, 1, 3, 1, 2);
    }

    @Test
    void shouldUseExplicitBoundsWhenStructHasLbAndUb() {
        TypeMap t = TypeMap.struct(new int[] {1, 1, 1}, new int[] {-2, 0, 10}, new TypeMap[] {LB, INT, UB});
        assertShape(t, 1, -2, 10, 0);
        // an explicit LB wins over lower data
        TypeMap lbAbove = TypeMap.struct(new int[] {1, 3}, new int[] {1, 0}, new TypeMap[] {LB, INT});
        assertShape(lbAbove, 3, 1, 3, 0, 1, 2);
        // UB alone: lb from the data
        TypeMap ubOnly = TypeMap.struct(new int[] {2, 1}, new int[] {0, 5}, new TypeMap[] {INT, UB});
        assertShape(ubOnly, 2, 0, 5, 0, 1);
    }

    @Test
    void shouldPropagateMarkersWhenNested() {
        TypeMap padded = TypeMap.struct(new int[] {1, 1, 1}, new int[] {-2, 0, 10}, new TypeMap[] {LB, INT, UB});
        // markers are sticky: the outer type's bounds come from the copies' markers
        assertShape(TypeMap.contiguous(2, padded), 2, -2, 22, 0, 12);
        assertShape(TypeMap.vector(2, 1, 2, padded), 2, -2, 34, 0, 24);
        TypeMap outer = TypeMap.struct(new int[] {1, 1}, new int[] {0, 100}, new TypeMap[] {padded, INT});
        assertShape(outer, 2, -2, 10, 0, 100);
    }

    @Test
    void shouldAllowStructOfOneBaseTypeWhenShapesDiffer() {
        TypeMap t = TypeMap.struct(new int[] {1, 1}, new int[] {0, 4}, new TypeMap[] {INT, TypeMap.contiguous(2, INT)});
        assertShape(t, 3, 0, 6, 0, 4, 5);
        assertEquals(BaseType.INT, t.base());
    }

    @Test
    void shouldRejectStructWhenBaseTypesMix() {
        EngineException e = assertThrows(EngineException.class,
                () -> TypeMap.struct(new int[] {1, 1}, new int[] {0, 1}, new TypeMap[] {INT, DOUBLE}));
        assertTrue(e.getMessage().contains("mix base types INT and DOUBLE"), e.getMessage());
        assertTrue(e.getMessage().contains("type[1]"), e.getMessage());
    }

    @Test
    void shouldRejectBadArgumentsWithMessages() {
        assertTrue(assertThrows(EngineException.class, () -> TypeMap.contiguous(-1, INT)).getMessage()
                .contains("count must not be negative, was -1"));
        assertTrue(assertThrows(EngineException.class, () -> TypeMap.vector(2, -3, 1, INT)).getMessage()
                .contains("blocklength must not be negative"));
        assertTrue(assertThrows(EngineException.class, () -> TypeMap.indexed(new int[] {1, 2}, new int[] {0}, INT))
                .getMessage().contains("2 block lengths but 1 displacements"));
        assertTrue(assertThrows(EngineException.class,
                () -> TypeMap.struct(new int[] {1}, new int[] {0}, new TypeMap[] {null})).getMessage().contains("type[0] is null"));
    }

    @Test
    void shouldCheckBufferBoundsAcrossItems() {
        TypeMap column = TypeMap.vector(3, 1, 4, INT); // extent 9
        assertNull(column.checkBuffer(new int[12], 3, 1));
        assertTrue(column.checkBuffer(new int[12], 4, 1).contains("buffer too short"));
        // two items: second starts one extent (9) later, last index 9 + 8 = 17
        assertNull(column.checkBuffer(new int[18], 0, 2));
        assertTrue(column.checkBuffer(new int[17], 0, 2).contains("need indices 0..17"));
        assertTrue(INT.checkBuffer(new double[4], 0, 1).contains("needs a int[] buffer, got double[4]"));
    }

    @Test
    void shouldCopyBetweenLayoutsWithSameSignature() {
        int[] matrix = new int[16];
        for (int i = 0; i < 16; i++) {
            matrix[i] = i;
        }
        TypeMap column = TypeMap.vector(4, 1, 4, INT);
        int[] dense = new int[4];
        DataMover.copy(matrix, 1, column, dense, 0, TypeMap.contiguous(4, INT), 4);
        assertArrayEquals(new int[] {1, 5, 9, 13}, dense);
        int[] back = new int[16];
        TypeMap reversed = TypeMap.indexed(new int[] {1, 1, 1, 1}, new int[] {3, 2, 1, 0}, INT);
        DataMover.copy(dense, 0, reversed, back, 2, column, 4);
        assertArrayEquals(new int[] {0, 0, 13, 0, 0, 0, 9, 0, 0, 0, 5, 0, 0, 0, 1, 0}, back);
    }
}
