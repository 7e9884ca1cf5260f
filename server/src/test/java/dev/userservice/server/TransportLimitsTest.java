package dev.userservice.server;

import static dev.userservice.testing.Calls.catchStatus;
import static java.util.Objects.requireNonNull;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.api.user.v1.UserUpdateRequest;
import dev.userservice.testing.NettyService;
import dev.userservice.testing.RawHttp2Connection;
import dev.userservice.testing.RawHttp2Connection.Frame;
import dev.userservice.testing.RecordingObserver;
import dev.userservice.testing.TestTokens;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.ForwardingClientCallListener.SimpleForwardingClientCallListener;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each transport limit on the real Netty server: applied from its setting, and what a client sees. */
class TransportLimitsTest {
  private static final Metadata.Key<String> PADDING = Metadata.Key.of("x-padding", Metadata.ASCII_STRING_MARSHALLER);

  private static final String GET_USER = "/" + UserServiceGrpc.getGetUserMethod().getFullMethodName();
  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
  }

  private NettyService start(String... flags) {
    NettyService service = NettyService.start(flags);
    resources.add(service);
    return service;
  }

  private static UserServiceGrpc.UserServiceBlockingStub blocking(ManagedChannel channel) {
    return UserServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private static CreateUserRequest create(String email, String name) {
    return CreateUserRequest.newBuilder().setEmail(email).setName(name).build();
  }

  @Test
  void maxInboundMessageSize_largerMessage_resourceExhausted() {
    ManagedChannel channel = start("--max-inbound-message-bytes=65536").channel();

    Status tooLarge = catchStatus(() -> blocking(channel).createUser(create("big@example.com", "n".repeat(100_000))))
        .getStatus();
    // below the limit the same kind of request reaches the handler, which refuses the long name
    Status handled = catchStatus(() -> blocking(channel).createUser(create("big@example.com", "n".repeat(300))))
        .getStatus();

    assertThat(tooLarge.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(handled.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void maxInboundMetadataSize_oversizedHeaders_refused() {
    ManagedChannel channel = start("--max-inbound-metadata-bytes=1024").channel();

    Status refused = catchStatus(() -> withPadding(blocking(channel), 2000)
        .createUser(create("meta@example.com", "Meta"))).getStatus();
    User accepted = withPadding(blocking(channel), 100).createUser(create("meta@example.com", "Meta"));

    // the server announces the limit in its SETTINGS, so grpc-java's client refuses to send the
    // headers (INTERNAL, HeaderListSizeException); a client that sends them anyway is reset
    assertThat(refused.getCode()).as(refused.toString()).isIn(Status.Code.INTERNAL, Status.Code.RESOURCE_EXHAUSTED);
    assertThat(accepted.getEmail()).isEqualTo("meta@example.com");
  }

  private static UserServiceGrpc.UserServiceBlockingStub withPadding(UserServiceGrpc.UserServiceBlockingStub stub,
      int length) {
    Metadata headers = new Metadata();
    headers.put(PADDING, "p".repeat(length));
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  @Test
  void maxConcurrentCallsPerConnection_onePastTheLimit_waitsUntilACallEnds() throws Exception {
    ManagedChannel channel = start("--max-concurrent-calls-per-connection=2").channel();
    User user = blocking(channel).createUser(create("streams@example.com", "Streams"));
    var async = UserServiceGrpc.newStub(channel).withCallCredentials(TestTokens.bearer(TestTokens.admin()));
    List<RecordingObserver<User>> answers = new ArrayList<>();
    List<StreamObserver<UserUpdateRequest>> streams = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      RecordingObserver<User> observer = new RecordingObserver<>();
      StreamObserver<UserUpdateRequest> requests = async.userUpdates(observer);
      requests.onNext(UserUpdateRequest.newBuilder().setUserId(user.getId()).build());
      answers.add(observer);
      streams.add(requests);
      if (i < 2) {
        await().atMost(Duration.ofSeconds(10)).until(() -> !observer.values().isEmpty());
      }
    }

    await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(2)).until(() -> answers.get(2).values().isEmpty());
    streams.get(0).onCompleted();
    assertThat(answers.get(0).awaitEnd().getCode()).isEqualTo(Status.Code.OK);
    await().atMost(Duration.ofSeconds(10)).until(() -> !answers.get(2).values().isEmpty());

    streams.get(1).onCompleted();
    streams.get(2).onCompleted();
    assertThat(answers.get(2).awaitEnd().getCode()).isEqualTo(Status.Code.OK);
  }

  @Test
  void keepAlive_pingsFasterThanPermitted_goAwayEnhanceYourCalmAndClosed() throws Exception {
    NettyService service = start("--keepalive-permit-time-ms=60000", "--keepalive-permit-without-calls=true");
    try (RawHttp2Connection connection = RawHttp2Connection.open(service.port())) {
      // grpc-java tolerates two pings too early; the third ends the connection
      for (int i = 0; i < 3; i++) {
        connection.ping();
      }

      Frame goAway = connection.readUntil(RawHttp2Connection.GOAWAY);

      assertThat(goAway).as("GOAWAY frame").isNotNull();
      assertThat(goAway.goAwayErrorCode()).isEqualTo(RawHttp2Connection.ENHANCE_YOUR_CALM);
      assertThat(goAway.goAwayDebugData()).isEqualTo("too_many_pings");
      assertThat(connection.read()).as("connection closed after GOAWAY").isNull();
    }
  }

  @Test
  void keepAlive_pingsAtPermittedPace_allAnsweredNoGoAway() throws Exception {
    NettyService service = start("--keepalive-permit-time-ms=100", "--keepalive-permit-without-calls=true");
    try (RawHttp2Connection connection = RawHttp2Connection.open(service.port())) {
      for (int i = 0; i < 5; i++) {
        Thread.sleep(250);
        connection.ping();
        Frame ack = connection.readUntil(RawHttp2Connection.PING);
        assertThat(ack).as("answer to ping %d", i + 1).isNotNull();
        assertThat(ack.flags() & RawHttp2Connection.FLAG_ACK).isEqualTo(RawHttp2Connection.FLAG_ACK);
      }
    }
  }

  @Test
  void keepAlive_idlePingsNotPermitted_goAwayEvenAtPermittedPace() throws Exception {
    NettyService service = start("--keepalive-permit-time-ms=100", "--keepalive-permit-without-calls=false");
    try (RawHttp2Connection connection = RawHttp2Connection.open(service.port())) {
      for (int i = 0; i < 3; i++) {
        Thread.sleep(250);
        connection.ping();
      }

      Frame goAway = connection.readUntil(RawHttp2Connection.GOAWAY);

      assertThat(goAway).as("GOAWAY frame").isNotNull();
      assertThat(goAway.goAwayErrorCode()).isEqualTo(RawHttp2Connection.ENHANCE_YOUR_CALM);
    }
  }

  @Test
  void rapidReset_moreResetsThanTheWindowAllows_goAwayEnhanceYourCalmAndClosed() throws Exception {
    NettyService service = start("--max-rst-frames-per-window=50", "--rst-frames-window-seconds=10");
    try (RawHttp2Connection connection = RawHttp2Connection.open(service.port())) {
      connection.openAndReset(GET_USER, 200);

      Frame goAway = connection.readUntil(RawHttp2Connection.GOAWAY);

      assertThat(goAway).as("GOAWAY frame").isNotNull();
      assertThat(goAway.goAwayErrorCode()).isEqualTo(RawHttp2Connection.ENHANCE_YOUR_CALM);
      assertThat(goAway.goAwayDebugData()).isEqualTo("too_many_rststreams");
      assertThat(connection.read()).as("connection closed after GOAWAY").isNull();
    }
    // a client that does not reset streams in bulk is served on its own connection
    assertThat(blocking(service.channel()).createUser(create("calm@example.com", "Calm")).getEmail())
        .isEqualTo("calm@example.com");
  }

  @Test
  void rapidReset_resetsWithinTheWindowBudget_connectionKept() throws Exception {
    NettyService service = start("--max-rst-frames-per-window=50", "--rst-frames-window-seconds=10");
    try (RawHttp2Connection connection = RawHttp2Connection.open(service.port())) {
      connection.openAndReset(GET_USER, 40);
      connection.ping();

      Frame ack = connection.readUntil(RawHttp2Connection.PING);

      assertThat(ack).as("answer to the ping after the resets").isNotNull();
      assertThat(ack.flags() & RawHttp2Connection.FLAG_ACK).isEqualTo(RawHttp2Connection.FLAG_ACK);
    }
  }

  @Test
  void maxConnectionAge_callInFlight_finishesWithinGrace() throws Exception {
    ManagedChannel channel = start("--max-connection-age-ms=300", "--max-connection-age-grace-ms=20000").channel();
    LocalAddresses addresses = new LocalAddresses();
    User user = blocking(channel).createUser(create("age@example.com", "Age"));
    RecordingObserver<User> answers = new RecordingObserver<>();
    StreamObserver<UserUpdateRequest> requests = UserServiceGrpc.newStub(channel).withInterceptors(addresses)
        .withCallCredentials(TestTokens.bearer(TestTokens.admin())).userUpdates(answers);
    requests.onNext(UserUpdateRequest.newBuilder().setUserId(user.getId()).build());
    await().atMost(Duration.ofSeconds(10)).until(() -> answers.values().size() == 1);
    SocketAddress streamConnection = addresses.last();

    // once the connection is past its age the server sends GOAWAY, and new calls take a new connection
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> {
      blocking(channel).withInterceptors(addresses).createUser(create("x" + System.nanoTime() + "@example.com", "X"));
      return !addresses.last().equals(streamConnection);
    });
    requests.onNext(UserUpdateRequest.newBuilder().setUserId(user.getId()).setName("Renamed").build());
    await().atMost(Duration.ofSeconds(10)).until(() -> answers.values().size() == 2);
    requests.onCompleted();

    assertThat(answers.awaitEnd().getCode()).isEqualTo(Status.Code.OK);
    assertThat(answers.values().get(1).getName()).isEqualTo("Renamed");
  }

  /** Records the local address of the connection each call went over. */
  private static final class LocalAddresses implements ClientInterceptor {
    private final AtomicReference<SocketAddress> last = new AtomicReference<>();

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
        @Override
        public void start(Listener<R> listener, Metadata headers) {
          ClientCall<Q, R> call = this;
          super.start(new SimpleForwardingClientCallListener<>(listener) {
            @Override
            public void onHeaders(Metadata responseHeaders) {
              last.set(requireNonNull(call.getAttributes().get(Grpc.TRANSPORT_ATTR_LOCAL_ADDR), "local address"));
              super.onHeaders(responseHeaders);
            }
          }, headers);
        }
      };
    }

    SocketAddress last() {
      return last.get();
    }
  }

  @Test
  void maxConnectionAge_callOutlastingGrace_endedByTheServer() throws Exception {
    ManagedChannel channel = start("--max-connection-age-ms=300", "--max-connection-age-grace-ms=500").channel();
    User user = blocking(channel).createUser(create("grace@example.com", "Grace"));
    RecordingObserver<User> answers = new RecordingObserver<>();
    StreamObserver<UserUpdateRequest> requests = UserServiceGrpc.newStub(channel)
        .withCallCredentials(TestTokens.bearer(TestTokens.admin())).userUpdates(answers);
    requests.onNext(UserUpdateRequest.newBuilder().setUserId(user.getId()).build());
    await().atMost(Duration.ofSeconds(10)).until(() -> answers.values().size() == 1);

    Status end = answers.awaitEnd();

    assertThat(end.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    // the channel reconnects: new calls still work
    assertThat(blocking(channel).createUser(create("after@example.com", "After")).getEmail())
        .isEqualTo("after@example.com");
  }
}
