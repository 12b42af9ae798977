package mpi;

import io.snapline.runtime.engine.Ranks;

/**
 * The outcome of a receive or probe. {@code source} and {@code tag} are public fields, as in MPJ Express;
 * {@code index} is set by {@code Waitany}/{@code Testany}/{@code Waitsome}/{@code Testsome}.
 */
public class Status implements Freeable {
    public int source;
    public int tag;
    public int index;
    /** Base elements received (as MPJ Express's {@code numEls}). */
    public int numEls;
    private boolean cancelled;

    public Status() {
        this.source = Ranks.ANY_SOURCE;
        this.tag = Ranks.ANY_TAG;
        this.index = Ranks.UNDEFINED;
    }

    Status(int source, int tag, int elements, boolean cancelled) {
        this.source = source;
        this.tag = tag;
        this.index = Ranks.UNDEFINED;
        this.numEls = elements;
        this.cancelled = cancelled;
    }

    /**
     * Number of whole items of {@code datatype} received, or {@link MPI#UNDEFINED} when it is not a whole number.
     * A datatype of size zero (one with no elements, such as a {@code Struct} of nothing) carries no data, so the
     * number of items sent cannot be told from the message: the count is 0, as MPICH reports it.
     */
    public int Get_count(Datatype datatype) throws MPIException {
        int size = Datatype.mapOf(datatype, "Get_count").size();
        if (size == 0) {
            return numEls == 0 ? 0 : Ranks.UNDEFINED;
        }
        return numEls % size == 0 ? numEls / size : Ranks.UNDEFINED;
    }

    /** Number of base elements received (0 for a datatype of size zero). */
    public int Get_elements(Datatype datatype) throws MPIException {
        Datatype.mapOf(datatype, "Get_elements");
        return numEls;
    }

    public boolean Test_cancelled() throws MPIException {
        return cancelled;
    }

    @Override
    public void free() {
    }

    @Override
    public String toString() {
        return "Status[source=" + source + ", tag=" + tag + ", elements=" + numEls + (cancelled ? ", cancelled" : "") + "]";
    }
}
