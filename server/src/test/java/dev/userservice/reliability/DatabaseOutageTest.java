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
import dev.userservice.testing.Calls;
import dev.userservice.testing.TcpProxy;
import dev.userservice.testing.TestDatabases;
import dev.userservice.testing.TestTokens;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL disappears and comes back under load (a relay in front of it is cut and restored):
 * calls fail fast with UNAVAILABLE, health turns NOT_SERVING, and both recover without a restart.
 */
class DatabaseOutageTest {
  private TcpProxy proxy;
  private String schema;
  private UserServiceApp app;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    int postgresPort = URI.create(TestDatabases.postgresUrl().substring("jdbc:".length())).getPort();
    proxy = TcpProxy.to(postgresPort);
    DatabaseSettings direct = TestDatabases.postgres();
    schema = direct.schema().orElseThrow();
    DatabaseSettings viaProxy = new DatabaseSettings(
        "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/test", direct.user(), Optional.empty(), direct.schema(), 4,
        Duration.ofMillis(500));
    String name = InProcessServerBuilder.generateName();
    app = UserServiceApp.start(viaProxy, InProcessServerBuilder.forName(name),
        Config.load(new String[] {"--health-interval-ms=200", "--metrics-port=0", "--drain-delay-ms=0"}, Map.of("JWT_SECRET", TestTokens.SECRET)));
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    app.close();
    proxy.close();
    TestDatabases.dropSchema(schema);
  }

  private UserServiceGrpc.UserServiceBlockingStub users() {
    return UserServiceGrpc.newBlockingStub(channel).withCallCredentials(TestTokens.bearer(TestTokens.admin()))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private ServingStatus health() {
    return HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService("user.v1.UserService").build()).getStatus();
  }

  @Test
  void databaseDownThenBack_unavailableFastNotServingThenRecoveredWithoutRestart() throws Exception {
    User before = users().createUser(CreateUserRequest.newBuilder().setEmail("before@example.com").setName("B").build());
    assertThat(health()).isEqualTo(ServingStatus.SERVING);
    // load through the whole outage: every call ends OK or UNAVAILABLE, none hangs past its deadline
    Map<Status.Code, AtomicInteger> outcomes = new ConcurrentHashMap<>();
    AtomicBoolean loading = new AtomicBoolean(true);
    Thread load = new Thread(() -> {
      while (loading.get()) {
        Status.Code code;
        try {
          users().withDeadlineAfter(3, TimeUnit.SECONDS)
              .getUser(GetUserRequest.newBuilder().setUserId(before.getId()).build());
          code = Status.Code.OK;
        } catch (StatusRuntimeException e) {
          code = e.getStatus().getCode();
        }
        outcomes.computeIfAbsent(code, c -> new AtomicInteger()).incrementAndGet();
      }
    }, "outage-load");
    load.start();
    Thread.sleep(300);

    proxy.down();

    for (int i = 0; i < 3; i++) {
      long start = System.nanoTime();
      Status status = Calls.catchStatus(() -> users().getUser(
          GetUserRequest.newBuilder().setUserId(before.getId()).build())).getStatus();
      assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(status.getDescription()).doesNotContain("jdbc").doesNotContain("SQL");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> health() == ServingStatus.NOT_SERVING);

    proxy.up();

    await().atMost(Duration.ofSeconds(15)).until(() -> health() == ServingStatus.SERVING);
    await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() ->
        assertThat(users().getUser(GetUserRequest.newBuilder().setUserId(before.getId()).build())).isEqualTo(before));
    User after = users().createUser(CreateUserRequest.newBuilder().setEmail("after@example.com").setName("A").build());
    assertThat(after.getId()).isNotEqualTo(before.getId());
    loading.set(false);
    load.join(10_000);
    assertThat(outcomes.keySet()).containsOnly(Status.Code.OK, Status.Code.UNAVAILABLE);
    assertThat(outcomes.get(Status.Code.UNAVAILABLE).get()).isPositive();
  }
}
