package mpi;

/** An error handler: {@link MPI#ERRORS_ARE_FATAL} or {@link MPI#ERRORS_RETURN}. Errors are raised as {@link MPIException} either way. */
public class Errhandler {
    private final String name;

    Errhandler(String name) {
        this.name = name;
    }

    @Override
    public String toString() {
        return name;
    }
}
