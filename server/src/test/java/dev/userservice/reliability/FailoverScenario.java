package dev.userservice.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.client.UserServiceClient;
import dev.userservice.testing.ChangeWatcher;
import dev.userservice.testing.FailoverLoad;
import dev.userservice.testing.NettyService;
import dev.userservice.testing.ServingStatuses;
import dev.userservice.testing.TestTokens;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * What the failover tests share: two service replicas on a multi-host DATABASE_URL, writes
 * from {@link FailoverLoad} through replica A, a UserUpdates stream on replica B following a
 * user; the primary dies, the failover runs, and then every acknowledged write must be on the
 * new primary, health must have gone NOT_SERVING and back to SERVING on both replicas, and B's
 * stream must have seen the change made just before the crash and one made after.
 */
final class FailoverScenario {
  static final String[] FLAGS = {"--health-interval-ms=200", "--db-connection-timeout-ms=1000", "--db-pool-size=4"};

  /** How the primary dies and the standby takes over. */
  interface Failover {
    /** Kills the primary and returns the moment of the kill (System.nanoTime). */
    long killPrimary();

    /** Waits until the new primary takes writes (promoting it, if the test is the orchestrator). */
    void awaitPromotion();

    /** A connection to the new primary's database. */
    Connection newPrimary() throws SQLException;
  }

  /** Timings of one run, System.nanoTime. */
  record Timings(long kill, long promoted, long firstOk) {
    long orchestratorMillis() {
      return TimeUnit.NANOSECONDS.toMillis(promoted - kill);
    }

    long serviceMillis() {
      return TimeUnit.NANOSECONDS.toMillis(firstOk - promoted);
    }

    long totalMillis() {
      return TimeUnit.NANOSECONDS.toMillis(firstOk - kill);
    }
  }

  private FailoverScenario() {}

  /** Runs the scenario and returns its timings and a summary of the load. */
  static String run(String databaseUrl, Failover failover) throws Exception {
    try (NettyService a = NettyService.onDatabase(databaseUrl, FLAGS);
        NettyService b = NettyService.onDatabase(databaseUrl, FLAGS);
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

        long kill = failover.killPrimary();
        load.mark(kill);
        ServingStatuses.await(healthA, ServingStatus.NOT_SERVING, Duration.ofSeconds(20));
        ServingStatuses.await(healthB, ServingStatus.NOT_SERVING, Duration.ofSeconds(20));
        failover.awaitPromotion();
        long promoted = System.nanoTime();
        ServingStatuses.await(healthA, ServingStatus.SERVING, Duration.ofSeconds(30));
        ServingStatuses.await(healthB, ServingStatus.SERVING, Duration.ofSeconds(30));
        ServingStatuses.awaitTrue(Duration.ofSeconds(30), "a write answered OK after the failover",
            () -> load.firstOkAfterMark() != 0);
        TimeUnit.MILLISECONDS.sleep(1500);

        ChangeWatcher.follow(clientA, watched, "w-after").close();
        onB.awaitName("w-before", Duration.ofSeconds(20));
        onB.awaitName("w-after", Duration.ofSeconds(20));
        assertThat(onB.ended()).as("B's stream stayed open across the failover").isFalse();

        load.stop();
        assertThat(load.okAfterMark()).as("writes answered OK after the failover").isPositive();
        try (Connection newPrimary = failover.newPrimary()) {
          String summary = load.verify(newPrimary);
          Timings t = new Timings(kill, promoted, load.firstOkAfterMark());
          return "kill -> new primary takes writes " + t.orchestratorMillis() + " ms; new primary -> first write OK "
              + t.serviceMillis() + " ms; kill -> first write OK " + t.totalMillis() + " ms; " + summary;
        }
      }
    }
  }

  static UserServiceClient client(NettyService service) {
    return UserServiceClient.builder("127.0.0.1:" + service.port()).bearerTokens(TestTokens::admin).build();
  }
}
