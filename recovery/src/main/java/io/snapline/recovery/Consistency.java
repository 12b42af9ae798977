package io.snapline.recovery;

/** How a global state (a recovery line) relates to the messages of its history. */
public enum Consistency {
    /** No message crosses the line: nothing is orphaned and nothing is in transit. */
    STRONGLY_CONSISTENT,
    /** No orphan message, but some messages are in transit (sent before the line, received after it or never). */
    CONSISTENT,
    /** Some message is an orphan: received before the line but sent after it. Not a state the job could have been in. */
    INCONSISTENT;

    /** The lower-case words for reports, e.g. {@code strongly consistent}. */
    public String words() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }
}
