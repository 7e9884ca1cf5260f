package dev.userservice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.userservice.api.user.v1.GetUserRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.api.user.v1.UserUpdateRequest;
import dev.userservice.observability.CallLoggingInterceptor;
import dev.userservice.testing.RecordingObserver;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The shutdown stages on a real Netty server and client, since what a client sees when its
 * stream is cut depends on the transport.
 */
class StagedShutdownTest {
  private final FakeUsers users = new FakeUsers();
  private UserServer server;
  private ManagedChannel channel;

  private void start(Duration drainDelay, Duration grace) {
    server = new UserServer(Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()), List.of(users),
        List.of(new CallLoggingInterceptor(), new ExceptionInterceptor()), () -> true, Duration.ofSeconds(10),
        drainDelay, grace).start();
    channel = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(), InsecureChannelCredentials.create())
        .build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    users.release.countDown();
    if (channel != null) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void close_streamOutlastingGrace_clientSeesUnavailableAndHandlerSeesCancel() throws Exception {
    start(Duration.ZERO, Duration.ofMillis(300));
    RecordingObserver<User> answers = new RecordingObserver<>();
    StreamObserver<UserUpdateRequest> updates = UserServiceGrpc.newStub(channel).userUpdates(answers);
    updates.onNext(UserUpdateRequest.newBuilder().setUserId("u1").build());
    await().atMost(Duration.ofSeconds(5)).until(() -> answers.values().size() == 1);

    server.close();

    Status end = answers.awaitEnd();
    assertThat(end.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(end.getDescription()).contains("shutting down");
    assertThat(users.streamCancelled).succeedsWithin(Duration.ofSeconds(5));
  }

  @Test
  void close_unaryCallOutlastingGrace_clientSeesUnavailable() throws Exception {
    start(Duration.ZERO, Duration.ofMillis(300));
    var stub = UserServiceGrpc.newFutureStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    var call = stub.getUser(GetUserRequest.newBuilder().setUserId("slow").build());
    assertThat(users.slowCallStarted.await(5, TimeUnit.SECONDS)).isTrue();

    server.close();

    assertThat(Status.fromThrowable(catchCause(call)).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
  }

  @Test
  void close_callFinishingWithinGrace_completesOk() throws Exception {
    start(Duration.ZERO, Duration.ofSeconds(10));
    var call = UserServiceGrpc.newFutureStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .getUser(GetUserRequest.newBuilder().setUserId("slow").build());
    assertThat(users.slowCallStarted.await(5, TimeUnit.SECONDS)).isTrue();
    CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);

    Thread.sleep(300);
    assertThat(closing).isNotDone();
    users.release.countDown();

    assertThat(call.get(5, TimeUnit.SECONDS).getId()).isEqualTo("slow");
    assertThat(closing).succeedsWithin(Duration.ofSeconds(5));
  }

  @Test
  void close_duringDrainDelay_healthNotServingWhileCallsAreStillServed() throws Exception {
    start(Duration.ofSeconds(2), Duration.ofSeconds(1));
    assertThat(health("")).isEqualTo(ServingStatus.SERVING);
    CompletableFuture<Void> closing = CompletableFuture.runAsync(server::close);

    await().atMost(Duration.ofSeconds(1)).until(() -> health("") == ServingStatus.NOT_SERVING);
    assertThat(health("user.v1.UserService")).isEqualTo(ServingStatus.NOT_SERVING);
    assertThat(health(UserServer.LIVENESS_SERVICE)).isEqualTo(ServingStatus.NOT_SERVING);
    assertThat(UserServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .getUser(GetUserRequest.newBuilder().setUserId("quick").build()).getId()).isEqualTo("quick");
    assertThat(closing).isNotDone();

    assertThat(closing).succeedsWithin(Duration.ofSeconds(10));
  }

  private ServingStatus health(String service) {
    return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
  }

  private static Throwable catchCause(java.util.concurrent.Future<?> call) throws InterruptedException {
    try {
      call.get(10, TimeUnit.SECONDS);
      throw new AssertionError("the call succeeded");
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (java.util.concurrent.TimeoutException e) {
      throw new AssertionError("the call did not end", e);
    }
  }

  /** GetUser answers at once, or for id "slow" once released; UserUpdates echoes each request. */
  private static final class FakeUsers extends UserServiceGrpc.UserServiceImplBase {
    final CountDownLatch slowCallStarted = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final CompletableFuture<Void> streamCancelled = new CompletableFuture<>();

    @Override
    public void getUser(GetUserRequest request, StreamObserver<User> out) {
      if (request.getUserId().equals("slow")) {
        slowCallStarted.countDown();
        try {
          release.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      out.onNext(User.newBuilder().setId(request.getUserId()).build());
      out.onCompleted();
    }

    @Override
    public StreamObserver<UserUpdateRequest> userUpdates(StreamObserver<User> out) {
      ((ServerCallStreamObserver<User>) out).setOnCancelHandler(() -> streamCancelled.complete(null));
      return new StreamObserver<>() {
        @Override
        public void onNext(UserUpdateRequest request) {
          out.onNext(User.newBuilder().setId(request.getUserId()).build());
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          out.onCompleted();
        }
      };
    }
  }
}
