package io.snapline.runtime.engine;

import java.util.Arrays;

/**
 * An immutable datatype layout: which elements of a buffer, relative to a starting index, one item of the
 * datatype covers. All displacements, bounds and extents are in base elements (buffer indices), as in
 * mpiJava 1.2, where {@code MPI.INT.Size() == 1}.
 *
 * <p>Item {@code i} of a buffer {@code (array, offset, count, type)} covers the indices
 * {@code offset + i * extent() + displacement(j)} for {@code j < size()}. Consecutive displacements are
 * merged into runs, so copies move whole runs with {@link System#arraycopy}.
 */
public final class TypeMap {
    /** Marker kinds used only inside {@link #struct}: they set a bound and hold no data. */
    public enum Marker { NONE, LB, UB }

    private static final int UNSET = Integer.MIN_VALUE;

    private final BaseType base;
    private final Marker marker;
    private final int[] disp;
    private final int lb;
    private final int ub;
    private final int markedLb;
    private final int markedUb;
    private final int minDisp;
    private final int maxDisp;
    private final int[] runStart;
    private final int[] runLength;
    private final boolean contiguous;

    private TypeMap(BaseType base, Marker marker, int[] disp, int markedLb, int markedUb) {
        this.base = base;
        this.marker = marker;
        this.disp = disp;
        this.markedLb = markedLb;
        this.markedUb = markedUb;
        int min = Integer.MAX_VALUE;
        int max = Integer.MIN_VALUE;
        for (int d : disp) {
            min = Math.min(min, d);
            max = Math.max(max, d);
        }
        this.minDisp = disp.length == 0 ? 0 : min;
        this.maxDisp = disp.length == 0 ? -1 : max;
        int l = markedLb != UNSET ? markedLb : (disp.length == 0 ? (markedUb != UNSET ? markedUb : 0) : min);
        int u = markedUb != UNSET ? markedUb : (disp.length == 0 ? l : max + 1);
        this.lb = l;
        this.ub = Math.max(l, u);
        int runs = 0;
        for (int i = 0; i < disp.length; i++) {
            if (i == 0 || disp[i] != disp[i - 1] + 1) {
                runs++;
            }
        }
        runStart = new int[runs];
        runLength = new int[runs];
        int r = -1;
        for (int i = 0; i < disp.length; i++) {
            if (i == 0 || disp[i] != disp[i - 1] + 1) {
                runStart[++r] = disp[i];
            }
            runLength[r]++;
        }
        this.contiguous = base != null && runs == 1 && runStart[0] == 0 && lb == 0 && ub == disp.length;
    }

    private static final TypeMap[] BASIC = new TypeMap[BaseType.values().length];

    static {
        for (BaseType b : BaseType.values()) {
            BASIC[b.ordinal()] = new TypeMap(b, Marker.NONE, new int[] {0}, UNSET, UNSET);
        }
    }

    /** A basic type: one element at displacement 0, extent 1 (one shared instance per base type). */
    public static TypeMap basic(BaseType base) {
        return BASIC[base.ordinal()];
    }

    /** The LB or UB pseudo-type (no data; sets a bound when used in {@link #struct}). */
    public static TypeMap marker(Marker marker) {
        if (marker == Marker.NONE) {
            throw new IllegalArgumentException("marker");
        }
        return new TypeMap(null, marker, new int[0], marker == Marker.LB ? 0 : UNSET, marker == Marker.UB ? 0 : UNSET);
    }

    /** The null datatype: no base type, no elements. */
    public static TypeMap empty() {
        return new TypeMap(null, Marker.NONE, new int[0], UNSET, UNSET);
    }

    public static TypeMap contiguous(int count, TypeMap old) {
        requireNonNegative(count, "count");
        return hvector(count, 1, old.extent(), old);
    }

    /** {@code count} blocks of {@code blockLength} items of {@code old}, block starts {@code stride} extents apart. */
    public static TypeMap vector(int count, int blockLength, int stride, TypeMap old) {
        return hvector(count, blockLength, Math.multiplyExact(stride, old.extent()), old);
    }

