package dev.ums.email.smtp;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;
import dev.ums.email.SendResult;
import dev.ums.email.SmtpProperties;
import dev.ums.email.SmtpSendException;

@AnalyzeClasses(packages = "dev.ums.email", importOptions = ImportOption.DoNotIncludeTests.class)
class SmtpPackageTest {

  /**
   * The connection code knows the sender's package only by the settings it connects with and what a
   * send returns or throws; it never calls back into the sender, the message builder or the capture
   * inbox.
   */
  @ArchTest
  static final ArchRule connections_know_the_email_package_only_by_its_settings_and_results =
      noClasses()
          .that()
          .resideInAPackage("dev.ums.email.smtp")
          .should()
          .dependOnClassesThat(
              resideInAPackage("dev.ums.email")
                  .and(
                      not(
                          belongToAnyOf(
                              SendResult.class, SmtpSendException.class, SmtpProperties.class))));
}
