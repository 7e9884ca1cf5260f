package dev.userservice.identity;

/** Password hashing is at capacity: every hashing thread is busy and its queue is full. */
public final class HashingBusyException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public HashingBusyException() {
    super("password hashing is at capacity, try again later");
  }
}
