package dev.userservice.user;

/**
 * A CreateUser's request id was used by an earlier create that asked for something else (another
 * email, name or password). The message says nothing of that earlier create or its user.
 */
public final class RequestIdReusedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RequestIdReusedException() {
    super("request_id: already used by an earlier create with a different email, name or password"
        + " (expected: the same request to retry it, or a new request_id for a new request)");
  }
}
