package dev.userservice.db;

/** A database operation failed for a reason the caller cannot fix; the cause keeps the detail. */
public final class DatabaseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public DatabaseException(String message, Throwable cause) {
    super(message, cause);
  }
}
