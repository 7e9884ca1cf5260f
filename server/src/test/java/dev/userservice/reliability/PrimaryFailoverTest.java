package dev.userservice.reliability;

import dev.userservice.testing.ReplicatedPostgres;
import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * The primary of a PostgreSQL pair with a synchronous standby dies (SIGKILL of every one of its
 * processes) under writes from two service replicas; once both replicas report NOT_SERVING the
 * test promotes the standby with {@code pg_ctl promote}, as an operator would. See
 * {@link FailoverScenario} for what must hold.
 */
class PrimaryFailoverTest {
  @Test
  void primaryKilledStandbyPromoted_everyAcknowledgedWriteOnTheNewPrimaryAndReplicasRecover() throws Exception {
    try (ReplicatedPostgres postgres = ReplicatedPostgres.start("users")) {
      String result = FailoverScenario.run(postgres.postgresUrl(), new FailoverScenario.Failover() {
        @Override
        public long killPrimary() {
          return postgres.primary().kill();
        }

        @Override
        public void awaitPromotion() {
          postgres.standby().promote();
        }

        @Override
        public Connection newPrimary() throws SQLException {
          return postgres.standby().client().connect(postgres.database());
        }
      });
      // the promotion waited for NOT_SERVING on purpose: only the service's share is meaningful here
      System.out.println("failover with pg_ctl promote: " + result);
    }
  }
}
