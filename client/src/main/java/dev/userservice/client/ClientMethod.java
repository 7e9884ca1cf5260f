package dev.userservice.client;

import java.time.Duration;

/**
 * The calls of {@link UserServiceClient}, each with the deadline it gets unless the builder
 * or the call sets another. A streaming call's deadline covers the whole stream.
 */
public enum ClientMethod {
  GET_USER(Duration.ofSeconds(5)),
  /** Longer than a lookup: a password is hashed with Argon2id, which the service runs a few at a time. */
  CREATE_USER(Duration.ofSeconds(10)),
  /** The whole listing, every reopen after a transient failure included. */
  LIST_USERS(Duration.ofMinutes(5)),
  BULK_CREATE_USERS(Duration.ofMinutes(10)),
  /** A bidirectional stream that also follows later changes, so it is meant to stay open a while. */
  USER_UPDATES(Duration.ofHours(1)),
  LOGIN(Duration.ofSeconds(10));

  private final Duration defaultDeadline;

  ClientMethod(Duration defaultDeadline) {
    this.defaultDeadline = defaultDeadline;
  }

  /** The deadline a call of this method gets when nothing else is set. */
  public Duration defaultDeadline() {
    return defaultDeadline;
  }
}
