package mpi;

/** The result of {@link Cartcomm#Shift}: where to receive from and where to send to. */
public class ShiftParms {
    public int rank_source;
    public int rank_dest;

    public ShiftParms() {
    }

    ShiftParms(int source, int dest) {
        this.rank_source = source;
        this.rank_dest = dest;
    }
}
