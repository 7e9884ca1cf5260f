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

  /**
   * The token's principal as its account is now: with the account's current roles when the
   * subject is a local user, the token's roles otherwise; empty when the account is not active.
   */
  default Optional<Principal> principalNow(Principal fromToken) {
    Optional<AccountState> account = current(fromToken.subject());
    if (account.isEmpty()) {
      return Optional.of(fromToken);
    }
    if (!account.get().active()) {
      return Optional.empty();
    }
    return Optional.of(fromToken.withRoles(account.get().roles()));
  }
}
