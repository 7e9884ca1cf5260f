package dev.userservice.login;

import static dev.userservice.testing.Calls.catchStatus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.api.auth.v1.AuthServiceGrpc;
import dev.userservice.api.auth.v1.LoginRequest;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.config.Config;
import dev.userservice.db.DatabaseSettings;
import dev.userservice.server.UserServiceApp;
import dev.userservice.testing.TestDatabases;
import dev.userservice.testing.TestTokens;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Login as an attacker calls it: racing guesses, several replicas, oversized and control-character
 * input, and more hashing than the service admits; on PostgreSQL (and H2 where the database matters).
 */
class LoginAttackTest {
  private static final String PASSWORD = "correct horse battery";
  private static final int MAX_FAILURES = 3;

  private final List<UserServiceApp> apps = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private DatabaseSettings settings;

  static Stream<String> databases() {
    return Stream.of("h2", "postgres");
  }

  /** A replica of the service on {@link #settings}, with these flags added. */
  private ManagedChannel replica(String... flags) {
    if (settings == null) {
      settings = TestDatabases.postgres();
    }
    List<String> args = new ArrayList<>(List.of("--metrics-port=0", "--drain-delay-ms=0", "--shutdown-grace-ms=1000",
        "--login-max-failures=" + MAX_FAILURES));
    args.addAll(List.of(flags));
    Config config = Config.load(args.toArray(String[]::new), Map.of("JWT_SECRET", TestTokens.SECRET));
    String name = InProcessServerBuilder.generateName();
    apps.add(UserServiceApp.start(settings, InProcessServerBuilder.forName(name), config));
    ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
    channels.add(channel);
    return channel;
  }

