package io.snapline.examples;

/**
 * The examples under {@code --checkpoint independent --logging causal} (see {@link MessageLoggingExamples}), on shm.
 * On tcp, where these programs, whose receives all name their source, run as under pessimistic logging, causal logging
 * is covered by the master/worker program ({@link IrregularProgramsTest}) and by the wildcard chain under a lagging
 * event logger ({@code CausalLoggingTest} of checkpoint-independent).
 */
class CausalLoggingExamplesTest extends MessageLoggingExamples {
    @Override
    String logging() {
        return "causal";
    }
}
