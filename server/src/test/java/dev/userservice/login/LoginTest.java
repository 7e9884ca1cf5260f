package dev.userservice.login;

import static dev.userservice.testing.Calls.catchStatus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.api.auth.v1.AuthServiceGrpc;
import dev.userservice.api.auth.v1.LoginRequest;
import dev.userservice.api.auth.v1.LoginResponse;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.GetUserRequest;
import dev.userservice.api.user.v1.ListUsersRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.identity.Principal;
import dev.userservice.testing.InProcessService;
import dev.userservice.testing.TestTokens;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LoginTest {
  private static final String PASSWORD = "correct horse battery";

  @RegisterExtension
  final InProcessService service = InProcessService.onH2();

  private AuthServiceGrpc.AuthServiceBlockingStub auth() {
    return AuthServiceGrpc.newBlockingStub(service.channel()).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private User createWithPassword(String email) {
    return service.blocking().createUser(CreateUserRequest.newBuilder()
        .setEmail(email).setName("Login").setPassword(PASSWORD).build());
  }

  private static LoginRequest login(String email, String password) {
    return LoginRequest.newBuilder().setEmail(email).setPassword(password).build();
  }

  @Test
  void login_rightPassword_tokenForTheUserThatTheServiceAccepts() throws Exception {
    User user = createWithPassword("login@example.com");

    LoginResponse response = auth().login(login("Login@Example.com", PASSWORD));

    assertThat(TestTokens.SERVICE.verify(response.getAccessToken()).subject()).isEqualTo(user.getId());
    Instant expires = Instant.ofEpochSecond(response.getExpireTime().getSeconds());
    assertThat(expires).isBetween(Instant.now().plus(Duration.ofMinutes(14)), Instant.now().plus(Duration.ofMinutes(16)));
    User fetched = service.blocking(response.getAccessToken())
        .getUser(GetUserRequest.newBuilder().setUserId(user.getId()).build());
    assertThat(fetched).isEqualTo(user);
  }

  @Test
  void login_unknownEmailAndWrongPassword_sameStatusAndMessage() {
    createWithPassword("known@example.com");

    Status unknown = catchStatus(() -> auth().login(login("nobody@example.com", PASSWORD))).getStatus();
    Status wrong = catchStatus(() -> auth().login(login("known@example.com", "wrong password"))).getStatus();

    assertThat(unknown.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(wrong.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(unknown.getDescription()).isEqualTo(wrong.getDescription());
  }

  /**
   * An unknown email costs one Argon2id verification too, so it is not measurably faster than a
   * wrong password (without the decoy hash it answers about fifty times sooner).
   */
  @Test
  void login_unknownEmail_takesAboutAsLongAsAWrongPassword() {
    createWithPassword("timing@example.com");
    Supplier<Long> wrong = () -> timeFailure(login("timing@example.com", "wrong password"));
    Supplier<Long> unknown = () -> timeFailure(login("missing@example.com", "wrong password"));

    long[] wrongTimes = new long[2];
    long[] unknownTimes = new long[2];
    for (int i = 0; i < 2; i++) { // stays under the lockout of three failures per email
      wrongTimes[i] = wrong.get();
      unknownTimes[i] = unknown.get();
    }

    long wrongFastest = Arrays.stream(wrongTimes).min().orElseThrow();
    long unknownFastest = Arrays.stream(unknownTimes).min().orElseThrow();
    assertThat((double) unknownFastest / wrongFastest).isBetween(0.3, 3.0);
  }

  private long timeFailure(LoginRequest request) {
    long start = System.nanoTime();
    StatusRuntimeException e = catchStatus(() -> auth().login(request));
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    return System.nanoTime() - start;
  }

  @Test
  void login_userWithoutPassword_unauthenticated() {
    service.blocking().createUser(CreateUserRequest.newBuilder().setEmail("nopw@example.com").setName("N").build());

    assertThat(catchStatus(() -> auth().login(login("nopw@example.com", "anything at all"))).getStatus().getCode())
        .isEqualTo(Status.Code.UNAUTHENTICATED);
  }

  @Test
  void login_missingFields_invalidArgument() {
    assertThat(catchStatus(() -> auth().login(LoginRequest.getDefaultInstance())).getStatus().getCode())
        .isEqualTo(Status.Code.INVALID_ARGUMENT);
  }

  @Test
  void login_repeatedFailures_refusedEvenWithTheRightPassword() {
    createWithPassword("target@example.com");
    for (int i = 0; i < 3; i++) { // the test service allows three failures
      assertThat(catchStatus(() -> auth().login(login("target@example.com", "guess"))).getStatus().getCode())
          .isEqualTo(Status.Code.UNAUTHENTICATED);
    }

    Status locked = catchStatus(() -> auth().login(login("target@example.com", PASSWORD))).getStatus();

    assertThat(locked.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(locked.getDescription()).contains("try again");
  }

  /** A change no change feed announces: SQL beside the service, as an admin command on the embedded database makes. */
  private void grantAdminBesideTheService(String email) throws Exception {
    try (Connection c = DriverManager.getConnection(service.settings().jdbcUrl());
        PreparedStatement s = c.prepareStatement("update users set roles = 'admin', version = version + 1 where email = ?")) {
      s.setString(1, email);
      s.executeUpdate();
    }
  }

  @Test
  void login_roleGrantedInTheDatabase_travelsInTheToken() throws Exception {
    User user = createWithPassword("boss@example.com");
    grantAdminBesideTheService("boss@example.com");

    String token = auth().login(login("boss@example.com", PASSWORD)).getAccessToken();

    Principal principal = TestTokens.SERVICE.verify(token);
    assertThat(principal.subject()).isEqualTo(user.getId());
    assertThat(principal.isAdmin()).isTrue();
  }

  /**
   * The account's state was cached before the change beside the service; the Login that read the
   * changed row makes its calls follow it at once, not a minute later.
   */
  @Test
  void login_afterARoleGrantBesideTheService_callsCarryTheRoleAtOnce() throws Exception {
    createWithPassword("first-admin@example.com");
    String before = auth().login(login("first-admin@example.com", PASSWORD)).getAccessToken();
    ListUsersRequest list = ListUsersRequest.getDefaultInstance();
    assertThat(catchStatus(() -> service.blocking(before).listUsers(list).next()).getStatus().getCode())
        .isEqualTo(Status.Code.PERMISSION_DENIED);
    grantAdminBesideTheService("first-admin@example.com");

    String after = auth().login(login("first-admin@example.com", PASSWORD)).getAccessToken();

    assertThat(service.blocking(after).listUsers(list).hasNext()).isTrue();
  }
}
