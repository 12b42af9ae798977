package io.snapline.runtime.engine.collective;

import io.snapline.runtime.engine.BaseType;
import io.snapline.runtime.engine.DataMover;
import io.snapline.runtime.engine.Endpoint;
import io.snapline.runtime.engine.ReduceOp;
import io.snapline.runtime.engine.TypeMap;

/**
 * The layout of a reduction's work buffers: {@code count} items of {@link #type} starting at {@link #origin}.
 * Predefined operators combine element by element, so their work buffers are dense whatever the user's datatype.
 * A user function is called with the user's datatype, so its work buffers keep the user's layout (gaps included).
 * {@link BaseType#OBJECT} items are loaded as copies of the caller's objects (as if received from another rank), so
 * every work buffer holds objects of its own: a user function that updates its output objects in place changes
 * neither another work buffer nor the caller's send buffer.
 */
final class Scratch {
    /** Layout of the items in a work buffer. */
    final TypeMap type;
    /** Items a full work buffer holds. */
    final int count;
    /** Buffer index of item 0. */
    final int origin;
    private final int length;
    private final BaseType base;
    private final Endpoint endpoint;

    private Scratch(TypeMap type, int count, int origin, int length, BaseType base, Endpoint endpoint) {
        this.type = type;
        this.count = count;
        this.origin = origin;
        this.length = length;
        this.base = base;
        this.endpoint = endpoint;
    }

    /** Work buffers for {@code count} items of {@code t} reduced with {@code op} by the rank of {@code endpoint}. */
    static Scratch of(Endpoint endpoint, TypeMap t, int count, ReduceOp op) {
        int elements = Args.times(count, t.size(), "count x datatype size");
        if (elements == 0) {
            BaseType b = t.base() == null ? BaseType.BYTE : t.base();
            return new Scratch(TypeMap.basic(b), 0, 0, 0, b, endpoint);
        }
        if (t.isContiguous()) {
            return new Scratch(t, count, 0, elements, t.base(), endpoint);
        }
        if (op instanceof PredefinedOps) {
            return new Scratch(TypeMap.contiguous(t.size(), TypeMap.basic(t.base())), count, 0, elements, t.base(),
                    endpoint);
        }
        int min = Integer.MAX_VALUE;
        int max = Integer.MIN_VALUE;
        for (int j = 0; j < t.size(); j++) {
            min = Math.min(min, t.displacement(j));
            max = Math.max(max, t.displacement(j));
        }
        int origin = Math.max(0, -min);
        long length = origin + (long) (count - 1) * t.extent() + max + 1L;
        return new Scratch(t, count, origin, Math.toIntExact(length), t.base(), endpoint);
    }

    Object newBuffer() {
        return base.newArray(length);
    }

    /** Buffer index of item {@code item}. */
    int offset(int item) {
        return origin + item * type.extent();
    }

    /** Copies {@code count} items of the user's layout into a work buffer (objects as copies of their own). */
    void load(Object src, int srcOffset, TypeMap srcType, Object work) {
        if (base == BaseType.OBJECT) {
            endpoint.copyObjects((Object[]) src, srcOffset, srcType, (Object[]) work, origin, type, count * type.size());
        } else {
            DataMover.copy(src, srcOffset, srcType, work, origin, type, count * type.size());
        }
    }

    /** Copies items {@code from .. from + items - 1} of a work buffer into the user's layout. */
    void store(Object work, int from, int items, Object dst, int dstOffset, TypeMap dstType) {
        DataMover.copy(work, offset(from), type, dst, dstOffset, dstType, items * type.size());
    }
}
