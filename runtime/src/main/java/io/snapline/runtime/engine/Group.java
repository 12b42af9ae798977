package io.snapline.runtime.engine;

import java.util.Arrays;

/** An ordered set of world ranks, and this process's place in it. Immutable. */
public final class Group {
    /** Rank returned for a process that is not a member. */
    public static final int UNDEFINED = -1;

    private static final Group EMPTY = new Group(new int[0], UNDEFINED);

    private final int[] worldRanks;
    private final int rank;
    private volatile int[] reverse;

    private Group(int[] worldRanks, int rank) {
        this.worldRanks = worldRanks;
        this.rank = rank;
    }

    /** A group of the given world ranks (in group order), seen from the process with world rank {@code self}. */
    public static Group of(int[] worldRanks, int self) {
        int[] copy = worldRanks.clone();
        int r = UNDEFINED;
        for (int i = 0; i < copy.length; i++) {
            if (copy[i] == self) {
                r = i;
            }
        }
        return new Group(copy, r);
    }

    public static Group empty() {
        return EMPTY;
    }

    /** Ranks 0..size-1 of the world, seen from {@code self}. */
    public static Group world(int size, int self) {
        int[] ranks = new int[size];
        for (int i = 0; i < size; i++) {
            ranks[i] = i;
        }
        return new Group(ranks, self);
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

    @Override
    public String toString() {
        return "Group" + Arrays.toString(worldRanks);
    }
}
