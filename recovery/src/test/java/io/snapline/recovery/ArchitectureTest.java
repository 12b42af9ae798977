package io.snapline.recovery;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The recovery planner (main classes) reads checkpoints through the checkpoint runtime's store and image types: it
 * knows no policy, and nothing of the engine, the launcher or the devices.
 */
@AnalyzeClasses(packages = "io.snapline.recovery", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    @ArchTest
    static final ArchRule noPolicy = noClasses()
            .should().dependOnClassesThat().resideInAnyPackage("io.snapline.checkpoint.coordinated..",
                    "io.snapline.checkpoint.independent..")
            .because("policies use the recovery planner, not the other way round");

    @ArchTest
    static final ArchRule noEngineLauncherOrDevice = noClasses()
            .should().dependOnClassesThat().resideInAnyPackage("io.snapline.runtime.engine..",
                    "io.snapline.runtime.launch..", "io.snapline.runtime.device..")
            .because("the planner works on checkpoints (io.snapline.runtime.checkpoint and its store), not on a "
                    + "running job");
}
