package dev.userservice.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.config.Config;
import dev.userservice.config.Setting;
import dev.userservice.server.UserServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The manifests in deploy/kubernetes, parsed as Kubernetes would read them: probes, shutdown
 * timing, selectors and secrets agree with the service and with each other.
 */
class KubernetesManifestsTest {
  /** The top-level directory; the build passes it, as the tests run in the server module. */
  private static final Path ROOT = Path.of(System.getProperty("project.root", "."));
  private static final Path MANIFESTS = ROOT.resolve("deploy/kubernetes");
  private static final int GRPC_PORT = 50051;
  /** Settings whose values are credentials: only ever taken from a Secret. */
  private static final Set<String> SECRET_ENV = Set.of("DATABASE_URL", "DATABASE_USER", "DATABASE_PASSWORD",
      "JWT_SECRET");

  private final List<Manifest> manifests = load();

  @Test
  void everyManifest_parsesWithApiVersionKindAndName() {
    assertThat(manifests).isNotEmpty().allSatisfy(m -> {
      assertThat(m.doc()).containsKeys("apiVersion", "kind");
      if (!m.kind().equals("Kustomization")) {
        assertThat(m.name()).as(m.file()).isNotBlank();
      }
    });
    assertThat(manifests).extracting(Manifest::kind)
        .contains("Deployment", "Service", "PodDisruptionBudget", "Kustomization");
  }

  @Test
  void kustomization_listsEveryOtherManifest() {
    List<String> others = manifests.stream().map(Manifest::file).filter(f -> !f.equals("kustomization.yaml"))
        .distinct().toList();

    assertThat(strings(one("Kustomization").doc().get("resources"))).containsExactlyInAnyOrderElementsOf(others);
  }

  @Test
  void deployment_probesAreGrpcOnPort50051() {
    Map<String, Object> container = container();

    Map<String, Object> readiness = map(at(container, "readinessProbe", "grpc"));
    assertThat(readiness.get("port")).isEqualTo(GRPC_PORT);
    assertThat(readiness.getOrDefault("service", "")).isIn("user.v1.UserService", "");
    for (String probe : List.of("livenessProbe", "startupProbe")) {
      assertThat(map(at(container, probe, "grpc")))
          .containsEntry("port", GRPC_PORT).containsEntry("service", UserServer.LIVENESS_SERVICE);
    }
    assertThat(list(container.get("ports"))).extracting(p -> map(p).get("containerPort")).contains(GRPC_PORT);
  }

  @Test
  void deployment_terminationGracePeriodExceedsDrainDelayPlusShutdownGrace() {
    long drainMs = Long.parseLong(effective("DRAIN_DELAY_MS"));
    long graceMs = Long.parseLong(effective("SHUTDOWN_GRACE_MS"));
    int period = (Integer) at(one("Deployment").doc(), "spec", "template", "spec", "terminationGracePeriodSeconds");

    assertThat(period).isGreaterThan((int) ((drainMs + graceMs) / 1000));
  }

  @Test
  void services_headlessOneHasClusterIpNoneAndBothSelectThePods() {
    Map<String, Object> podLabels = map(at(one("Deployment").doc(), "spec", "template", "metadata", "labels"));
    List<Manifest> services = manifests.stream().filter(m -> m.kind().equals("Service")).toList();

    assertThat(services).extracting(m -> at(m.doc(), "spec", "clusterIP")).containsExactlyInAnyOrder(null, "None");
    assertThat(services).allSatisfy(s -> {
      assertThat(podLabels).containsAllEntriesOf(map(at(s.doc(), "spec", "selector")));
      assertThat(list(at(s.doc(), "spec", "ports"))).extracting(p -> map(p).get("port")).containsExactly(GRPC_PORT);
    });
  }

  @Test
  void podDisruptionBudget_selectsTheDeploymentsPods() {
    Map<String, Object> deployment = one("Deployment").doc();
    Map<String, Object> pdbSelector = map(at(one("PodDisruptionBudget").doc(), "spec", "selector", "matchLabels"));

    assertThat(pdbSelector).isNotEmpty()
        .isEqualTo(map(at(deployment, "spec", "selector", "matchLabels")));
    assertThat(map(at(deployment, "spec", "template", "metadata", "labels"))).containsAllEntriesOf(pdbSelector);
  }

