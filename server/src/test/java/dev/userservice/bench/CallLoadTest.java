package dev.userservice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.api.auth.v1.AuthServiceGrpc;
import dev.userservice.api.auth.v1.LoginRequest;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.ListUsersRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.bench.NativeClients.Run;
import dev.userservice.testing.NettyService;
import dev.userservice.testing.TestTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/call-load.c, the native CreateUser and GetUser load of the bench scripts, built with cc
 * and run against the real Netty server: what it counts as succeeded is what the service stored or
 * found, and calls the service refuses are counted as failed, not as done.
 */
class CallLoadTest {
  private static final Pattern RESULT = Pattern.compile(
      "rate=([0-9.]+) p50_ms=([0-9.]+) p99_ms=([0-9.]+) succeeded=(\\d+) failed=(\\d+)");

  @TempDir
  static Path work;
  private static Path callLoad;
  private static NettyService service;

  @BeforeAll
  static void build() throws Exception {
    callLoad = NativeClients.build(work, "call-load", "-pthread");
    service = NettyService.start();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void createLoad_countsAsSucceededExactlyTheUsersTheServiceStored() throws Exception {
    Matcher result = createLoad(2, "stored");

    long succeeded = Long.parseLong(result.group(4));
    assertThat(succeeded).isPositive();
    assertThat(Long.parseLong(result.group(5))).isZero();
    assertThat(Double.parseDouble(result.group(2))).isPositive();
    assertThat(Double.parseDouble(result.group(3))).isGreaterThanOrEqualTo(Double.parseDouble(result.group(2)));
    List<String> emails = emailsStartingWith("stored-");
    assertThat(emails).hasSize((int) succeeded).doesNotHaveDuplicates();
  }

  @Test
  void createLoad_refusedCalls_countAsFailedNotSucceeded() throws Exception {
    // a space makes every email invalid: each call ends with INVALID_ARGUMENT
    Matcher result = createLoad(1, "not valid");

    assertThat(Long.parseLong(result.group(4))).isZero();
    assertThat(Long.parseLong(result.group(5))).isPositive();
    assertThat(emailsStartingWith("not valid")).isEmpty();
  }

  @Test
  void createLoad_withAPassword_storesItForEveryUser() throws Exception {
    Matcher result = createLoad(1, "hashed", "correct horse battery");

    long succeeded = Long.parseLong(result.group(4));
    assertThat(succeeded).isPositive();
    List<String> emails = emailsStartingWith("hashed-");
    assertThat(emails).hasSize((int) succeeded);
    var auth = AuthServiceGrpc.newBlockingStub(service.channel()).withDeadlineAfter(30, TimeUnit.SECONDS);
    String token = auth.login(LoginRequest.newBuilder().setEmail(emails.get(emails.size() - 1))
        .setPassword("correct horse battery").build()).getAccessToken();
    assertThat(token).isNotEmpty();
  }

  @Test
  void getLoad_countsAsSucceededTheLookupsOfStoredUsers() throws Exception {
    List<String> ids = List.of(createUser("found-1@example.com"), createUser("found-2@example.com"),
        createUser("found-3@example.com"));

    Matcher result = getLoad(2, ids, "Bearer " + TestTokens.admin());

    assertThat(Long.parseLong(result.group(4))).isPositive();
    assertThat(Long.parseLong(result.group(5))).isZero();
    assertThat(Double.parseDouble(result.group(3))).isGreaterThanOrEqualTo(Double.parseDouble(result.group(2)));
  }

  @Test
  void getLoad_looksUpTheFilesIdsInTurn() throws Exception {
    // one stored user and one unknown id, alternately: half the lookups find nothing
    List<String> ids = List.of(createUser("in-turn@example.com"), UUID.randomUUID().toString());

    Matcher result = getLoad(1, ids, "Bearer " + TestTokens.admin());

    long succeeded = Long.parseLong(result.group(4));
    long failed = Long.parseLong(result.group(5));
    assertThat(succeeded).isPositive();
    assertThat(Math.abs(succeeded - failed)).isLessThanOrEqualTo(1);
  }

  @Test
  void getLoad_refusedLookups_countAsFailedNotSucceeded() throws Exception {
    List<String> ids = List.of(createUser("refused@example.com"));

    Matcher result = getLoad(1, ids, "Bearer not-a-token");

    assertThat(Long.parseLong(result.group(4))).isZero();
    assertThat(Long.parseLong(result.group(5))).isPositive();
  }

  private static Matcher createLoad(int connections, String prefix, String... password) throws Exception {
    List<String> command = new ArrayList<>(List.of(callLoad.toString(), "create", "127.0.0.1",
        Integer.toString(service.port()), Integer.toString(connections), "0", "1", prefix));
    command.addAll(List.of(password));
    return callLoad(command);
  }

  private static Matcher getLoad(int connections, List<String> ids, String authorization) throws Exception {
    Path idsFile = Files.write(Files.createTempFile(work, "ids", ".txt"), ids);
    return callLoad(List.of(callLoad.toString(), "get", "127.0.0.1", Integer.toString(service.port()),
        Integer.toString(connections), "0", "1", idsFile.toString(), authorization));
  }

  private static Matcher callLoad(List<String> command) throws Exception {
    Run run = NativeClients.run(command);
    assertThat(run.exitCode()).as("call-load printed: %s", run.out()).isZero();
    String out = run.out();
    Matcher result = RESULT.matcher(out.strip());
    assertThat(result.matches()).as("call-load printed: %s", out).isTrue();
    return result;
  }

  private static String createUser(String email) {
    var stub = UserServiceGrpc.newBlockingStub(service.channel()).withDeadlineAfter(30, TimeUnit.SECONDS);
    return stub.createUser(CreateUserRequest.newBuilder().setEmail(email).setName("Looked Up").build()).getId();
  }

  private static List<String> emailsStartingWith(String prefix) {
    var stub = UserServiceGrpc.newBlockingStub(service.channel())
        .withCallCredentials(TestTokens.bearer(TestTokens.admin()))
        .withDeadlineAfter(30, TimeUnit.SECONDS);
    List<String> emails = new ArrayList<>();
    for (Iterator<User> users = stub.listUsers(ListUsersRequest.newBuilder().setPageSize(1000).build()); users.hasNext(); ) {
      String email = users.next().getEmail();
      if (email.startsWith(prefix)) {
        emails.add(email);
      }
    }
    return emails;
  }
}
