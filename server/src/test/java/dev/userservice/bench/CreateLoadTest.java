package dev.userservice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.api.auth.v1.AuthServiceGrpc;
import dev.userservice.api.auth.v1.LoginRequest;
import dev.userservice.api.user.v1.ListUsersRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.bench.NativeClients.Run;
import dev.userservice.testing.NettyService;
import dev.userservice.testing.TestTokens;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/create-load.c, the native CreateUser load of the comparison script, built with cc and
 * run against the real Netty server: what it counts as succeeded is what the service stored, and
 * calls the service refuses are counted as failed, not as done.
 */
class CreateLoadTest {
  private static final Pattern RESULT = Pattern.compile(
      "rate=([0-9.]+) p50_ms=([0-9.]+) p99_ms=([0-9.]+) succeeded=(\\d+) failed=(\\d+)");

  @TempDir
  static Path work;
  private static Path createLoad;
  private static NettyService service;

  @BeforeAll
  static void build() throws Exception {
    createLoad = NativeClients.build(work, "create-load", "-pthread");
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

  private static Matcher createLoad(int connections, String prefix, String... password) throws Exception {
    List<String> command = new ArrayList<>(List.of(createLoad.toString(), "127.0.0.1",
        Integer.toString(service.port()), Integer.toString(connections), "0", "1", prefix));
    command.addAll(List.of(password));
    Run run = NativeClients.run(command);
    assertThat(run.exitCode()).as("create-load printed: %s", run.out()).isZero();
    String out = run.out();
    Matcher result = RESULT.matcher(out.strip());
    assertThat(result.matches()).as("create-load printed: %s", out).isTrue();
    return result;
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
