package dev.userservice.admin;

/** An admin command could not do what it was asked; the message says why and what to do. */
public class AdminException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public AdminException(String message) {
    super(message);
  }
}
