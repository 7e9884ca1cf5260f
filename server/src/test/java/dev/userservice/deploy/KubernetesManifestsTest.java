package dev.userservice.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.google.gson.Gson;
import dev.userservice.config.Config;
import dev.userservice.config.Setting;
import dev.userservice.server.UserServer;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Service;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The manifests in deploy/kubernetes, parsed as Kubernetes would read them: probes, shutdown
 * timing, selectors and secrets agree with the service and with each other; rendered by
 * {@code kubectl kustomize}, every object reads as Kubernetes' own model of its kind, no unknown
 * field allowed.
 */
class KubernetesManifestsTest {
  /** The top-level directory; the build passes it, as the tests run in the server module. */
  private static final Path ROOT = Path.of(System.getProperty("project.root", "."));
  private static final Path MANIFESTS = ROOT.resolve("deploy/kubernetes");
  private static final int GRPC_PORT = 50051;
  /** Settings whose values are credentials: only ever taken from a Secret. */
  private static final Set<String> SECRET_ENV = Set.of("DATABASE_URL", "DATABASE_USER", "DATABASE_PASSWORD",
      "JWT_SECRET");

  /** Kubernetes' own models (client-java) of the kinds the manifests hold. */
  private static final Map<String, Class<?>> MODELS = Map.of("Deployment", V1Deployment.class,
      "Service", V1Service.class, "PodDisruptionBudget", V1PodDisruptionBudget.class);

  private final List<Manifest> manifests = load();

  @Test
  void rendered_everyObjectIsAKnownKindWithNoUnknownField() {
    List<Map<String, Object>> objects = render(MANIFESTS);

    assertThat(objects).extracting(o -> o.get("kind"))
        .containsExactlyInAnyOrder("Deployment", "Service", "Service", "PodDisruptionBudget");
    objects.forEach(KubernetesManifestsTest::validate);
  }

  @Test
  void rendered_aMisspelledFieldIsRefused(@TempDir Path copy) throws IOException {
    try (Stream<Path> files = Files.list(MANIFESTS)) {
      for (Path file : files.toList()) {
        Files.writeString(copy.resolve(file.getFileName()), Files.readString(file)
            .replace("readOnlyRootFilesystem:", "readOnlyRootFileSystem:"));
      }
    }
    Map<String, Object> deployment = render(copy).stream().filter(o -> "Deployment".equals(o.get("kind")))
        .findFirst().orElseThrow();

    Throwable refused = catchThrowable(() -> validate(deployment));

    assertThat(refused).as("a Deployment with a misspelled field").isNotNull();
    assertThat(messages(refused)).contains("readOnlyRootFileSystem");
  }

  @Test
  void prometheusOperatorOverlay_addsAServiceMonitorOnTheServicesMetricsPort() {
    List<Map<String, Object>> objects = render(ROOT.resolve("deploy/prometheus-operator"));
    Map<String, Object> monitor = objects.stream().filter(o -> "ServiceMonitor".equals(o.get("kind")))
        .findFirst().orElseThrow(() -> new AssertionError("no ServiceMonitor"));
    Map<String, Object> service = objects.stream()
        .filter(o -> "Service".equals(o.get("kind")) && "user-service".equals(at(o, "metadata", "name")))
        .findFirst().orElseThrow();

    objects.stream().filter(o -> o != monitor).forEach(KubernetesManifestsTest::validate);
    assertThat(objects).hasSize(render(MANIFESTS).size() + 1);
    assertThat(map(at(service, "metadata", "labels")))
        .containsAllEntriesOf(map(at(monitor, "spec", "selector", "matchLabels")));
    String port = (String) map(list(at(monitor, "spec", "endpoints")).get(0)).get("port");
    assertThat(list(at(service, "spec", "ports"))).map(KubernetesManifestsTest::map)
        .anySatisfy(p -> assertThat(p).containsEntry("name", port).containsEntry("port", metricsPort()));
  }

  @Test
  void metricsPort_declaredOnThePodAndTheServiceAndAnnotatedForScraping() {
    int port = metricsPort();
    Map<String, Object> annotations = map(at(one("Deployment").doc(), "spec", "template", "metadata", "annotations"));
    Manifest service = manifests.stream().filter(m -> m.kind().equals("Service") && m.name().equals("user-service"))
        .findFirst().orElseThrow();

    assertThat(port).isPositive();
    assertThat(list(container().get("ports"))).map(KubernetesManifestsTest::map)
        .anySatisfy(p -> assertThat(p).containsEntry("name", "metrics").containsEntry("containerPort", port));
    assertThat(annotations).containsEntry("prometheus.io/scrape", "true")
        .containsEntry("prometheus.io/port", String.valueOf(port)).containsEntry("prometheus.io/path", "/metrics");
    assertThat(list(at(service.doc(), "spec", "ports"))).map(KubernetesManifestsTest::map).anySatisfy(p ->
        assertThat(p).containsEntry("name", "metrics").containsEntry("port", port).containsEntry("targetPort", "metrics"));
  }

