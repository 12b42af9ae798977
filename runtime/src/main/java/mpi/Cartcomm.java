package mpi;

import io.snapline.runtime.engine.CommFactory;
import io.snapline.runtime.engine.Communicator;
import io.snapline.runtime.engine.EngineException;
import io.snapline.runtime.engine.topology.CartTopology;
import io.snapline.runtime.engine.topology.Dims;
import java.util.function.Supplier;

/**
 * An intracommunicator with a Cartesian topology, made by {@link Intracomm#Create_cart}. Rank {@code r} sits at
 * {@link #Coords}{@code (r)} in row-major order (the last dimension varies fastest). {@code reorder} is accepted but
 * the ranks keep their order in the parent communicator: on one host no placement is better than another.
 * Duplicates ({@link #clone}, {@link #Dup}) keep the topology.
 */
public class Cartcomm extends Intracomm {
    /** What {@link #Topo_test} returns, the value of {@link MPI#CART}. */
    static final int CART = 2;

    private final CartTopology topo;

    Cartcomm(Communicator impl, CartTopology topo) {
        super(impl);
        this.topo = topo;
    }

    /** Collective over {@code parent}: ranks beyond the product of {@code dims} get {@code null}. */
    static Cartcomm create(Intracomm parent, int[] dims, boolean[] periods, boolean reorder) {
        Communicator c = parent.impl("Create_cart");
        CartTopology topo = call("Create_cart", () -> CartTopology.of(dims, periods));
        int needed = topo.size();
        if (needed > c.size()) {
            throw new MPIException("Create_cart: the grid needs " + needed + " processes but the communicator has only "
                    + c.size() + "; use smaller dims (Cartcomm.Dims_create chooses them)");
        }
        int[] first = new int[needed];
        for (int i = 0; i < needed; i++) {
            first[i] = i;
        }
        Communicator grid = call("Create_cart", () -> CommFactory.create(c, c.localGroup().incl(first)));
        return grid == null ? null : new Cartcomm(grid, topo);
    }

    static <T> T call(String op, Supplier<T> body) {
        try {
            return body.get();
        } catch (EngineException e) {
            throw MPIException.of(op, e);
        }
    }

    @Override
    Comm wrapLike(Communicator c) {
        return new Cartcomm(c, topo);
    }

    @Override
    public Object clone() throws MPIException {
        return Dup();
    }

    /** The rank at {@code coords}; periodic coordinates wrap around, non-periodic ones must be inside the grid. */
    public int Rank(int[] coords) throws MPIException {
        impl("Rank");
        return call("Rank", () -> topo.rank(coords));
    }

    /** The coordinates of {@code rank}. */
    public int[] Coords(int rank) throws MPIException {
        impl("Coords");
        return call("Coords", () -> topo.coords(rank));
    }

    /**
     * The ranks to receive from ({@code disp} steps back along {@code direction}) and to send to ({@code disp} steps
     * forward); {@link MPI#PROC_NULL} past the edge of a non-periodic dimension.
     */
    public ShiftParms Shift(int direction, int disp) throws MPIException {
        int me = impl("Shift").rank();
        int[] sd = call("Shift", () -> topo.shift(me, direction, disp));
        return new ShiftParms(sd[0], sd[1]);
    }

    /**
     * Collective: cuts the grid into sub-grids that keep the dimensions with {@code remain_dims[i]} set; returns the
     * one holding this process, ranked row-major over the kept dimensions.
     */
    public Cartcomm Sub(boolean[] remain_dims) throws MPIException {
        Communicator c = impl("Sub");
        CartTopology sub = call("Sub", () -> topo.sub(remain_dims));
        int[] colorKey = topo.subColorKey(c.rank(), remain_dims);
        Communicator part = call("Sub", () -> CommFactory.split(c, colorKey[0], colorKey[1]));
        return new Cartcomm(part, sub);
    }

    /** The rank this process would have in a grid of {@code dims} over this communicator, or {@link MPI#UNDEFINED}. */
    public int Map(int[] dims, boolean[] periods) throws MPIException {
        Communicator c = impl("Map");
        CartTopology t = call("Map", () -> CartTopology.of(dims, periods));
        if (t.size() > c.size()) {
            throw new MPIException("Map: the grid needs " + t.size() + " processes but the communicator has only " + c.size());
        }
        return c.rank() < t.size() ? c.rank() : io.snapline.runtime.engine.Ranks.UNDEFINED;
    }

    /** Dimensions, periodicity and this process's coordinates. */
    public CartParms Get() throws MPIException {
        int me = impl("Get").rank();
        return new CartParms(topo.dims(), topo.periods(), topo.coords(me));
    }

    /** {@link MPI#CART}. */
    @Override
    public int Topo_test() throws MPIException {
        impl("Topo_test");
        return CART;
    }

    /**
     * Fills the zero entries of {@code dims} for a grid of {@code nnodes} processes, as balanced as possible and in
     * non-increasing order; positive entries are kept. Raises {@link MPIException} when no grid fits.
     */
    public static void Dims_create(int nnodes, int[] dims) throws MPIException {
        call("Dims_create", () -> {
            Dims.create(nnodes, dims);
            return null;
        });
    }
}
