package io.snapline.examples;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The examples (main classes) are programs: they use the mpiJava API, the program-facing checkpoint API and the JDK. */
@AnalyzeClasses(packages = "io.snapline.examples", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    @ArchTest
    static final ArchRule onlyTheProgramFacingApi = classes()
            .should().onlyDependOnClassesThat().resideInAnyPackage("io.snapline.examples..", "mpi..",
                    "io.snapline.checkpoint", "java..")
            .because("an example shows what a program may use: mpi, io.snapline.checkpoint (Checkpoint, "
                    + "Restorable, ...) and the JDK, no runtime internals and no policy");
}
