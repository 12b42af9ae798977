package io.snapline.benchmarks;

/** A benchmark could not be run or its output could not be understood. */
public class BenchmarkException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BenchmarkException(String message) {
        super(message);
    }
}
