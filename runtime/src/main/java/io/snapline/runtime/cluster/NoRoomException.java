package io.snapline.runtime.cluster;

import java.io.IOException;

/** The cluster's agents have no free slots left for ranks that must run again (their host was lost). */
public final class NoRoomException extends IOException {
    private static final long serialVersionUID = 1L;

    public NoRoomException(String message) {
        super(message);
    }
}
