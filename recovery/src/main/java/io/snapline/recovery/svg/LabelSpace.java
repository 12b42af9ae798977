package io.snapline.recovery.svg;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The boxes labels already occupy on a diagram, so that a new label goes where it overlaps none of them or is left
 * out. Boxes are hashed into a grid of cells, so a check costs about as much as the labels near it.
 */
final class LabelSpace {
    private static final double CELL_WIDTH = 64;
    private static final double CELL_HEIGHT = 24;

    private final Map<Long, List<double[]>> cells = new HashMap<>();

    /** Whether the box from ({@code x1}, {@code y1}) to ({@code x2}, {@code y2}) overlaps no occupied box. */
    boolean isFree(double x1, double y1, double x2, double y2) {
        for (long key : keys(x1, y1, x2, y2)) {
            for (double[] b : cells.getOrDefault(key, List.of())) {
                if (x1 < b[2] && b[0] < x2 && y1 < b[3] && b[1] < y2) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Occupies the box if it is free; returns whether it was. */
    boolean take(double x1, double y1, double x2, double y2) {
        if (!isFree(x1, y1, x2, y2)) {
            return false;
        }
        block(x1, y1, x2, y2);
        return true;
    }

    /** Keeps later labels out of the box (a timeline, say), whatever it overlaps already. */
    void block(double x1, double y1, double x2, double y2) {
        double[] box = {x1, y1, x2, y2};
        for (long key : keys(x1, y1, x2, y2)) {
            cells.computeIfAbsent(key, k -> new ArrayList<>(2)).add(box);
        }
    }

    private static List<Long> keys(double x1, double y1, double x2, double y2) {
        List<Long> keys = new ArrayList<>(4);
        for (long cx = (long) Math.floor(x1 / CELL_WIDTH); cx <= (long) Math.floor(x2 / CELL_WIDTH); cx++) {
            for (long cy = (long) Math.floor(y1 / CELL_HEIGHT); cy <= (long) Math.floor(y2 / CELL_HEIGHT); cy++) {
                keys.add(cx * 1_000_003L + cy);
            }
        }
        return keys;
    }
}
