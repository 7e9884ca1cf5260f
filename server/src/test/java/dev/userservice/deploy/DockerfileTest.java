package dev.userservice.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfile's contract, checked without a container engine: it builds with the README's
 * package command, dependencies first in a layer of their own, runs the jar the build produces
 * as user 10001, and serves on 50051. scripts/image-smoke.sh builds and runs the image itself.
 */
class DockerfileTest {
  /** The top-level directory; the build passes it, as the tests run in the server module. */
  private static final Path ROOT = Path.of(System.getProperty("project.root", "."));
  private static final Pattern MODULE = Pattern.compile("<module>([^<]+)</module>");
  private static final Pattern FINAL_NAME = Pattern.compile("<finalName>([^<]+)</finalName>");
  private static final Pattern JSON_STRING = Pattern.compile("\"([^\"]*)\"");

  private final List<String> instructions = instructions(read("Dockerfile"));

  @Test
  void buildStage_runsTheReadmePackageCommandOnAJdk17ImageWithMaven() {
    String readmeCommand = read("README.md").lines()
        .filter(line -> line.startsWith("./mvnw ") && line.contains(" package "))
        .findFirst().orElseThrow(() -> new AssertionError("README has no ./mvnw package command"))
        .split(" && ")[0].trim();

    List<String> build = stage(0);
    List<String> runs = build.stream().filter(i -> i.startsWith("RUN ")).toList();
    assertThat(build.get(0)).matches("FROM maven:[^ ]*temurin-17 AS build");
    // the dependency layer runs the command on the source-less project; the last one builds offline
    assertThat(runs.get(0)).startsWith("RUN " + readmeCommand + " ");
    assertThat(runs.get(runs.size() - 1)).isEqualTo("RUN " + readmeCommand.replace(" package", " -o package"));
    // ./mvnw fetches the pinned Maven through its .mvn folder
    assertThat(build).contains("COPY .mvn .mvn");
  }

  @Test
  void buildStage_resolvesDependenciesFromThePomsBeforeTheSourcesAreCopied() {
    List<String> build = stage(0);
    int dependencies = build.indexOf(build.stream().filter(i -> i.startsWith("RUN ")).findFirst().orElseThrow());

    for (String module : modules()) {
      assertThat(build.indexOf("COPY " + module + "/pom.xml " + module + "/")).as(module + "/pom.xml")
          .isBetween(0, dependencies);
      assertThat(build.indexOf("COPY " + module + " " + module)).as(module + " sources").isGreaterThan(dependencies);
    }
    assertThat(build.indexOf("COPY mvnw pom.xml ./")).isBetween(0, dependencies);
  }

  @Test
  void buildStage_needsNoUnzip() throws IOException {
    List<String> wrapperCommands = Files.readAllLines(ROOT.resolve("mvnw")).stream()
        .filter(line -> !line.trim().startsWith("#")).toList();

    assertThat(stage(0)).noneMatch(i -> i.contains("unzip"));
    assertThat(wrapperCommands).noneMatch(line -> line.contains("unzip")).anyMatch(line -> line.contains("tar -xzf"));
  }

  @Test
  void runStage_carriesOciLabels() {
    String labels = String.join(" ", stage(stageCount() - 1).stream().filter(i -> i.startsWith("LABEL ")).toList());

    assertThat(labels).contains("org.opencontainers.image.title=\"user-service\"",
        "org.opencontainers.image.version=", "org.opencontainers.image.revision=",
        "org.opencontainers.image.description=", "org.opencontainers.image.base.name=\"eclipse-temurin:17-jre\"");
  }

  @Test
  void buildStage_copiesTheTopPomTheProtosAndEveryModule() {
    List<String> modules = modules();
    List<String> build = stage(0);

    assertThat(modules).contains("contract", "client", "server");
    assertThat(build).contains("COPY mvnw pom.xml ./", "COPY protos protos");
    assertThat(build).containsAll(modules.stream().map(m -> "COPY " + m + " " + m).toList());
  }

