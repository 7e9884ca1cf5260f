package dev.userservice.user;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * A stored user account. It never holds the password hash, so no code that has a {@code User}
 * can leak one.
 *
 * @param version incremented on every write; the source of the etag
 * @param roles the roles every call of this account carries
 */
public record User(UUID id, String email, String name, AccountStatus status, Instant createdAt, Instant updatedAt,
    long version, Set<String> roles) {

  public User {
    requireNonNull(id, "id");
    requireNonNull(email, "email");
    requireNonNull(name, "name");
    requireNonNull(status, "status");
    requireNonNull(createdAt, "createdAt");
    requireNonNull(updatedAt, "updatedAt");
    roles = Set.copyOf(roles);
  }

  /** A user without roles, as every user is created. */
  public User(UUID id, String email, String name, AccountStatus status, Instant createdAt, Instant updatedAt,
      long version) {
    this(id, email, name, status, createdAt, updatedAt, version, Set.of());
  }

  /** The opaque tag a client sends back to update only this version. */
  public String etag() {
    return Etags.of(version);
  }
}
