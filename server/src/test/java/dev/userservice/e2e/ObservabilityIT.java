package dev.userservice.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpServer;
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
import io.grpc.CallOptions;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.testing.TestMethodDescriptors;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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

  @Test
  void messagesOverTheInboundLimit_refusedWithoutAStackTraceInTheLog() throws Exception {
    try (ServiceProcess service = ServiceProcess.start(Map.of("JWT_SECRET", TestTokens.SECRET),
        "--data-dir=" + dataDir, "--max-inbound-message-bytes=1024")) {
      // no token needed: CreateUser is open, and the message is refused before any handler runs
      UserServiceGrpc.UserServiceBlockingStub stub = UserServiceGrpc.newBlockingStub(service.channel())
          .withDeadlineAfter(10, TimeUnit.SECONDS);
      for (int i = 0; i < 5; i++) {
        int call = i;
        StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class,
            () -> stub.createUser(CreateUserRequest.newBuilder().setEmail("big" + call + "@example.com")
                .setName("n".repeat(2000)).build()));
        assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      }
      // the service still answers, and wrote no transport warning or trace for the refused messages
      assertThat(stub.createUser(CreateUserRequest.newBuilder().setEmail("small@example.com").setName("Small")
          .build()).getEmail()).isEqualTo("small@example.com");
      assertThat(service.output()).doesNotContain("Exception processing message").doesNotContain("\tat io.grpc");
      // each refused call's line (written within the log's 100 ms) has the status its caller got, not CANCELLED
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(service.output().lines()
          .filter(line -> line.contains("method=\"user.v1.UserService/CreateUser\"")
              && line.contains("status=\"RESOURCE_EXHAUSTED\""))).hasSize(5));
    }
  }

  @Test
  void unknownMethod_unimplemented_loggedWithTheMethodItNamed() throws Exception {
    try (ServiceProcess service = ServiceProcess.start(Map.of("JWT_SECRET", TestTokens.SECRET),
        "--data-dir=" + dataDir)) {
      MethodDescriptor<Void, Void> unknown = TestMethodDescriptors.voidMethod().toBuilder()
          .setFullMethodName("user.v1.UserService/DeleteEverything").build();
      StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class,
          () -> ClientCalls.blockingUnaryCall(service.channel(), unknown,
              CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), null));
      assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);

      // no interceptor runs for a method the server does not have: its line comes from the stream's end
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(service.output().lines()
          .filter(line -> line.contains("call finished")
              && line.contains("method=\"user.v1.UserService/DeleteEverything\"")
              && line.contains("status=\"UNIMPLEMENTED\""))).hasSize(1));
    }
  }

  @Test
  void otlpEndpoint_callWithTraceparent_spansExportedToCollector_logLineCarriesTraceId() throws Exception {
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    List<byte[]> exported = new CopyOnWriteArrayList<>();
    List<String> contentTypes = new CopyOnWriteArrayList<>();
    // a collector of our own on loopback: it keeps what arrives at /v1/traces
    HttpServer collector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    collector.createContext("/v1/traces", exchange -> {
      exported.add(exchange.getRequestBody().readAllBytes());
      contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    collector.start();
    List<String> lines;
    try (ServiceProcess service = ServiceProcess.start(Map.of("JWT_SECRET", TestTokens.SECRET, "LOG_FORMAT", "json",
        "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + collector.getAddress().getPort()),
        "--data-dir=" + dataDir, "--metrics-port=0")) {
      Metadata headers = new Metadata();
      headers.put(Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER),
          "00-" + traceId + "-00f067aa0ba902b7-01");
      UserServiceGrpc.newBlockingStub(service.channel()).withDeadlineAfter(20, TimeUnit.SECONDS)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
          .createUser(CreateUserRequest.newBuilder().setEmail("otlp@example.com").setName("Otlp").build());
      // spans still batched are sent when the service stops
      assertThat(service.terminate()).isZero();
      lines = List.of(service.output().split("\n"));
    } finally {
      collector.stop(0);
    }

    assertThat(exported).as("OTLP requests").isNotEmpty();
    assertThat(contentTypes).allMatch("application/x-protobuf"::equals);
    byte[] traceIdBytes = HexFormat.of().parseHex(traceId);
    assertThat(exported).anyMatch(body -> indexOf(body, traceIdBytes) >= 0);
    assertThat(exported).allMatch(body -> indexOf(body, "otlp@example.com".getBytes(StandardCharsets.UTF_8)) < 0);
    List<JsonObject> objects = lines.stream().filter(line -> !line.isBlank())
        .map(line -> JsonParser.parseString(line).getAsJsonObject()).toList();
    assertThat(callLine(objects, "user.v1.UserService/CreateUser").get("trace.id").getAsString()).isEqualTo(traceId);
  }

  private static int indexOf(byte[] body, byte[] part) {
    outer:
    for (int i = 0; i + part.length <= body.length; i++) {
      for (int j = 0; j < part.length; j++) {
        if (body[i + j] != part[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
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
