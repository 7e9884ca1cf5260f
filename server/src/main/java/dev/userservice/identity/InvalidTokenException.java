package dev.userservice.identity;

/** A bearer token could not be verified; the message is for the log, never for the caller. */
public final class InvalidTokenException extends Exception {
  private static final long serialVersionUID = 1L;

  public InvalidTokenException(String message, Throwable cause) {
    super(message, cause);
  }
}
