package dev.userservice.user;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserUpdateRequest;
import dev.userservice.testing.InProcessService;
import dev.userservice.testing.RecordingObserver;
import dev.userservice.testing.TestDatabases;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A call's deadline stops its statement inside PostgreSQL, not only the call. */
class DeadlineReachesDatabaseTest {
  @RegisterExtension
  final InProcessService service = InProcessService.onPostgres();

  @Test
  void updateBlockedByALock_deadlineExceededAndTheStatementIsCancelled() throws Exception {
    User user = service.blocking().createUser(CreateUserRequest.newBuilder()
        .setEmail("locked@example.com").setName("Locked").build());
    String schema = service.settings().schema().orElseThrow();

    try (Connection holder = DriverManager.getConnection(TestDatabases.postgresUrl(), TestDatabases.postgresUser(), "")) {
      holder.setAutoCommit(false);
      try (PreparedStatement lock = holder.prepareStatement("select 1 from " + schema + ".users where id = ? for update")) {
        lock.setObject(1, UUID.fromString(user.getId()));
        lock.executeQuery().close();
      }

      long start = System.nanoTime();
      RecordingObserver<User> answers = new RecordingObserver<>();
      StreamObserver<UserUpdateRequest> requests = service.async().withDeadlineAfter(500, TimeUnit.MILLISECONDS)
          .userUpdates(answers);
      requests.onNext(UserUpdateRequest.newBuilder().setUserId(user.getId()).setName("Waiting").build());

      assertThat(answers.awaitEnd().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
      // the service's statement no longer waits for the lock: it was cancelled in the database
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(waitingOnLocks(holder)).isZero());
      holder.rollback();
    }
    assertThat(service.blocking().getUser(dev.userservice.api.user.v1.GetUserRequest.newBuilder()
        .setUserId(user.getId()).build()).getName()).isEqualTo("Locked");
  }

  private static int waitingOnLocks(Connection connection) throws Exception {
    try (PreparedStatement s = connection.prepareStatement("select count(*) from pg_stat_activity"
        + " where application_name = 'user-service' and wait_event_type = 'Lock'");
        ResultSet rs = s.executeQuery()) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
