package io.snapline.benchmarks.bench;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * {@code snapline bench} drives jobs from the outside, as a user would: it builds launcher command lines (checked with
 * the launcher's own parser), reads run reports and draws plots. It names no policy and reaches into no engine, device
 * or checkpoint-store code.
 */
@AnalyzeClasses(packages = "io.snapline.benchmarks.bench", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    @ArchTest
    static final ArchRule onlyTheLauncherFaceOfTheRuntime = classes()
            .should().onlyDependOnClassesThat().resideInAnyPackage("io.snapline.benchmarks.bench..",
                    "io.snapline.benchmarks", "io.snapline.examples", "io.snapline.recovery.svg",
                    "io.snapline.runtime.launch", "io.snapline.runtime.checkpoint", "picocli..",
                    "com.fasterxml.jackson..", "java..")
            .because("the bench runs jobs as a user does (launcher flags, run reports, the examples' main classes) and"
                    + " must not depend on the engine, the devices, the stores or any policy");
}
