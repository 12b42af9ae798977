package io.snapline.runtime.engine.collective;

/**
 * Element loops of the predefined operators over the integral base types: {@code b[j + k] = a[i + k] op b[j + k]}
 * for {@code k < n}. Arithmetic wraps as in Java (and C); the logical operators treat nonzero as true and yield
 * 1 or 0. One tight loop per (operator, type) pair: no boxing, no per-element dispatch.
 */
final class IntegralKernels {
    private IntegralKernels() {
    }

    static void bytes(PredefinedOps op, byte[] a, int i, byte[] b, int j, int n) {
        switch (op) {
            case MAX:
                for (int k = 0; k < n; k++) {
                    b[j + k] = (byte) Math.max(a[i + k], b[j + k]);
                }
                return;
            case MIN:
                for (int k = 0; k < n; k++) {
                    b[j + k] = (byte) Math.min(a[i + k], b[j + k]);
                }
                return;
            case SUM:
                for (int k = 0; k < n; k++) {
                    b[j + k] = (byte) (a[i + k] + b[j + k]);
                }
                return;
            case PROD:
                for (int k = 0; k < n; k++) {
                    b[j + k] = (byte) (a[i + k] * b[j + k]);
                }
                return;
            case LAND:
                for (int k = 0; k < n; k++) {
                    b[j + k] = a[i + k] != 0 & b[j + k] != 0 ? (byte) 1 : (byte) 0;
                }
                return;
            case LOR:
                for (int k = 0; k < n; k++) {
                    b[j + k] = a[i + k] != 0 | b[j + k] != 0 ? (byte) 1 : (byte) 0;
                }
                return;
            case LXOR:
                for (int k = 0; k < n; k++) {
                    b[j + k] = (a[i + k] != 0) ^ (b[j + k] != 0) ? (byte) 1 : (byte) 0;
                }
                return;
            case BAND:
                for (int k = 0; k < n; k++) {
                    b[j + k] = (byte) (a[i + k] & b[j + k]);
                }
                return;
            case BOR:
                for (int k = 0; k < n; k++) {
                    b[j + k] = (byte) (a[i + k] | b[j + k]);
                }
                return;
            case BXOR:
                for (int k = 0; k < n; k++) {
                    b[j + k] = (byte) (a[i + k] ^ b[j + k]);
                }
                return;
            default:
                throw new AssertionError(op);
        }
    }

    static void shorts(PredefinedOps op, short[] a, int i, short[] b, int j, int n) {
        switch (op) {
            case MAX:
                for (int k = 0; k < n; k++) {
                    b[j + k] = (short) Math.max(a[i + k], b[j + k]);
                }
                return;
            case MIN:
                for (int k = 0; k < n; k++) {
                    b[j + k] = (short) Math.min(a[i + k], b[j + k]);
                }
                return;
            case SUM:
                for (int k = 0; k < n; k++) {
                    b[j + k] = (short) (a[i + k] + b[j + k]);
                }
                return;
            case PROD:
                for (int k = 0; k < n; k++) {
                    b[j + k] = (short) (a[i + k] * b[j + k]);
                }
                return;
            case LAND:
                for (int k = 0; k < n; k++) {
                    b[j + k] = a[i + k] != 0 & b[j + k] != 0 ? (short) 1 : (short) 0;
                }
                return;
            case LOR:
                for (int k = 0; k < n; k++) {
                    b[j + k] = a[i + k] != 0 | b[j + k] != 0 ? (short) 1 : (short) 0;
                }
                return;
            case LXOR:
                for (int k = 0; k < n; k++) {
                    b[j + k] = (a[i + k] != 0) ^ (b[j + k] != 0) ? (short) 1 : (short) 0;
                }
                return;
            case BAND:
                for (int k = 0; k < n; k++) {
                    b[j + k] = (short) (a[i + k] & b[j + k]);
                }
                return;
            case BOR:
                for (int k = 0; k < n; k++) {
                    b[j + k] = (short) (a[i + k] | b[j + k]);
                }
                return;
            case BXOR:
                for (int k = 0; k < n; k++) {
                    b[j + k] = (short) (a[i + k] ^ b[j + k]);
                }
                return;
            default:
                throw new AssertionError(op);
        }
    }

