package io.snapline.runtime.engine;

/**
 * The element types a buffer can hold. Every datatype is a layout of elements of exactly one base type,
 * because a Java buffer is an array of one element type.
 */
public enum BaseType {
    BYTE(1, byte[].class),
    CHAR(2, char[].class),
    SHORT(2, short[].class),
    BOOLEAN(1, boolean[].class),
    INT(4, int[].class),
    LONG(8, long[].class),
    FLOAT(4, float[].class),
    DOUBLE(8, double[].class),
    /** Arbitrary objects, serialized when they leave the rank. */
    OBJECT(0, Object[].class),
    /** Bytes produced by {@code Pack}; buffers are {@code byte[]}. */
    PACKED(1, byte[].class);

    private final int byteSize;
    private final Class<?> arrayClass;

    BaseType(int byteSize, Class<?> arrayClass) {
        this.byteSize = byteSize;
        this.arrayClass = arrayClass;
    }

    /** Bytes one element occupies in packed form; 0 for {@link #OBJECT}, whose size depends on the object. */
    public int byteSize() {
        return byteSize;
    }

    /** The array class a buffer of this type must be (for {@link #OBJECT}, any reference array). */
    public Class<?> arrayClass() {
        return arrayClass;
    }

    /** Whether {@code buffer} is an array this type can read from and write to. */
    public boolean accepts(Object buffer) {
        return arrayClass.isInstance(buffer);
    }

    public Object newArray(int length) {
        switch (this) {
            case BYTE:
            case PACKED:
                return new byte[length];
            case CHAR:
                return new char[length];
            case SHORT:
                return new short[length];
            case BOOLEAN:
                return new boolean[length];
            case INT:
                return new int[length];
            case LONG:
                return new long[length];
            case FLOAT:
                return new float[length];
            case DOUBLE:
                return new double[length];
            case OBJECT:
                return new Object[length];
            default:
                throw new AssertionError(this);
        }
    }

    /** Whether data sent as {@code this} may be received as {@code other}. BYTE and PACKED interoperate. */
    public boolean compatibleWith(BaseType other) {
        if (this == other) {
            return true;
        }
        return (this == BYTE || this == PACKED) && (other == BYTE || other == PACKED);
    }

    /** Length of an array buffer, whatever its element type. */
    public static int lengthOf(Object buffer) {
        return java.lang.reflect.Array.getLength(buffer);
    }

    /** A short description of a buffer for error messages, e.g. {@code int[8]}. */
    public static String describe(Object buffer) {
        if (buffer == null) {
            return "null";
        }
        if (buffer instanceof java.nio.ByteBuffer) {
            java.nio.ByteBuffer b = (java.nio.ByteBuffer) buffer;
            return (b.isDirect() ? "direct " : "heap ") + (b.isReadOnly() ? "read-only " : "") + "ByteBuffer[limit "
                    + b.limit() + ", " + b.order() + "]";
        }
        Class<?> c = buffer.getClass();
        if (!c.isArray()) {
            return c.getName() + " (not an array)";
        }
        return c.getComponentType().getSimpleName() + "[" + lengthOf(buffer) + "]";
    }
}
