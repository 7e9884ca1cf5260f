package dev.userservice.observability;

import static dev.userservice.testing.Calls.catchStatus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.GetUserRequest;
import dev.userservice.api.user.v1.ListUsersRequest;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.testing.NettyService;
import dev.userservice.testing.TestTokens;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The Prometheus endpoint, scraped over HTTP after real calls on the Netty transport. */
class MetricsTest {

  @Test
  void scrape_afterCalls_hasCallCountsByStatusHistogramsMessagesPoolAndJvm() throws Exception {
    int metricsPort = NettyService.freePort();
    try (NettyService service = NettyService.start("--metrics-port=" + metricsPort)) {
      ManagedChannel channel = service.channel();
      var users = UserServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
      for (int i = 0; i < 3; i++) {
        users.createUser(CreateUserRequest.newBuilder().setEmail("m" + i + "@example.com").setName("M" + i).build());
      }
      var authorized = users.withCallCredentials(TestTokens.bearer(TestTokens.admin()));
      Status notFound = catchStatus(() -> authorized.getUser(
          GetUserRequest.newBuilder().setUserId(UUID.randomUUID().toString()).build())).getStatus();
      assertThat(notFound.getCode()).isEqualTo(Status.Code.NOT_FOUND);
      Status refused = catchStatus(() -> users.getUser(
          GetUserRequest.newBuilder().setUserId(UUID.randomUUID().toString()).build())).getStatus();
      assertThat(refused.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      var listed = authorized.listUsers(ListUsersRequest.getDefaultInstance());
      int count = 0;
      while (listed.hasNext()) {
        listed.next();
        count++;
      }
      assertThat(count).isEqualTo(3);

      String body = scrape(metricsPort);

      assertThat(value(body, "grpc_server_processing_duration_seconds_count",
          "method=\"CreateUser\"", "statusCode=\"OK\"")).isEqualTo(3);
      assertThat(value(body, "grpc_server_processing_duration_seconds_count",
          "method=\"GetUser\"", "statusCode=\"NOT_FOUND\"")).isEqualTo(1);
      assertThat(value(body, "grpc_server_processing_duration_seconds_count",
          "method=\"GetUser\"", "statusCode=\"UNAUTHENTICATED\"")).isEqualTo(1);
      assertThat(value(body, "grpc_server_processing_duration_seconds_bucket",
          "method=\"CreateUser\"", "statusCode=\"OK\"", "le=\"+Inf\"")).isEqualTo(3);
      assertThat(value(body, "grpc_server_responses_sent_messages_total",
          "method=\"ListUsers\"", "methodType=\"SERVER_STREAMING\"")).isEqualTo(3);
      assertThat(value(body, "grpc_server_requests_received_messages_total",
          "method=\"ListUsers\"")).isEqualTo(1);
      assertThat(value(body, "grpc_server_requests_received_messages_total",
          "method=\"CreateUser\"")).isEqualTo(3);
      for (String gauge : new String[] {"hikaricp_connections_active", "hikaricp_connections_idle",
          "hikaricp_connections_pending"}) {
        assertThat(value(body, gauge, "pool=\"user-db\"")).isGreaterThanOrEqualTo(0);
      }
      // the total of open connections is published without a suffix
      assertThat(value(body, "hikaricp_connections", "pool=\"user-db\"")).isPositive();
      assertThat(value(body, "jvm_memory_used_bytes", "area=\"heap\"")).isPositive();
      assertThat(value(body, "jvm_threads_live_threads")).isPositive();
    }
  }

  private static String scrape(int port) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return response.body();
  }

  /** The value of the first series of this name whose labels include every one given. */
  private static double value(String body, String name, String... labels) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)").matcher(body);
    while (m.find()) {
      String found = m.group(1) == null ? "" : m.group(1);
      boolean all = true;
      for (String label : labels) {
        all &= found.contains(label);
      }
      if (all) {
        return Double.parseDouble(m.group(2));
      }
    }
    throw new AssertionError("no series " + name + " with " + String.join(", ", labels) + " in:\n" + body);
  }
}
