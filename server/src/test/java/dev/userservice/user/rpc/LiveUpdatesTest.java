package dev.userservice.user.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.api.user.v1.UserUpdateRequest;
import dev.userservice.db.Database;
import dev.userservice.identity.AuthInterceptor;
import dev.userservice.identity.PasswordHasher;
import dev.userservice.server.DatabaseWorkerThreads;
import dev.userservice.server.ExceptionInterceptor;
import dev.userservice.server.UserServer;
import dev.userservice.testing.RecordingObserver;
import dev.userservice.testing.SlowReader;
import dev.userservice.testing.TestDatabases;
import dev.userservice.testing.TestTokens;
import dev.userservice.user.UserMessages;
import dev.userservice.user.changes.ChangeHub;
import dev.userservice.user.changes.InProcessChangePublisher;
import dev.userservice.user.jdbc.JdbcUserRepository;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** UserUpdates as a live feed on one replica (the embedded database's in-process feed). */
class LiveUpdatesTest {
  private final DatabaseWorkerThreads workerThreads = DatabaseWorkerThreads.start(0);

  @AfterEach
  void closeWorkerThreads() {
    workerThreads.close();
  }

  private Database database;
  private ChangeHub hub;
  private UserServer server;
  private ManagedChannel channel;
  private User ada;

  @BeforeEach
  void start() {
    database = Database.open(TestDatabases.h2());
    hub = new ChangeHub();
    var users = new JdbcUserRepository(database.dataSource(), Clock.systemUTC(), new InProcessChangePublisher(hub));
    String name = InProcessServerBuilder.generateName();
    server = new UserServer(InProcessServerBuilder.forName(name),
        List.of(new UserServiceImpl(users, new PasswordHasher(1), hub, workerThreads.workers())),
        List.of(new ExceptionInterceptor(), new AuthInterceptor(TestTokens.SERVICE)), () -> true,
        Duration.ofSeconds(1), Duration.ZERO, Duration.ofSeconds(1))
        .start();
    channel = InProcessChannelBuilder.forName(name).build();
    ada = stub(TestTokens.admin()).createUser(CreateUserRequest.newBuilder()
        .setEmail("ada@example.com").setName("Ada").build());
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.close();
    database.close();
  }

  private UserServiceGrpc.UserServiceBlockingStub stub(String token) {
    return UserServiceGrpc.newBlockingStub(channel).withCallCredentials(TestTokens.bearer(token))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private StreamObserver<UserUpdateRequest> open(String token, StreamObserver<User> answers) {
    return UserServiceGrpc.newStub(channel).withCallCredentials(TestTokens.bearer(token)).userUpdates(answers);
  }

  private static UserUpdateRequest rename(User user, String name) {
    return UserUpdateRequest.newBuilder().setUserId(user.getId()).setName(name).build();
  }

  private static UserUpdateRequest follow(User user) {
    return UserUpdateRequest.newBuilder().setUserId(user.getId()).build();
  }

  /** Applies one update on a stream of its own and waits for the answer. */
  private User updateElsewhere(UserUpdateRequest request) throws Exception {
    RecordingObserver<User> answers = new RecordingObserver<>();
    StreamObserver<UserUpdateRequest> requests = open(TestTokens.admin(), answers);
    requests.onNext(request);
    requests.onCompleted();
    assertThat(answers.awaitEnd().isOk()).isTrue();
    return answers.values().get(0);
  }

  @Test
  void follower_receivesChangesMadeByAnotherStream() throws Exception {
    RecordingObserver<User> follower = new RecordingObserver<>();
    StreamObserver<UserUpdateRequest> requests = open(TestTokens.user(ada.getId()), follower);
    requests.onNext(follow(ada));
    await().atMost(Duration.ofSeconds(5)).until(() -> follower.values().size() == 1);
    assertThat(follower.values().get(0)).isEqualTo(ada);

    User renamed = updateElsewhere(rename(ada, "Countess"));

    await().atMost(Duration.ofSeconds(5)).until(() -> follower.values().size() == 2);
    assertThat(follower.values().get(1)).isEqualTo(renamed);
    requests.onCompleted();
    assertThat(follower.awaitEnd().isOk()).isTrue();
  }

  @Test
  void ownUpdates_answeredOnceEach_notRepeatedByTheFeed() throws Exception {
    RecordingObserver<User> answers = new RecordingObserver<>();
    StreamObserver<UserUpdateRequest> requests = open(TestTokens.user(ada.getId()), answers);
    requests.onNext(rename(ada, "One"));
    requests.onNext(rename(ada, "Two"));
    await().atMost(Duration.ofSeconds(5)).until(() -> answers.values().size() == 2);
    Thread.sleep(300); // room for a duplicate from the feed to arrive

    assertThat(answers.values()).extracting(User::getName).containsExactly("One", "Two");
    requests.onCompleted();
    answers.awaitEnd();
  }

  @Test
  void follower_seesEveryChangeOnceInCommitOrder() throws Exception {
    RecordingObserver<User> follower = new RecordingObserver<>();
    StreamObserver<UserUpdateRequest> requests = open(TestTokens.admin(), follower);
    requests.onNext(follow(ada));
    await().atMost(Duration.ofSeconds(5)).until(() -> follower.values().size() == 1);

    User last = null;
    for (int i = 0; i < 20; i++) {
      last = updateElsewhere(rename(ada, "Name " + i));
    }

    User expectedLast = last;
    await().atMost(Duration.ofSeconds(5)).until(() -> follower.values().get(follower.values().size() - 1)
        .equals(expectedLast));
    List<Long> versions = follower.values().stream().map(u -> UserMessages.fromMessage(u).version()).toList();
    assertThat(versions).isSorted().doesNotHaveDuplicates();
    assertThat(versions).hasSize(21); // a reader that keeps up gets every version
    requests.onCompleted();
  }

  @Test
  void slowFollower_getsABoundedBacklogThenTheLatestStateWithoutSlowingWriters() throws Exception {
    SlowReader<UserUpdateRequest, User> follower = new SlowReader<>();
    StreamObserver<UserUpdateRequest> requests = open(TestTokens.admin(), follower);
    requests.onNext(follow(ada));
    await().atMost(Duration.ofSeconds(5)).until(() -> follower.values().size() == 1);

    long start = System.nanoTime();
    User last = null;
    for (int i = 0; i < 60; i++) {
      last = updateElsewhere(rename(ada, "Burst " + i));
    }
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    Thread.sleep(200);
    assertThat(follower.values()).hasSize(1); // it asked for nothing more

    follower.request(1000);
    User expectedLast = last;
    await().atMost(Duration.ofSeconds(5)).until(() -> follower.values().contains(expectedLast));
    Thread.sleep(200);
    // the first answer, at most the bounded backlog, then the newest state: not all 60 changes
    assertThat(follower.values()).hasSizeLessThanOrEqualTo(1 + UpdateStreamSender.MAX_UNREADY_SENDS + 1);
    assertThat(follower.values().get(follower.values().size() - 1)).isEqualTo(expectedLast);
    List<Long> versions = follower.values().stream().map(u -> UserMessages.fromMessage(u).version()).toList();
    assertThat(versions).isSorted().doesNotHaveDuplicates();
    follower.cancel();
  }

  @Test
  void cancelledStream_dropsItsSubscriptions() throws Exception {
    SlowReader<UserUpdateRequest, User> follower = new SlowReader<>();
    StreamObserver<UserUpdateRequest> requests = open(TestTokens.admin(), follower);
    requests.onNext(follow(ada));
    await().atMost(Duration.ofSeconds(5)).until(() -> follower.values().size() == 1);
    assertThat(hub.subscribedUsers()).hasSize(1);

    follower.cancel();

    await().atMost(Duration.ofSeconds(5)).until(() -> hub.subscribedUsers().isEmpty());
  }

  @Test
  void completedStream_dropsItsSubscriptions() throws Exception {
    updateElsewhere(follow(ada));

    assertThat(hub.subscribedUsers()).isEmpty();
  }

  @Test
  void followingAnotherUserWithoutAdmin_permissionDenied() throws Exception {
    User grace = stub(TestTokens.admin()).createUser(CreateUserRequest.newBuilder()
        .setEmail("grace@example.com").setName("Grace").build());
    RecordingObserver<User> answers = new RecordingObserver<>();
    StreamObserver<UserUpdateRequest> requests = open(TestTokens.user(ada.getId()), answers);
    requests.onNext(follow(grace));

    Status refused = answers.awaitEnd();
    assertThat(refused.getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    assertThat(refused.getDescription()).contains("update or follow only its own user");
    assertThat(answers.values()).isEmpty();
    assertThat(hub.subscribedUsers()).isEmpty();
  }
}
