package io.snapline.runtime.engine;

import java.util.Arrays;

/**
 * An ordered set of world ranks, and this process's place in it. Immutable. Derived groups (set operations,
 * inclusion and exclusion) are seen from the same process as the group they come from; arguments are checked and
 * bad ones raise {@link EngineException} with a message that says what to change.
 */
public final class Group {
    /** Rank returned for a process that is not a member. */
    public static final int UNDEFINED = -1;

    private static final Group EMPTY = new Group(new int[0], UNDEFINED, UNDEFINED);
    /**
     * {0, 1, ..., n-1} of the latest world size asked for: the members of every rank's world group, and their reverse
     * index. Groups never change their arrays, so the ranks of a job share one instead of each holding two of size n.
     */
    private static volatile int[] identity = new int[0];

    private final int[] worldRanks;
    private final int rank;
    /** World rank of the process this group is seen from, or {@link #UNDEFINED} when not known (the empty group). */
    private final int self;
    private volatile int[] reverse;

    private Group(int[] worldRanks, int rank, int self) {
        this.worldRanks = worldRanks;
        this.rank = rank;
        this.self = self;
    }

    /** A group of the given world ranks (in group order), seen from the process with world rank {@code self}. */
    public static Group of(int[] worldRanks, int self) {
        return ofOwned(worldRanks.clone(), self);
    }

    private static Group ofOwned(int[] ranks, int self) {
        int r = UNDEFINED;
        for (int i = 0; i < ranks.length; i++) {
            if (ranks[i] == self) {
                r = i;
            }
        }
        return new Group(ranks, r, self);
    }

    public static Group empty() {
        return EMPTY;
    }

    /** Ranks 0..size-1 of the world, seen from {@code self}. */
    public static Group world(int size, int self) {
        int[] ranks = identity;
        if (ranks.length != size) {
            ranks = new int[size];
            for (int i = 0; i < size; i++) {
                ranks[i] = i;
            }
            identity = ranks;
        }
        Group g = new Group(ranks, self, self);
        g.reverse = ranks;
        return g;
    }

    public int size() {
        return worldRanks.length;
    }

    /** This process's rank in the group, or {@link #UNDEFINED}. */
    public int rank() {
        return rank;
    }

    public int worldRank(int groupRank) {
        return worldRanks[groupRank];
    }

    /** A copy of the members' world ranks in group order. */
    public int[] worldRanks() {
        return worldRanks.clone();
    }

    /** Group rank of the process with world rank {@code world}, or {@link #UNDEFINED}. */
    public int rankOfWorld(int world) {
        int[] rev = reverse;
        if (rev == null) {
            int max = -1;
            for (int w : worldRanks) {
                max = Math.max(max, w);
            }
            rev = new int[max + 1];
            Arrays.fill(rev, UNDEFINED);
            for (int i = 0; i < worldRanks.length; i++) {
                rev[worldRanks[i]] = i;
            }
            reverse = rev;
        }
        return world >= 0 && world < rev.length ? rev[world] : UNDEFINED;
    }

    public boolean contains(int world) {
        return rankOfWorld(world) != UNDEFINED;
    }

    /** Whether both groups hold the same members in the same order. */
    public boolean sameOrder(Group other) {
        return Arrays.equals(worldRanks, other.worldRanks);
    }

    /** Whether both groups hold the same members, in any order. */
    public boolean sameMembers(Group other) {
        int[] a = worldRanks.clone();
        int[] b = other.worldRanks.clone();
        Arrays.sort(a);
        Arrays.sort(b);
        return Arrays.equals(a, b);
    }

