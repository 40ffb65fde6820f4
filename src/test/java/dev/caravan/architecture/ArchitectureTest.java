package dev.caravan.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The gateway's import graph, read from its compiled classes: every import runs one way, from the
 * HTTP layer down to the request's own types and the engines they name, and the placement policies
 * stay plain Java that a benchmark or a test drives without Camel or Spring.
 */
class ArchitectureTest {

    private static JavaClasses gateway;

    @BeforeAll
    static void importMainClasses() {
        gateway = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages("dev.caravan");
    }

    /** No package imports one that imports it back, directly or round a longer loop. */
    @Test
    void noPackageDependsOnOneThatDependsOnIt() {
        slices().matching("dev.caravan.(**)").should().beFreeOfCycles().check(gateway);
    }

    /**
     * http -> api -> metrics -> placement / proxy -> workflows -> messaging -> core -> engines ->
     * simulator: each layer may use only the layers below it.
     */
    @Test
    void importsRunDownTheLayers() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("application").definedBy("dev.caravan")
                .layer("http").definedBy("dev.caravan.http..")
                .layer("api").definedBy("dev.caravan.api..")
                .layer("metrics").definedBy("dev.caravan.metrics..")
                .layer("placement").definedBy("dev.caravan.placement..")
                .layer("proxy").definedBy("dev.caravan.proxy..")
                .layer("workflows").definedBy("dev.caravan.workflows..")
                .layer("messaging").definedBy("dev.caravan.messaging..")
                .layer("core").definedBy("dev.caravan.core..")
                .layer("engines").definedBy("dev.caravan.engines..")
                .layer("simulator").definedBy("dev.caravan.simulator..")
                .whereLayer("http").mayOnlyBeAccessedByLayers("application")
                .whereLayer("api").mayOnlyBeAccessedByLayers("http")
                .whereLayer("metrics").mayOnlyBeAccessedByLayers("http", "api")
                .whereLayer("placement").mayOnlyBeAccessedByLayers("metrics")
                .whereLayer("proxy").mayOnlyBeAccessedByLayers("http")
                .whereLayer("workflows").mayOnlyBeAccessedByLayers("metrics", "placement")
                .whereLayer("messaging").mayOnlyBeAccessedByLayers("api", "workflows")
                .whereLayer("core").mayOnlyBeAccessedByLayers("http", "api", "metrics", "placement", "proxy",
                        "workflows", "messaging")
                .whereLayer("engines").mayOnlyBeAccessedByLayers("http", "api", "metrics", "placement", "proxy",
                        "workflows", "core")
                .check(gateway);
    }

    /** Placement and proxy are side by side: neither calls into the other. */
    @Test
    void placementAndProxyDoNotKnowEachOther() {
        noClasses().that().resideInAPackage("dev.caravan.proxy..")
                .should().dependOnClassesThat().resideInAPackage("dev.caravan.placement..")
                .check(gateway);
        noClasses().that().resideInAPackage("dev.caravan.placement..")
                .should().dependOnClassesThat().resideInAPackage("dev.caravan.proxy..")
                .check(gateway);
    }

    /** A policy is a decision from a request and a view of the engines: no Camel, Spring or Vert.x. */
    @Test
    void policiesPrefixIndexAndAdmissionQueueArePlainJava() {
        noClasses().that().resideInAnyPackage("dev.caravan.placement.policy..", "dev.caravan.placement.prefix..",
                        "dev.caravan.placement.admission..", "dev.caravan.placement.peers..", "dev.caravan.placement.cost..")
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.camel..", "org.springframework..",
                        "io.vertx..")
                .check(gateway);
    }
}
