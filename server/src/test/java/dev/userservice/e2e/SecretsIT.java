package dev.userservice.e2e;

import static dev.userservice.testing.Calls.catchStatus;
import static org.assertj.core.api.Assertions.assertThat;

import dev.userservice.api.auth.v1.AuthServiceGrpc;
import dev.userservice.api.auth.v1.LoginRequest;
import dev.userservice.api.user.v1.CreateUserRequest;
import dev.userservice.api.user.v1.GetUserRequest;
import dev.userservice.api.user.v1.User;
import dev.userservice.api.user.v1.UserServiceGrpc;
import dev.userservice.testing.ServiceProcess;
import dev.userservice.testing.TestDatabases;
import dev.userservice.testing.TestTokens;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A run of the real jar that handles a password, its hash, a JWT secret and tokens: none of
 * them appears in anything the process printed, nor in any response.
 */
class SecretsIT {
  private static final String PASSWORD = "Tr0ub4dor&3-secret";
  private static final String WRONG_PASSWORD = "wrong-guess-secret";
  private static final String DATABASE_PASSWORD = "db-password-secret";

  @ParameterizedTest(name = "LOG_FORMAT={0}")
  @ValueSource(strings = {"text", "json"})
  void passwordsHashesAndTokens_neverLoggedNorReturned(String logFormat) throws Exception {
    String schema = TestDatabases.createPostgresSchema();
    String token;
    String hash;
    String output;
    try (ServiceProcess service = ServiceProcess.start(Map.of(
        "DATABASE_URL", TestDatabases.postgresUrl() + "?currentSchema=" + schema,
        "DATABASE_USER", TestDatabases.postgresUser(),
        "DATABASE_PASSWORD", DATABASE_PASSWORD, // trust auth ignores it; it must still never be printed
        "JWT_SECRET", TestTokens.SECRET,
        "LOG_FORMAT", logFormat))) {
      ManagedChannel channel = service.channel();
      var users = UserServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);
      var auth = AuthServiceGrpc.newBlockingStub(channel).withDeadlineAfter(20, TimeUnit.SECONDS);

      User user = users.createUser(CreateUserRequest.newBuilder()
          .setEmail("secret@example.com").setName("Secret").setPassword(PASSWORD).build());
      catchStatus(() -> users.createUser(CreateUserRequest.newBuilder()
          .setEmail("bad").setName("").setPassword("short-secret-x".substring(0, 5)).build()));
      catchStatus(() -> auth.login(LoginRequest.newBuilder().setEmail("secret@example.com")
          .setPassword(WRONG_PASSWORD).build()));
      token = auth.login(LoginRequest.newBuilder().setEmail("secret@example.com").setPassword(PASSWORD).build())
          .getAccessToken();
      User fetched = users.withCallCredentials(TestTokens.bearer(token))
          .getUser(GetUserRequest.newBuilder().setUserId(user.getId()).build());
      Status rejected = catchStatus(() -> users.withCallCredentials(TestTokens.bearer(token + "x"))
          .getUser(GetUserRequest.newBuilder().setUserId(user.getId()).build())).getStatus();

      hash = storedHash(schema);
      assertThat(hash).startsWith("$argon2id$");
      assertThat(user.toString() + fetched + rejected).doesNotContain(PASSWORD).doesNotContain(hash)
          .doesNotContain(token);
      assertThat(service.terminate()).isZero();
      output = service.output();
    } finally {
      TestDatabases.dropSchema(schema);
    }

    if (logFormat.equals("json")) {
      assertThat(output).contains("\"method\":\"auth.v1.AuthService/Login\"")
          .contains("\"method\":\"user.v1.UserService/GetUser\"");
    } else {
      assertThat(output).contains("method=\"auth.v1.AuthService/Login\"")
          .contains("method=\"user.v1.UserService/GetUser\"");
    }
    String signature = token.substring(token.lastIndexOf('.') + 1);
    assertThat(output)
        .doesNotContain(PASSWORD)
        .doesNotContain(WRONG_PASSWORD)
        .doesNotContain(hash)
        .doesNotContain(hash.substring(hash.lastIndexOf('$') + 1))
        .doesNotContain(token)
        .doesNotContain(signature)
        .doesNotContain(TestTokens.SECRET)
        .doesNotContain(DATABASE_PASSWORD);
  }

  private static String storedHash(String schema) throws Exception {
    try (Connection c = DriverManager.getConnection(TestDatabases.postgresUrl(), TestDatabases.postgresUser(), "");
        PreparedStatement s = c.prepareStatement("select password_hash from " + schema + ".users where email = ?")) {
      s.setString(1, "secret@example.com");
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }
}
