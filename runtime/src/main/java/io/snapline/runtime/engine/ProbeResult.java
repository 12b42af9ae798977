package io.snapline.runtime.engine;

/** What a probe saw: the matched message's sender (communicator rank), tag, and size in base elements. */
public record ProbeResult(int source, int tag, int elements, BaseType base) {
}
