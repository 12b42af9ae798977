package io.snapline.runtime.engine;

/** The four MPI send modes. */
public enum SendMode {
    /** Eager when small, rendezvous when large: completes once the send buffer may be reused. */
    STANDARD,
    /** Copies into the attached buffer and completes at once; fails when the attached buffer is too small. */
    BUFFERED,
    /** Completes only once a matching receive has started. */
    SYNCHRONOUS,
    /** The program asserts the receive is already posted; behaves as {@link #STANDARD}. */
    READY
}
