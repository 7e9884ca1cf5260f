package dev.userservice.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.GetUserRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.api.user.v1.UserStatus;
import dev.userservice.api.user.v1.UserUpdateRequest;
import dev.userservice.testing.RecordingObserver;
import dev.userservice.testing.ServiceProcess;
import dev.userservice.testing.TestDatabases;
import dev.userservice.testing.TestTokens;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Three replicas of the real jar on one PostgreSQL: changes reach every replica's streams. */
class LiveUpdatesIT {
  private static final Duration DELIVERY = Duration.ofSeconds(10);
  private static String schema;
  private static final List<ServiceProcess> replicas = new ArrayList<>();

  @BeforeAll
  static void startReplicas() throws Exception {
    schema = TestDatabases.createPostgresSchema();
    for (int i = 0; i < 3; i++) {
      replicas.add(ServiceProcess.start(ServiceProcess.postgresEnvironment(schema, Map.of("DB_POOL_SIZE", "4"))));
    }
  }

  @AfterAll
  static void stopReplicas() throws Exception {
    for (ServiceProcess replica : replicas) {
      replica.close();
    }
    TestDatabases.dropSchema(schema);
  }

  private static ManagedChannel channel(int replica) throws Exception {
    return replicas.get(replica).channel();
  }

  private static User createUser(String email) throws Exception {
    return UserServiceGrpc.newBlockingStub(channel(0)).withDeadlineAfter(10, TimeUnit.SECONDS)
        .createUser(CreateUserRequest.newBuilder().setEmail(email).setName("Live").build());
  }

  private static StreamObserver<UserUpdateRequest> open(int replica, StreamObserver<User> answers) throws Exception {
    return UserServiceGrpc.newStub(channel(replica)).withCallCredentials(TestTokens.bearer(TestTokens.admin()))
        .userUpdates(answers);
  }

  private static RecordingObserver<User> follow(int replica, User user) throws Exception {
    RecordingObserver<User> follower = new RecordingObserver<>();
    open(replica, follower).onNext(UserUpdateRequest.newBuilder().setUserId(user.getId()).build());
    await().atMost(DELIVERY).until(() -> follower.values().size() == 1);
    return follower;
  }

  private static Status update(int replica, UserUpdateRequest request, List<User> answer) throws Exception {
    RecordingObserver<User> answers = new RecordingObserver<>();
    StreamObserver<UserUpdateRequest> requests = open(replica, answers);
    requests.onNext(request);
    requests.onCompleted();
    Status status = answers.awaitEnd();
    answer.addAll(answers.values());
    return status;
  }

  private static User rename(int replica, User user, String name) throws Exception {
    List<User> answer = new ArrayList<>();
    Status status = update(replica, UserUpdateRequest.newBuilder().setUserId(user.getId()).setName(name).build(), answer);
    assertThat(status.isOk()).as("rename: %s", status).isTrue();
    return answer.get(0);
  }

  private static boolean received(RecordingObserver<User> follower, User expected) {
    return follower.values().contains(expected);
  }

  @Test
  void changeThroughOneReplica_reachesFollowersOnTheOthers() throws Exception {
    User user = createUser("fanout@example.com");
    RecordingObserver<User> onB = follow(1, user);
    RecordingObserver<User> onC = follow(2, user);

    User renamed = rename(0, user, "Seen everywhere");

    await().atMost(DELIVERY).until(() -> received(onB, renamed) && received(onC, renamed));
    assertThat(onB.values()).containsExactly(user, renamed);
    assertThat(onC.values()).containsExactly(user, renamed);
  }

  @Test
  void listeningConnectionKilled_feedRecovers() throws Exception {
    User user = createUser("recover@example.com");
    RecordingObserver<User> onB = follow(1, user);
    RecordingObserver<User> onC = follow(2, user);

    assertThat(terminateListeners()).isGreaterThanOrEqualTo(3);
    // a change made while the listeners are away is recovered when they come back
    User whileAway = rename(0, user, "While away");
    await().atMost(DELIVERY).until(() -> received(onB, whileAway) && received(onC, whileAway));

    User after = rename(0, user, "After recovery");
    await().atMost(DELIVERY).until(() -> received(onB, after) && received(onC, after));
    assertThat(onB.values()).extracting(User::getName).containsSubsequence("While away", "After recovery")
        .doesNotHaveDuplicates();
  }

