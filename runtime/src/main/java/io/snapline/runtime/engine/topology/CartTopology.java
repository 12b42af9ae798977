package io.snapline.runtime.engine.topology;

import io.snapline.runtime.engine.EngineException;
import io.snapline.runtime.engine.Ranks;
import java.util.Arrays;

/**
 * A Cartesian grid: the extent of each dimension and whether it wraps around. Ranks are laid out in row-major order
 * (the last dimension varies fastest), as MPI specifies. Immutable; the arrays handed out are copies.
 */
public final class CartTopology {
    private final int[] dims;
    private final boolean[] periods;
    private final int size;

    private CartTopology(int[] dims, boolean[] periods, int size) {
        this.dims = dims;
        this.periods = periods;
        this.size = size;
    }

    /** Checks and copies the arguments of {@code Create_cart} / {@code Cart_map}. */
    public static CartTopology of(int[] dims, boolean[] periods) {
        if (dims == null || periods == null) {
            throw new EngineException("dims and periods must not be null");
        }
        if (dims.length != periods.length) {
            throw new EngineException("dims has " + dims.length + " entries but periods has " + periods.length
                    + "; give one period flag per dimension");
        }
        long size = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] <= 0) {
                throw new EngineException("dims[" + i + "] = " + dims[i] + "; every dimension needs at least one process"
                        + " (Dims_create fills in zero entries)");
            }
            size *= dims[i];
            if (size > Integer.MAX_VALUE) {
                throw new EngineException("the grid " + Arrays.toString(dims) + " has more than Integer.MAX_VALUE points");
            }
        }
        return new CartTopology(dims.clone(), periods.clone(), (int) size);
    }

    /** Number of grid points (the product of the dimensions; 1 for zero dimensions). */
    public int size() {
        return size;
    }

    public int ndims() {
        return dims.length;
    }

    public int[] dims() {
        return dims.clone();
    }

    public boolean[] periods() {
        return periods.clone();
    }

    /** The coordinates of {@code rank}. */
    public int[] coords(int rank) {
        if (rank < 0 || rank >= size) {
            throw new EngineException("rank " + rank + " is out of range for a grid of " + size + " process(es) (valid: 0.."
                    + (size - 1) + ")");
        }
        int[] c = new int[dims.length];
        int rest = rank;
        for (int i = dims.length - 1; i >= 0; i--) {
            c[i] = rest % dims[i];
            rest /= dims[i];
        }
        return c;
    }

    /** The rank at {@code coords}; periodic coordinates wrap around, others must lie inside the grid. */
    public int rank(int[] coords) {
        if (coords == null || coords.length != dims.length) {
            throw new EngineException("coords must have " + dims.length + " entr" + (dims.length == 1 ? "y" : "ies")
                    + ", one per dimension, but " + (coords == null ? "is null" : "has " + coords.length));
        }
        int r = 0;
        for (int i = 0; i < dims.length; i++) {
            int c = coords[i];
            if (c < 0 || c >= dims[i]) {
                if (!periods[i]) {
                    throw new EngineException("coords[" + i + "] = " + c + " is outside the non-periodic dimension " + i
                            + " of extent " + dims[i] + " (valid: 0.." + (dims[i] - 1) + ")");
                }
                c = Math.floorMod(c, dims[i]);
            }
            r = r * dims[i] + c;
        }
        return r;
    }

    /**
     * The ranks {@code disp} steps before and after {@code rank} along {@code direction}: {@code [source, dest]}.
     * Past the edge of a non-periodic dimension the answer is {@link Ranks#PROC_NULL}.
     */
    public int[] shift(int rank, int direction, int disp) {
        if (direction < 0 || direction >= dims.length) {
            throw new EngineException("direction " + direction + " is out of range for a grid of " + dims.length
                    + " dimension(s) (valid: 0.." + (dims.length - 1) + ")");
        }
        int[] c = coords(rank);
        int here = c[direction];
        return new int[] {neighbour(c, direction, (long) here - disp), neighbour(c, direction, (long) here + disp)};
    }

    private int neighbour(int[] c, int direction, long target) {
        int extent = dims[direction];
        if (target < 0 || target >= extent) {
            if (!periods[direction]) {
                return Ranks.PROC_NULL;
            }
            target = Math.floorMod(target, (long) extent);
        }
        int[] moved = c.clone();
        moved[direction] = (int) target;
        return rank(moved);
    }

    /** The topology of the sub-grid that keeps the dimensions with {@code remain[i]} set. */
    public CartTopology sub(boolean[] remain) {
        checkRemain(remain);
        int n = 0;
        for (boolean b : remain) {
            n += b ? 1 : 0;
        }
        int[] d = new int[n];
        boolean[] p = new boolean[n];
        int k = 0;
        for (int i = 0; i < dims.length; i++) {
            if (remain[i]) {
                d[k] = dims[i];
                p[k++] = periods[i];
            }
        }
        return new CartTopology(d, p, Math.toIntExact(productOf(d)));
    }

    /**
     * For {@code rank}, the pair (which sub-grid, rank within it) when the grid is cut into the sub-grids that keep
     * the dimensions with {@code remain[i]} set: {@code [color, key]}, both row-major over their dimensions.
     */
    public int[] subColorKey(int rank, boolean[] remain) {
        checkRemain(remain);
        int[] c = coords(rank);
        int color = 0;
        int key = 0;
        for (int i = 0; i < dims.length; i++) {
            if (remain[i]) {
                key = key * dims[i] + c[i];
            } else {
                color = color * dims[i] + c[i];
            }
        }
        return new int[] {color, key};
    }

    private void checkRemain(boolean[] remain) {
        if (remain == null || remain.length != dims.length) {
            throw new EngineException("remain_dims must have one flag per dimension (" + dims.length + "), but "
                    + (remain == null ? "is null" : "has " + remain.length));
        }
    }

    private static long productOf(int[] d) {
        long p = 1;
        for (int x : d) {
            p *= x;
        }
        return p;
    }

    @Override
    public String toString() {
        return "CartTopology" + Arrays.toString(dims) + Arrays.toString(periods);
    }
}
