package io.snapline.runtime.engine;

/**
 * The payload of a message announced by another process and still held by its sender (a rendezvous on a device
 * that crosses address spaces). When a receive matches the message, the engine calls {@link #fetch} instead of
 * copying; the device then moves the data straight into the receive buffer with
 * {@link Request#acceptPayload} and finishes with {@link Request#completeFetch} or {@link Request#failFetch}.
 */
public interface RemotePayload {
    /**
     * Starts fetching the payload of {@code message} into {@code receive}, which has matched it and whose status
     * is already set. May run on any thread and must not block.
     */
    void fetch(Message message, Request receive);

    /** Bytes of the payload (packed elements, or the encoded objects). */
    long bytes();
}
