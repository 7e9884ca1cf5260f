package dev.userservice.user;

import static java.util.Objects.requireNonNull;

import java.util.Optional;

/**
 * The fields one update sets; absent fields stay as they are.
 *
 * @param expectedEtag when present, the update applies only to the user at that version
 */
public record UserChanges(Optional<String> email, Optional<String> name, Optional<AccountStatus> status,
    Optional<String> expectedEtag) {

  public UserChanges {
    requireNonNull(email, "email");
    requireNonNull(name, "name");
    requireNonNull(status, "status");
    requireNonNull(expectedEtag, "expectedEtag");
  }

  /** Whether the update changes no field. */
  public boolean isEmpty() {
    return email.isEmpty() && name.isEmpty() && status.isEmpty();
  }
}
