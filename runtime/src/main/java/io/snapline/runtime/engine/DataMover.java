package io.snapline.runtime.engine;

import java.nio.ByteBuffer;

/**
 * Copies base elements between buffers laid out by (possibly different) {@link TypeMap}s, run by run. A source may
 * also be a {@link ByteBuffer} of elements packed by {@link PackCodec} (a buffered send's region).
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
        if (src instanceof ByteBuffer) {
            // packed by a buffered send: dense little-endian elements (srcType is the basic type, srcOffset 0)
            PackCodec.read((ByteBuffer) src, dst, dstOffset, dstType, n);
            return;
        }
        if (srcType.isContiguous() && dstType.isContiguous()) {
            System.arraycopy(src, srcOffset, dst, dstOffset, n);
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
            System.arraycopy(src, sBase + sStart[sRun] + sPos, dst, dBase + dStart[dRun] + dPos, k);
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

    /** Copies {@code n} elements of a layout into a new dense array of the base type. */
    public static Object gather(Object src, int srcOffset, TypeMap srcType, int n) {
        Object dense = srcType.base().newArray(n);
        copy(src, srcOffset, srcType, dense, 0, TypeMap.basic(srcType.base()), n);
        return dense;
    }
}
