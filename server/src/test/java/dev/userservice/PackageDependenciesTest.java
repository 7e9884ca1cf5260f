package dev.userservice;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The arrows between the server's packages point one way: no package cycle, and the packages
 * below do not reach up. The generated contract ({@code dev.userservice.api}) is left out, as
 * every layer may use it.
 */
@AnalyzeClasses(packages = "dev.userservice", importOptions = ImportOption.DoNotIncludeTests.class)
class PackageDependenciesTest {

  @ArchTest
  static final ArchRule packagesFormNoCycle = slices().matching("dev.userservice.(*)..")
      .should().beFreeOfCycles();

  @ArchTest
  static final ArchRule observabilityDependsOnNoProjectPackage = noClasses()
      .that().resideInAPackage("dev.userservice.observability..")
      .should().dependOnClassesThat().resideInAnyPackage(projectPackagesExcept("observability"));

  @ArchTest
  static final ArchRule configDependsOnNoProjectPackage = noClasses()
      .that().resideInAPackage("dev.userservice.config..")
      .should().dependOnClassesThat().resideInAnyPackage(projectPackagesExcept("config"));

  @ArchTest
  static final ArchRule identityStaysBelowUsersAndLogin = noClasses()
      .that().resideInAPackage("dev.userservice.identity..")
      .should().dependOnClassesThat().resideInAnyPackage(
          "dev.userservice.user..", "dev.userservice.login..", "dev.userservice.server..");

  @ArchTest
  static final ArchRule userStaysBelowLogin = noClasses()
      .that().resideInAPackage("dev.userservice.user..")
      .should().dependOnClassesThat().resideInAnyPackage("dev.userservice.login..", "dev.userservice.server..");

  @ArchTest
  static final ArchRule onlyTheStartDependsOnServer = noClasses()
      .that().resideOutsideOfPackages("dev.userservice.server..", "dev.userservice.cli..")
      .and().doNotHaveFullyQualifiedName("dev.userservice.Main")
      .should().dependOnClassesThat().resideInAPackage("dev.userservice.server..");

  /** Every project package but {@code own} and the generated contract. */
  private static String[] projectPackagesExcept(String own) {
    return java.util.stream.Stream.of("admin", "bench", "cli", "client", "config", "db", "identity", "login",
            "observability", "server", "user")
        .filter(p -> !p.equals(own))
        .map(p -> "dev.userservice." + p + "..")
        .toArray(String[]::new);
  }
}
