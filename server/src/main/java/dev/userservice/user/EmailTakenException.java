package dev.userservice.user;

/** Another user already has the email. The message does not repeat the address. */
public final class EmailTakenException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public EmailTakenException() {
    super("a user with this email already exists");
  }
}
