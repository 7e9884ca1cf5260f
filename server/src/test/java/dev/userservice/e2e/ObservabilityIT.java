package dev.userservice.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.GetUserRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.observability.RequestId;
import dev.userservice.testing.NettyService;
import dev.userservice.testing.ServiceProcess;
import dev.userservice.testing.TestTokens;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar as operators run it: JSON log lines, request ids and the metrics endpoint. */
class ObservabilityIT {
  @TempDir
  Path dataDir;

  @Test
  void jsonLogs_everyLineOneObjectWithCallFields_requestIdEchoed_metricsServed() throws Exception {
    int metricsPort = NettyService.freePort();
    List<String> lines;
    User user;
    try (ServiceProcess service = ServiceProcess.start(Map.of("JWT_SECRET", TestTokens.SECRET, "LOG_FORMAT", "json"),
        "--data-dir=" + dataDir, "--metrics-port=" + metricsPort)) {
      Metadata requestHeaders = new Metadata();
      requestHeaders.put(RequestId.HEADER, "it-request-1");
      AtomicReference<Metadata> responseHeaders = new AtomicReference<>();
      AtomicReference<Metadata> trailers = new AtomicReference<>();
      var users = UserServiceGrpc.newBlockingStub(service.channel()).withDeadlineAfter(20, TimeUnit.SECONDS);

      user = users.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(requestHeaders),
              MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, trailers))
          .createUser(CreateUserRequest.newBuilder().setEmail("json@example.com").setName("Json").build());
      users.withCallCredentials(TestTokens.bearer(TestTokens.user(user.getId())))
          .getUser(GetUserRequest.newBuilder().setUserId(user.getId()).build());
      HttpResponse<String> scrape = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString());

      assertThat(responseHeaders.get().get(RequestId.HEADER)).isEqualTo("it-request-1");
      assertThat(scrape.statusCode()).isEqualTo(200);
      assertThat(scrape.body()).containsPattern(
          "grpc_server_processing_duration_seconds_count\\{method=\"CreateUser\"[^}]*statusCode=\"OK\"} 1")
          .contains("hikaricp_connections_active{pool=\"user-db\"}").contains("jvm_threads_live_threads");
      assertThat(service.terminate()).isZero();
      lines = List.of(service.output().split("\n"));
    }

    List<JsonObject> objects = new ArrayList<>();
    for (String line : lines) {
      if (!line.isBlank()) {
        JsonElement parsed = JsonParser.parseString(line);
        assertThat(parsed.isJsonObject()).as("a JSON object: %s", line).isTrue();
        objects.add(parsed.getAsJsonObject());
      }
    }
    Map<String, String> create = callFields(objects, "user.v1.UserService/CreateUser");
    assertThat(create).containsEntry("status", "OK").containsEntry("request_id", "it-request-1")
        .containsKeys("duration_ms", "peer").doesNotContainKey("subject");
    Map<String, String> get = callFields(objects, "user.v1.UserService/GetUser");
    assertThat(get).containsEntry("status", "OK").containsEntry("subject", user.getId()).containsKey("request_id");
  }

  /** The key-value pairs of the call line logged for this method. */
  private static Map<String, String> callFields(List<JsonObject> lines, String method) {
    for (JsonObject line : lines) {
      if (!line.has("kvpList")) {
        continue;
      }
      Map<String, String> fields = new HashMap<>();
      for (JsonElement pair : line.getAsJsonArray("kvpList")) {
        pair.getAsJsonObject().entrySet().forEach(e -> fields.put(e.getKey(), e.getValue().getAsString()));
      }
      if (method.equals(fields.get("method"))) {
        return fields;
      }
    }
    throw new AssertionError("no call line for " + method + " in " + lines);
  }
}
