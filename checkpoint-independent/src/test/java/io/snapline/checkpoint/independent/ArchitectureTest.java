package io.snapline.checkpoint.independent;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The independent policy (main classes) builds on the checkpoint SPI and the recovery planner only: no engine,
 * launcher or device class, and nothing of the coordinated policies.
 */
@AnalyzeClasses(packages = "io.snapline.checkpoint.independent", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    @ArchTest
    static final ArchRule onlyTheSpiOfTheRuntime = noClasses()
            .should().dependOnClassesThat().resideInAnyPackage("io.snapline.runtime.engine..",
                    "io.snapline.runtime.launch..", "io.snapline.runtime.device..")
            .because("a policy sees the runtime through the checkpoint SPI (io.snapline.runtime.checkpoint: "
                    + "RankServices, Cut, RankImage, ...), which has types of its own");

    @ArchTest
    static final ArchRule nothingOfTheCoordinatedPolicies = noClasses()
            .should().dependOnClassesThat().resideInAPackage("io.snapline.checkpoint.coordinated..")
            .because("policies are independent of each other");

    @ArchTest
    static final ArchRule onlyTheJdkTheSpiAndItsOwnClasses = classes()
            .should().onlyDependOnClassesThat().resideInAnyPackage("io.snapline.checkpoint.independent..",
                    "io.snapline.recovery..", "io.snapline.runtime.checkpoint..", "io.snapline.runtime.determinant..",
                    "io.snapline.checkpoint", "java..")
            .because("a policy is written against the checkpoint SPI, the shared determinant recorder, the "
                    + "program-facing CheckpointException and the JDK (and the recovery planner), "
                    + "nothing else of the runtime");
}
