package dev.userservice.reliability;

import dev.userservice.testing.AutoFailoverFormation;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The same failover with a real orchestrator: a pg_auto_failover formation (monitor and two
 * nodes) loses its primary node (keeper and Postgres killed with SIGKILL) under load, the
 * monitor promotes the secondary by itself, and the service follows it. See
 * {@link FailoverScenario} for what must hold; the time from the kill to the first write
 * answered OK is printed, split into the orchestrator's and the service's share.
 */
class AutoFailoverTest {
  @Test
  void primaryNodeKilled_monitorPromotesTheSecondaryAndNoAcknowledgedWriteIsLost() throws Exception {
    try (AutoFailoverFormation formation = AutoFailoverFormation.start("users")) {
      String result = FailoverScenario.run(formation.postgresUrl(), new FailoverScenario.Failover() {
        @Override
        public long killPrimary() {
          return formation.kill(formation.first());
        }

        @Override
        public void awaitPromotion() {
          formation.awaitTakesWrites(formation.second(), Duration.ofSeconds(60));
        }

        @Override
        public Connection newPrimary() throws SQLException {
          return formation.client(formation.second()).connect("users");
        }
      });
      System.out.println("failover with pg_auto_failover: " + result);
    }
  }
}
