package dev.userservice.identity;

import java.util.Optional;

/** The current state of the local accounts that token subjects name. */
@FunctionalInterface
public interface AccountStates {
  /** Knows no local account: every token keeps the roles it carries. */
  AccountStates NONE = subject -> Optional.empty();

  /**
   * The state of the local user whose id is {@code subject}; empty when the subject is no local
   * user (a calling service, or a token from another issuer).
   */
  Optional<AccountState> current(String subject);
}
