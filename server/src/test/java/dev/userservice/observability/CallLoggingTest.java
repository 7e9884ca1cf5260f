package dev.userservice.observability;

import static dev.userservice.testing.Calls.catchStatus;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.GetUserRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.testing.InProcessService;
import dev.userservice.testing.TestTokens;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The call log line's fields and the request id's echo, through the whole interceptor chain. */
class CallLoggingTest {
  @RegisterExtension
  final InProcessService service = InProcessService.onH2();

  @RegisterExtension
  final CallLogCapture callLog = new CallLogCapture();

  @Test
  void duration_millisecondsWithThreeDecimals() {
    assertThat(CallLoggingInterceptor.millis(0)).hasToString("0.000");
    assertThat(CallLoggingInterceptor.millis(7)).hasToString("0.007");
    assertThat(CallLoggingInterceptor.millis(12_045)).hasToString("12.045");
    assertThat(CallLoggingInterceptor.millis(1_230)).hasToString("1.230");
    assertThat(CallLoggingInterceptor.millis(98_765_432)).hasToString("98765.432");
  }

  @Test
  void peer_hostAndPortWithoutLeadingSlash() {
    assertThat(CallLoggingInterceptor.peer(new java.net.InetSocketAddress("127.0.0.1", 5123))).isEqualTo("127.0.0.1:5123");
    assertThat(CallLoggingInterceptor.peer(new java.net.InetSocketAddress("::1", 5123))).isEqualTo("[0:0:0:0:0:0:0:1]:5123");
    assertThat(CallLoggingInterceptor.peer(null)).isEmpty();
  }

  @Test
  void callLog_authenticatedCall_namesMethodStatusDurationPeerSubjectAndRequestId() {
    User user = createUser("ada@example.com");
    String token = TestTokens.user(user.getId());

    var stub = withRequestId(service.blocking(token), "trace-42");
    stub.getUser(GetUserRequest.newBuilder().setUserId(user.getId()).build());

    Map<String, String> line = lineOf("user.v1.UserService/GetUser");
    assertThat(line).containsEntry("status", "OK").containsEntry("subject", user.getId())
        .containsEntry("request_id", "trace-42").containsKeys("duration_ms", "peer");
    assertThat(line.get("duration_ms")).matches("\\d+\\.\\d{3}");
    assertThat(line.get("peer")).isNotEmpty();
    assertThat(line.values()).noneMatch(v -> v.contains(token));
  }

  @Test
  void callLog_publicCall_hasNoSubject() {
    createUser("grace@example.com");

    Map<String, String> line = lineOf("user.v1.UserService/CreateUser");
    assertThat(line).containsEntry("status", "OK").doesNotContainKey("subject").containsKey("request_id");
  }

  @Test
  void requestId_givenByClient_echoedInResponseHeaders() {
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    var stub = withRequestId(UserServiceGrpc.newBlockingStub(service.channel()), "client-id-1")
        .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers));

    stub.createUser(CreateUserRequest.newBuilder().setEmail("edsger@example.com").setName("Edsger").build());

    assertThat(headers.get().get(RequestId.HEADER)).isEqualTo("client-id-1");
    assertThat(lineOf("user.v1.UserService/CreateUser")).containsEntry("request_id", "client-id-1");
  }

  @Test
  void requestId_tooLongOrNotPrintable_replacedByGeneratedOne() {
    for (String bad : List.of("x".repeat(RequestId.MAX_LENGTH + 1), "has space", "tab\tin")) {
      AtomicReference<Metadata> headers = new AtomicReference<>();
      AtomicReference<Metadata> trailers = new AtomicReference<>();
      var stub = withRequestId(UserServiceGrpc.newBlockingStub(service.channel()), bad)
          .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers));

      stub.createUser(CreateUserRequest.newBuilder().setEmail("u" + bad.length() + "@example.com").setName("U")
          .build());

      String echoed = headers.get().get(RequestId.HEADER);
      assertThat(echoed).isNotEqualTo(bad)
          .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    }
  }

  @Test
  void requestId_callRefusedBeforeHeaders_echoedInTrailersAndLogged() {
    AtomicReference<Metadata> headers = new AtomicReference<>();
    AtomicReference<Metadata> trailers = new AtomicReference<>();
    var stub = withRequestId(service.blocking("not-a-token"), "refused-7")
        .withInterceptors(MetadataUtils.newCaptureMetadataInterceptor(headers, trailers));

    Status status = catchStatus(() -> stub.getUser(GetUserRequest.newBuilder().setUserId("x").build())).getStatus();

    assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(trailers.get().get(RequestId.HEADER)).isEqualTo("refused-7");
    assertThat(lineOf("user.v1.UserService/GetUser")).containsEntry("status", "UNAUTHENTICATED")
        .containsEntry("request_id", "refused-7").doesNotContainKey("subject");
  }

  private User createUser(String email) {
    return UserServiceGrpc.newBlockingStub(service.channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
        .createUser(CreateUserRequest.newBuilder().setEmail(email).setName("Someone").build());
  }

  private static <S extends io.grpc.stub.AbstractStub<S>> S withRequestId(S stub, String requestId) {
    Metadata headers = new Metadata();
    headers.put(RequestId.HEADER, requestId);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  /** The key-value pairs of the one line logged for this method. */
  private Map<String, String> lineOf(String method) {
    List<ILoggingEvent> matching = callLog.lines().stream()
        .filter(e -> e.getKeyValuePairs() != null
            && e.getKeyValuePairs().stream().anyMatch(kv -> kv.key.equals("method") && kv.value.equals(method)))
        .toList();
    assertThat(matching).as("log lines for %s in %s", method, callLog.lines()).hasSize(1);
    Map<String, String> fields = new LinkedHashMap<>();
    matching.get(0).getKeyValuePairs().forEach(kv -> fields.put(kv.key, String.valueOf(kv.value)));
    return fields;
  }
}
