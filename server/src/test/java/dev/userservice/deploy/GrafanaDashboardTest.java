package dev.userservice.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.ListUsersRequest;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.testing.NettyService;
import dev.userservice.testing.Scrape;
import dev.userservice.testing.TestTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/grafana/user-service.json queries only series the service exports: every metric name in
 * its panels' and variables' queries is one a running service serves on its metrics port.
 */
class GrafanaDashboardTest {
  private static final Path DASHBOARD = Path.of(System.getProperty("project.root", "."),
      "deploy", "grafana", "user-service.json");
  /** PromQL words that are not metric names. */
  private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
      "and", "or", "unless", "bool", "offset");
  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

  @Test
  void everyMetricTheDashboardQueries_isOneTheServiceExports() throws Exception {
    Set<String> queried = metricNames(queries(JsonParser.parseString(Files.readString(DASHBOARD)).getAsJsonObject()));
    // the panels the dashboard is for: calls by status, latency, in flight, pool usage
    assertThat(queried).contains("grpc_server_call_duration_seconds_count", "grpc_server_call_duration_seconds_bucket",
        "grpc_server_call_started_total", "db_client_connections_usage");

    Set<String> exported;
    int metricsPort = NettyService.freePort();
    try (NettyService service = NettyService.start("--metrics-port=" + metricsPort)) {
      var users = UserServiceGrpc.newBlockingStub(service.channel()).withDeadlineAfter(20, TimeUnit.SECONDS);
      users.createUser(CreateUserRequest.newBuilder().setEmail("dash@example.com").setName("Dash").build());
      users.withCallCredentials(TestTokens.bearer(TestTokens.admin())).listUsers(ListUsersRequest.getDefaultInstance())
          .forEachRemaining(user -> { });
      await().atMost(Duration.ofSeconds(20)).until(
          () -> Scrape.sampleNames(Scrape.metrics(metricsPort)).contains("user_service_database_up"));
      exported = Scrape.sampleNames(Scrape.metrics(metricsPort));
    }

    assertThat(exported).as("series the service exports").containsAll(queried);
  }

  @Test
  void metricNames_skipFunctionsLabelsKeywordsAndVariables() {
    Set<String> names = metricNames(List.of(
        "sum by (grpc_status) (rate(grpc_server_call_duration_seconds_count{job=~\"$job\", grpc_method=~\"a|b\"}"
            + "[$__rate_interval])) - (sum by (le) (x_total{state=\"used\"}) or 0 * up)",
        "label_values(grpc_server_call_started_total{job=~\"$job\"}, instance)"));

    assertThat(names).containsExactlyInAnyOrder("grpc_server_call_duration_seconds_count", "x_total", "up",
        "grpc_server_call_started_total");
  }

  /** Every query of the dashboard's panels and template variables. */
  private static List<String> queries(JsonObject dashboard) {
    List<String> queries = new ArrayList<>();
    for (JsonElement panel : dashboard.getAsJsonArray("panels")) {
      for (JsonElement target : panel.getAsJsonObject().getAsJsonArray("targets")) {
        queries.add(target.getAsJsonObject().get("expr").getAsString());
      }
    }
    for (JsonElement variable : dashboard.getAsJsonObject("templating").getAsJsonArray("list")) {
      JsonObject v = variable.getAsJsonObject();
      if ("query".equals(v.get("type").getAsString())) {
        queries.add(v.getAsJsonObject("query").get("query").getAsString());
      }
    }
    return queries;
  }

  /**
   * The metric names in PromQL queries: identifiers outside label matchers, ranges, grouping
   * clauses and strings that are not functions, keywords or variables. In {@code label_values(m, label)}
   * the label is not a metric.
   */
  static Set<String> metricNames(List<String> queries) {
    Set<String> names = new TreeSet<>();
    for (String query : queries) {
      String q = query.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
          .replaceAll("\\{[^}]*}", " ")
          .replaceAll("\\[[^]]*]", " ")
          .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
          .replaceAll("label_values\\(([^,]*),[^)]*\\)", "$1");
      Matcher m = IDENTIFIER.matcher(q);
      while (m.find()) {
        String word = m.group();
        boolean variable = m.start() > 0 && q.charAt(m.start() - 1) == '$';
        boolean function = q.substring(m.end()).stripLeading().startsWith("(");
        if (!variable && !function && !KEYWORDS.contains(word)) {
          names.add(word);
        }
      }
    }
    return names;
  }
}
