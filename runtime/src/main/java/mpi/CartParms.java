package mpi;

/** The result of {@link Cartcomm#Get}: dimensions, periodicity and this process's coordinates. */
public class CartParms {
    public int[] dims;
    public boolean[] periods;
    public int[] coords;

    public CartParms() {
    }

    CartParms(int[] dims, boolean[] periods, int[] coords) {
        this.dims = dims;
        this.periods = periods;
        this.coords = coords;
    }
}
