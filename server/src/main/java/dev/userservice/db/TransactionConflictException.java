package dev.userservice.db;

/**
 * A transaction lost to a concurrent one: a deadlock, a serialization failure or a lock not
 * granted in time. It was rolled back; the same work may succeed when tried again.
 */
public final class TransactionConflictException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TransactionConflictException(String message, Throwable cause) {
    super(message, cause);
  }
}
