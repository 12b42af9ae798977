package io.snapline.runtime;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.members;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import io.snapline.runtime.launch.LaunchOptions;
import java.util.ArrayList;
import java.util.List;

/**
 * The layering of the runtime module (main classes only): the engine and the devices know nothing of the launcher or
 * of checkpointing, the engine nothing of the mpiJava facade, the devices nothing of communicators and groups, and
 * nothing in the runtime names a checkpoint policy or the recovery planner (policies are found by name with
 * {@link java.util.ServiceLoader}).
 */
@AnalyzeClasses(packages = {"io.snapline.runtime", "io.snapline.checkpoint", "mpi", "mpjdev", "mpjbuf", "xdev"},
        importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    private static final String ENGINE = "io.snapline.runtime.engine..";
    private static final String DEVICES = "io.snapline.runtime.device..";

    @ArchTest
    static final ArchRule engineAndDevicesKnowNeitherTheLauncherNorCheckpointing = noClasses()
            .that().resideInAnyPackage(ENGINE, DEVICES)
            .should().dependOnClassesThat().resideInAnyPackage("io.snapline.runtime.launch..",
                    "io.snapline.runtime.checkpoint..", "io.snapline.checkpoint..")
            .because("the engine and the devices sit below the launcher and the checkpoint runtime: checkpointing "
                    + "reaches them through engine interfaces (ChannelHook, CommSnapshot), never the other way round");

    @ArchTest
    static final ArchRule hazelcastStaysInClusterModeAndItsStores = noClasses()
            .that().resideOutsideOfPackages("io.snapline.runtime.cluster..", "io.snapline.runtime.checkpoint.store..")
            .should().dependOnClassesThat().resideInAnyPackage("com.hazelcast..")
            .because("Hazelcast is cluster mode's control plane and store; the engine, the devices, the launcher and "
                    + "the policies run the same without it");

    @ArchTest
    static final ArchRule jacksonStaysWithTheJsonFiles = noClasses()
            .that().resideOutsideOfPackages("io.snapline.runtime.json..", "io.snapline.runtime.checkpoint")
            .should().dependOnClassesThat().resideInAnyPackage("com.fasterxml.jackson..")
            .because("Jackson reads and writes the JSON files (JsonText, the run report); the engine, the devices, "
                    + "the launcher and the stores run without it");

    @ArchTest
    static final ArchRule clusterModeUsesNeitherTheEngineNorThePolicySpi = noClasses()
            .that().resideInAPackage("io.snapline.runtime.cluster..")
            .should().dependOnClassesThat().resideInAnyPackage(ENGINE, DEVICES, "io.snapline.runtime.checkpoint",
                    "mpi..")
            .because("agents start and watch processes; what runs inside them is the launcher's and the ranks' business");

    @ArchTest
    static final ArchRule engineKnowsNotTheFacade = noClasses()
            .that().resideInAPackage(ENGINE)
            .should().dependOnClassesThat().resideInAnyPackage("mpi..", "mpjdev..", "mpjbuf..", "xdev..")
            .because("the mpiJava facade is built on the engine, not the other way round");

    @ArchTest
    static final ArchRule devicesUseNoCommunicatorsOrGroups = noClasses()
            .that().resideInAPackage(DEVICES)
            .should().dependOnClassesThat(communicatorsAndGroups())
            .because("a device moves packets between world ranks; communicators, groups, topologies and "
                    + "collectives are the engine's business above it");

    @ArchTest
    static final ArchRule runtimeNamesNoPolicyNorTheRecoveryPlanner = noClasses()
            .should().dependOnClassesThat().resideInAnyPackage("io.snapline.checkpoint.coordinated..",
                    "io.snapline.checkpoint.independent..", "io.snapline.recovery..")
            .because("the launcher and the checkpoint SPI find policies by name (ServiceLoader); a policy depends on "
                    + "the runtime, never the runtime on a policy");

    @ArchTest
    static final ArchRule picocliStaysInLaunchOptions = noClasses()
            .that(describe("are not LaunchOptions (or nested in it)",
                    c -> !c.getName().equals(LaunchOptions.class.getName())
                            && !c.getName().startsWith(LaunchOptions.class.getName() + "$")))
            .should().dependOnClassesThat().resideInAPackage("picocli..")
            .because("picocli reads snaprun's command line in LaunchOptions, and only there; the rest of the "
                    + "launcher, the engine, the devices, the ranks and the policies' SPI never see it (a policy "
                    + "declares its options as PolicyOption, completion gets them as LaunchOptions.CompletionFlag)");

    private static DescribedPredicate<JavaClass> communicatorsAndGroups() {
        List<String> names = List.of("Communicator", "Group", "CommFactory", "Intercomms");
        DescribedPredicate<JavaClass> named = describe("are engine classes " + names + " (or nested in them)",
                c -> {
                    JavaClass top = c;
                    while (top.getEnclosingClass().isPresent()) {
                        top = top.getEnclosingClass().get();
                    }
                    return top.getPackageName().equals("io.snapline.runtime.engine")
                            && names.contains(top.getSimpleName());
                });
        return named.or(resideInAnyPackage("io.snapline.runtime.engine.topology..",
                "io.snapline.runtime.engine.collective..")).as("are communicators, groups, topologies or collectives "
                + "(engine classes " + names + ", packages engine.topology.., engine.collective..)");
    }

    /**
     * The checkpoint SPI and the determinant recorder's interface speak in types of their own: no public member of
     * a public class there takes, returns or holds an engine class. The runtime's own implementations behind them,
     * built by the launcher from the engine, are the exceptions: RankAgent (the RankServices a rank's policy gets)
     * and DeterminantRecorder (its Determinants).
     */
    @ArchTest
    static final ArchRule theSpiSpeaksInTypesOfItsOwn = members()
            .that().arePublic()
            .and().areDeclaredInClassesThat(describe("are public SPI classes", c -> c.getModifiers()
                    .contains(JavaModifier.PUBLIC)
                    && (c.getPackageName().startsWith("io.snapline.runtime.checkpoint")
                            || c.getPackageName().startsWith("io.snapline.runtime.determinant"))
                    && !List.of("RankAgent", "DeterminantRecorder").contains(c.getSimpleName())))
            .should(new ArchCondition<JavaMember>("name no engine class in their signatures") {
                @Override
                public void check(JavaMember m, ConditionEvents events) {
                    List<JavaClass> types = new ArrayList<>();
                    if (m instanceof JavaCodeUnit c) {
                        types.add(c.getRawReturnType());
                        types.addAll(c.getRawParameterTypes());
                    } else if (m instanceof JavaField f) {
                        types.add(f.getRawType());
                    }
                    for (JavaClass t : types) {
                        JavaClass base = t.getBaseComponentType();
                        if (base.getPackageName().startsWith("io.snapline.runtime.engine")) {
                            events.add(SimpleConditionEvent.violated(m, m.getFullName() + " names engine class "
                                    + base.getName()));
                        }
                    }
                }
            })
            .because("policies are written against the SPI, which must not leak the engine's classes");
}