    /** As {@link #vector}, with the stride in base elements (buffer indices) rather than extents of {@code old}. */
    public static TypeMap hvector(int count, int blockLength, int stride, TypeMap old) {
        requireNonNegative(count, "count");
        requireNonNegative(blockLength, "blocklength");
        int[] blocks = new int[count];
        int[] displs = new int[count];
        for (int i = 0; i < count; i++) {
            blocks[i] = blockLength;
            displs[i] = Math.multiplyExact(i, stride);
        }
        return hindexed(blocks, displs, old);
    }

    /** Blocks of {@code blockLengths[i]} items of {@code old} at {@code displacements[i]} extents of {@code old}. */
    public static TypeMap indexed(int[] blockLengths, int[] displacements, TypeMap old) {
        checkLengths(blockLengths, displacements);
        int[] scaled = new int[displacements.length];
        for (int i = 0; i < scaled.length; i++) {
            scaled[i] = Math.multiplyExact(displacements[i], old.extent());
        }
        return hindexed(blockLengths, scaled, old);
    }

    /** As {@link #indexed}, with displacements in base elements. */
    public static TypeMap hindexed(int[] blockLengths, int[] displacements, TypeMap old) {
        checkLengths(blockLengths, displacements);
        TypeMap[] types = new TypeMap[blockLengths.length];
        Arrays.fill(types, old);
        return struct(blockLengths, displacements, types);
    }

    /**
     * The general constructor: block {@code i} is {@code blockLengths[i]} items of {@code types[i]} starting at
     * base-element displacement {@code displacements[i]}. All data-carrying member types must share one base type
     * (a Java buffer is an array of one element type); LB and UB markers set explicit bounds.
     */
    public static TypeMap struct(int[] blockLengths, int[] displacements, TypeMap[] types) {
        checkLengths(blockLengths, displacements);
        if (types.length != blockLengths.length) {
            throw new EngineException(blockLengths.length + " block lengths but " + types.length
                    + " types; the arrays must have the same length");
        }
        BaseType base = null;
        int total = 0;
        for (int i = 0; i < types.length; i++) {
            requireNonNegative(blockLengths[i], "blocklength[" + i + "]");
            TypeMap t = types[i];
            if (t == null) {
                throw new EngineException("type[" + i + "] is null");
            }
            if (t.base != null && blockLengths[i] > 0 && t.size() > 0) {
                if (base != null && base != t.base) {
                    throw new EngineException("member types mix base types " + base + " and " + t.base + " (type[" + i + "])"
                            + "; a Java buffer holds one element type, so every member must share one base type");
                }
                base = t.base;
            }
            total = Math.addExact(total, Math.multiplyExact(blockLengths[i], t.size()));
        }
        int[] disp = new int[total];
        int k = 0;
        int mlb = UNSET;
        int mub = UNSET;
        for (int i = 0; i < types.length; i++) {
            TypeMap t = types[i];
            int ext = t.extent();
            for (int j = 0; j < blockLengths[i]; j++) {
                int shift = Math.addExact(displacements[i], Math.multiplyExact(j, ext));
                for (int d : t.disp) {
                    disp[k++] = Math.addExact(shift, d);
                }
                if (t.markedLb != UNSET) {
                    mlb = mlb == UNSET ? shift + t.markedLb : Math.min(mlb, shift + t.markedLb);
                }
                if (t.markedUb != UNSET) {
                    mub = mub == UNSET ? shift + t.markedUb : Math.max(mub, shift + t.markedUb);
                }
            }
        }
        return new TypeMap(base, Marker.NONE, disp, mlb, mub);
    }

    private static void checkLengths(int[] blockLengths, int[] displacements) {
        if (blockLengths == null || displacements == null) {
            throw new EngineException("block lengths and displacements must not be null");
        }
        if (blockLengths.length != displacements.length) {
            throw new EngineException(blockLengths.length + " block lengths but " + displacements.length
                    + " displacements; the arrays must have the same length");
        }
    }

    private static void requireNonNegative(int value, String what) {
        if (value < 0) {
            throw new EngineException(what + " must not be negative, was " + value);
        }
    }

    /** The base type of the elements, or null for the null datatype and the LB/UB markers. */
    public BaseType base() {
        return base;
    }

    public Marker marker() {
        return marker;
    }

    /** Number of base elements one item holds. */
    public int size() {
        return disp.length;
    }

    public int lb() {
        return lb;
    }

