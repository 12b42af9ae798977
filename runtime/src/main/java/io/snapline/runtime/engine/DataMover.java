package io.snapline.runtime.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Copies base elements between buffers laid out by (possibly different) {@link TypeMap}s, run by run. Either side
 * may also be a {@link ByteBuffer} (see {@link PackCodec#elements}): an application's buffer, or a private copy in
 * packed form (a buffered send's region, a message from another process).
 */
public final class DataMover {
    private DataMover() {
    }

    /**
     * Copies the first {@code n} base elements of the source layout into the first {@code n} slots of the
     * destination layout. Types must share a base type and the caller must have checked bounds.
     */
    public static void copy(Object src, int srcOffset, TypeMap srcType, Object dst, int dstOffset, TypeMap dstType, int n) {
        if (n <= 0) {
            return;
        }
        if (src instanceof ByteBuffer || dst instanceof ByteBuffer) {
            copyBytes(src, srcOffset, srcType, dst, dstOffset, dstType, n);
            return;
        }
        if (srcType.isContiguous() && dstType.isContiguous()) {
            System.arraycopy(src, srcOffset, dst, dstOffset, n);
            return;
        }
        if (dstType.isContiguous() && srcType.isFragmented() && gather(src, srcOffset, srcType, dst, dstOffset, n)) {
            return;
        }
        if (srcType.isContiguous() && dstType.isFragmented() && scatter(src, srcOffset, dst, dstOffset, dstType, n)) {
            return;
        }
        int[] sStart = srcType.runStarts();
        int[] sLen = srcType.runLengths();
        int[] dStart = dstType.runStarts();
        int[] dLen = dstType.runLengths();
        int sExt = srcType.extent();
        int dExt = dstType.extent();
        int sItem = 0;
        int sRun = 0;
        int sPos = 0;
        int dItem = 0;
        int dRun = 0;
        int dPos = 0;
        int sBase = srcOffset;
        int dBase = dstOffset;
        while (n > 0) {
            int k = Math.min(n, Math.min(sLen[sRun] - sPos, dLen[dRun] - dPos));
            if (k <= SHORT_RUN) {
                copyShort(src, sBase + sStart[sRun] + sPos, dst, dBase + dStart[dRun] + dPos, k);
            } else {
                System.arraycopy(src, sBase + sStart[sRun] + sPos, dst, dBase + dStart[dRun] + dPos, k);
            }
            n -= k;
            sPos += k;
            dPos += k;
            if (sPos == sLen[sRun]) {
                sPos = 0;
                if (++sRun == sStart.length) {
                    sRun = 0;
                    sItem++;
                    sBase = srcOffset + sItem * sExt;
                }
            }
            if (dPos == dLen[dRun]) {
                dPos = 0;
                if (++dRun == dStart.length) {
                    dRun = 0;
                    dItem++;
                    dBase = dstOffset + dItem * dExt;
                }
            }
        }
    }

    /** {@link #copy} where either side is a {@link ByteBuffer}, whose layout is contiguous. */
    private static void copyBytes(Object src, int srcOffset, TypeMap srcType, Object dst, int dstOffset, TypeMap dstType,
            int n) {
        BaseType base = srcType.base();
        if (src instanceof ByteBuffer && dst instanceof byte[] && dstType.isContiguous()) { // bytes: nothing allocated
            ((ByteBuffer) src).get(srcOffset, (byte[]) dst, dstOffset, n);
            return;
        }
        if (dst instanceof ByteBuffer && src instanceof byte[] && srcType.isContiguous()) {
            ((ByteBuffer) dst).put(dstOffset, (byte[]) src, srcOffset, n);
            return;
        }
        if (src instanceof ByteBuffer) {
            ByteBuffer s = PackCodec.elements((ByteBuffer) src, base, srcOffset, n);
            if (dst instanceof ByteBuffer) {
                PackCodec.copyElements(s, PackCodec.elements((ByteBuffer) dst, base, dstOffset, n), base);
                return;
            }
            if (!PackCodec.isPacked(s, base)) {
                ByteBuffer packed = ByteBuffer.allocate(n * base.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
                PackCodec.copyElements(s, packed, base);
                s = packed;
            }
            PackCodec.read(s, dst, dstOffset, dstType, n);
            return;
        }
        ByteBuffer d = PackCodec.elements((ByteBuffer) dst, base, dstOffset, n);
        if (PackCodec.isPacked(d, base)) {
            PackCodec.write(d, src, srcOffset, srcType, n);
            return;
        }
        ByteBuffer packed = ByteBuffer.allocate(n * base.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
        PackCodec.write(packed, src, srcOffset, srcType, n);
        PackCodec.copyElements(packed, d, base);
    }

    /** Element-wise gather of a fragmented layout into a dense one; false when the element type has no fast loop. */
    private static boolean gather(Object src, int srcOffset, TypeMap t, Object dst, int dstOffset, int n) {
        int[] disp = t.displacements();
        int size = disp.length;
        int ext = t.extent();
        if (src instanceof double[]) {
            double[] a = (double[]) src;
            double[] b = (double[]) dst;
            for (int k = 0, item = 0; k < n; item++) {
                int base = srcOffset + item * ext;
                for (int j = 0; j < size && k < n; j++) {
                    b[dstOffset + k++] = a[base + disp[j]];
                }
            }
            return true;
        }
        if (src instanceof int[]) {
            int[] a = (int[]) src;
            int[] b = (int[]) dst;
            for (int k = 0, item = 0; k < n; item++) {
                int base = srcOffset + item * ext;
                for (int j = 0; j < size && k < n; j++) {
                    b[dstOffset + k++] = a[base + disp[j]];
                }
            }
            return true;
        }
        return false;
    }

    /** Element-wise scatter of a dense layout into a fragmented one; false when the element type has no fast loop. */
    private static boolean scatter(Object src, int srcOffset, Object dst, int dstOffset, TypeMap t, int n) {
        int[] disp = t.displacements();
        int size = disp.length;
        int ext = t.extent();
        if (src instanceof double[]) {
            double[] a = (double[]) src;
            double[] b = (double[]) dst;
            for (int k = 0, item = 0; k < n; item++) {
                int base = dstOffset + item * ext;
                for (int j = 0; j < size && k < n; j++) {
                    b[base + disp[j]] = a[srcOffset + k++];
                }
            }
            return true;
        }
        if (src instanceof int[]) {
            int[] a = (int[]) src;
            int[] b = (int[]) dst;
            for (int k = 0, item = 0; k < n; item++) {
                int base = dstOffset + item * ext;
                for (int j = 0; j < size && k < n; j++) {
                    b[base + disp[j]] = a[srcOffset + k++];
                }
            }
            return true;
        }
        return false;
    }

    /** Runs up to this long are copied by a typed loop: cheaper than a {@link System#arraycopy} call (columns, strides). */
    private static final int SHORT_RUN = 4;

    /** Copies a few elements between arrays of the same type without the fixed cost of {@link System#arraycopy}. */
    private static void copyShort(Object src, int s, Object dst, int d, int k) {
        if (src instanceof double[]) {
            double[] a = (double[]) src;
            double[] b = (double[]) dst;
            for (int i = 0; i < k; i++) {
                b[d + i] = a[s + i];
            }
        } else if (src instanceof int[]) {
            int[] a = (int[]) src;
            int[] b = (int[]) dst;
            for (int i = 0; i < k; i++) {
                b[d + i] = a[s + i];
            }
        } else if (src instanceof long[]) {
            long[] a = (long[]) src;
            long[] b = (long[]) dst;
            for (int i = 0; i < k; i++) {
                b[d + i] = a[s + i];
            }
        } else if (src instanceof float[]) {
            float[] a = (float[]) src;
            float[] b = (float[]) dst;
            for (int i = 0; i < k; i++) {
                b[d + i] = a[s + i];
            }
        } else if (src instanceof byte[]) {
            byte[] a = (byte[]) src;
            byte[] b = (byte[]) dst;
            for (int i = 0; i < k; i++) {
                b[d + i] = a[s + i];
            }
        } else {
            System.arraycopy(src, s, dst, d, k);
        }
    }

    /** Copies {@code n} elements of a layout into a new dense array of the base type. */
    public static Object gather(Object src, int srcOffset, TypeMap srcType, int n) {
        Object dense = srcType.base().newArray(n);
        copy(src, srcOffset, srcType, dense, 0, TypeMap.basic(srcType.base()), n);
        return dense;
    }
}