  @AfterEach
  void close() throws Exception {
    for (ManagedChannel channel : channels) {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    apps.forEach(UserServiceApp::close);
    if (settings != null && settings.schema().isPresent()) {
      TestDatabases.dropSchema(settings.schema().get());
    }
  }

  private static AuthServiceGrpc.AuthServiceBlockingStub auth(ManagedChannel channel) {
    return AuthServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private static void createWithPassword(ManagedChannel channel, String email) {
    UserServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .createUser(CreateUserRequest.newBuilder().setEmail(email).setName("Target").setPassword(PASSWORD).build());
  }

  private static LoginRequest login(String email, String password) {
    return LoginRequest.newBuilder().setEmail(email).setPassword(password).build();
  }

  private static Status.Code loginCode(ManagedChannel channel, String email, String password) {
    return catchStatus(() -> auth(channel).login(login(email, password))).getStatus().getCode();
  }

  @ParameterizedTest
  @MethodSource("databases")
  void login_fortyConcurrentGuesses_atMostTheLimitCheckedAndTheRightPasswordRefused(String kind) throws Exception {
    settings = kind.equals("h2") ? TestDatabases.h2() : TestDatabases.postgres();
    ManagedChannel channel = replica("--hash-queue=100");
    createWithPassword(channel, "raced@example.com");
    int guesses = 40;
    CyclicBarrier start = new CyclicBarrier(guesses);
    ExecutorService threads = Executors.newFixedThreadPool(guesses);
    List<Status.Code> codes = new ArrayList<>();
    try {
      List<Future<Status.Code>> answers = new ArrayList<>();
      for (int i = 0; i < guesses; i++) {
        String guess = "wrong guess " + i;
        answers.add(threads.submit(() -> {
          start.await();
          return loginCode(channel, "raced@example.com", guess);
        }));
      }
      for (Future<Status.Code> answer : answers) {
        codes.add(answer.get());
      }
    } finally {
      threads.shutdownNow();
    }

    // each UNAUTHENTICATED is one password checked; the others were refused before any check
    assertThat(codes.stream().filter(c -> c == Status.Code.UNAUTHENTICATED)).hasSize(MAX_FAILURES);
    assertThat(codes.stream().filter(c -> c == Status.Code.RESOURCE_EXHAUSTED)).hasSize(guesses - MAX_FAILURES);
    assertThat(loginCode(channel, "raced@example.com", PASSWORD)).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
  }

  @Test
  void login_failuresOnTwoReplicasOfOneDatabase_lockTheEmailOnBoth() {
    ManagedChannel first = replica();
    ManagedChannel second = replica();
    createWithPassword(first, "shared@example.com");

    assertThat(loginCode(first, "shared@example.com", "wrong one")).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(loginCode(second, "shared@example.com", "wrong two")).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(loginCode(first, "shared@example.com", "wrong three")).isEqualTo(Status.Code.UNAUTHENTICATED);

    assertThat(loginCode(second, "shared@example.com", PASSWORD)).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(loginCode(first, "shared@example.com", PASSWORD)).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
  }

  @Test
  void login_nulInEmail_invalidArgumentNamingTheField() {
    ManagedChannel channel = replica();

    Status status = catchStatus(() -> auth(channel).login(login("ada\u0000@example.com", PASSWORD))).getStatus();

    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("email").contains("control character");
  }

  @Test
  void login_nulInPassword_ordinaryFailedLogin() {
    ManagedChannel channel = replica();
    createWithPassword(channel, "nul@example.com");

    Status status = catchStatus(() -> auth(channel).login(login("nul@example.com", "correct\u0000horse"))).getStatus();

    assertThat(status.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(status.getDescription()).isEqualTo("invalid email or password");
  }

  @Test
  void login_emailLongerThanCreateUserAllows_invalidArgumentWithoutTheValue() {
    ManagedChannel channel = replica();
    String email = "a".repeat(250) + "@example.com";

    Status status = catchStatus(() -> auth(channel).login(login(email, PASSWORD))).getStatus();

    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("email: has 262 characters (expected: at most 254)")
        .doesNotContain("aaaa");
  }

  @Test
  void login_passwordLongerThanCreateUserAllows_invalidArgument() {
    ManagedChannel channel = replica();

    Status status = catchStatus(() -> auth(channel).login(login("long@example.com", "p".repeat(129)))).getStatus();

    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("password: has 129 characters (expected: at most 128)");
  }

  @Test
  void loginAndCreate_pastTheHashingQueue_refusedAtOnceWithUnavailable() throws Exception {
    ManagedChannel channel = replica("--hash-threads=1", "--hash-queue=1");
    createWithPassword(channel, "busy@example.com");
    int calls = 24;
    CyclicBarrier start = new CyclicBarrier(calls);
    ExecutorService threads = Executors.newFixedThreadPool(calls);
    List<Status> refused = new ArrayList<>();
    List<Long> refusedMillis = new ArrayList<>();
    try {
      List<Future<Object[]>> answers = new ArrayList<>();
      for (int i = 0; i < calls; i++) {
        int n = i;
        answers.add(threads.submit(() -> {
          start.await();
          long begin = System.nanoTime();
          Status status = n % 2 == 0
              ? catchStatus(() -> auth(channel).login(login("busy@example.com", "wrong guess"))).getStatus()
              : statusOf(() -> createWithPassword(channel, "flood" + n + "@example.com"));
          return new Object[] {status, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin)};
        }));
      }
      for (Future<Object[]> answer : answers) {
        Status status = (Status) answer.get()[0];
        if (status.getCode() == Status.Code.UNAVAILABLE) {
          refused.add(status);
          refusedMillis.add((Long) answer.get()[1]);
        }
      }
    } finally {
      threads.shutdownNow();
    }

    // one thread and one queued: of 24 calls at once, most are turned away without waiting for a hash
    assertThat(refused).hasSizeGreaterThanOrEqualTo(calls / 2)
        .allSatisfy(s -> assertThat(s.getDescription()).isEqualTo("password hashing is at capacity, try again later"));
    assertThat(refusedMillis.stream().sorted().toList().get(refusedMillis.size() / 2)).isLessThan(200);
    // refused logins count no attempt: the right password is still accepted
    assertThat(auth(channel).login(login("busy@example.com", PASSWORD)).getAccessToken()).isNotEmpty();
  }

  private static Status statusOf(Runnable call) {
    try {
      call.run();
      return Status.OK;
    } catch (io.grpc.StatusRuntimeException e) {
      return e.getStatus();
    }
  }
}
