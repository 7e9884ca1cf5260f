package dev.userservice.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ./mvnw on a machine as a newcomer's may be: no unzip, a fresh MAVEN_USER_HOME, the installed
 * Maven or only a repository in MVNW_REPOURL (served here from the local repository), several
 * first runs at once, and a distribution whose checksum does not match the pinned one.
 */
class MavenWrapperTest {
  /** The top-level directory; the build passes it, as the tests run in the server module. */
  private static final Path ROOT = Path.of(System.getProperty("project.root", "."));
  private static final Path PROPERTIES = Path.of(".mvn/wrapper/maven-wrapper.properties");
  private static final String VERSION = property(ROOT.resolve(PROPERTIES), "mavenVersion");
  private static final String DIST = "apache-maven-" + VERSION;
  private static final String DIST_PATH = "/org/apache/maven/apache-maven/" + VERSION + "/" + DIST + "-bin.tar.gz";

  @TempDir
  private Path tmp;
  private Path project;
  private Path userHome;
  private HttpServer repository;
  /** The PATH directories of links, outside the temporary directory JUnit deletes (it warns of each link). */
  private final List<Path> layouts = new ArrayList<>();
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();

  @BeforeEach
  void copyTheWrapper() throws IOException {
    project = Files.createDirectories(tmp.resolve("project"));
    Files.createDirectories(project.resolve(PROPERTIES).getParent());
    Files.copy(ROOT.resolve("mvnw"), project.resolve("mvnw"));
    Files.copy(ROOT.resolve(PROPERTIES), project.resolve(PROPERTIES));
    userHome = tmp.resolve("maven-user-home");
  }

  @AfterEach
  void stopRepositoryAndRemoveLayouts() throws IOException {
    if (repository != null) {
      repository.stop(0);
    }
    for (Path bin : layouts) {
      try (Stream<Path> links = Files.list(bin)) {
        for (Path link : links.toList()) {
          Files.delete(link);
        }
      }
      Files.delete(bin);
    }
  }

