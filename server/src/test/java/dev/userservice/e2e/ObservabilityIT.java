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
import dev.userservice.testing.Promtool;
import dev.userservice.testing.Scrape;
import dev.userservice.testing.ServiceProcess;
import dev.userservice.testing.TestTokens;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar as operators run it: ECS JSON log lines, request ids and the metrics endpoint. */
class ObservabilityIT {
  @TempDir
  Path dataDir;

  @Test
  void jsonLogs_everyLineOneEcsObjectWithCallFields_requestIdEchoed_metricsServedAndPromtoolClean() throws Exception {
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
      String scrape = Scrape.metrics(metricsPort);

      assertThat(responseHeaders.get().get(RequestId.HEADER)).isEqualTo("it-request-1");
      assertThat(Scrape.value(scrape, "grpc_server_call_duration_seconds_count",
          "grpc_method=\"user.v1.UserService/CreateUser\"", "grpc_status=\"OK\"")).isEqualTo(1);
      assertThat(Scrape.value(scrape, "db_client_connections_usage", "pool_name=\"user-db\"", "state=\"idle\""))
          .isGreaterThanOrEqualTo(0);
      assertThat(Scrape.value(scrape, "jvm_threads")).isPositive();
      Promtool.assertChecksClean(scrape);
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
    for (JsonObject line : objects) {
      assertThat(line.keySet()).as("ECS fields of %s", line).contains("@timestamp", "log.level", "message",
          "service.name");
      assertThat(line.get("service.name").getAsString()).isEqualTo("user-service");
    }
    JsonObject create = callLine(objects, "user.v1.UserService/CreateUser");
    assertThat(create.get("message").getAsString()).isEqualTo("call finished");
    assertThat(create.get("status").getAsString()).isEqualTo("OK");
    assertThat(create.get("request_id").getAsString()).isEqualTo("it-request-1");
    assertThat(create.get("duration_ms").getAsJsonPrimitive().isNumber()).as("duration_ms a number: %s", create)
        .isTrue();
    assertThat(create.get("peer").getAsString()).as("host:port without a slash").matches("127\\.0\\.0\\.1:\\d+");
    assertThat(create.has("subject")).isFalse();
    JsonObject get = callLine(objects, "user.v1.UserService/GetUser");
    assertThat(get.get("status").getAsString()).isEqualTo("OK");
    assertThat(get.get("subject").getAsString()).isEqualTo(user.getId());
    assertThat(get.has("request_id")).isTrue();
  }

  /** The call line logged for this method. */
  private static JsonObject callLine(List<JsonObject> lines, String method) {
    for (JsonObject line : lines) {
      if (line.has("method") && method.equals(line.get("method").getAsString())) {
        return line;
      }
    }
    throw new AssertionError("no call line for " + method + " in " + lines);
  }
}
