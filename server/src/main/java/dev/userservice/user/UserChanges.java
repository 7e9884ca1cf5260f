package dev.userservice.user;

import static java.util.Objects.requireNonNull;

import java.util.Optional;
import java.util.Set;

/**
 * The fields one update sets; absent fields stay as they are.
 *
 * @param roles when present, the complete new set of roles
 * @param expectedEtag when present, the update applies only to the user at that version
 */
public record UserChanges(Optional<String> email, Optional<String> name, Optional<AccountStatus> status,
    Optional<Set<String>> roles, Optional<String> expectedEtag) {

  public UserChanges {
    requireNonNull(email, "email");
    requireNonNull(name, "name");
    requireNonNull(status, "status");
    requireNonNull(roles, "roles");
    requireNonNull(expectedEtag, "expectedEtag");
    roles = roles.map(Set::copyOf);
  }

  /** Changes that leave the roles as they are. */
  public UserChanges(Optional<String> email, Optional<String> name, Optional<AccountStatus> status,
      Optional<String> expectedEtag) {
    this(email, name, status, Optional.empty(), expectedEtag);
  }

  /** Whether the update changes no field. */
  public boolean isEmpty() {
    return email.isEmpty() && name.isEmpty() && status.isEmpty() && roles.isEmpty();
  }

  /** Whether the update changes what only an admin may change: the status or the roles. */
  public boolean changesAccess() {
    return status.isPresent() || roles.isPresent();
  }
}
