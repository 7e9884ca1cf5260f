package dev.userservice.deploy;

import static dev.userservice.deploy.KubernetesManifestsTest.at;
import static dev.userservice.deploy.KubernetesManifestsTest.list;
import static dev.userservice.deploy.KubernetesManifestsTest.map;
import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/cloudnativepg: a CloudNativePG Cluster of three instances with synchronous
 * replication, big enough for the service's connections, and the service's Deployment reading
 * the read-write URL and credentials from the Secret the operator makes.
 */
class CloudNativePgManifestsTest {
  private static final Path ROOT = Path.of(System.getProperty("project.root", "."));
  private static final Path OVERLAY = ROOT.resolve("deploy/cloudnativepg");
  /** Connections PostgreSQL keeps for superusers, and a margin for the operator and people. */
  private static final int RESERVED = 3 + 10;

  private final Map<String, Object> cluster = document(OVERLAY.resolve("cluster.yaml"));

  @Test
  void kustomization_addsTheClusterAndPatchesTheDeploymentOfTheBase() {
    Map<String, Object> kustomization = document(OVERLAY.resolve("kustomization.yaml"));

    assertThat(list(kustomization.get("resources"))).containsExactlyInAnyOrder("../kubernetes", "cluster.yaml");
    assertThat(list(kustomization.get("patches"))).extracting(p -> map(p).get("path"))
        .containsExactly("deployment-database.yaml");
  }

  @Test
  void cluster_threeInstancesWithRequiredSynchronousReplication() {
    assertThat(cluster).containsEntry("apiVersion", "postgresql.cnpg.io/v1").containsEntry("kind", "Cluster");
    assertThat(at(cluster, "spec", "instances")).isEqualTo(3);
    Map<String, Object> synchronous = map(at(cluster, "spec", "postgresql", "synchronous"));
    assertThat(synchronous.get("method")).isIn("any", "first");
    assertThat((Integer) synchronous.get("number")).isBetween(1, 2);
    assertThat(synchronous).containsEntry("dataDurability", "required");
  }

  @Test
  void cluster_maxConnectionsCoversEveryReplicaDuringARollingUpdate() {
    Map<String, Object> deployment = document(ROOT.resolve("deploy/kubernetes/deployment.yaml"));
    int replicas = (Integer) at(deployment, "spec", "replicas");
    int poolSize = Integer.parseInt(Config.SETTINGS.stream().filter(s -> s.env().equals("DB_POOL_SIZE"))
        .findFirst().orElseThrow().defaultValue());
    // a pool and a listener per replica, one replica more while a rolling update surges, and
    // Flyway's two connections while a replica starts
    int needed = (replicas + 1) * (poolSize + 1) + 2 + RESERVED;

    int maxConnections = Integer.parseInt(String.valueOf(at(cluster, "spec", "postgresql", "parameters",
        "max_connections")));
    assertThat(maxConnections).isGreaterThanOrEqualTo(needed);
  }

  @Test
  void renderedDeployment_databaseUrlAndCredentialsFromTheOperatorsAppSecretOnly() {
    List<Map<String, Object>> objects = KubernetesManifestsTest.render(OVERLAY);
    Map<String, Object> deployment = objects.stream().filter(o -> "Deployment".equals(o.get("kind"))).findFirst()
        .orElseThrow();
    List<Object> containers = list(at(deployment, "spec", "template", "spec", "containers"));
    String appSecret = at(cluster, "metadata", "name") + "-app";

    Map<String, String> keys = new java.util.HashMap<>();
    for (Object env : list(map(containers.get(0)).get("env"))) {
      String name = String.valueOf(map(env).get("name"));
      if (name.startsWith("DATABASE_")) {
        assertThat(map(env)).as(name).doesNotContainKey("value");
        Map<String, Object> ref = map(at(env, "valueFrom", "secretKeyRef"));
        assertThat(ref).as(name).containsEntry("name", appSecret);
        keys.put(name, String.valueOf(ref.get("key")));
      }
    }
    assertThat(keys).containsOnly(Map.entry("DATABASE_URL", "uri"), Map.entry("DATABASE_USER", "username"),
        Map.entry("DATABASE_PASSWORD", "password"));
    assertThat(objects).extracting(o -> o.get("kind")).contains("Cluster", "Deployment", "Service");
  }

  private static Map<String, Object> document(Path file) {
    try {
      return map(new Yaml().load(Files.readString(file)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
