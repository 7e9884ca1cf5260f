package dev.userservice.identity;

import java.util.Set;

/**
 * What the service knows now about the local account a token names: whether it may still call,
 * and the roles its calls carry, whatever the token says.
 */
public record AccountState(boolean active, Set<String> roles) {
  public AccountState {
    roles = Set.copyOf(roles);
  }
}
