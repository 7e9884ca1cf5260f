package dev.userservice.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.client.UserServiceClient;
import dev.userservice.testing.Calls;
import dev.userservice.testing.ChangeWatcher;
import dev.userservice.testing.LocalPostgresClient;
import dev.userservice.testing.NettyService;
import dev.userservice.testing.ReplicatedPostgres;
import dev.userservice.testing.ServingStatuses;
import dev.userservice.testing.TestTokens;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The primary turns read-only without a restart, as a demoted primary does (here by
 * {@code default_transaction_read_only}, so the only writable server is gone): writes on the
 * service's pooled connections fail with SQLSTATE 25006 and must reach callers as UNAVAILABLE,
 * never INTERNAL, with nothing of the database in the message; those connections are dropped,
 * health turns NOT_SERVING, and once the server takes writes again the pool, the health and
 * the live-update listener recover without a restart.
 */
class ReadOnlyPrimaryTest {
  @Test
  void primaryTurnsReadOnly_writesUnavailableConnectionsDroppedThenRecoveredWithoutRestart() throws Exception {
    try (ReplicatedPostgres postgres = ReplicatedPostgres.start("users");
        NettyService a = NettyService.onDatabase(postgres.postgresUrl(), FailoverScenario.FLAGS);
        NettyService b = NettyService.onDatabase(postgres.postgresUrl(), FailoverScenario.FLAGS);
        UserServiceClient clientA = FailoverScenario.client(a);
        UserServiceClient clientB = FailoverScenario.client(b)) {
      ManagedChannel channel = a.channel();
      UserServiceGrpc.UserServiceBlockingStub users = UserServiceGrpc.newBlockingStub(channel)
          .withCallCredentials(TestTokens.bearer(TestTokens.admin()));
      User watched = users.withDeadlineAfter(10, TimeUnit.SECONDS).createUser(user("watched"));
      LocalPostgresClient primary = postgres.primary().client();
      assertThat(servicePoolConnections(primary)).isPositive();

      setReadOnly(primary, true);

      for (int i = 0; i < 6; i++) {
        Status status = Calls.catchStatus(() -> users.withDeadlineAfter(10, TimeUnit.SECONDS)
            .createUser(user("refused" + System.nanoTime()))).getStatus();
        assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(status.getDescription()).doesNotContainIgnoringCase("read-only").doesNotContain("25006")
            .doesNotContain("SQL").doesNotContain("jdbc");
      }
      ServingStatuses.await(channel, ServingStatus.NOT_SERVING, Duration.ofSeconds(10));
      ServingStatuses.awaitTrue(Duration.ofSeconds(10), "the service's pooled connections to the read-only server"
          + " dropped", () -> servicePoolConnections(primary) == 0);

      setReadOnly(primary, false);

      ServingStatuses.await(channel, ServingStatus.SERVING, Duration.ofSeconds(20));
      assertThat(users.withDeadlineAfter(10, TimeUnit.SECONDS).createUser(user("after")).getEmail())
          .isEqualTo("after@example.com");
      // the listeners left the read-only server and came back: a change on A reaches a stream on B
      try (ChangeWatcher onB = ChangeWatcher.follow(clientB, watched.getId(), "w-1")) {
        ChangeWatcher.follow(clientA, watched.getId(), "w-2").close();
        onB.awaitName("w-2", Duration.ofSeconds(20));
      }
    }
  }

  /**
   * Turns the server's default_transaction_read_only on or off for every session, and waits
   * until the reload reached the backends (pg_reload_conf only signals the postmaster).
   */
  private static void setReadOnly(LocalPostgresClient server, boolean readOnly) throws Exception {
    server.execute("postgres", readOnly ? "alter system set default_transaction_read_only = on"
        : "alter system reset default_transaction_read_only");
    server.execute("postgres", "select pg_reload_conf()");
    String expected = readOnly ? "on" : "off";
    ServingStatuses.awaitTrue(Duration.ofSeconds(10), "default_transaction_read_only " + expected, () -> {
      try {
        return expected.equals(server.queryText("postgres", "show default_transaction_read_only"));
      } catch (java.sql.SQLException e) {
        return false;
      }
    });
    // the postmaster signals the backends right after reloading; give the signals time to land
    TimeUnit.MILLISECONDS.sleep(300);
  }

  private static CreateUserRequest user(String local) {
    return CreateUserRequest.newBuilder().setEmail(local + "@example.com").setName(local).build();
  }

  private static int servicePoolConnections(LocalPostgresClient server) {
    try {
      return Integer.parseInt(server.queryText("postgres",
          "select count(*) from pg_stat_activity where application_name = 'user-service'"));
    } catch (java.sql.SQLException e) {
      throw new AssertionError(e);
    }
  }
}
