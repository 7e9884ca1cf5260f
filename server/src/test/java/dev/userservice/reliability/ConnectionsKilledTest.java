package dev.userservice.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.GetUserRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.config.Config;
import dev.userservice.db.DatabaseSettings;
import dev.userservice.server.UserServiceApp;
import dev.userservice.testing.TestDatabases;
import dev.userservice.testing.TestTokens;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** PostgreSQL ends the service's connections (pg_terminate_backend): calls recover on new ones. */
class ConnectionsKilledTest {
  private String database;
  private UserServiceApp app;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    database = TestDatabases.createDatabase("killed_");
    DatabaseSettings settings = TestDatabases.databaseSettings(database);
    String name = InProcessServerBuilder.generateName();
    app = UserServiceApp.start(settings, InProcessServerBuilder.forName(name),
        Config.load(new String[] {"--metrics-port=0", "--drain-delay-ms=0"}, Map.of("JWT_SECRET", TestTokens.SECRET)));
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    app.close();
    TestDatabases.dropDatabase(database);
  }

  private UserServiceGrpc.UserServiceBlockingStub users() {
    return UserServiceGrpc.newBlockingStub(channel).withCallCredentials(TestTokens.bearer(TestTokens.admin()))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @Test
  void backendsTerminated_callsFailOnlyAsUnavailableAndRecover() throws Exception {
    User user = users().createUser(CreateUserRequest.newBuilder().setEmail("kill@example.com").setName("K").build());
    for (int i = 0; i < 10; i++) {
      users().getUser(GetUserRequest.newBuilder().setUserId(user.getId()).build());
    }

    assertThat(terminateServiceBackends()).isPositive();

    Map<Status.Code, Integer> outcomes = new EnumMap<>(Status.Code.class);
    for (int i = 0; i < 20; i++) {
      try {
        assertThat(users().getUser(GetUserRequest.newBuilder().setUserId(user.getId()).build())).isEqualTo(user);
        outcomes.merge(Status.Code.OK, 1, Integer::sum);
      } catch (StatusRuntimeException e) {
        outcomes.merge(e.getStatus().getCode(), 1, Integer::sum);
      }
    }
    assertThat(outcomes.keySet()).isSubsetOf(Status.Code.OK, Status.Code.UNAVAILABLE);
    assertThat(outcomes.get(Status.Code.UNAVAILABLE) == null ? 0 : outcomes.get(Status.Code.UNAVAILABLE))
        .isLessThanOrEqualTo(4); // at most one failure per broken pooled connection
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(users().createUser(CreateUserRequest.newBuilder().setEmail("again@example.com").setName("A")
            .build()).getEmail()).isEqualTo("again@example.com"));
  }

  private int terminateServiceBackends() throws Exception {
    return TestDatabases.terminateBackends(database);
  }
}
