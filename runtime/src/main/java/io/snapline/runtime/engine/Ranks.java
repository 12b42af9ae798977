package io.snapline.runtime.engine;

/** Special rank and tag values; they equal the mpiJava constants of the same names. */
public final class Ranks {
    public static final int ANY_SOURCE = -2;
    public static final int ANY_TAG = -2;
    public static final int PROC_NULL = -3;
    public static final int UNDEFINED = -1;
    /** Largest tag a program may use. */
    public static final int TAG_UB = Integer.MAX_VALUE;

    private Ranks() {
    }
}