  @Test
  void secrets_comeFromASecretAndNoManifestHoldsOne() {
    assertThat(manifests).extracting(Manifest::kind).doesNotContain("Secret");
    List<Map<String, Object>> env = list(container().get("env")).stream().map(KubernetesManifestsTest::map).toList();
    Set<String> secretSettings = new java.util.HashSet<>(SECRET_ENV);
    Config.SETTINGS.stream().filter(Setting::secret).map(Setting::env).forEach(secretSettings::add);

    for (Map<String, Object> variable : env) {
      if (secretSettings.contains((String) variable.get("name"))) {
        assertThat(variable).as("%s", variable.get("name")).doesNotContainKey("value");
        assertThat(at(variable, "valueFrom", "secretKeyRef", "name")).isEqualTo("user-service");
      }
    }
    assertThat(env).extracting(v -> v.get("name")).contains("DATABASE_URL", "DATABASE_PASSWORD", "JWT_SECRET");
  }

  @Test
  void manifests_containNoDatabaseUrlOrCredentialsInTheirText() throws IOException {
    try (Stream<Path> files = Files.list(MANIFESTS)) {
      for (Path file : files.toList()) {
        assertThat(Files.readString(file)).as(file.toString())
            .doesNotContainPattern("jdbc:|postgres(ql)?://|://[^/\\s:@]+:[^@\\s]+@")
            .doesNotContainPattern("(?i)(password|secret)\\s*[:=]\\s*[\"']?\\w");
      }
    }
  }

  @Test
  void deployment_runsAsNonRootOnAReadOnlyRootWithTmpFromAnEmptyDir() {
    Map<String, Object> pod = map(at(one("Deployment").doc(), "spec", "template", "spec"));
    Map<String, Object> container = container();

    assertThat(at(pod, "securityContext", "runAsNonRoot")).isEqualTo(true);
    assertThat((Integer) at(pod, "securityContext", "runAsUser")).isPositive();
    assertThat(at(container, "securityContext", "readOnlyRootFilesystem")).isEqualTo(true);
    assertThat(at(container, "securityContext", "allowPrivilegeEscalation")).isEqualTo(false);
    String tmpVolume = list(container.get("volumeMounts")).stream().map(KubernetesManifestsTest::map)
        .filter(m -> "/tmp".equals(m.get("mountPath"))).map(m -> (String) m.get("name")).findFirst()
        .orElseThrow(() -> new AssertionError("nothing mounted on /tmp"));
    assertThat(list(pod.get("volumes"))).map(KubernetesManifestsTest::map)
        .anySatisfy(v -> assertThat(v).containsEntry("name", tmpVolume).containsKey("emptyDir"));
  }

  @Test
  void deployment_requestsAndLimitsCpuAndMemory() {
    Map<String, Object> resources = map(container().get("resources"));

    assertThat(map(resources.get("requests"))).containsKeys("cpu", "memory");
    assertThat(map(resources.get("limits"))).containsKeys("cpu", "memory");
  }

  /** The value the Deployment gives this variable, or the service's default. */
  private String effective(String env) {
    return list(container().get("env")).stream().map(KubernetesManifestsTest::map)
        .filter(v -> env.equals(v.get("name")) && v.containsKey("value"))
        .map(v -> (String) v.get("value")).findFirst()
        .orElseGet(() -> String.valueOf(defaultOf(env)));
  }

  private static long defaultOf(String env) {
    return Config.SETTINGS.stream().filter(s -> s.env().equals(env)).findFirst()
        .map(s -> Long.parseLong(s.defaultValue()))
        .orElseThrow(() -> new AssertionError("no setting " + env));
  }

  private Map<String, Object> container() {
    List<Object> containers = list(at(one("Deployment").doc(), "spec", "template", "spec", "containers"));
    assertThat(containers).hasSize(1);
    return map(containers.get(0));
  }

  private Manifest one(String kind) {
    List<Manifest> found = manifests.stream().filter(m -> m.kind().equals(kind)).toList();
    assertThat(found).as("manifests of kind %s", kind).hasSize(1);
    return found.get(0);
  }

  private static List<Manifest> load() {
    List<Manifest> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(MANIFESTS)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        for (Object doc : new Yaml().loadAll(Files.readString(file))) {
          if (doc != null) {
            out.add(new Manifest(file.getFileName().toString(), map(doc)));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** The node at this path of keys, or null where the path ends early. */
  private static Object at(Object node, String... path) {
    Object current = node;
    for (String key : path) {
      if (!(current instanceof Map<?, ?> m)) {
        return null;
      }
      current = m.get(key);
    }
    return current;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object node) {
    assertThat(node).isInstanceOf(Map.class);
    return (Map<String, Object>) node;
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Object node) {
    assertThat(node).isInstanceOf(List.class);
    return (List<Object>) node;
  }

  private static List<String> strings(Object node) {
    return list(node).stream().map(String::valueOf).toList();
  }

  private record Manifest(String file, Map<String, Object> doc) {
    String kind() {
      return String.valueOf(doc.get("kind"));
    }

    String name() {
      return Optional.ofNullable(at(doc, "metadata", "name")).map(String::valueOf).orElse("");
    }
  }
}
