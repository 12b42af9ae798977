package io.snapline.runtime.engine.collective;

/**
 * Element loops of the predefined operators over FLOAT, DOUBLE and BOOLEAN: {@code b[j + k] = a[i + k] op b[j + k]}
 * for {@code k < n}. MAX and MIN follow {@link Math#max(double, double)} (NaN wins, -0.0 is below 0.0). On BOOLEAN
 * the logical and bitwise operators coincide.
 */
final class FloatingKernels {
    private FloatingKernels() {
    }

    static void floats(PredefinedOps op, float[] a, int i, float[] b, int j, int n) {
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
            default:
                throw new AssertionError(op);
        }
    }

    static void doubles(PredefinedOps op, double[] a, int i, double[] b, int j, int n) {
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
            default:
                throw new AssertionError(op);
        }
    }

    static void booleans(PredefinedOps op, boolean[] a, int i, boolean[] b, int j, int n) {
        switch (op) {
            case LAND:
                for (int k = 0; k < n; k++) {
                    b[j + k] = a[i + k] & b[j + k];
                }
                return;
            case BAND:
                for (int k = 0; k < n; k++) {
                    b[j + k] = a[i + k] & b[j + k];
                }
                return;
            case LOR:
                for (int k = 0; k < n; k++) {
                    b[j + k] = a[i + k] | b[j + k];
                }
                return;
            case BOR:
                for (int k = 0; k < n; k++) {
                    b[j + k] = a[i + k] | b[j + k];
                }
                return;
            case LXOR:
                for (int k = 0; k < n; k++) {
                    b[j + k] = a[i + k] ^ b[j + k];
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
