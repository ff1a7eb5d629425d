package dev.ums;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** Features stay apart: no cycles between them, and shared packages depend on no feature. */
@AnalyzeClasses(packages = "dev.ums", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule features_are_free_of_cycles =
      slices().matching("dev.ums.(*)..").should().beFreeOfCycles();

  @ArchTest
  static final ArchRule shared_packages_depend_on_no_feature =
      noClasses()
          .that()
          .resideInAnyPackage("dev.ums.support..", "dev.ums.web..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.ums.message..", "dev.ums.dispatch..", "dev.ums.email..");

  /** The ledger owns message and outbox rows for every feature and depends on none of them. */
  @ArchTest
  static final ArchRule the_ledger_depends_on_no_feature =
      noClasses()
          .that()
          .resideInAPackage("dev.ums.ledger..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "dev.ums.message..",
              "dev.ums.dispatch..",
              "dev.ums.email..",
              "dev.ums.failure..",
              "dev.ums.crypto..",
              "dev.ums.retention..",
              "dev.ums.security..",
              "dev.ums.observability..");

  @ArchTest
  static final ArchRule intake_does_not_know_about_delivery =
      noClasses()
          .that()
          .resideInAPackage("dev.ums.message..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.ums.dispatch..", "dev.ums.email..");
}
