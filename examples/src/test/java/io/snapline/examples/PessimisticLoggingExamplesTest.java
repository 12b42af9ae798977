package io.snapline.examples;

/** The examples under {@code --checkpoint independent --logging pessimistic} (see {@link MessageLoggingExamples}). */
class PessimisticLoggingExamplesTest extends MessageLoggingExamples {
    @Override
    String logging() {
        return "pessimistic";
    }
}
