package dev.userservice.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.client.UserServiceClient;
import dev.userservice.testing.ChangeWatcher;
import dev.userservice.testing.FailoverLoad;
import dev.userservice.testing.NettyService;
import dev.userservice.testing.ReplicatedPostgres;
import dev.userservice.testing.ServingStatuses;
import dev.userservice.testing.TestTokens;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.sql.Connection;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The primary of a PostgreSQL pair with a synchronous standby dies (SIGKILL of every one of its
 * processes) under writes from two service replicas, and the standby is promoted with
 * {@code pg_ctl promote}: no write answered OK is lost, callers see only UNAVAILABLE, health
 * follows the primary, and live updates keep flowing on the other replica.
 */
class PrimaryFailoverTest {
  static final String[] FLAGS = {"--health-interval-ms=200", "--db-connection-timeout-ms=1000", "--db-pool-size=4"};

  @Test
  void primaryKilledStandbyPromoted_everyAcknowledgedWriteOnTheNewPrimaryAndReplicasRecover() throws Exception {
    try (ReplicatedPostgres postgres = ReplicatedPostgres.start("users");
        NettyService a = NettyService.onDatabase(postgres.postgresUrl(), FLAGS);
        NettyService b = NettyService.onDatabase(postgres.postgresUrl(), FLAGS);
        UserServiceClient clientA = client(a);
        UserServiceClient clientB = client(b)) {
      ManagedChannel healthA = a.channel();
      ManagedChannel healthB = b.channel();
      String watched = clientA.createUser(CreateUserRequest.newBuilder().setEmail("watched@example.com")
          .setName("w-0").build()).getId();
      try (ChangeWatcher onB = ChangeWatcher.follow(clientB, watched, "w-1");
          FailoverLoad load = FailoverLoad.start(clientA, 2)) {
        TimeUnit.MILLISECONDS.sleep(1500);
        // a change committed just before the crash reaches B's stream, if not at once then on reconnect
        ChangeWatcher.follow(clientA, watched, "w-before").close();

        long kill = System.nanoTime();
        load.mark(kill);
        postgres.primary().kill();

        ServingStatuses.await(healthA, ServingStatus.NOT_SERVING, Duration.ofSeconds(20));
        ServingStatuses.await(healthB, ServingStatus.NOT_SERVING, Duration.ofSeconds(20));
        long promoteStart = System.nanoTime();
        postgres.standby().promote();
        long promoted = System.nanoTime();
        ServingStatuses.await(healthA, ServingStatus.SERVING, Duration.ofSeconds(30));
        ServingStatuses.await(healthB, ServingStatus.SERVING, Duration.ofSeconds(30));
        ServingStatuses.awaitTrue(Duration.ofSeconds(30), "a write answered OK after the promotion",
            () -> load.firstOkAfterMark() != 0);
        TimeUnit.MILLISECONDS.sleep(1500);

        ChangeWatcher.follow(clientA, watched, "w-after").close();
        onB.awaitName("w-before", Duration.ofSeconds(20));
        onB.awaitName("w-after", Duration.ofSeconds(20));
        assertThat(onB.ended()).as("B's stream stayed open across the failover").isFalse();

        load.stop();
        try (Connection newPrimary = postgres.standby().client().connect("users")) {
          String summary = load.verify(newPrimary);
          System.out.printf("failover (pg_ctl promote, held until both replicas were NOT_SERVING): pg_ctl promote"
              + " %d ms; promoted -> first write OK %d ms; %s%n", millis(promoteStart, promoted),
              millis(promoted, load.firstOkAfterMark()), summary);
        }
        assertThat(load.okAfterMark()).as("writes answered OK after the failover").isPositive();
      }
    }
  }

  static UserServiceClient client(NettyService service) {
    return UserServiceClient.builder("127.0.0.1:" + service.port()).bearerTokens(TestTokens::admin).build();
  }

  static long millis(long fromNanos, long toNanos) {
    return TimeUnit.NANOSECONDS.toMillis(toNanos - fromNanos);
  }
}
