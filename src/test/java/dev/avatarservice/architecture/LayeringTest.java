package dev.avatarservice.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import dev.avatarservice.http.HttpVerticle;
import dev.avatarservice.notify.NotifyVerticle;
import dev.avatarservice.store.StoreVerticle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The layering of ARCHITECTURE.md as rules over the compiled main classes: the three verticles'
 * packages talk only over the bus, the bus contract depends on nothing of ours, and the domain
 * (accounts, images) knows nothing of HTTP.
 */
class LayeringTest {

  private static final String OURS = "dev.avatarservice..";
  private static JavaClasses main;

  @BeforeAll
  static void importMainClasses() {
    main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.avatarservice");
  }

  static ArchRule verticlePackagesDoNotMeet(String from, String... others) {
    return noClasses().that().resideInAPackage("dev.avatarservice." + from + "..")
      .should().dependOnClassesThat().resideInAnyPackage(
        java.util.Arrays.stream(others).map(other -> "dev.avatarservice." + other + "..").toArray(String[]::new))
      .because("the HTTP, notify and store verticles talk only over the event bus");
  }

  static final ArchRule HTTP = verticlePackagesDoNotMeet("http", "notify", "store");
  static final ArchRule NOTIFY = verticlePackagesDoNotMeet("notify", "http", "store");
  static final ArchRule STORE = verticlePackagesDoNotMeet("store", "http", "notify");

  static final ArchRule NOTIFY_SEES_ONLY_THE_BUS = noClasses().that().resideInAPackage("dev.avatarservice.notify..")
    .should().dependOnClassesThat(com.tngtech.archunit.base.DescribedPredicate.describe("ours, outside bus and notify",
      type -> type.getPackageName().startsWith("dev.avatarservice")
        && !type.getPackageName().startsWith("dev.avatarservice.bus")
        && !type.getPackageName().startsWith("dev.avatarservice.notify")))
    .because("the notify verticle is the node's consumer of bus events and nothing else");

  static final ArchRule BUS_IS_THE_CONTRACT_ONLY = noClasses().that().resideInAPackage("dev.avatarservice.bus..")
    .should().dependOnClassesThat(com.tngtech.archunit.base.DescribedPredicate.describe("ours, outside bus",
      type -> type.getPackageName().startsWith("dev.avatarservice") && !type.getPackageName().startsWith("dev.avatarservice.bus")))
    .because("every package imports the bus contract, so it may import none of them");

  static final ArchRule DOMAIN_KNOWS_NO_HTTP = noClasses().that().resideInAnyPackage("dev.avatarservice.account..",
      "dev.avatarservice.image..")
    .should().dependOnClassesThat().resideInAnyPackage("dev.avatarservice.http..", "io.vertx.ext.web..")
    .because("accounts and images are domain code, usable and testable without HTTP");

  static final ArchRule IMAGES_ARE_PURE_JAVA = noClasses().that().resideInAPackage("dev.avatarservice.image..")
    .should().dependOnClassesThat().resideInAnyPackage("io.vertx..")
    .because("the image pipeline runs on worker threads and needs nothing of Vert.x");

  static final ArchRule WORKER_POOLS_STAND_ALONE = noClasses().that().resideInAPackage("dev.avatarservice.worker..")
    .should().dependOnClassesThat(com.tngtech.archunit.base.DescribedPredicate.describe("ours, outside worker",
      type -> type.getPackageName().startsWith("dev.avatarservice") && !type.getPackageName().startsWith("dev.avatarservice.worker")));

  static final ArchRule CLI_USES_ONLY_THE_ADMIN_API = noClasses().that().resideInAPackage("dev.avatarservice.cli..")
    .should().dependOnClassesThat().resideInAnyPackage("dev.avatarservice.http..", "dev.avatarservice.store..",
      "dev.avatarservice.notify..", "dev.avatarservice.bus..", "io.vertx.core.eventbus..")
    .because("the admin command line talks to a running node's admin API over HTTP, as an operator would");

  @Test
  void theCommandLineUsesOnlyTheAdminApi() {
    CLI_USES_ONLY_THE_ADMIN_API.check(main);
  }

  @Test
  void httpNotifyAndStoreNeverImportEachOther() {
    HTTP.check(main);
    NOTIFY.check(main);
    STORE.check(main);
  }

  @Test
  void theNotifyVerticleImportsOnlyTheBus() {
    NOTIFY_SEES_ONLY_THE_BUS.check(main);
  }

  @Test
  void theBusImportsNothingOfOurs() {
    BUS_IS_THE_CONTRACT_ONLY.check(main);
  }

  @Test
  void accountsAndImagesImportNeitherHttpNorVertxWeb() {
    DOMAIN_KNOWS_NO_HTTP.check(main);
    IMAGES_ARE_PURE_JAVA.check(main);
  }

  @Test
  void workerPoolsImportNothingOfOurs() {
    WORKER_POOLS_STAND_ALONE.check(main);
  }

  /** The rules are not vacuous: each one reports a class that breaks it. */
  @Test
  void eachRuleReportsAViolation() {
    JavaClasses broken = new ClassFileImporter().importClasses(
      dev.avatarservice.notify.BreaksLayering.class, dev.avatarservice.store.BreaksLayering.class,
      dev.avatarservice.bus.BreaksLayering.class, dev.avatarservice.account.BreaksLayering.class,
      dev.avatarservice.image.BreaksLayering.class, dev.avatarservice.worker.BreaksLayering.class,
      dev.avatarservice.cli.BreaksLayering.class,
      HttpVerticle.class, NotifyVerticle.class, StoreVerticle.class);
    for (ArchRule rule : java.util.List.of(NOTIFY, STORE, NOTIFY_SEES_ONLY_THE_BUS, BUS_IS_THE_CONTRACT_ONLY,
      DOMAIN_KNOWS_NO_HTTP, IMAGES_ARE_PURE_JAVA, WORKER_POOLS_STAND_ALONE, CLI_USES_ONLY_THE_ADMIN_API)) {
      assertThat(rule.evaluate(broken).hasViolation()).as(rule.getDescription()).isTrue();
    }
    JavaClasses httpBroken = new ClassFileImporter().importClasses(dev.avatarservice.http.BreaksLayering.class,
      StoreVerticle.class);
    assertThat(HTTP.evaluate(httpBroken).hasViolation()).isTrue();
  }
}
