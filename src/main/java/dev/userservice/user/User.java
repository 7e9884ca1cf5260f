package dev.userservice.user;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.UUID;

/**
 * A stored user account. It never holds the password hash, so no code that has a {@code User}
 * can leak one.
 *
 * @param version incremented on every write; the source of the etag
 */
public record User(UUID id, String email, String name, AccountStatus status, Instant createdAt, Instant updatedAt,
    long version) {

  public User {
    requireNonNull(id, "id");
    requireNonNull(email, "email");
    requireNonNull(name, "name");
    requireNonNull(status, "status");
    requireNonNull(createdAt, "createdAt");
    requireNonNull(updatedAt, "updatedAt");
  }

  /** The opaque tag a client sends back to update only this version. */
  public String etag() {
    return Etags.of(version);
  }
}
