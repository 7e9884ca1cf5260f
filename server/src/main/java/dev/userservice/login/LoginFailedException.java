package dev.userservice.login;

/** Email and password do not match a user; one message for every reason. */
public final class LoginFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public LoginFailedException() {
    super("invalid email or password");
  }
}
