package io.snapline.runtime.launch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class VerboseTest {
    @Test
    void shouldNameTheLoggerWithoutTheProjectsPackageAfterThePrefix() {
        assertEquals("snaprun: [supervisor] rank 2 RUNNING -> DEAD: killed",
                Verbose.line("snaprun: ", "io.snapline.supervisor", "rank 2 RUNNING -> DEAD: killed"));
        assertEquals("snapline rank 1: [checkpoint.coordinated.nb] rank 1 RUNNING -> LOGGING on SAFE_POINT",
                Verbose.line("snapline rank 1: ", "io.snapline.checkpoint.coordinated.nb",
                        "rank 1 RUNNING -> LOGGING on SAFE_POINT"));
        assertEquals("x: [other] m", Verbose.line("x: ", "other", "m"));
    }
}
