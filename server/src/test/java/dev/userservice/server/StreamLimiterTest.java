package dev.userservice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.GetUserRequest;
import dev.userservice.api.user.v1.ListUsersRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.api.user.v1.UserUpdateRequest;
import dev.userservice.testing.NettyService;
import dev.userservice.testing.RecordingObserver;
import dev.userservice.testing.RecordingServerCall;
import dev.userservice.testing.TestTokens;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bounds on open streaming calls, per connection and in total, on the real Netty server. */
class StreamLimiterTest {
  private NettyService service;
  private User user;

  @AfterEach
  void close() throws Exception {
    if (service != null) {
      service.close();
    }
  }

  private void start(String... flags) {
    service = NettyService.start(flags);
    user = UserServiceGrpc.newBlockingStub(service.channel()).withDeadlineAfter(10, TimeUnit.SECONDS)
        .createUser(CreateUserRequest.newBuilder().setEmail("streams@example.com").setName("Streams").build());
  }

  /** Opens a UserUpdates stream and sends one request; the stream stays open until completed. */
  private Stream open(ManagedChannel channel) {
    RecordingObserver<User> answers = new RecordingObserver<>();
    StreamObserver<UserUpdateRequest> requests = UserServiceGrpc.newStub(channel)
        .withCallCredentials(TestTokens.bearer(TestTokens.admin())).userUpdates(answers);
    requests.onNext(UserUpdateRequest.newBuilder().setUserId(user.getId()).build());
    await().atMost(Duration.ofSeconds(10)).until(() -> !answers.values().isEmpty() || answers.ended());
    return new Stream(requests, answers);
  }

  private record Stream(StreamObserver<UserUpdateRequest> requests, RecordingObserver<User> answers) {
    boolean admitted() {
      return !answers.values().isEmpty() && !answers.ended();
    }

    Status end() throws Exception {
      return answers.awaitEnd();
    }
  }

  @Test
  void streams_pastThePerConnectionBound_resourceExhaustedNamingTheBound() throws Exception {
    start("--max-streams-per-connection=2", "--max-streams=100");
    ManagedChannel channel = service.channel();

    Stream first = open(channel);
    Stream second = open(channel);
    Stream third = open(channel);
    Stream otherConnection = open(service.channel());

    assertThat(first.admitted()).isTrue();
    assertThat(second.admitted()).isTrue();
    assertThat(third.end().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(third.end().getDescription()).contains("on this connection").contains("at most 2");
    assertThat(otherConnection.admitted()).isTrue();
  }

  @Test
  void streams_pastTheTotalBound_resourceExhaustedUntilOneEnds() throws Exception {
    start("--max-streams-per-connection=10", "--max-streams=2");

    Stream first = open(service.channel());
    Stream second = open(service.channel());
    Stream refused = open(service.channel());
    first.requests().onCompleted();
    assertThat(first.end().getCode()).isEqualTo(Status.Code.OK);
    Stream afterEnd = open(service.channel());

    assertThat(second.admitted()).isTrue();
    assertThat(refused.end().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(refused.end().getDescription()).contains("on this server").contains("at most 2");
    assertThat(afterEnd.admitted()).isTrue();
  }

  private static <Q, R> ServerCall.Listener<Q> intercept(StreamLimiter limiter, RecordingServerCall<Q, R> call) {
    return limiter.interceptCall(call, new Metadata(), (c, headers) -> new ServerCall.Listener<>() {});
  }

  @Test
  void interceptCall_streamingCall_getsTheBufferBoundAsOnReadyThreshold() {
    StreamLimiter limiter = new StreamLimiter(5, 5, 4096);
    RecordingServerCall<ListUsersRequest, User> listing = new RecordingServerCall<>(UserServiceGrpc.getListUsersMethod());
    RecordingServerCall<GetUserRequest, User> lookup = new RecordingServerCall<>(UserServiceGrpc.getGetUserMethod());

    intercept(limiter, listing);
    intercept(limiter, lookup);

    assertThat(listing.onReadyThreshold()).isEqualTo(4096);
    assertThat(lookup.onReadyThreshold()).as("unary calls keep grpc-java's threshold").isEqualTo(-1);
    assertThat(limiter.open()).isEqualTo(1);
  }

  @Test
  void interceptCall_streamsEndCompletedOrCancelled_eachReleasedOnce() {
    StreamLimiter limiter = new StreamLimiter(5, 2, 4096);
    ServerCall.Listener<ListUsersRequest> completed = intercept(limiter,
        new RecordingServerCall<>(UserServiceGrpc.getListUsersMethod()));
    ServerCall.Listener<ListUsersRequest> cancelled = intercept(limiter,
        new RecordingServerCall<>(UserServiceGrpc.getListUsersMethod()));
    RecordingServerCall<ListUsersRequest, User> refused = new RecordingServerCall<>(UserServiceGrpc.getListUsersMethod());
    intercept(limiter, refused);

    completed.onComplete();
    cancelled.onCancel();
    cancelled.onComplete();

    assertThat(refused.closed().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(limiter.open()).isZero();
  }

  @Test
  void unaryCalls_allStreamsTaken_stillServed() throws Exception {
    start("--max-streams-per-connection=1", "--max-streams=1");
    ManagedChannel channel = service.channel();
    Stream stream = open(channel);

    User created = UserServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .createUser(CreateUserRequest.newBuilder().setEmail("unary@example.com").setName("Unary").build());

    assertThat(stream.admitted()).isTrue();
    assertThat(created.getEmail()).isEqualTo("unary@example.com");
  }
}
