package dev.userservice.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.userservice.api.user.v1.BulkCreateResponse;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.ListUsersRequest;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.testing.RecordingObserver;
import dev.userservice.testing.ServiceProcess;
import dev.userservice.testing.TestDatabases;
import dev.userservice.testing.TestTokens;
import dev.userservice.user.rpc.UserServiceImpl;
import io.grpc.stub.StreamObserver;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The service killed with SIGKILL in the middle of a BulkCreate: after a restart, its rows are all there or none. */
class CrashDuringBulkCreateIT {
  private String schema;
  private Map<String, String> env;

  @BeforeEach
  void createSchema() throws Exception {
    schema = TestDatabases.createPostgresSchema();
    env = ServiceProcess.postgresEnvironment(schema);
  }

  @AfterEach
  void dropSchema() throws Exception {
    TestDatabases.dropSchema(schema);
  }

  private static CreateUserRequest user(String prefix, int i) {
    return CreateUserRequest.newBuilder().setEmail(prefix + i + "@example.com").setName("Crash " + i).build();
  }

  private int openWriteTransactions() throws Exception {
    try (Connection c = DriverManager.getConnection(TestDatabases.postgresUrl(), TestDatabases.postgresUser(), "");
        PreparedStatement s = c.prepareStatement("select count(*) from pg_locks l join pg_class t on l.relation = t.oid"
            + " join pg_namespace n on t.relnamespace = n.oid where n.nspname = ? and t.relname = 'users'"
            + " and l.mode = 'RowExclusiveLock'")) {
      s.setString(1, schema);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  private static List<String> emails(ServiceProcess service) throws Exception {
    List<String> emails = new ArrayList<>();
    UserServiceGrpc.newBlockingStub(service.channel()).withCallCredentials(TestTokens.bearer(TestTokens.admin()))
        .withDeadlineAfter(30, TimeUnit.SECONDS).listUsers(ListUsersRequest.newBuilder().setPageSize(1000).build())
        .forEachRemaining(u -> emails.add(u.getEmail()));
    return emails;
  }

  @Test
  void killedMidStream_committedStreamKeptAndOpenStreamLeavesNothing() throws Exception {
    int committedCount = 700;
    int openCount = 3 * UserServiceImpl.BULK_BATCH_SIZE + 1; // three batches written inside the open transaction
    try (ServiceProcess first = ServiceProcess.start(env)) {
      var stub = UserServiceGrpc.newStub(first.channel()).withCallCredentials(TestTokens.bearer(TestTokens.admin()));

      RecordingObserver<BulkCreateResponse> committed = new RecordingObserver<>();
      StreamObserver<CreateUserRequest> done = stub.bulkCreateUsers(committed);
      for (int i = 0; i < committedCount; i++) {
        done.onNext(user("kept", i));
      }
      done.onCompleted();
      assertThat(committed.awaitEnd().isOk()).isTrue();

      RecordingObserver<BulkCreateResponse> open = new RecordingObserver<>();
      StreamObserver<CreateUserRequest> interrupted = stub.bulkCreateUsers(open);
      for (int i = 0; i < openCount; i++) {
        interrupted.onNext(user("lost", i));
      }
      // the open stream's transaction has written rows: it holds a write lock on this schema's table
      await().atMost(Duration.ofSeconds(20)).until(() -> openWriteTransactions() > 0);
      Thread.sleep(500);
      assertThat(open.ended()).isFalse();

      first.kill();
    }

    try (ServiceProcess second = ServiceProcess.start(env)) {
      List<String> emails = emails(second);
      assertThat(emails).hasSize(committedCount).allMatch(e -> e.startsWith("kept"));
    }
  }
}