  @Test
  void runStage_jre17NonRootUserWithWritableDataVolume() {
    List<String> run = stage(stageCount() - 1);

    assertThat(stageCount()).isGreaterThanOrEqualTo(2);
    assertThat(run.get(0)).matches("FROM eclipse-temurin:17-jre\\S*");
    String user = run.stream().filter(i -> i.startsWith("USER ")).reduce((a, b) -> b)
        .orElseThrow(() -> new AssertionError("the run stage sets no USER")).substring(5).split(":")[0];
    assertThat(user).isEqualTo("10001");
    assertThat(run).contains("ENV DATA_DIR=/data", "VOLUME [\"/data\"]");
    assertThat(run).anySatisfy(i -> assertThat(i).startsWith("RUN ").contains("chown app:app /data"));
  }

  @Test
  void runStage_exposesGrpcAndMetricsPorts() {
    String expose = stage(stageCount() - 1).stream().filter(i -> i.startsWith("EXPOSE ")).findFirst()
        .orElseThrow(() -> new AssertionError("no EXPOSE"));

    assertThat(Arrays.asList(expose.substring(7).split("\\s+"))).contains("50051", "9464");
  }

  @Test
  void entrypoint_runsTheShadedJarWithHeapSizedFromTheContainerLimit() {
    Matcher finalName = FINAL_NAME.matcher(read("server/pom.xml"));
    assertThat(finalName.find()).isTrue();
    String jar = finalName.group(1) + ".jar";
    List<String> run = stage(stageCount() - 1);
    String entrypoint = run.stream().filter(i -> i.startsWith("ENTRYPOINT ")).findFirst()
        .orElseThrow(() -> new AssertionError("no ENTRYPOINT"));
    List<String> command = new ArrayList<>();
    Matcher word = JSON_STRING.matcher(entrypoint);
    while (word.find()) {
      command.add(word.group(1));
    }

    assertThat(command).startsWith("java").contains("-XX:MaxRAMPercentage=75").endsWith("-jar", "/app/" + jar);
    assertThat(run).contains("COPY --from=build /src/target/" + jar + " /app/" + jar);
  }

  @Test
  void dockerignore_keepsBuildOutputAndHistoryOutOfTheContext() {
    List<String> ignored = read(".dockerignore").lines().map(String::trim)
        .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();

    assertThat(ignored).contains("target", "**/target", ".git", "data");
    assertThat(ignored).doesNotContain("bom", "contract", "client", "server", "protos", ".mvn", "pom.xml", "mvnw");
  }

  private List<String> modules() {
    List<String> modules = new ArrayList<>();
    Matcher module = MODULE.matcher(read("pom.xml"));
    while (module.find()) {
      modules.add(module.group(1));
    }
    return modules;
  }

  private int stageCount() {
    return (int) instructions.stream().filter(i -> i.startsWith("FROM ")).count();
  }

  /** The instructions of the nth stage, its FROM first. */
  private List<String> stage(int n) {
    List<String> stage = new ArrayList<>();
    int seen = -1;
    for (String instruction : instructions) {
      if (instruction.startsWith("FROM ")) {
        seen++;
      }
      if (seen == n) {
        stage.add(instruction);
      }
    }
    assertThat(stage).as("stage %d", n).isNotEmpty();
    return stage;
  }

  /** One string per instruction: comments dropped, continuation lines joined. */
  private static List<String> instructions(String dockerfile) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : dockerfile.lines().toList()) {
      String trimmed = line.trim();
      if (trimmed.startsWith("#") || trimmed.isEmpty()) {
        continue;
      }
      boolean continues = trimmed.endsWith("\\");
      current.append(continues ? trimmed.substring(0, trimmed.length() - 1).trim() : trimmed);
      if (continues) {
        current.append(' ');
      } else {
        out.add(current.toString());
        current.setLength(0);
      }
    }
    return out;
  }

  private static String read(String file) {
    try {
      return Files.readString(ROOT.resolve(file));
    } catch (IOException e) {
      throw new AssertionError("cannot read " + file, e);
    }
  }
}
