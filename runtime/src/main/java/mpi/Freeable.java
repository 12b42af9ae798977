package mpi;

/** Objects whose resources a program may release early. */
public interface Freeable {
    void free() throws MPIException;
}
