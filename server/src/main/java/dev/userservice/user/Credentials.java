package dev.userservice.user;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * What a login needs to know about a user: its id, status, password hash (if it has one) and
 * roles. Only the login path reads it; it never reaches a response.
 */
public record Credentials(UUID id, AccountStatus status, Optional<String> passwordHash, Set<String> roles) {

  public Credentials {
    requireNonNull(id, "id");
    requireNonNull(status, "status");
    requireNonNull(passwordHash, "passwordHash");
    roles = Set.copyOf(roles);
  }

  @Override
  public String toString() {
    return "Credentials[id=" + id + ", status=" + status + ", roles=" + roles + "]";
  }
}