    static void chars(PredefinedOps op, char[] a, int i, char[] b, int j, int n) {
        switch (op) {
            case MAX:
                for (int k = 0; k < n; k++) {
                    b[j + k] = (char) Math.max(a[i + k], b[j + k]);
                }
                return;
            case MIN:
                for (int k = 0; k < n; k++) {
                    b[j + k] = (char) Math.min(a[i + k], b[j + k]);
                }
                return;
            case SUM:
                for (int k = 0; k < n; k++) {
                    b[j + k] = (char) (a[i + k] + b[j + k]);
                }
                return;
            case PROD:
                for (int k = 0; k < n; k++) {
                    b[j + k] = (char) (a[i + k] * b[j + k]);
                }
                return;
            case LAND:
                for (int k = 0; k < n; k++) {
                    b[j + k] = a[i + k] != 0 & b[j + k] != 0 ? (char) 1 : (char) 0;
                }
                return;
            case LOR:
                for (int k = 0; k < n; k++) {
                    b[j + k] = a[i + k] != 0 | b[j + k] != 0 ? (char) 1 : (char) 0;
                }
                return;
            case LXOR:
                for (int k = 0; k < n; k++) {
                    b[j + k] = (a[i + k] != 0) ^ (b[j + k] != 0) ? (char) 1 : (char) 0;
                }
                return;
            case BAND:
                for (int k = 0; k < n; k++) {
                    b[j + k] = (char) (a[i + k] & b[j + k]);
                }
                return;
            case BOR:
                for (int k = 0; k < n; k++) {
                    b[j + k] = (char) (a[i + k] | b[j + k]);
                }
                return;
            case BXOR:
                for (int k = 0; k < n; k++) {
                    b[j + k] = (char) (a[i + k] ^ b[j + k]);
                }
                return;
            default:
                throw new AssertionError(op);
        }
    }

    static void ints(PredefinedOps op, int[] a, int i, int[] b, int j, int n) {
        switch (op) {
            case MAX:
                for (int k = 0; k < n; k++) {
                    b[j + k] = Math.max(a[i + k], b[j + k]);
                }
                return;
            case MIN:
                for (int k = 0; k < n; k++) {
                    b[j + k] = Math.min(a[i + k], b[j + k]);
                }
                return;
            case SUM:
                for (int k = 0; k < n; k++) {
                    b[j + k] = a[i + k] + b[j + k];
                }
                return;
            case PROD:
                for (int k = 0; k < n; k++) {
                    b[j + k] = a[i + k] * b[j + k];
                }
                return;
            case LAND:
                for (int k = 0; k < n; k++) {
                    b[j + k] = a[i + k] != 0 & b[j + k] != 0 ? 1 : 0;
                }
                return;
            case LOR:
                for (int k = 0; k < n; k++) {
                    b[j + k] = a[i + k] != 0 | b[j + k] != 0 ? 1 : 0;
                }
                return;
            case LXOR:
                for (int k = 0; k < n; k++) {
                    b[j + k] = (a[i + k] != 0) ^ (b[j + k] != 0) ? 1 : 0;
                }
                return;
            case BAND:
                for (int k = 0; k < n; k++) {
                    b[j + k] = a[i + k] & b[j + k];
                }
                return;
            case BOR:
                for (int k = 0; k < n; k++) {
                    b[j + k] = a[i + k] | b[j + k];
                }
                return;
            case BXOR:
                for (int k = 0; k < n; k++) {
                    b[j + k] = a[i + k] ^ b[j + k];
                }
                return;
            default:
                throw new AssertionError(op);
        }
    }

    static void longs(PredefinedOps op, long[] a, int i, long[] b, int j, int n) {
        switch (op) {
            case MAX:
                for (int k = 0; k < n; k++) {
                    b[j + k] = Math.max(a[i + k], b[j + k]);
                }
                return;
            case MIN:
                for (int k = 0; k < n; k++) {
                    b[j + k] = Math.min(a[i + k], b[j + k]);
                }
                return;
            case SUM:
                for (int k = 0; k < n; k++) {
                    b[j + k] = a[i + k] + b[j + k];
                }
                return;
            case PROD:
                for (int k = 0; k < n; k++) {
                    b[j + k] = a[i + k] * b[j + k];
                }
                return;
            case LAND:
                for (int k = 0; k < n; k++) {
                    b[j + k] = a[i + k] != 0 & b[j + k] != 0 ? 1L : 0L;
                }
                return;
            case LOR:
                for (int k = 0; k < n; k++) {
                    b[j + k] = a[i + k] != 0 | b[j + k] != 0 ? 1L : 0L;
                }
                return;
            case LXOR:
                for (int k = 0; k < n; k++) {
                    b[j + k] = (a[i + k] != 0) ^ (b[j + k] != 0) ? 1L : 0L;
                }
                return;
            case BAND:
                for (int k = 0; k < n; k++) {
                    b[j + k] = a[i + k] & b[j + k];
                }
                return;
            case BOR:
                for (int k = 0; k < n; k++) {
                    b[j + k] = a[i + k] | b[j + k];
                }
                return;
            case BXOR:
                for (int k = 0; k < n; k++) {
                    b[j + k] = a[i + k] ^ b[j + k];
                }
                return;
            default:
                throw new AssertionError(op);
        }
    }
}
