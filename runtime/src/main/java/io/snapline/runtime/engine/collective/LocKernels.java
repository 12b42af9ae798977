package io.snapline.runtime.engine.collective;

import io.snapline.runtime.engine.BaseType;

/**
 * MAXLOC and MINLOC over (value, index) pairs stored side by side ({@code MPI.INT2} and friends). The winning value
 * keeps its index; on equal values the smaller index wins, as MPI specifies, which makes both operators commutative.
 * Comparisons with NaN are false, so a NaN in {@code a} never replaces {@code b}.
 */
final class LocKernels {
    private LocKernels() {
    }

    static void shorts(boolean max, short[] a, int i, short[] b, int j, int pairs) {
        for (int p = 0, end = 2 * pairs; p < end; p += 2) {
            short x = a[i + p];
            short y = b[j + p];
            if (max ? x > y : x < y) {
                b[j + p] = x;
                b[j + p + 1] = a[i + p + 1];
            } else if (x == y && a[i + p + 1] < b[j + p + 1]) {
                b[j + p + 1] = a[i + p + 1];
            }
        }
    }

    static void ints(boolean max, int[] a, int i, int[] b, int j, int pairs) {
        for (int p = 0, end = 2 * pairs; p < end; p += 2) {
            int x = a[i + p];
            int y = b[j + p];
            if (max ? x > y : x < y) {
                b[j + p] = x;
                b[j + p + 1] = a[i + p + 1];
            } else if (x == y && a[i + p + 1] < b[j + p + 1]) {
                b[j + p + 1] = a[i + p + 1];
            }
        }
    }

    static void longs(boolean max, long[] a, int i, long[] b, int j, int pairs) {
        for (int p = 0, end = 2 * pairs; p < end; p += 2) {
            long x = a[i + p];
            long y = b[j + p];
            if (max ? x > y : x < y) {
                b[j + p] = x;
                b[j + p + 1] = a[i + p + 1];
            } else if (x == y && a[i + p + 1] < b[j + p + 1]) {
                b[j + p + 1] = a[i + p + 1];
            }
        }
    }

    static void floats(boolean max, float[] a, int i, float[] b, int j, int pairs) {
        for (int p = 0, end = 2 * pairs; p < end; p += 2) {
            float x = a[i + p];
            float y = b[j + p];
            if (max ? x > y : x < y) {
                b[j + p] = x;
                b[j + p + 1] = a[i + p + 1];
            } else if (x == y && a[i + p + 1] < b[j + p + 1]) {
                b[j + p + 1] = a[i + p + 1];
            }
        }
    }

    static void doubles(boolean max, double[] a, int i, double[] b, int j, int pairs) {
        for (int p = 0, end = 2 * pairs; p < end; p += 2) {
            double x = a[i + p];
            double y = b[j + p];
            if (max ? x > y : x < y) {
                b[j + p] = x;
                b[j + p + 1] = a[i + p + 1];
            } else if (x == y && a[i + p + 1] < b[j + p + 1]) {
                b[j + p + 1] = a[i + p + 1];
            }
        }
    }

    /** One pair whose value and index sit at arbitrary slots (derived layouts that split a pair). */
    static void pair(boolean max, BaseType base, Object in, int iv, int ix, Object inout, int jv, int jx) {
        switch (base) {
            case SHORT: {
                short[] a = (short[]) in;
                short[] b = (short[]) inout;
                if (max ? a[iv] > b[jv] : a[iv] < b[jv]) {
                    b[jv] = a[iv];
                    b[jx] = a[ix];
                } else if (a[iv] == b[jv] && a[ix] < b[jx]) {
                    b[jx] = a[ix];
                }
                return;
            }
            case INT: {
                int[] a = (int[]) in;
                int[] b = (int[]) inout;
                if (max ? a[iv] > b[jv] : a[iv] < b[jv]) {
                    b[jv] = a[iv];
                    b[jx] = a[ix];
                } else if (a[iv] == b[jv] && a[ix] < b[jx]) {
                    b[jx] = a[ix];
                }
                return;
            }
            case LONG: {
                long[] a = (long[]) in;
                long[] b = (long[]) inout;
                if (max ? a[iv] > b[jv] : a[iv] < b[jv]) {
                    b[jv] = a[iv];
                    b[jx] = a[ix];
                } else if (a[iv] == b[jv] && a[ix] < b[jx]) {
                    b[jx] = a[ix];
                }
                return;
            }
            case FLOAT: {
                float[] a = (float[]) in;
                float[] b = (float[]) inout;
                if (max ? a[iv] > b[jv] : a[iv] < b[jv]) {
                    b[jv] = a[iv];
                    b[jx] = a[ix];
                } else if (a[iv] == b[jv] && a[ix] < b[jx]) {
                    b[jx] = a[ix];
                }
                return;
            }
            case DOUBLE: {
                double[] a = (double[]) in;
                double[] b = (double[]) inout;
                if (max ? a[iv] > b[jv] : a[iv] < b[jv]) {
                    b[jv] = a[iv];
                    b[jx] = a[ix];
                } else if (a[iv] == b[jv] && a[ix] < b[jx]) {
                    b[jx] = a[ix];
                }
                return;
            }
            default:
                throw new AssertionError(base);
        }
    }
}
