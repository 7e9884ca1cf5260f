package dev.userservice.testing;

import dev.userservice.identity.TokenService;
import dev.userservice.identity.TokenSettings;
import dev.userservice.client.BearerTokenCredentials;
import io.grpc.CallCredentials;
import java.time.Clock;
import java.util.Set;
import java.util.UUID;

/** Tokens signed with the secret the test services are configured with. */
public final class TestTokens {
  /** The HS256 secret of every service a test starts. */
  public static final String SECRET = "test-secret-that-is-at-least-32-bytes-long";
  public static final TokenService SERVICE = TokenService.create(TokenSettings.hs256(SECRET), Clock.systemUTC());

  private TestTokens() {}

  /** A token with the admin role, for a caller that is no user. */
  public static String admin() {
    return SERVICE.issue("admin-" + UUID.randomUUID(), Set.of("admin")).token();
  }

  /** A token for the user with this id, without roles. */
  public static String user(String userId) {
    return SERVICE.issue(userId, Set.of()).token();
  }

  /** Call credentials that send {@code authorization: Bearer <token>}. */
  public static CallCredentials bearer(String token) {
    return BearerTokenCredentials.of(() -> token);
  }
}
