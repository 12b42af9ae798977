package io.snapline.runtime.engine.topology;

import io.snapline.runtime.engine.EngineException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code Dims_create}: chooses grid dimensions for a number of processes. Positive entries are kept; zero entries
 * are filled so that the product of all entries is the number of processes, with the filled values as close to each
 * other as possible (smallest difference between the largest and smallest) and in non-increasing order.
 */
public final class Dims {
    private Dims() {
    }

    /** Fills the zero entries of {@code dims} in place, for {@code nnodes} processes. */
    public static void create(int nnodes, int[] dims) {
        if (dims == null) {
            throw new EngineException("dims is null");
        }
        if (nnodes < 1) {
            throw new EngineException("nnodes = " + nnodes + "; a grid needs at least one process");
        }
        long fixed = 1;
        int free = 0;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0) {
                throw new EngineException("dims[" + i + "] = " + dims[i] + "; entries must be positive (kept) or 0 (to fill)");
            }
            if (dims[i] == 0) {
                free++;
            } else {
                fixed *= dims[i];
                if (fixed > nnodes) {
                    break;
                }
            }
        }
        if (fixed > nnodes || nnodes % fixed != 0) {
            throw new EngineException("the fixed entries of " + Arrays.toString(dims) + " multiply to " + fixed
                    + ", which does not divide nnodes = " + nnodes + "; change them or set them to 0");
        }
        int rest = (int) (nnodes / fixed);
        if (free == 0) {
            if (rest != 1) {
                throw new EngineException("the entries of " + Arrays.toString(dims) + " multiply to " + fixed + ", not nnodes = "
                        + nnodes + "; set some entries to 0 to have them filled");
            }
            return;
        }
        int[] best = balanced(rest, free);
        int k = 0;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == 0) {
                dims[i] = best[k++];
            }
        }
    }

    /** The non-increasing {@code parts}-tuple with product {@code n} whose largest and smallest values differ least. */
    static int[] balanced(int n, int parts) {
        int[] divisors = divisorsDescending(n);
        Search s = new Search(divisors, parts);
        s.run(0, n, n);
        return s.best;
    }

    private static int[] divisorsDescending(int n) {
        List<Integer> small = new ArrayList<>();
        List<Integer> large = new ArrayList<>();
        for (int d = 1; (long) d * d <= n; d++) {
            if (n % d == 0) {
                small.add(d);
                if (d != n / d) {
                    large.add(n / d);
                }
            }
        }
        int[] out = new int[small.size() + large.size()];
        int k = 0;
        for (int i = 0; i < large.size(); i++) {
            out[k++] = large.get(i);
        }
        for (int i = small.size() - 1; i >= 0; i--) {
            out[k++] = small.get(i);
        }
        return out;
    }

    /** Depth-first search over non-increasing factorisations, pruned by the best spread found so far. */
    private static final class Search {
        private final int[] divisors;
        private final int[] current;
        private int[] best;
        private long bestSpread = Long.MAX_VALUE;

        Search(int[] divisors, int parts) {
            this.divisors = divisors;
            this.current = new int[parts];
        }

        void run(int slot, int remaining, int maxAllowed) {
            if (slot == current.length - 1) {
                if (remaining <= maxAllowed) {
                    current[slot] = remaining;
                    long spread = (long) current[0] - remaining;
                    if (spread < bestSpread) {
                        bestSpread = spread;
                        best = current.clone();
                    }
                }
                return;
            }
            int slotsLeft = current.length - slot;
            for (int d : divisors) {
                if (d > maxAllowed || remaining % d != 0) {
                    continue;
                }
                if (Math.pow(d, slotsLeft) < remaining) {
                    break; // later values are no larger, so the product can no longer be reached
                }
                long max = slot == 0 ? d : current[0];
                if (max - d >= bestSpread) {
                    break; // the smallest value is at most d, so the spread cannot improve
                }
                current[slot] = d;
                run(slot + 1, remaining / d, d);
            }
        }
    }
}