  @Test
  void deactivationThroughOneReplica_refusesTheTokenOnAnotherWithinOneSecond() throws Exception {
    User user = createUser("deactivated@example.com");
    var asUser = UserServiceGrpc.newBlockingStub(channel(2))
        .withCallCredentials(TestTokens.bearer(TestTokens.user(user.getId())));
    GetUserRequest get = GetUserRequest.newBuilder().setUserId(user.getId()).build();
    assertThat(asUser.withDeadlineAfter(10, TimeUnit.SECONDS).getUser(get).getId()).isEqualTo(user.getId());

    Status deactivated = update(0, UserUpdateRequest.newBuilder().setUserId(user.getId())
        .setStatus(UserStatus.USER_STATUS_INACTIVE).build(), new ArrayList<>());
    assertThat(deactivated.isOk()).as("deactivate: %s", deactivated).isTrue();
    long start = System.nanoTime();
    Status.Code code = Status.Code.OK;
    while (code == Status.Code.OK && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5)) {
      try {
        asUser.withDeadlineAfter(10, TimeUnit.SECONDS).getUser(get);
        Thread.sleep(5);
      } catch (StatusRuntimeException e) {
        code = e.getStatus().getCode();
      }
    }
    Duration took = Duration.ofNanos(System.nanoTime() - start);

    System.out.printf("deactivation enforced on another replica (jar) after %d ms%n", took.toMillis());
    assertThat(code).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(took).isLessThan(Duration.ofSeconds(1));
  }

  /** Each round, every updater reads the same etag and writes at once: one wins, the rest are ABORTED. */
  @Test
  void concurrentUpdatersWithEtags_oneWinsPerRoundAndTheStateIsConsistent() throws Exception {
    User user = createUser("contended@example.com");
    int updaters = 3;
    int rounds = 5;
    ExecutorService pool = Executors.newFixedThreadPool(updaters);
    int ok = 0;
    int aborted = 0;
    try {
      for (int round = 0; round < rounds; round++) {
        String etag = UserServiceGrpc.newBlockingStub(channel(0)).withCallCredentials(TestTokens.bearer(TestTokens.admin()))
            .withDeadlineAfter(10, TimeUnit.SECONDS).getUser(GetUserRequest.newBuilder().setUserId(user.getId()).build())
            .getEtag();
        CyclicBarrier start = new CyclicBarrier(updaters);
        List<Future<Status>> results = new ArrayList<>();
        for (int i = 0; i < updaters; i++) {
          int replica = i;
          String name = "round " + round + " by " + i;
          results.add(pool.submit(() -> {
            start.await(10, TimeUnit.SECONDS);
            return update(replica, UserUpdateRequest.newBuilder().setUserId(user.getId()).setName(name)
                .setEtag(etag).build(), new ArrayList<>());
          }));
        }
        for (Future<Status> result : results) {
          Status status = result.get(30, TimeUnit.SECONDS);
          if (status.isOk()) {
            ok++;
          } else {
            assertThat(status.getCode()).isEqualTo(Status.Code.ABORTED);
            aborted++;
          }
        }
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(ok).isEqualTo(rounds);
    assertThat(aborted).isEqualTo(rounds * (updaters - 1));
    User last = UserServiceGrpc.newBlockingStub(channel(2)).withCallCredentials(TestTokens.bearer(TestTokens.admin()))
        .withDeadlineAfter(10, TimeUnit.SECONDS).getUser(GetUserRequest.newBuilder().setUserId(user.getId()).build());
    assertThat(last.getEtag()).isEqualTo("\"" + (1 + rounds) + "\"");
    assertThat(last.getName()).startsWith("round " + (rounds - 1) + " by ");
  }

  private static int terminateListeners() throws Exception {
    try (Connection c = DriverManager.getConnection(TestDatabases.postgresUrl(), TestDatabases.postgresUser(), "");
        PreparedStatement s = c.prepareStatement("select count(pg_terminate_backend(pid)) from pg_stat_activity"
            + " where application_name = 'user-service-listener'");
        ResultSet rs = s.executeQuery()) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
