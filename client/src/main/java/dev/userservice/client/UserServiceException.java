package dev.userservice.client;

import static java.util.Objects.requireNonNull;

import io.grpc.Metadata;
import io.grpc.Status;

/**
 * A call to user-service failed. Thrown as is for any status without a more specific
 * subclass; {@link #status()} keeps the code and description the call ended with.
 */
public class UserServiceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Status status;
  private final transient Metadata trailers;

  /**
   * @param status how the call ended
   * @param trailers the trailers it ended with, or null when there were none
   * @param cause the exception grpc reported
   */
  public UserServiceException(Status status, Metadata trailers, Throwable cause) {
    super(message(requireNonNull(status, "status")), cause);
    this.status = status;
    this.trailers = trailers == null ? new Metadata() : trailers;
  }

  private static String message(Status status) {
    return status.getDescription() == null
        ? status.getCode().toString()
        : status.getCode() + ": " + status.getDescription();
  }

  /** The status the call ended with. */
  public Status status() {
    return status;
  }

  /** The trailers the call ended with; empty when it had none. */
  public Metadata trailers() {
    return trailers;
  }
}