  @Test
  void installedMavenNoUnzip_fetchesVerifiesAndRunsThePinnedVersion() throws Exception {
    Run run = wrapper(Map.of("MVNW_VERBOSE", "true"), layoutWithout("unzip"));

    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.output()).contains("Apache Maven " + VERSION, "fetching Maven " + VERSION, "SHA-256 verified");
    assertThat(installed()).containsExactly(DIST);
    assertThat(run.output()).contains("Maven home: " + userHome.resolve("wrapper/dists/" + DIST));
  }

  @Test
  void repourlNoMavenNoUnzip_downloadsTheTarGzOnceWithBasicAuth() throws Exception {
    String url = serveRepository();
    Map<String, String> env = Map.of("MVNW_REPOURL", url, "MVNW_USERNAME", "ci", "MVNW_PASSWORD", "s3cret");
    Path path = layoutWithout("unzip", "mvn");

    Run first = wrapper(env, path);
    Run second = wrapper(env, path);

    assertThat(first.exitCode()).as(first.output()).isZero();
    assertThat(second.exitCode()).as(second.output()).isZero();
    assertThat(second.output()).contains("Apache Maven " + VERSION);
    assertThat(requests).containsExactly(DIST_PATH);
    assertThat(authorizations).containsExactly(
        "Basic " + Base64.getEncoder().encodeToString("ci:s3cret".getBytes(StandardCharsets.UTF_8)));
    assertThat(installed()).containsExactly(DIST);
  }

  @Test
  void checksumMismatch_isRefusedAndNothingIsInstalled() throws Exception {
    String pinned = property(project.resolve(PROPERTIES), "distributionSha256Sum");
    String other = (pinned.charAt(0) == '0' ? "1" : "0") + pinned.substring(1);
    Path properties = project.resolve(PROPERTIES);
    Files.writeString(properties, Files.readString(properties).replace(pinned, other));

    Run run = wrapper(Map.of("MVNW_REPOURL", serveRepository()), layoutWithout("unzip", "mvn"));

    assertThat(run.exitCode()).isNotZero();
    assertThat(run.output()).contains("not distributionSha256Sum " + other + ": refused")
        .doesNotContain("Apache Maven " + VERSION);
    assertThat(requests).containsExactly(DIST_PATH);
    assertThat(userHome.resolve("wrapper/dists")).isEmptyDirectory();
  }

  @Test
  void concurrentFirstRuns_allSucceedAndLeaveOneInstallation() throws Exception {
    Map<String, String> env = Map.of("MVNW_REPOURL", serveRepository());
    Path path = layoutWithout("unzip", "mvn");
    List<Process> runs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      runs.add(start(env, path));
    }

    for (Process process : runs) {
      Run run = finish(process);
      assertThat(run.exitCode()).as(run.output()).isZero();
      assertThat(run.output()).contains("Apache Maven " + VERSION);
    }
    assertThat(installed()).containsExactly(DIST);
    try (Stream<Path> inside = Files.list(userHome.resolve("wrapper/dists/" + DIST))) {
      assertThat(inside.map(p -> p.getFileName().toString())).contains("bin", "lib").doesNotContain(DIST);
    }
  }

  /** What wrapper/dists holds, hidden work directories included. */
  private List<String> installed() throws IOException {
    try (Stream<Path> dists = Files.list(userHome.resolve("wrapper/dists"))) {
      return dists.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** A Maven repository holding the distribution, taken from the local repository. */
  private String serveRepository() throws Exception {
    Path artifact = localRepository().resolve(DIST_PATH.substring(1));
    if (!Files.exists(artifact)) {
      // the installed Maven puts it into the local repository
      assertThat(wrapper(Map.of(), layoutWithout()).exitCode()).isZero();
      userHome = tmp.resolve("maven-user-home-2");
    }
    byte[] body = Files.readAllBytes(artifact);
    repository = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    repository.createContext("/", exchange -> {
      requests.add(exchange.getRequestURI().getPath());
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      if (authorization != null) {
        authorizations.add(authorization);
      }
      boolean found = exchange.getRequestURI().getPath().equals(DIST_PATH);
      exchange.sendResponseHeaders(found ? 200 : 404, found ? body.length : -1);
      if (found) {
        exchange.getResponseBody().write(body);
      }
      exchange.close();
    });
    repository.start();
    return "http://127.0.0.1:" + repository.getAddress().getPort() + "/";
  }

  private static Path localRepository() {
    String configured = System.getProperty("maven.repo.local");
    return configured != null ? Path.of(configured) : Path.of(System.getProperty("user.home"), ".m2", "repository");
  }

  /** A directory of links to every command on this machine's PATH but the excluded ones. */
  private Path layoutWithout(String... excluded) throws IOException {
    Path bin = Files.createTempDirectory("mvnw-path");
    layouts.add(bin);
    Set<String> skip = Set.of(excluded);
    for (String dir : System.getenv("PATH").split(File.pathSeparator)) {
      File[] commands = new File(dir).listFiles();
      for (File command : commands == null ? new File[0] : commands) {
        Path link = bin.resolve(command.getName());
        if (command.isFile() && command.canExecute() && !skip.contains(command.getName()) && !Files.exists(link)) {
          Files.createSymbolicLink(link, command.toPath());
        }
      }
    }
    for (String command : excluded) {
      assertThat(bin.resolve(command)).doesNotExist();
    }
    return bin;
  }

  private Run wrapper(Map<String, String> env, Path path) throws Exception {
    return finish(start(env, path));
  }

  private Process start(Map<String, String> env, Path path) throws IOException {
    ProcessBuilder builder = new ProcessBuilder("sh", project.resolve("mvnw").toString(), "-v")
        .directory(project.toFile()).redirectErrorStream(true);
    Map<String, String> environment = builder.environment();
    environment.keySet().removeIf(name -> name.startsWith("MVNW_") || name.startsWith("MAVEN_"));
    environment.putAll(new HashMap<>(env));
    environment.put("MAVEN_USER_HOME", userHome.toString());
    environment.put("PATH", path.toString());
    return builder.start();
  }

  private static Run finish(Process process) throws Exception {
    byte[] output = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("mvnw finished").isTrue();
    return new Run(process.exitValue(), new String(output, StandardCharsets.UTF_8));
  }

  private static String property(Path file, String name) {
    try {
      return Files.readAllLines(file).stream().filter(line -> line.startsWith(name + "="))
          .map(line -> line.substring(name.length() + 1).trim()).findFirst()
          .orElseThrow(() -> new AssertionError("no " + name + " in " + file));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private record Run(int exitCode, String output) {
  }
}