  @Test
  void readinessProbe_toleratesOneSlowOrFailedAnswer() {
    Map<String, Object> container = container();
    Map<String, Object> readiness = map(container.get("readinessProbe"));

    assertThat((Integer) readiness.get("failureThreshold")).isGreaterThanOrEqualTo(3);
    for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
      assertThat((Integer) at(container, probe, "timeoutSeconds")).as(probe).isGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void pods_spreadOverNodesAndZonesAndMountNoServiceAccountToken() {
    Map<String, Object> pod = map(at(one("Deployment").doc(), "spec", "template", "spec"));
    Map<String, Object> podLabels = map(at(one("Deployment").doc(), "spec", "template", "metadata", "labels"));
    List<Map<String, Object>> spread = list(pod.get("topologySpreadConstraints")).stream()
        .map(KubernetesManifestsTest::map).toList();

    assertThat(pod.get("automountServiceAccountToken")).isEqualTo(false);
    assertThat(spread).extracting(c -> c.get("topologyKey"))
        .containsExactlyInAnyOrder("kubernetes.io/hostname", "topology.kubernetes.io/zone");
    assertThat(spread).allSatisfy(c -> {
      assertThat(podLabels).containsAllEntriesOf(map(at(c, "labelSelector", "matchLabels")));
      assertThat(c).containsEntry("maxSkew", 1).containsEntry("whenUnsatisfiable", "ScheduleAnyway");
    });
  }

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
  void deployment_probesAreGrpcOnThePlaintextHealthPort() {
    Map<String, Object> container = container();
    int healthPort = Integer.parseInt(effective("HEALTH_PORT"));

    // the kubelet's gRPC probes cannot speak TLS: they use the health-only port, never TLS
    assertThat(healthPort).isPositive().isNotEqualTo(GRPC_PORT).isNotEqualTo(metricsPort());
    Map<String, Object> readiness = map(at(container, "readinessProbe", "grpc"));
    assertThat(readiness.get("port")).isEqualTo(healthPort);
    assertThat(readiness.getOrDefault("service", "")).isIn("user.v1.UserService", "");
    for (String probe : List.of("livenessProbe", "startupProbe")) {
      assertThat(map(at(container, probe, "grpc")))
          .containsEntry("port", healthPort).containsEntry("service", UserServer.LIVENESS_SERVICE);
    }
    assertThat(list(container.get("ports"))).extracting(p -> map(p).get("containerPort"))
        .contains(GRPC_PORT, healthPort);
  }

  @Test
  void deployment_terminationGracePeriodExceedsDrainDelayPlusShutdownGrace() {
    long drainMs = Long.parseLong(effective("DRAIN_DELAY_MS"));
    long graceMs = Long.parseLong(effective("SHUTDOWN_GRACE_MS"));
    int period = (Integer) at(one("Deployment").doc(), "spec", "template", "spec", "terminationGracePeriodSeconds");

    assertThat(period).isGreaterThan((int) ((drainMs + graceMs) / 1000));
  }

  @Test
  void services_headlessOneHasClusterIpNoneAndBothSelectThePodsOnTheGrpcPort() {
    Map<String, Object> podLabels = map(at(one("Deployment").doc(), "spec", "template", "metadata", "labels"));
    List<Manifest> services = manifests.stream().filter(m -> m.kind().equals("Service")).toList();

    assertThat(services).extracting(m -> at(m.doc(), "spec", "clusterIP")).containsExactlyInAnyOrder(null, "None");
    assertThat(services).allSatisfy(s -> {
      assertThat(podLabels).containsAllEntriesOf(map(at(s.doc(), "spec", "selector")));
      assertThat(list(at(s.doc(), "spec", "ports"))).extracting(p -> map(p).get("port")).contains(GRPC_PORT);
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

  private int metricsPort() {
    return Integer.parseInt(effective("METRICS_PORT"));
  }

  /** Reads the object as Kubernetes' model of its kind, which refuses fields the kind has not. */
  private static void validate(Map<String, Object> object) {
    Class<?> model = MODELS.get(String.valueOf(object.get("kind")));
    assertThat(model).as("a model of kind %s", object.get("kind")).isNotNull();
    JSON.deserialize(new Gson().toJson(object), model);
  }

  private static String messages(Throwable thrown) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = thrown; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    return all.toString();
  }

  /** The objects {@code kubectl kustomize} renders from this directory. */
  static List<Map<String, Object>> render(Path directory) {
    try {
      Process kubectl = new ProcessBuilder("kubectl", "kustomize", directory.toString())
          .redirectError(ProcessBuilder.Redirect.INHERIT).start();
      String yaml = new String(kubectl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(kubectl.waitFor(60, TimeUnit.SECONDS)).as("kubectl kustomize finished").isTrue();
      assertThat(kubectl.exitValue()).as("kubectl kustomize %s", directory).isZero();
      List<Map<String, Object>> objects = new ArrayList<>();
      for (Object doc : new Yaml().loadAll(yaml)) {
        objects.add(map(doc));
      }
      return objects;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run kubectl kustomize (kubectl must be installed)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
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
  static Object at(Object node, String... path) {
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
  static Map<String, Object> map(Object node) {
    assertThat(node).isInstanceOf(Map.class);
    return (Map<String, Object>) node;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object node) {
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
