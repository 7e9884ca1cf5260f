package dev.userservice.db;

/** A statement was stopped because the call it served was cancelled or ran past its deadline. */
public final class QueryCancelledException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public QueryCancelledException(String message, Throwable cause) {
    super(message, cause);
  }
}
