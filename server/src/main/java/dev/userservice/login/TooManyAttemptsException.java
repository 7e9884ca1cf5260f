package dev.userservice.login;

import java.time.Duration;

/** Logins for one email failed too often; further attempts are refused for a while. */
public final class TooManyAttemptsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TooManyAttemptsException(Duration retryAfter) {
    super("too many failed logins for this email; try again in " + Math.max(1, retryAfter.toSeconds()) + " s");
  }
}