    public int ub() {
        return ub;
    }

    public int extent() {
        return ub - lb;
    }

    /** Whether items are dense: elements 0..size-1 with extent size, so n items occupy n * size consecutive slots. */
    public boolean isContiguous() {
        return contiguous;
    }

    public int displacement(int element) {
        return disp[element];
    }

    int[] displacements() {
        return disp;
    }

    /** Whether elements mostly stand alone (runs of at most a few elements), as in a matrix column. */
    boolean isFragmented() {
        return runStart.length > 0 && disp.length <= 4 * runStart.length;
    }

    int[] runStarts() {
        return runStart;
    }

    int[] runLengths() {
        return runLength;
    }

    /** Index of the buffer slot holding base element {@code k} of a buffer starting at {@code offset}. */
    public int indexOf(int offset, int k) {
        int n = disp.length;
        return offset + (k / n) * extent() + disp[k % n];
    }

    /**
     * Checks that {@code count} items starting at {@code offset} fit in {@code buffer} and that the buffer's
     * element type fits this type; returns a description of the problem, or null when the buffer is fine.
     */
    public String checkBuffer(Object buffer, int offset, int count) {
        if (count < 0) {
            return "count must not be negative, was " + count;
        }
        if (offset < 0) {
            return "offset must not be negative, was " + offset;
        }
        if (buffer instanceof java.nio.ByteBuffer) {
            return checkByteBuffer((java.nio.ByteBuffer) buffer, offset, count);
        }
        if (count == 0 || disp.length == 0) {
            if (buffer != null && !buffer.getClass().isArray()) {
                return "buffer must be an array or a java.nio.ByteBuffer, was " + buffer.getClass().getName();
            }
            return null;
        }
        if (buffer == null) {
            return "buffer is null";
        }
        if (!base.accepts(buffer)) {
            return "datatype " + base + " needs a " + base.arrayClass().getSimpleName() + " buffer, got "
                    + BaseType.describe(buffer);
        }
        int length = BaseType.lengthOf(buffer);
        long first = (long) offset + minDisp;
        long last = (long) offset + (long) (count - 1) * extent() + maxDisp;
        if (first < 0 || last >= length) {
            return "buffer too short: " + count + " item(s) at offset " + offset + " need indices " + first + ".."
                    + last + " but the buffer is " + BaseType.describe(buffer);
        }
        return null;
    }

    /**
     * {@link #checkBuffer}, and when the buffer is {@code written} (it receives data) that it can be: a read-only
     * {@link java.nio.ByteBuffer} cannot.
     */
    public String checkBuffer(Object buffer, int offset, int count, boolean written) {
        if (written && buffer instanceof java.nio.ByteBuffer && ((java.nio.ByteBuffer) buffer).isReadOnly() && count > 0) {
            return "the receive buffer is a read-only ByteBuffer";
        }
        return checkBuffer(buffer, offset, count);
    }

    /**
     * A {@link java.nio.ByteBuffer} holds elements of a primitive type, {@code i} at byte {@code i * byteSize} from
     * index 0 in the buffer's byte order, up to its limit; its layouts must be contiguous.
     */
    private String checkByteBuffer(java.nio.ByteBuffer buffer, int offset, int count) {
        if (count == 0 || disp.length == 0) {
            return null;
        }
        if (base == BaseType.OBJECT) {
            return "datatype OBJECT needs an Object[] buffer, got " + BaseType.describe(buffer);
        }
        if (!contiguous) {
            return "a ByteBuffer holds contiguous elements only: datatype " + this + " has gaps; use an array buffer,"
                    + " or send the elements densely";
        }
        int size = base.byteSize();
        long first = (long) offset * size;
        long end = ((long) offset + (long) count * size()) * size;
        if (end > buffer.limit()) {
            return "buffer too short: " + count + " item(s) of " + size() + " " + base + " element(s) at offset " + offset
                    + " need bytes " + first + ".." + (end - 1) + " but the buffer is " + BaseType.describe(buffer);
        }
        return null;
    }

    @Override
    public String toString() {
        if (marker != Marker.NONE) {
            return marker.name();
        }
        return "TypeMap[" + base + ", size=" + size() + ", extent=" + extent() + (contiguous ? ", contiguous" : "") + "]";
    }
}