    /** Whether the groups share no member. */
    public boolean disjoint(Group other) {
        for (int w : worldRanks) {
            if (other.contains(w)) {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- derived groups (MPI ordering rules)

    /** For each rank of this group in {@code ranks}: its rank in {@code other}, or {@link #UNDEFINED}. */
    public int[] translate(int[] ranks, Group other) {
        int[] out = new int[ranks.length];
        for (int i = 0; i < ranks.length; i++) {
            int r = ranks[i];
            out[i] = r == Ranks.PROC_NULL ? Ranks.PROC_NULL : other.rankOfWorld(worldRanks[checkRank(r, "ranks[" + i + "]")]);
        }
        return out;
    }

    /** The members of this group in order, then those of {@code other} not in this group, in {@code other}'s order. */
    public Group union(Group other) {
        int[] out = Arrays.copyOf(worldRanks, worldRanks.length + other.worldRanks.length);
        int n = worldRanks.length;
        for (int w : other.worldRanks) {
            if (!contains(w)) {
                out[n++] = w;
            }
        }
        return derived(Arrays.copyOf(out, n), other);
    }

    /** The members of this group that are also in {@code other}, in this group's order. */
    public Group intersection(Group other) {
        return filter(other, true);
    }

    /** The members of this group that are not in {@code other}, in this group's order. */
    public Group difference(Group other) {
        return filter(other, false);
    }

    private Group filter(Group other, boolean keepShared) {
        int[] out = new int[worldRanks.length];
        int n = 0;
        for (int w : worldRanks) {
            if (other.contains(w) == keepShared) {
                out[n++] = w;
            }
        }
        return derived(Arrays.copyOf(out, n), other);
    }

    /** The members at {@code ranks}, in that order; ranks must be valid and distinct. */
    public Group incl(int[] ranks) {
        checkDistinct(ranks, "Incl");
        int[] out = new int[ranks.length];
        for (int i = 0; i < ranks.length; i++) {
            out[i] = worldRanks[ranks[i]];
        }
        return derived(out, this);
    }

    /** The members not at {@code ranks}, in group order; ranks must be valid and distinct. */
    public Group excl(int[] ranks) {
        boolean[] drop = checkDistinct(ranks, "Excl");
        int[] out = new int[worldRanks.length - ranks.length];
        int n = 0;
        for (int i = 0; i < worldRanks.length; i++) {
            if (!drop[i]) {
                out[n++] = worldRanks[i];
            }
        }
        return derived(out, this);
    }

    /** {@link #incl} of the ranks that the (first, last, stride) triplets name, in triplet order. */
    public Group rangeIncl(int[][] ranges) {
        return incl(expand(ranges));
    }

    /** {@link #excl} of the ranks that the (first, last, stride) triplets name. */
    public Group rangeExcl(int[][] ranges) {
        return excl(expand(ranges));
    }

    /**
     * The ranks named by (first, last, stride) triplets: first, first+stride, ... as far as last (MPI-1.1 5.3.2).
     * Only the ranks a triplet produces must be valid; its {@code last} need not be one ({5, 8, 2} in a group of 8
     * names 5 and 7).
     */
    int[] expand(int[][] ranges) {
        if (ranges == null) {
            throw new EngineException("the ranges array is null");
        }
        long total = 0;
        for (int i = 0; i < ranges.length; i++) {
            total += countOf(ranges[i], i);
        }
        if (total > worldRanks.length) {
            throw new EngineException("the ranges name " + total + " ranks but the group has only " + worldRanks.length
                    + "; every rank may be named once");
        }
        int[] out = new int[(int) total];
        int n = 0;
        for (int[] t : ranges) {
            long count = countOf(t, 0);
            for (long k = 0; k < count; k++) {
                out[n++] = (int) (t[0] + k * t[2]);
            }
        }
        return out;
    }

    /** How many ranks triplet {@code i} names, once its first and last produced ranks are known to be valid. */
    private long countOf(int[] t, int i) {
        if (t == null || t.length != 3) {
            throw new EngineException("ranges[" + i + "] must be a triplet {first, last, stride}");
        }
        int first = t[0];
        int last = t[1];
        int stride = t[2];
        String triplet = "ranges[" + i + "] = {" + first + ", " + last + ", " + stride + "}";
        if (stride == 0) {
            throw new EngineException("ranges[" + i + "] has stride 0; use a positive or negative stride");
        }
        if (stride > 0 ? first > last : first < last) {
            throw new EngineException(triplet + " never reaches " + last + " from " + first + "; use a "
                    + (stride > 0 ? "negative" : "positive") + " stride to go that way");
        }
        long count = ((long) last - first) / stride + 1;
        checkProduced(first, triplet);
        checkProduced(first + (count - 1) * stride, triplet); // the ranks run monotonically from first to this one
        return count;
    }

    private void checkProduced(long r, String triplet) {
        if (r < 0 || r >= worldRanks.length) {
            throw new EngineException(triplet + " names rank " + r + ", which is out of range for a group of size "
                    + worldRanks.length + (worldRanks.length == 0 ? " (the group is empty)"
                    : " (valid: 0.." + (worldRanks.length - 1) + ")"));
        }
    }

    private boolean[] checkDistinct(int[] ranks, String op) {
        if (ranks == null) {
            throw new EngineException("the ranks array is null");
        }
        boolean[] seen = new boolean[worldRanks.length];
        for (int i = 0; i < ranks.length; i++) {
            int r = checkRank(ranks[i], "ranks[" + i + "]");
            if (seen[r]) {
                throw new EngineException("rank " + r + " appears more than once; " + op + " needs distinct ranks");
            }
            seen[r] = true;
        }
        return seen;
    }

    private int checkRank(int r, String what) {
        if (r < 0 || r >= worldRanks.length) {
            throw new EngineException(what + " = " + r + " is out of range for a group of size " + worldRanks.length
                    + (worldRanks.length == 0 ? " (the group is empty)" : " (valid: 0.." + (worldRanks.length - 1) + ")"));
        }
        return r;
    }

    /** A group of {@code ranks} seen from the same process as this group (or {@code other} when this one is empty). */
    private Group derived(int[] ranks, Group other) {
        if (ranks.length == 0) {
            return EMPTY;
        }
        return ofOwned(ranks, self != UNDEFINED ? self : other.self);
    }

    @Override
    public String toString() {
        return "Group" + Arrays.toString(worldRanks);
    }
}
