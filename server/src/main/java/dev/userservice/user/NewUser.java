package dev.userservice.user;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * A validated account to create.
 *
 * @param email lower-case address
 * @param passwordHash PHC-encoded Argon2id hash, when a password was given
 * @param requestId the client's idempotency key, when given
 */
public record NewUser(String email, String name, Optional<String> passwordHash, Optional<String> requestId) {

  public NewUser {
    requireNonNull(email, "email");
    requireNonNull(name, "name");
    requireNonNull(passwordHash, "passwordHash");
    requireNonNull(requestId, "requestId");
  }
}
