package io.snapline.checkpoint.coordinated;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The coordinated policies (main classes) build on the checkpoint SPI only: no engine, launcher or device class, and
 * nothing of the independent policy.
 */
@AnalyzeClasses(packages = "io.snapline.checkpoint.coordinated", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    @ArchTest
    static final ArchRule onlyTheSpiOfTheRuntime = noClasses()
            .should().dependOnClassesThat().resideInAnyPackage("io.snapline.runtime.engine..",
                    "io.snapline.runtime.launch..", "io.snapline.runtime.device..")
            .because("a policy sees the runtime through the checkpoint SPI (io.snapline.runtime.checkpoint: "
                    + "RankServices, TrafficHook, SavedMessage, ...), which has types of its own");

    @ArchTest
    static final ArchRule nothingOfTheIndependentPolicy = noClasses()
            .should().dependOnClassesThat().resideInAPackage("io.snapline.checkpoint.independent..")
            .because("policies are independent of each other");

    @ArchTest
    static final ArchRule onlyTheJdkTheSpiAndItsOwnClasses = classes()
            .should().onlyDependOnClassesThat().resideInAnyPackage("io.snapline.checkpoint.coordinated..", "io.snapline.runtime.checkpoint..",
                    "io.snapline.runtime.determinant..", "io.snapline.checkpoint", "java..")
            .because("a policy is written against the checkpoint SPI, the shared determinant recorder, the "
                    + "program-facing CheckpointException and the JDK, "
                    + "nothing else of the runtime");
}
