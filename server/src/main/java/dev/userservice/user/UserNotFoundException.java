package dev.userservice.user;

import java.util.UUID;

/** No user has the requested id. */
public final class UserNotFoundException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public UserNotFoundException(UUID id) {
    super("user " + id + " not found");
  }
}
