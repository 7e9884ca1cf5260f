package dev.userservice.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.userservice.api.user.v1.BulkCreateResponse;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.GetUserRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.testing.InProcessService;
import dev.userservice.testing.RecordingObserver;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** Traces of calls on the real PostgreSQL, read from an in-memory exporter. */
class TracingTest {
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String CALLER_SPAN_ID = "00f067aa0ba902b7";
  private static final Metadata.Key<String> TRACEPARENT = Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);

  private final InMemorySpanExporter spans = InMemorySpanExporter.create();
  @RegisterExtension
  final InProcessService service = InProcessService.onPostgres()
      .tracedBy(ServiceTracing.exportingThrough(SimpleSpanProcessor.create(spans)));

  private final Logger callLog = (Logger) LoggerFactory.getLogger("calls");
  private final ByteArrayOutputStream logged = new ByteArrayOutputStream();
  private final OutputStreamAppender<ILoggingEvent> jsonLines = new OutputStreamAppender<>();
  private Level previousLevel;

  @BeforeEach
  void captureJsonLines() {
    previousLevel = callLog.getLevel();
    callLog.setLevel(Level.INFO);
    LoggerContext context = callLog.getLoggerContext();
    jsonLines.setContext(context);
    jsonLines.setEncoder(LogOutput.jsonEncoder(context));
    jsonLines.setOutputStream(logged);
    jsonLines.start();
    callLog.addAppender(jsonLines);
  }

  @AfterEach
  void release() {
    callLog.detachAppender(jsonLines);
    jsonLines.stop();
    callLog.setLevel(previousLevel);
  }

  @Test
  void callWithTraceparent_serverSpanContinuesTrace_statementsAreChildSpans_callLineCarriesTraceId() {
    Metadata headers = new Metadata();
    headers.put(TRACEPARENT, "00-" + TRACE_ID + "-" + CALLER_SPAN_ID + "-01");
    var users = service.blocking().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));

    User created = users.createUser(CreateUserRequest.newBuilder().setEmail("traced@example.com").setName("Traced")
        .build());
    users.getUser(GetUserRequest.newBuilder().setUserId(created.getId()).build());

    SpanData create = serverSpan("user.v1.UserService/CreateUser");
    assertThat(create.getTraceId()).isEqualTo(TRACE_ID);
    assertThat(create.getParentSpanId()).isEqualTo(CALLER_SPAN_ID);
    assertThat(create.getAttributes().get(AttributeKey.stringKey("rpc.system"))).isEqualTo("grpc");
    assertThat(create.getAttributes().get(AttributeKey.stringKey("rpc.service"))).isEqualTo("user.v1.UserService");
    assertThat(create.getAttributes().get(AttributeKey.stringKey("rpc.method"))).isEqualTo("CreateUser");
    assertThat(create.getAttributes().get(AttributeKey.longKey("rpc.grpc.status_code"))).isZero();
    for (SpanData call : List.of(create, serverSpan("user.v1.UserService/GetUser"))) {
      List<SpanData> statements = childrenOf(call);
      assertThat(statements).as("statement spans of %s among %s", call.getName(), spans.getFinishedSpanItems()).isNotEmpty().allSatisfy(statement -> {
        assertThat(statement.getKind()).isEqualTo(SpanKind.CLIENT);
        assertThat(statement.getTraceId()).isEqualTo(TRACE_ID);
        assertThat(statement.getAttributes().get(AttributeKey.stringKey("db.system"))).isEqualTo("postgresql");
        // statements are recorded with their values replaced: no email or name in any span
        assertThat(statement.getAttributes().toString()).doesNotContain("traced@example.com", "Traced");
      });
    }
    assertThat(spans.getFinishedSpanItems()).noneMatch(span -> span.getName().contains("traced@example.com"));

    JsonObject line = callLine("user.v1.UserService/CreateUser");
    assertThat(line.get("trace.id").getAsString()).isEqualTo(TRACE_ID);
    assertThat(line.get("span.id").getAsString()).isEqualTo(create.getSpanId());
  }

  @Test
  void callWithoutTraceparent_startsItsOwnTrace() {
    service.blocking().createUser(CreateUserRequest.newBuilder().setEmail("root@example.com").setName("Root").build());

    SpanData create = serverSpan("user.v1.UserService/CreateUser");
    assertThat(create.getParentSpanContext().isValid()).isFalse();
    assertThat(childrenOf(create)).isNotEmpty();
  }

  @Test
  void bulkCreate_traced_writesThroughTheWrappedDataSource() throws Exception {
    RecordingObserver<BulkCreateResponse> response = new RecordingObserver<>();
    StreamObserver<CreateUserRequest> requests = service.async().withDeadlineAfter(20, TimeUnit.SECONDS)
        .bulkCreateUsers(response);
    for (int i = 0; i < 300; i++) {
      requests.onNext(CreateUserRequest.newBuilder().setEmail("bulk" + i + "@example.com").setName("B" + i).build());
    }
    requests.onCompleted();

    assertThat(response.awaitEnd().getCode()).isEqualTo(Status.Code.OK);
    assertThat(response.values().get(0).getCreatedCount()).isEqualTo(300);
    assertThat(serverSpan("user.v1.UserService/BulkCreateUsers").getAttributes()
        .get(AttributeKey.longKey("rpc.grpc.status_code"))).isZero();
  }

  @Test
  void fromEndpoint_empty_isOffAndAddsNothing() throws Exception {
    DataSource dataSource = new JdbcDataSource();
    try (ServiceTracing off = ServiceTracing.fromEndpoint(Optional.empty())) {
      assertThat(off.enabled()).isFalse();
      assertThat(off.serverInterceptors()).isEmpty();
      assertThat(off.traced(dataSource)).isSameAs(dataSource);
    }
    try (ServiceTracing on = ServiceTracing.fromEndpoint(Optional.of(URI.create("http://127.0.0.1:4318")))) {
      assertThat(on.enabled()).isTrue();
      assertThat(on.serverInterceptors()).hasSize(1);
      assertThat(on.traced(dataSource)).isNotSameAs(dataSource);
    }
  }

  @Test
  void withTracesPath_appendsTheSignalPathOnce() {
    assertThat(ServiceTracing.withTracesPath(URI.create("http://collector:4318"))).isEqualTo("http://collector:4318/v1/traces");
    assertThat(ServiceTracing.withTracesPath(URI.create("https://collector/otlp/"))).isEqualTo("https://collector/otlp/v1/traces");
  }

  private SpanData serverSpan(String name) {
    await().atMost(Duration.ofSeconds(20)).until(() -> spans.getFinishedSpanItems().stream()
        .anyMatch(span -> span.getKind() == SpanKind.SERVER && span.getName().equals(name)));
    return spans.getFinishedSpanItems().stream()
        .filter(span -> span.getKind() == SpanKind.SERVER && span.getName().equals(name)).findFirst().orElseThrow();
  }

  private List<SpanData> childrenOf(SpanData parent) {
    return spans.getFinishedSpanItems().stream()
        .filter(span -> span.getParentSpanId().equals(parent.getSpanId())).toList();
  }

  private JsonObject callLine(String method) {
    await().atMost(Duration.ofSeconds(20)).until(() -> logged.toString(StandardCharsets.UTF_8).contains(method));
    for (String line : logged.toString(StandardCharsets.UTF_8).split("\n")) {
      JsonObject json = JsonParser.parseString(line).getAsJsonObject();
      if (json.has("method") && method.equals(json.get("method").getAsString())) {
        return json;
      }
    }
    throw new AssertionError("no call line for " + method + " in " + logged);
  }
}
