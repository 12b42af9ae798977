package mpi;

import io.snapline.runtime.engine.EngineException;
import java.util.function.Supplier;

/**
 * An ordered set of processes, as seen by this process. Groups are values: the set operations and
 * inclusion/exclusion return new groups and never change their arguments. Ranks passed in are ranks of the group the
 * method is called on (or of the first group, for {@link #Translate_ranks}); invalid or repeated ranks raise
 * {@link MPIException}. A freed group (and {@link MPI#GROUP_NULL}) cannot be used.
 */
public class Group implements Freeable {
    /** Result code kept from mpiJava. */
    public static final int EMPTY = 3;

    /** Results of {@link #Compare} and {@code Comm.Compare}: the values of {@link MPI#IDENT} and the others. */
    static final int IDENT = 0;
    static final int CONGRUENT = 3;
    static final int SIMILAR = 1;
    static final int UNEQUAL = 2;

    /** Kept for source compatibility with MPJ Express, where it is an internal handle; {@link #EMPTY} for the empty group. */
    public int code;

    io.snapline.runtime.engine.Group impl;
    /** MPI.GROUP_EMPTY, which stays usable when freed. */
    private boolean predefined;

    Group(io.snapline.runtime.engine.Group impl) {
        this.impl = impl;
        this.code = impl != null && impl.size() == 0 ? EMPTY : 0;
    }

    /** MPI.GROUP_EMPTY of a rank. */
    static Group predefinedEmpty() {
        Group g = new Group(io.snapline.runtime.engine.Group.empty());
        g.predefined = true;
        return g;
    }

    io.snapline.runtime.engine.Group impl(String op) {
        if (impl == null) {
            throw new MPIException(op + ": the group has been freed (or is MPI.GROUP_NULL)");
        }
        return impl;
    }

    private static io.snapline.runtime.engine.Group implOf(Group g, String op, String which) {
        if (g == null) {
            throw new MPIException(op + ": " + which + " is null");
        }
        return g.impl(op);
    }

    private static <T> T call(String op, Supplier<T> body) {
        try {
            return body.get();
        } catch (EngineException e) {
            throw MPIException.of(op, e);
        }
    }

    public int Size() throws MPIException {
        return impl("Size").size();
    }

    /** This process's rank in the group, or {@link MPI#UNDEFINED} when it is not a member. */
    public int Rank() throws MPIException {
        return impl("Rank").rank();
    }

    /**
     * For each rank of {@code group1} in {@code ranks1}: the rank of the same process in {@code group2}, or
     * {@link MPI#UNDEFINED} when it is not a member there ({@link MPI#PROC_NULL} maps to itself).
     */
    public static int[] Translate_ranks(Group group1, int[] ranks1, Group group2) throws MPIException {
        io.snapline.runtime.engine.Group a = implOf(group1, "Translate_ranks", "group1");
        io.snapline.runtime.engine.Group b = implOf(group2, "Translate_ranks", "group2");
        if (ranks1 == null) {
            throw new MPIException("Translate_ranks: the ranks array is null");
        }
        return call("Translate_ranks", () -> a.translate(ranks1, b));
    }

    /** {@link MPI#IDENT} (same members, same order), {@link MPI#SIMILAR} (same members) or {@link MPI#UNEQUAL}. */
    public static int Compare(Group group1, Group group2) throws MPIException {
        io.snapline.runtime.engine.Group a = implOf(group1, "Compare", "group1");
        io.snapline.runtime.engine.Group b = implOf(group2, "Compare", "group2");
        if (a.sameOrder(b)) {
            return IDENT;
        }
        return a.sameMembers(b) ? SIMILAR : UNEQUAL;
    }

    /** All of {@code group1} in its order, then the members of {@code group2} not in {@code group1}, in its order. */
    public static Group Union(Group group1, Group group2) throws MPIException {
        io.snapline.runtime.engine.Group a = implOf(group1, "Union", "group1");
        return new Group(a.union(implOf(group2, "Union", "group2")));
    }

    /** The members of {@code group1} that are also in {@code group2}, in {@code group1}'s order. */
    public static Group Intersection(Group group1, Group group2) throws MPIException {
        io.snapline.runtime.engine.Group a = implOf(group1, "Intersection", "group1");
        return new Group(a.intersection(implOf(group2, "Intersection", "group2")));
    }

    /** The members of {@code group1} that are not in {@code group2}, in {@code group1}'s order. */
    public static Group Difference(Group group1, Group group2) throws MPIException {
        io.snapline.runtime.engine.Group a = implOf(group1, "Difference", "group1");
        return new Group(a.difference(implOf(group2, "Difference", "group2")));
    }

    /** The members at {@code ranks}, in that order (rank i of the result is {@code ranks[i]} here). */
    public Group Incl(int[] ranks) throws MPIException {
        io.snapline.runtime.engine.Group g = impl("Incl");
        return new Group(call("Incl", () -> g.incl(ranks)));
    }

    /** The members not at {@code ranks}, in this group's order. */
    public Group Excl(int[] ranks) throws MPIException {
        io.snapline.runtime.engine.Group g = impl("Excl");
        return new Group(call("Excl", () -> g.excl(ranks)));
    }

    /**
     * {@link #Incl} of the ranks named by triplets {@code {first, last, stride}}: first, first+stride, ... as far as
     * last. The stride may be negative (to count down) but not zero. Every rank a triplet produces must be a rank of
     * this group; {@code last} itself need not be one ({@code {5, 8, 2}} in a group of 8 names ranks 5 and 7).
     */
    public Group Range_incl(int[][] ranges) throws MPIException {
        io.snapline.runtime.engine.Group g = impl("Range_incl");
        return new Group(call("Range_incl", () -> g.rangeIncl(ranges)));
    }

    /** {@link #Excl} of the ranks named by triplets {@code {first, last, stride}}, as in {@link #Range_incl}. */
    public Group Range_excl(int[][] ranges) throws MPIException {
        io.snapline.runtime.engine.Group g = impl("Range_excl");
        return new Group(call("Range_excl", () -> g.rangeExcl(ranges)));
    }

    /** Releases this handle; using it afterwards raises {@link MPIException}. {@link MPI#GROUP_EMPTY} stays usable. */
    @Override
    public void free() {
        if (!predefined) {
            impl = null;
        }
    }

    /** Kept for source compatibility with mpiJava; does nothing. */
    @SuppressWarnings({"deprecation", "removal"})
    @Override
    public void finalize() throws MPIException {
    }
}
