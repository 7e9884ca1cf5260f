package dev.userservice.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.userservice.api.user.v1.BulkCreateResponse;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.GetUserRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.config.Config;
import dev.userservice.db.DatabaseSettings;
import dev.userservice.server.UserServiceApp;
import dev.userservice.testing.Calls;
import dev.userservice.testing.RecordingObserver;
import dev.userservice.testing.TestDatabases;
import dev.userservice.testing.TestTokens;
import dev.userservice.user.rpc.UserServiceImpl;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Every pooled connection is busy: other calls get UNAVAILABLE after the pool's timeout, not a hang. */
class PoolExhaustedTest {
  private UserServiceApp app;
  private ManagedChannel channel;

  @BeforeEach
  void start() {
    DatabaseSettings h2 = TestDatabases.h2();
    DatabaseSettings onePooledConnection = new DatabaseSettings(h2.jdbcUrl(), h2.user(), h2.password(), h2.schema(),
        1, Duration.ofMillis(500));
    String name = InProcessServerBuilder.generateName();
    app = UserServiceApp.start(onePooledConnection, InProcessServerBuilder.forName(name),
        Config.load(new String[] {"--metrics-port=0", "--drain-delay-ms=0"}, Map.of("JWT_SECRET", TestTokens.SECRET)));
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    app.close();
  }

  private UserServiceGrpc.UserServiceBlockingStub users() {
    return UserServiceGrpc.newBlockingStub(channel).withCallCredentials(TestTokens.bearer(TestTokens.admin()))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Test
  void poolExhausted_unavailableWithinTheTimeoutThenServedAgain() throws Exception {
    User user = users().createUser(CreateUserRequest.newBuilder().setEmail("pool@example.com").setName("P").build());
    // an open BulkCreate holds the only connection in its transaction once a batch is written
    HeldStream held = new HeldStream();
    var bulk = UserServiceGrpc.newStub(channel).withCallCredentials(TestTokens.bearer(TestTokens.admin()))
        .bulkCreateUsers(held);
    for (int i = 0; i <= UserServiceImpl.BULK_BATCH_SIZE; i++) { // one message past a batch
      bulk.onNext(CreateUserRequest.newBuilder().setEmail("held" + i + "@example.com").setName("H").build());
    }
    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
      Calls.catchStatus(() -> users().getUser(GetUserRequest.newBuilder().setUserId(user.getId()).build()));
      return true;
    });

    long start = System.nanoTime();
    Status status = Calls.catchStatus(() -> users().getUser(
        GetUserRequest.newBuilder().setUserId(user.getId()).build())).getStatus();
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(took).isBetween(Duration.ofMillis(400), Duration.ofSeconds(3));

    held.cancel();
    assertThat(held.awaitEnd().getCode()).isEqualTo(Status.Code.CANCELLED);
    await().atMost(Duration.ofSeconds(5)).ignoreExceptions().untilAsserted(() ->
        assertThat(users().getUser(GetUserRequest.newBuilder().setUserId(user.getId()).build())).isEqualTo(user));
  }

  private static final class HeldStream extends RecordingObserver<BulkCreateResponse>
      implements ClientResponseObserver<CreateUserRequest, BulkCreateResponse> {
    private ClientCallStreamObserver<CreateUserRequest> call;

    @Override
    public void beforeStart(ClientCallStreamObserver<CreateUserRequest> requestStream) {
      call = requestStream;
    }

    void cancel() {
      call.cancel("release the connection", null);
    }
  }
}
